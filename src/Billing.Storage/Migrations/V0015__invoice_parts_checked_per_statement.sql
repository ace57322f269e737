-- An invoice's lines and taxes still belong to an existing invoice, but it is checked once per
-- statement instead of once per row: the bill run copies about twelve lines an invoice, and the
-- foreign key's probe and lock for each of them cost as much as writing the line (a batch of a
-- thousand invoices: 12,000 probes of the invoice they were just copied with). The same rules hold:
-- a line or tax names an invoice that exists (checked at the end of each INSERT or UPDATE, its
-- invoices locked FOR KEY SHARE as the foreign key locked them, so no other transaction deletes them
-- meanwhile), deleting an invoice deletes its lines and taxes (only drafts are ever deleted: the
-- issued ones refuse it), truncating invoices truncates them, and an invoice's id never changes.
-- One case the foreign key caught and this does not: lines added to an existing invoice by one
-- transaction while a REPEATABLE READ transaction that started before it committed deletes that
-- invoice (the foreign key's cascade fails to serialize; here the deletion misses the new lines).
-- Lines and taxes are only ever written in the transaction that writes their invoice, so no
-- other transaction's snapshot holds their invoice without them.
ALTER TABLE invoice_lines DROP CONSTRAINT invoice_lines_invoice_id_fkey;
ALTER TABLE invoice_taxes DROP CONSTRAINT invoice_taxes_invoice_id_fkey;

-- The invoices are looked up (and locked) by their key with an array of ids: a join with the
-- statement's rows could be planned as a scan of every invoice, or of every line below.
CREATE FUNCTION refuse_invoice_part_without_invoice() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    ids bigint[] := ARRAY(SELECT DISTINCT invoice_id FROM added);
    locked int;
BEGIN
    SELECT count(*) INTO locked FROM (SELECT 1 FROM invoices i WHERE i.id = ANY (ids) FOR KEY SHARE OF i) x;
    IF locked < cardinality(ids) THEN
        RAISE EXCEPTION 'insert or update on table "%" names an invoice that does not exist: %', TG_TABLE_NAME,
            (SELECT min(u.id) FROM unnest(ids) AS u(id) WHERE NOT EXISTS (SELECT 1 FROM invoices i WHERE i.id = u.id))
            USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER invoice_lines_invoice_added AFTER INSERT ON invoice_lines
    REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION refuse_invoice_part_without_invoice();
CREATE TRIGGER invoice_lines_invoice_changed AFTER UPDATE ON invoice_lines
    REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION refuse_invoice_part_without_invoice();
CREATE TRIGGER invoice_taxes_invoice_added AFTER INSERT ON invoice_taxes
    REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION refuse_invoice_part_without_invoice();
CREATE TRIGGER invoice_taxes_invoice_changed AFTER UPDATE ON invoice_taxes
    REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION refuse_invoice_part_without_invoice();

CREATE FUNCTION delete_parts_of_deleted_invoices() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM invoice_lines WHERE invoice_id = ANY (ARRAY(SELECT id FROM removed));
    DELETE FROM invoice_taxes WHERE invoice_id = ANY (ARRAY(SELECT id FROM removed));
    RETURN NULL;
END $$;

CREATE TRIGGER invoices_delete_parts AFTER DELETE ON invoices
    REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION delete_parts_of_deleted_invoices();

CREATE FUNCTION truncate_parts_of_invoices() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    TRUNCATE invoice_lines, invoice_taxes;
    RETURN NULL;
END $$;

CREATE TRIGGER invoices_truncate_parts AFTER TRUNCATE ON invoices
    FOR EACH STATEMENT EXECUTE FUNCTION truncate_parts_of_invoices();

CREATE FUNCTION refuse_invoice_id_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'invoice % cannot change its id (its lines and taxes name it)', OLD.id;
END $$;

CREATE TRIGGER invoices_id_fixed BEFORE UPDATE OF id ON invoices
    FOR EACH ROW WHEN (OLD.id IS DISTINCT FROM NEW.id) EXECUTE FUNCTION refuse_invoice_id_change();
