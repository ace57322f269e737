-- Ingest writes every usage row through each of the table's indexes, and that is most of what a row costs the
-- server: measured with `log_statement_stats` on a server-side binary COPY of 2,000,000 usage rows (2026-11-29),
-- the heap alone 1.9 s of backend CPU, the key (source, record_key) 1.9 s more, the btree on id 1.2 s and each
-- of the three BRIN indexes about 0.5 s. Two of them go:
-- - usage_id: since V0011 the unique btree usage_id_key serves rating's id ranges as well as single ids.
-- - usage_file: its one query was "the usage ids of this file" (rating after a file's ingest). The file's
--   row now keeps bounds of those ids instead, taken from the usage sequence in the ingest transaction's own
--   session — one value when the file is claimed, before its rows are written, and one when it is archived,
--   after — so every id the file's rows got lies strictly between them (ids of other files written at the
--   same time may lie between them too, which rating after ingest already allowed: it rates any unrated usage
--   in the range). Files archived before this migration get the bounds of their rows.
ALTER TABLE cdr_files ADD COLUMN usage_ids_from bigint, ADD COLUMN usage_ids_to bigint;

UPDATE cdr_files f SET usage_ids_from = u.lo, usage_ids_to = u.hi
FROM (SELECT file_id, min(id) AS lo, max(id) AS hi FROM usage GROUP BY file_id) u
WHERE u.file_id = f.id;

DROP INDEX IF EXISTS usage_id;
DROP INDEX IF EXISTS usage_file;
