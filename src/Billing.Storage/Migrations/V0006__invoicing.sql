-- Invoicing: bill runs in batches of accounts; invoices, drafts until issued and immutable after,
-- with their lines and taxes; gapless numbers per series; one-time charges and manual adjustments;
-- credit notes; payments and what they settle.

-- Usage lines are per service; the bill run reads it from the charge, not from a join with usage.
ALTER TABLE rated_charges ADD COLUMN service smallint;
UPDATE rated_charges r SET service = u.service FROM usage u WHERE u.id = r.usage_id;
ALTER TABLE rated_charges ALTER COLUMN service SET NOT NULL;

-- A charge is invoiced when an issued invoice billed its account's cycle (invoiced_cycles, below),
-- without the bill run writing the charge rows: only a charge rated after that is `late`, and it is
-- invoiced once its own invoice_id is set (by the next bill run, as late usage).
ALTER TABLE rated_charges ADD COLUMN late boolean NOT NULL DEFAULT false;
CREATE INDEX rated_charges_late_open ON rated_charges (account_id) WHERE late AND invoice_id IS NULL;

-- The bill run looks for usage of a period that is neither rated nor held; usage arrives roughly in
-- time order, so a BRIN index on the event time narrows that to the period's block ranges.
CREATE INDEX usage_start ON usage USING brin (start_utc);

CREATE TABLE bill_runs (
    id              bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    run_date        date        NOT NULL UNIQUE,            -- closes the cycles that end at local midnight starting this date
    created_at      timestamptz NOT NULL DEFAULT now(),
    created_by      text        NOT NULL,
    planned_at      timestamptz,                            -- the last time its batches were made
    approval_requested_at timestamptz,                      -- the daily run's auto-approval, asked for once per plan
    unrated         jsonb       NOT NULL DEFAULT '{}'       -- account → usage of its closed cycle neither rated nor held, when planned
);

-- A run's accounts in batches: one transaction (one Hangfire job under serve) each, for the draft
-- and again for the approval.
CREATE TABLE bill_run_batches (
    run_id          bigint      NOT NULL REFERENCES bill_runs (id),
    batch_no        int         NOT NULL,
    accounts        text[]      NOT NULL,
    planned_at      timestamptz NOT NULL DEFAULT now(),
    drafted_at      timestamptz,
    approved_at     timestamptz,
    PRIMARY KEY (run_id, batch_no)
);

CREATE TABLE invoices (
    id                   bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    run_id               bigint      REFERENCES bill_runs (id),
    account_id           text        NOT NULL REFERENCES accounts (id),
    cycle_start          date        NOT NULL,
    cycle_end            date        NOT NULL,
    status               text        NOT NULL CHECK (status IN ('draft', 'issued')),
    number               text        UNIQUE,                -- assigned when issued, gapless per series
    currency             char(3)     NOT NULL,
    issue_date           date        NOT NULL,
    due_date             date        NOT NULL,
    subtotal             numeric(20, 6) NOT NULL,
    tax                  numeric(20, 6) NOT NULL,
    total                numeric(20, 6) NOT NULL,
    previous_balance     numeric(20, 6) NOT NULL,
    payments_and_credits numeric(20, 6) NOT NULL,
    amount_due           numeric(20, 6) NOT NULL,
    previous_total       numeric(20, 6),                    -- the account's previous invoice's total, for the run report
    overdraft_through    bigint,                            -- prepaid: the last prepaid_overdraft id it bills
    warnings             jsonb       NOT NULL DEFAULT '[]',
    errors               jsonb       NOT NULL DEFAULT '[]',  -- a draft with errors is not issued
    fingerprint          text        NOT NULL,              -- what the draft charges (InvoiceFingerprint): the approval issues it only unchanged
    changed_since_draft  boolean     NOT NULL DEFAULT false, -- the approval found other figures: review again
    computed_at          timestamptz NOT NULL DEFAULT now(),
    issued_at            timestamptz,
    CONSTRAINT invoices_issued_numbered CHECK ((status = 'issued') = (number IS NOT NULL AND issued_at IS NOT NULL)),
    CONSTRAINT invoices_sums CHECK (subtotal + tax = total AND amount_due = previous_balance - payments_and_credits + total)
);

