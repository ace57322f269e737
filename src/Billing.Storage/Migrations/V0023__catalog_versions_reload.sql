-- A later load with the same effective date wins — also a load of files stored before at that date (putting back the
-- catalogue a wrong fix replaced), and the same files imported with other options (a CGRateS plan's currency or zone).
-- Unique (checksum, effective_from) refused both and returned the old version, shadowed or with its old options; the
-- store now calls a load unchanged only when the version in force at that date has the same files and options.
ALTER TABLE catalog_versions DROP CONSTRAINT catalog_versions_once;
CREATE INDEX catalog_versions_effective ON catalog_versions (effective_from, id);
