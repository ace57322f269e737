-- Usage rows looked up by id: the invoice annex (a run's PDFs, 20,000 charges a chunk of 200 invoices),
-- held usage in the bill run, usage taken back for re-rating (`id = ANY(…)`). The BRIN index on id serves
-- rating's id ranges but not single ids: a lookup read a whole block range per id, or the planner read the
-- whole table instead (a full scan of usage per chunk of PDFs, so rendering slowed as the table grew).
-- Ids are given by the identity in ascending order, so the index grows at its right edge.
CREATE UNIQUE INDEX usage_id_key ON usage (id);
