-- Placeholder for V0017, which another branch adds: the Migrator needs gapless numbers. Dropped at merge.
SELECT 1;
