-- The bill run sums the charges of each (subscription, cycle) for a batch of accounts. Rating writes
-- charges in event-time order, so one account's charges lie on as many pages as it has charges and a
-- batch of a thousand accounts touches most of the table's pages: read from the heap, a run costs about
-- batches × table. With the summed columns in the (subscription, cycle, start) index, a batch reads its
-- accounts' entries side by side and not the heap (an index-only scan where vacuum has marked the pages
-- all-visible). Same key as before, so rating's probes (latest event of a cycle) use it as they did.
CREATE INDEX rated_charges_cycle_sums ON rated_charges (subscription_id, cycle_start, start_utc)
    INCLUDE (late, account_id, plan_id, service, destination_group, currency, quantity, allowance_used, amount);
DROP INDEX rated_charges_cycle;
ALTER INDEX rated_charges_cycle_sums RENAME TO rated_charges_cycle;
