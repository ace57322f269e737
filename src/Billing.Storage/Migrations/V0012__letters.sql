-- Dunning letters are documents too: a `letter` step's PDF in the document store (letters/INVOICE.STEP.pdf),
-- numbered INVOICE.STEP — one per (invoice, step), as the step is taken once.
ALTER TABLE documents DROP CONSTRAINT documents_kind_check;
ALTER TABLE documents ADD CONSTRAINT documents_kind_check CHECK (kind IN ('invoice', 'credit-note', 'letter'));
