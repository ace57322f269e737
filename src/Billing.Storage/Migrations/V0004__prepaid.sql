-- Prepaid: a wallet per prepaid account with an append-only ledger, the usage that ran past the
-- wallet's floor (overdraft, for collections), and the notifications outbox.

CREATE TABLE wallets (
    account_id      text        PRIMARY KEY REFERENCES accounts (id),
    currency        char(3)     NOT NULL,
    balance         numeric(20, 6) NOT NULL DEFAULT 0,  -- always the sum of the wallet's ledger (kept in the same transaction; `billing wallets check`)
    watermark       timestamptz,                        -- event time of the latest usage debited: usage is debited in event-time order from here
    last_topup_at   timestamptz,                        -- the latest top-up at or before the watermark (credit expires N days after it)
    last_expiry_at  timestamptz,                        -- when credit last expired
    barred_since    timestamptz,                        -- the moment the balance reached the floor (zero, or minus the credit limit); NULL = not barred
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now()
);

-- The rating partition of a number is its account's (hashtext(account_id) & 3, see RatingStore), so
-- all numbers of one account — one wallet — are rated by one process, in event-time order. The
-- account of the number's latest subscription; kept by the accounts import. A number not listed
-- (usage of no subscriber yet) rates in a partition of its own hash.
CREATE TABLE msisdn_partitions (
    msisdn          text COLLATE "C" PRIMARY KEY,
    account_id      text        NOT NULL
);

INSERT INTO msisdn_partitions (msisdn, account_id)
SELECT DISTINCT ON (msisdn) msisdn, account_id FROM subscriptions ORDER BY msisdn, active_from DESC;

-- Append-only: rows are never updated or deleted. amount > 0 credits the wallet, < 0 debits it.
CREATE TABLE wallet_ledger (
    id              bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    account_id      text        NOT NULL,                -- the wallet (no foreign key: see wallets_never_deleted)
    kind            text        NOT NULL CHECK (kind IN ('topup', 'usage', 'rerate', 'adjustment', 'expiry', 'bundle')),
    amount          numeric(20, 6) NOT NULL,
    at              timestamptz NOT NULL,               -- when it happened: the event time of usage, the payment time of a top-up
    usage_id        bigint,                             -- usage and rerate rows
    msisdn          text,                               -- the subscriber whose usage or top-up it is
    reference       text,                               -- top-ups: the payment reference (unique: an import never credits twice)
    note            text        NOT NULL DEFAULT '',
    balance_after   numeric(20, 6) NOT NULL,            -- the running balance in posting order
    posted_at       timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT wallet_ledger_usage_has_id CHECK ((kind IN ('usage', 'rerate')) = (usage_id IS NOT NULL))
);

CREATE UNIQUE INDEX wallet_ledger_usage_once ON wallet_ledger (usage_id) WHERE kind = 'usage';
CREATE UNIQUE INDEX wallet_ledger_reference_once ON wallet_ledger (reference) WHERE kind = 'topup' AND reference IS NOT NULL;
CREATE UNIQUE INDEX wallet_ledger_bundle_reference_once ON wallet_ledger (reference) WHERE kind = 'bundle' AND reference IS NOT NULL;
CREATE INDEX wallet_ledger_account ON wallet_ledger (account_id, at);
-- With wallet_ledger_usage_once, what a record was charged is two index probes; the usage rows (most
-- of the ledger) carry one usage_id index, not two.
CREATE INDEX wallet_ledger_rerate ON wallet_ledger (usage_id) WHERE kind = 'rerate';

-- Bundles bought from a wallet (catalogue bundles.csv): an allowance on top of the plan's for the
-- bill cycle it is bought in, usable by usage from the moment it is bought.
CREATE TABLE allowance_purchases (
    id              bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    subscription_id bigint      NOT NULL REFERENCES subscriptions (id),
    allowance_id    text        NOT NULL,
    cycle_start     date        NOT NULL,
    amount          bigint      NOT NULL CHECK (amount > 0),
    bought_at       timestamptz NOT NULL,
    ledger_id       bigint      NOT NULL REFERENCES wallet_ledger (id),
    created_at      timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX allowance_purchases_cycle ON allowance_purchases (subscription_id, cycle_start, bought_at);

-- Usage priced after the wallet reached its floor: recorded for collections, never dropped.
-- Append-only too: a re-rate that lowers a charge adds a negative row.
CREATE TABLE prepaid_overdraft (
    id              bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    usage_id        bigint      NOT NULL,
    account_id      text        NOT NULL,                -- the wallet (no foreign key: see wallets_never_deleted)
    msisdn          text        NOT NULL,
    amount          numeric(20, 6) NOT NULL,
    currency        char(3)     NOT NULL,
    at              timestamptz NOT NULL,               -- the event time
    reason          text        NOT NULL CHECK (reason IN ('barred', 'credit-limit', 'rerate')),
    created_at      timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX prepaid_overdraft_account ON prepaid_overdraft (account_id, at);
CREATE INDEX prepaid_overdraft_usage ON prepaid_overdraft (usage_id);

-- The ledger and the overdraft are append-only: the database refuses to change or delete a row.
CREATE FUNCTION refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: post a correcting row instead', TG_TABLE_NAME;
END $$;

CREATE TRIGGER wallet_ledger_append_only BEFORE UPDATE OR DELETE ON wallet_ledger FOR EACH ROW EXECUTE FUNCTION refuse_change();

-- Ledger and overdraft rows are written only after their wallet row is created and locked in the same
-- transaction (WalletStore), and a wallet is never deleted: that keeps every row's wallet there without
-- a foreign-key check per row, which cost about a third of appending a batch's ~20,000 rows.
CREATE FUNCTION refuse_wallet_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'a wallet is never deleted: its ledger is the account''s history';
END $$;

CREATE TRIGGER wallets_never_deleted BEFORE DELETE ON wallets FOR EACH ROW EXECUTE FUNCTION refuse_wallet_delete();
CREATE TRIGGER prepaid_overdraft_append_only BEFORE UPDATE OR DELETE ON prepaid_overdraft FOR EACH ROW EXECUTE FUNCTION refuse_change();

-- The outbox: rendered when created (from templates/, in the account's language), delivered by a
-- job through the configured channel. dedupe_key names what the message is about, so a rerun of
-- whatever created it inserts nothing.
CREATE TABLE notifications (
    id              bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    account_id      text        NOT NULL REFERENCES accounts (id),
    msisdn          text,
    kind            text        NOT NULL,               -- low-balance | exhausted | credit-limit | expired | topup
    language        text        NOT NULL,
    subject         text        NOT NULL,
    body            text        NOT NULL,
    dedupe_key      text        NOT NULL UNIQUE,
    created_at      timestamptz NOT NULL DEFAULT now(),
    status          text        NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed', 'no-address')),
    attempts        int         NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    last_error      text,
    channel         text,                               -- the channel that delivered it
    sent_at         timestamptz
);

CREATE INDEX notifications_due ON notifications (next_attempt_at) WHERE status = 'pending';
CREATE INDEX notifications_account ON notifications (account_id, created_at);
