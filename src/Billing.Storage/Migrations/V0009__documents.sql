-- Rendered documents: one PDF per issued invoice and credit note in the document store (a folder),
-- named by its number; the bytes' size and SHA-256 here so a file can be checked and served by number.
CREATE TABLE documents (
    kind            text        NOT NULL CHECK (kind IN ('invoice', 'credit-note')),
    number          text        NOT NULL,
    path            text        NOT NULL,                   -- where the file was written (absolute)
    size_bytes      bigint      NOT NULL CHECK (size_bytes > 0),
    sha256          text        NOT NULL,                   -- hex of the file's bytes
    rendered_at     timestamptz NOT NULL,
    PRIMARY KEY (kind, number)
);

-- The itemised annex of usage on an account's invoices: on unless turned off for the account
-- (or for everyone with documents.annex = false in billing.json).
ALTER TABLE accounts ADD COLUMN itemised_annex boolean NOT NULL DEFAULT true;
