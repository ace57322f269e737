-- Dunning: the steps of the collections ladder taken (or skipped) per invoice, the suspensions it
-- puts on subscriptions, promises to pay, disputes, and a report per run.

-- Each step happens once per invoice, whatever is re-run: the (invoice, step) key is the proof.
CREATE TABLE dunning_actions (
    invoice_id       bigint      NOT NULL REFERENCES invoices (id),
    step             text        NOT NULL,
    account_id       text        NOT NULL REFERENCES accounts (id),
    action           text        NOT NULL CHECK (action IN ('email', 'letter', 'fee', 'suspend', 'agency')),
    outcome          text        NOT NULL CHECK (outcome IN ('taken', 'skipped')),
    as_of            date        NOT NULL,                  -- the run's date
    days_past_due    int         NOT NULL,
    overdue          numeric(20, 6) NOT NULL,               -- what the invoice still owed
    currency         char(3)     NOT NULL,
    fee              numeric(20, 6),                        -- a fee step: what it charged
    charge_id        bigint      REFERENCES account_charges (id),
    notification_key text,                                  -- the outbox message it queued
    content          jsonb,                                 -- a letter (DunningLetter) or an agency hand-over (AgencyHandOver)
    run_id           bigint,
    created_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (invoice_id, step)
);

CREATE INDEX dunning_actions_account ON dunning_actions (account_id, as_of);
CREATE INDEX dunning_actions_agency ON dunning_actions (as_of) WHERE action = 'agency' AND outcome = 'taken';
CREATE TRIGGER dunning_actions_append_only BEFORE UPDATE OR DELETE ON dunning_actions FOR EACH ROW EXECUTE FUNCTION refuse_change();

-- A subscription's outgoing service barred by dunning, dated, with its reason; lifted when the
-- account has nothing overdue any more (reactivation). One open suspension per subscription.
CREATE TABLE suspensions (
    id               bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    subscription_id  bigint      NOT NULL REFERENCES subscriptions (id),
    account_id       text        NOT NULL REFERENCES accounts (id),
    reason           text        NOT NULL,
    invoice_id       bigint      REFERENCES invoices (id),
    step             text,
    suspended_on     date        NOT NULL,
    suspended_at     timestamptz NOT NULL DEFAULT now(),
    lifted_on        date,
    lifted_at        timestamptz,
    lifted_reason    text,
    CONSTRAINT suspensions_lifted CHECK ((lifted_on IS NULL) = (lifted_at IS NULL))
);

CREATE UNIQUE INDEX suspensions_one_open ON suspensions (subscription_id) WHERE lifted_on IS NULL;
CREATE INDEX suspensions_account ON suspensions (account_id);

-- A promise to pay: no step for the account through `until`. A new promise ends the open one.
CREATE TABLE dunning_pauses (
    id               bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    account_id       text        NOT NULL REFERENCES accounts (id),
    until            date        NOT NULL,
    note             text        NOT NULL DEFAULT '',
    created_at       timestamptz NOT NULL DEFAULT now(),
    created_by       text        NOT NULL,
    ended_at         timestamptz,
    ended_by         text
);

CREATE UNIQUE INDEX dunning_pauses_one_open ON dunning_pauses (account_id) WHERE ended_at IS NULL;

-- A disputed invoice, out of the ladder until released.
CREATE TABLE dunning_holds (
    id               bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    invoice_id       bigint      NOT NULL REFERENCES invoices (id),
    reason           text        NOT NULL CHECK (btrim(reason) <> ''),
    created_at       timestamptz NOT NULL DEFAULT now(),
    created_by       text        NOT NULL,
    released_at      timestamptz,
    released_by      text
);

CREATE UNIQUE INDEX dunning_holds_one_open ON dunning_holds (invoice_id) WHERE released_at IS NULL;

-- What each run did (the daily job's report).
CREATE TABLE dunning_runs (
    id               bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    as_of            date        NOT NULL,
    started_at       timestamptz NOT NULL DEFAULT now(),
    started_by       text        NOT NULL,
    finished_at      timestamptz,
    accounts         int         NOT NULL DEFAULT 0,        -- evaluated
    accounts_moved   int         NOT NULL DEFAULT 0,        -- with a step taken or skipped, or reactivated
    actions          jsonb       NOT NULL DEFAULT '{}',     -- action → steps taken
    skipped          int         NOT NULL DEFAULT 0,
    fees             jsonb       NOT NULL DEFAULT '{}',     -- currency → late fees charged
    suspensions      int         NOT NULL DEFAULT 0,        -- accounts suspended
    reactivations    int         NOT NULL DEFAULT 0,        -- accounts reactivated
    agency_file      text
);

CREATE INDEX dunning_runs_as_of ON dunning_runs (as_of);