-- One issued invoice per (account, cycle), whatever is re-run; one draft at a time.
CREATE UNIQUE INDEX invoices_one_issued_per_cycle ON invoices (account_id, cycle_start) WHERE status = 'issued';
CREATE UNIQUE INDEX invoices_one_draft_per_cycle ON invoices (account_id, cycle_start) WHERE status = 'draft';
CREATE INDEX invoices_run ON invoices (run_id, account_id);
CREATE INDEX invoices_account ON invoices (account_id, issue_date);

CREATE TABLE invoice_lines (
    invoice_id        bigint      NOT NULL REFERENCES invoices (id) ON DELETE CASCADE,  -- only drafts are ever deleted
    line_no           int         NOT NULL,
    kind              text        NOT NULL CHECK (kind IN ('usage', 'recurring', 'one-time', 'discount', 'adjustment', 'late-usage', 'overdraft')),
    description       text        NOT NULL,
    subscription_id   bigint,
    msisdn            text,
    plan_id           text,
    service           smallint,
    destination_group text,
    quantity          bigint,
    allowance_used    bigint,
    charge_count      bigint      NOT NULL DEFAULT 0,
    exact_amount      numeric(20, 6),                       -- usage, late usage, overdraft: the sum of the 6-decimal charges before rounding
    period_start      date        NOT NULL,
    period_end        date        NOT NULL,
    tax_category      text        NOT NULL,
    amount            numeric(20, 6) NOT NULL,
    fee_id            text,
    rule_id           text,
    original_invoice  text,
    source_ids        text[]      NOT NULL DEFAULT '{}',
    PRIMARY KEY (invoice_id, line_no)
);

CREATE INDEX invoice_lines_recurring ON invoice_lines (subscription_id, period_end) WHERE kind = 'recurring';

-- The account cycles whose charges an issued invoice billed: its own cycle, and any earlier one with
-- charges that no invoice had billed (a run that was not made). Rating reads it: a charge for a cycle
-- listed here is late.
CREATE TABLE invoiced_cycles (
    account_id      text        NOT NULL,
    cycle_start     date        NOT NULL,
    invoice_id      bigint      NOT NULL REFERENCES invoices (id),
    PRIMARY KEY (account_id, cycle_start)
);

CREATE TRIGGER invoiced_cycles_append_only BEFORE UPDATE OR DELETE ON invoiced_cycles FOR EACH ROW EXECUTE FUNCTION refuse_change();

CREATE TABLE invoice_taxes (
    invoice_id      bigint      NOT NULL REFERENCES invoices (id) ON DELETE CASCADE,
    category        text        NOT NULL,
    name            text        NOT NULL,
    rate            numeric(9, 6) NOT NULL,
    base            numeric(20, 6) NOT NULL,
    amount          numeric(20, 6) NOT NULL,
    PRIMARY KEY (invoice_id, category)
);

-- Gapless numbering: the counter row of a series and year is incremented in the issuing
-- transaction, so a rollback gives its numbers back and two issuers queue on the row.
CREATE TABLE document_counters (
    series          text        NOT NULL,                   -- invoice | credit-note
    year            int         NOT NULL,                   -- 0 when the pattern has no year
    last_seq        bigint      NOT NULL,
    PRIMARY KEY (series, year)
);

-- One-time charges (and manual adjustments) for the next invoice of an account.
CREATE TABLE account_charges (
    id              bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    account_id      text        NOT NULL REFERENCES accounts (id),
    kind            text        NOT NULL CHECK (kind IN ('one-time', 'adjustment')),
    amount          numeric(20, 6) NOT NULL CHECK (amount <> 0),
    currency        char(3)     NOT NULL,
    description     text        NOT NULL,
    tax_category    text        NOT NULL DEFAULT 'standard',
    msisdn          text,
    charge_date     date        NOT NULL,
    reference       text        UNIQUE,                     -- an import never adds one twice
    created_at      timestamptz NOT NULL DEFAULT now(),
    created_by      text        NOT NULL,
    invoice_id      bigint      REFERENCES invoices (id)    -- the issued invoice it is on
);

CREATE INDEX account_charges_open ON account_charges (account_id) WHERE invoice_id IS NULL;

CREATE TABLE credit_notes (
    id              bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    number          text        NOT NULL UNIQUE,
    invoice_id      bigint      NOT NULL REFERENCES invoices (id),
    account_id      text        NOT NULL REFERENCES accounts (id),
    currency        char(3)     NOT NULL,
    issue_date      date        NOT NULL,
    reason          text        NOT NULL CHECK (btrim(reason) <> ''),
    subtotal        numeric(20, 6) NOT NULL,
    tax             numeric(20, 6) NOT NULL,
    total           numeric(20, 6) NOT NULL CHECK (total < 0),
    created_at      timestamptz NOT NULL DEFAULT now(),
    created_by      text        NOT NULL,
    CONSTRAINT credit_notes_sums CHECK (subtotal + tax = total)
);

