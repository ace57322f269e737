-- Customers and what they subscribe to. A subscription is one MSISDN on one plan over a half-open
-- period [active_from, active_to); a plan change closes one period and opens the next.

CREATE EXTENSION IF NOT EXISTS btree_gist;

CREATE TABLE accounts (
    id              text        PRIMARY KEY,            -- the operator's account number
    name            text        NOT NULL,
    billing_address text        NOT NULL DEFAULT '',
    email           text,
    language        text        NOT NULL DEFAULT 'en',  -- for documents and notifications
    currency        char(3)     NOT NULL,
    time_zone       text        NOT NULL,               -- IANA; bill cycles are in this zone
    payment_type    text        NOT NULL CHECK (payment_type IN ('postpaid', 'prepaid')),
    bill_cycle_day  smallint    NOT NULL CHECK (bill_cycle_day BETWEEN 1 AND 28),
    tax_region      text        NOT NULL DEFAULT '',
    segment         text        NOT NULL DEFAULT '',
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE subscriptions (
    id              bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    account_id      text        NOT NULL REFERENCES accounts (id),
    msisdn          text COLLATE "C" NOT NULL,          -- E.164 digits, as in usage.msisdn
    plan_id         text        NOT NULL,
    active_from     timestamptz NOT NULL,
    active_to       timestamptz,                        -- exclusive; NULL = open-ended
    CONSTRAINT subscriptions_period CHECK (active_to IS NULL OR active_to > active_from),
    CONSTRAINT subscriptions_one_at_a_time EXCLUDE USING gist (
        msisdn WITH =, tstzrange(active_from, active_to, '[)') WITH &&),
    CONSTRAINT subscriptions_natural_key UNIQUE (msisdn, active_from)
);

CREATE INDEX subscriptions_account ON subscriptions (account_id);
