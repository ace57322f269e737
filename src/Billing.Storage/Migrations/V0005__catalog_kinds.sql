-- Catalogue kinds are the formats a catalogue is read from: native and cgrates. The benchmark's
-- catalogue, which V0003 stored as kind 'synthetic' (no files, rebuilt in code from a prefix
-- count), is now stored as the native files it generates, so that kind goes.
--
-- Rows of kind 'synthetic' exist only where `billing bench rate` ran: in its own database
-- (billing_bench, dropped at the start of every run) or one given with --db, which the bench
-- emptied first. They carry no files and no reader reads them any more, so they cannot stay as
-- versions a rating could pick: they are deleted. Charges they priced keep their version number
-- and explanation; the next bench run stores its catalogue again.
DELETE FROM catalog_versions WHERE kind = 'synthetic';

ALTER TABLE catalog_versions DROP CONSTRAINT catalog_versions_kind_check;
ALTER TABLE catalog_versions ADD CONSTRAINT catalog_versions_kind_check CHECK (kind IN ('native', 'cgrates'));
