-- Mediation: the manifest of every CDR file, normalised usage, and suspense.

CREATE TABLE cdr_files (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    source        text        NOT NULL,
    file_name     text        NOT NULL,
    checksum      text        NOT NULL,           -- SHA-256 of the file's bytes, hex
    size_bytes    bigint      NOT NULL,
    format        text        NOT NULL,
    status        text        NOT NULL CHECK (status IN ('processing', 'archived', 'rejected')),
    header        text,                           -- kept so suspended rows can be re-read
    read_count    bigint      NOT NULL DEFAULT 0,
    accepted      bigint      NOT NULL DEFAULT 0,
    suspended     bigint      NOT NULL DEFAULT 0,
    duplicates    bigint      NOT NULL DEFAULT 0,
    filtered      bigint      NOT NULL DEFAULT 0,
    suspended_by_reason jsonb NOT NULL DEFAULT '{}',
    filtered_by_reason  jsonb NOT NULL DEFAULT '{}',
    reason        text,
    started_at    timestamptz NOT NULL DEFAULT now(),
    finished_at   timestamptz,
    CONSTRAINT cdr_files_counts_reconcile CHECK (
        status <> 'archived' OR read_count = accepted + suspended + duplicates + filtered)
);

-- Re-dropping a processed file is a no-op; a rejected file may be dropped again after a fix.
CREATE UNIQUE INDEX cdr_files_source_checksum ON cdr_files (source, checksum) WHERE status <> 'rejected';
CREATE INDEX cdr_files_started ON cdr_files (started_at DESC);

-- Written by binary COPY at hundreds of thousands of rows a second, so it carries only what
-- that needs: the identity (source, record_key) as primary key — byte-order collation for cheap
-- comparisons — and a surrogate id in insertion order, range-scanned through a BRIN index.
-- file_id is set by the writer in the same transaction as its cdr_files row; a foreign key here
-- would cost more per row than the rest of the insert.
CREATE TABLE usage (
    id            bigint GENERATED ALWAYS AS IDENTITY (CACHE 1000),
    source        text COLLATE "C" NOT NULL,
    record_key    text COLLATE "C" NOT NULL,
    service       smallint    NOT NULL CHECK (service IN (1, 2, 3)),  -- 1 voice, 2 sms, 3 data
    msisdn        text        NOT NULL,
    destination   text,
    start_utc     timestamptz NOT NULL,
    duration_s    bigint      NOT NULL,
    volume_bytes  bigint      NOT NULL,
    cell_id       text,
    file_id       bigint      NOT NULL,
    line_no       bigint      NOT NULL,
    CONSTRAINT usage_identity PRIMARY KEY (source, record_key)
);

CREATE INDEX usage_id ON usage USING brin (id);
CREATE INDEX usage_file ON usage USING brin (file_id);

CREATE TABLE suspense (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    file_id       bigint      NOT NULL REFERENCES cdr_files (id),
    source        text        NOT NULL,
    line_no       bigint      NOT NULL,
    raw_line      text        NOT NULL,
    reason        text        NOT NULL,
    detail        text        NOT NULL,
    status        text        NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'recycled', 'written-off')),
    attempts      int         NOT NULL DEFAULT 1,
    created_at    timestamptz NOT NULL DEFAULT now(),
    resolved_at   timestamptz,
    resolution    text,                           -- recycled: "usage #id" or "duplicate"; written-off: the note
    usage_id      bigint                          -- the usage row a recycled record became
);

CREATE INDEX suspense_open ON suspense (reason) WHERE status = 'open';

-- Who did what to billing data by hand (write-offs, later adjustments).
CREATE TABLE audit_log (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at            timestamptz NOT NULL DEFAULT now(),
    actor         text        NOT NULL,
    action        text        NOT NULL,
    detail        jsonb       NOT NULL
);
