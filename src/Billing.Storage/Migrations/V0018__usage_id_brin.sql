-- Ingest's server cost is the usage row and its indexes (V0016, V0017). The unique btree usage_id_key was the
-- dearest index left after the identity key. Measured with `log_statement_stats` on the usage COPY of
-- `billing bench ingest --rows 2000000 --files 1 --workers 1` (the same generated file, load 11-15, 2026-11-29):
-- 7.6 s of backend CPU with the btree, 5.8 s with the BRIN below; the reference's text COPY 5.6 s in both runs.
-- (A BRIN costs a COPY almost nothing: block ranges written since the last summary have no entry to widen.)
-- A BRIN on id takes its place: ids are given by the identity in ascending order as rows are appended, so they
-- follow the physical order and a range of ids (rating's reads) is a bitmap heap scan of the block ranges that
-- hold it. A BRIN cannot find a single id cheaply (it reads a whole block range, 128 pages, per id), so the reads
-- that looked usage up by id one record at a time now read what they need from their own rows:
-- - rated_charges.destination: the number dialled, from the rated usage record. With the charge's start,
--   service and quantity (seconds of a call, 1 for an SMS, bytes of data: mediation leaves the other of
--   duration and volume at 0) and the subscription's number, a charge holds its usage record as rating read it:
--   the invoice annex and records taken back for rating again read the charges alone.
-- - rating_holds.msisdn, start_utc: the held record's number and event time, for the bill run's held counts.
--   Null only for a hold whose usage record was already gone here (the old joins left those out too).
-- Single-id lookups left on usage (`billing charges explain`, a hold's lookup, reconcile's examples) read one
-- block range each.
ALTER TABLE rated_charges ADD COLUMN destination text;
UPDATE rated_charges r SET destination = u.destination FROM usage u WHERE u.id = r.usage_id AND u.destination IS NOT NULL;

ALTER TABLE rating_holds ADD COLUMN msisdn text, ADD COLUMN start_utc timestamptz;
UPDATE rating_holds h SET msisdn = u.msisdn, start_utc = u.start_utc FROM usage u WHERE u.id = h.usage_id;

DROP INDEX usage_id_key;
CREATE INDEX usage_id ON usage USING brin (id);