CREATE INDEX credit_notes_invoice ON credit_notes (invoice_id);
CREATE INDEX credit_notes_account ON credit_notes (account_id);

CREATE TABLE credit_note_lines (
    credit_note_id  bigint      NOT NULL REFERENCES credit_notes (id),
    line_no         int         NOT NULL,
    description     text        NOT NULL,
    tax_category    text        NOT NULL,
    rate            numeric(9, 6) NOT NULL,
    net             numeric(20, 6) NOT NULL,
    tax             numeric(20, 6) NOT NULL,
    PRIMARY KEY (credit_note_id, line_no)
);

CREATE TABLE payments (
    id              bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    reference       text        NOT NULL UNIQUE,            -- an import never credits twice
    account_id      text        NOT NULL REFERENCES accounts (id),
    amount          numeric(20, 6) NOT NULL CHECK (amount > 0),
    currency        char(3)     NOT NULL,
    paid_at         timestamptz NOT NULL,
    invoice_number  text,                                   -- the invoice the payer named, if any
    created_at      timestamptz NOT NULL DEFAULT now(),
    created_by      text        NOT NULL
);

CREATE INDEX payments_account ON payments (account_id, paid_at);

-- What settles what: a payment's or a credit note's money put against an issued invoice.
CREATE TABLE allocations (
    id              bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    account_id      text        NOT NULL REFERENCES accounts (id),
    invoice_id      bigint      NOT NULL REFERENCES invoices (id),
    payment_id      bigint      REFERENCES payments (id),
    credit_note_id  bigint      REFERENCES credit_notes (id),
    amount          numeric(20, 6) NOT NULL CHECK (amount > 0),
    created_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT allocations_one_source CHECK ((payment_id IS NULL) <> (credit_note_id IS NULL))
);

CREATE INDEX allocations_invoice ON allocations (invoice_id);
CREATE INDEX allocations_account ON allocations (account_id);

-- Issued documents are immutable: a draft may be recomputed (deleted) and issued (its one update).
CREATE FUNCTION refuse_issued_invoice_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.status = 'issued' THEN
        RAISE EXCEPTION 'invoice % is issued and cannot change: issue a credit note or an adjustment instead', OLD.number;
    END IF;
    RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END $$;

CREATE TRIGGER invoices_immutable_once_issued BEFORE UPDATE OR DELETE ON invoices
    FOR EACH ROW EXECUTE FUNCTION refuse_issued_invoice_change();

CREATE FUNCTION refuse_issued_invoice_part_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM invoices WHERE id = OLD.invoice_id AND status = 'issued') THEN
        RAISE EXCEPTION '% of an issued invoice cannot change', TG_TABLE_NAME;
    END IF;
    RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END $$;

CREATE TRIGGER invoice_lines_immutable_once_issued BEFORE UPDATE OR DELETE ON invoice_lines
    FOR EACH ROW EXECUTE FUNCTION refuse_issued_invoice_part_change();
CREATE TRIGGER invoice_taxes_immutable_once_issued BEFORE UPDATE OR DELETE ON invoice_taxes
    FOR EACH ROW EXECUTE FUNCTION refuse_issued_invoice_part_change();

-- Credit notes, payments and allocations are append-only (refuse_change from V0004).
CREATE TRIGGER credit_notes_append_only BEFORE UPDATE OR DELETE ON credit_notes FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER credit_note_lines_append_only BEFORE UPDATE OR DELETE ON credit_note_lines FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER payments_append_only BEFORE UPDATE OR DELETE ON payments FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER allocations_append_only BEFORE UPDATE OR DELETE ON allocations FOR EACH ROW EXECUTE FUNCTION refuse_change();

-- A one-time charge on an issued invoice stays as it was billed.
CREATE FUNCTION refuse_invoiced_charge_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.invoice_id IS NOT NULL THEN
        RAISE EXCEPTION 'account charge % is on an issued invoice and cannot change', OLD.id;
    END IF;
    RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END $$;

CREATE TRIGGER account_charges_immutable_once_invoiced BEFORE UPDATE OR DELETE ON account_charges
    FOR EACH ROW EXECUTE FUNCTION refuse_invoiced_charge_change();
