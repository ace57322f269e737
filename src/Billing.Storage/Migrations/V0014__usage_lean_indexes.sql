-- Ingest writes every usage row through each of the table's indexes, and that is most of what a row costs the
-- server: measured with `log_statement_stats` on a server-side binary COPY of 2,000,000 usage rows (2026-11-29),
-- the heap alone 1.9 s of backend CPU, the key (source, record_key) 1.9 s more, the btree on id 1.2 s and each
-- BRIN index about 0.5 s. The BRIN index on id serves no query any more: since V0011 the unique btree
-- usage_id_key serves rating's id ranges as well as single ids.
DROP INDEX IF EXISTS usage_id;
