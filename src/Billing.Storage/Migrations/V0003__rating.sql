-- Rating: catalogue versions, one rated charge per usage record, allowance balances per cycle,
-- usage that cannot be rated yet (held), and re-rating deltas on invoiced usage.

CREATE TABLE catalog_versions (
    id              int         GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    label           text        NOT NULL,
    kind            text        NOT NULL CHECK (kind IN ('native', 'cgrates', 'synthetic')),  -- synthetic: the benchmark's, generated in code,
    checksum        text        NOT NULL,
    effective_from  timestamptz NOT NULL,            -- usage starting at or after this is priced by it
    files           jsonb       NOT NULL,            -- file name → content: the version is re-read exactly
    options         jsonb       NOT NULL DEFAULT '{}',
    loaded_at       timestamptz NOT NULL DEFAULT now(),
    loaded_by       text        NOT NULL,
    CONSTRAINT catalog_versions_once UNIQUE (checksum, effective_from)
);

-- One charge per usage record (the primary key makes double rating impossible).
CREATE TABLE rated_charges (
    usage_id          bigint      PRIMARY KEY,
    subscription_id   bigint      NOT NULL,
    account_id        text        NOT NULL,
    cycle_start       date        NOT NULL,          -- the account's bill cycle [cycle_start, +1 month)
    start_utc         timestamptz NOT NULL,          -- the event time, for event-time order within a cycle
    plan_id           text        NOT NULL,
    catalog_version   int         NOT NULL,
    amount            numeric(20, 6) NOT NULL,
    currency          char(3)     NOT NULL,
    destination_group text,
    matched_prefix    text,
    quantity          bigint      NOT NULL,
    billed_quantity   bigint      NOT NULL,
    allowance_id      text,
    allowance_used    bigint      NOT NULL DEFAULT 0,
    explanation       json        NOT NULL,          -- bands, rates, steps, connect fee, minimum, cap (json: written once, read rarely; cast to jsonb to query)
    rated_at          timestamptz NOT NULL DEFAULT now(),
    invoice_id        bigint                         -- set by the bill run; invoiced charges are never replaced
);

CREATE INDEX rated_charges_cycle ON rated_charges (subscription_id, cycle_start, start_utc);

CREATE TABLE allowance_balances (
    subscription_id bigint NOT NULL,
    allowance_id    text   NOT NULL,
    cycle_start     date   NOT NULL,
    granted         bigint NOT NULL,
    used            bigint NOT NULL CHECK (used >= 0 AND used <= granted),
    PRIMARY KEY (subscription_id, allowance_id, cycle_start)
);

-- Usage that rating could not price yet: no subscriber at the event time, or no tariff. Rating
-- tries these again by itself once the cause may be gone (a subscriber imported, a catalogue loaded).
CREATE TABLE rating_holds (
    usage_id        bigint      PRIMARY KEY,
    reason          text        NOT NULL,            -- unknown-subscriber | unknown-plan | no-tariff | no-timing
    detail          text        NOT NULL,
    catalog_version int,
    first_held_at   timestamptz NOT NULL DEFAULT now(),
    last_tried_at   timestamptz NOT NULL DEFAULT now(),
    attempts        int         NOT NULL DEFAULT 1
);

CREATE INDEX rating_holds_reason ON rating_holds (reason);

-- Re-rating usage that is already on an issued invoice changes nothing on that invoice: the
-- difference waits here for the next bill run to post as an adjustment.
CREATE TABLE rerate_adjustments (
    id              bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    usage_id        bigint      NOT NULL,
    account_id      text        NOT NULL,
    invoice_id      bigint      NOT NULL,
    old_amount      numeric(20, 6) NOT NULL,
    new_amount      numeric(20, 6) NOT NULL,
    delta           numeric(20, 6) NOT NULL,
    currency        char(3)     NOT NULL,
    catalog_version int         NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    posted_invoice_id bigint                         -- set when a bill run posts it
);

CREATE INDEX rerate_adjustments_unposted ON rerate_adjustments (account_id) WHERE posted_invoice_id IS NULL;
