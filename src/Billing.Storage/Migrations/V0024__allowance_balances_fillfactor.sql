-- Rating rewrites a cycle's allowance balances with every range it rates (a subscription's row is updated about once per
-- range of its usage). Pages packed full leave no room for the new row version on the same page, so each update also
-- wrote a new entry in the primary key and split its pages; half-full pages let PostgreSQL keep the new version beside
-- the old one (a heap-only update: no index entry), three times faster in a test of four rounds of 78,940 updates. New
-- pages are filled to half from now on; pages already written stay as they are until rewritten.
ALTER TABLE allowance_balances SET (fillfactor = 50);
