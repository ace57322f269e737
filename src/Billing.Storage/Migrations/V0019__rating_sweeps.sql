-- A rating run reads each id range once per round of partitions it claims. Alone it claims every partition in
-- two rounds; two processes at once each claim one round, and the one that finishes first then claims the
-- other round too as soon as the other process has let it go — and read all of its ranges again only to find
-- every record charged (2,000,000 records: eleven scans of about 125 ms each, 1.3 s with the other core idle,
-- in `billing bench rate`). A completed sweep of a partition is recorded here instead: its id range, how it
-- treated suspended subscribers' usage, and when it began on the database's clock. A run skips a partition
-- whose last sweep covers its whole id range with the same treatment and began at or after the run itself:
-- that sweep saw every record and every lifted cause of a hold the run would have seen. One row per partition,
-- the latest completed sweep's; a sweep that is killed or fails writes none, and its partitions are read again.
CREATE TABLE rating_sweeps (
    partition        int         PRIMARY KEY,
    from_id          bigint      NOT NULL,
    through_id       bigint      NOT NULL,
    suspended_usage  text        NOT NULL,
    started_at       timestamptz NOT NULL,
    finished_at      timestamptz NOT NULL
);
