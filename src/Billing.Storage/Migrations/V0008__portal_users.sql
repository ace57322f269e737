-- People who sign in to the finance portal (billing serve, /portal). The password is kept only as
-- ASP.NET Core Identity's PasswordHasher hash (PBKDF2 with a per-user salt; the format names its
-- own version, so a stronger one later re-hashes at the next sign-in).
CREATE TABLE portal_users (
    name            text        PRIMARY KEY CHECK (name ~ '^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$'),
    role            text        NOT NULL CHECK (role IN ('finance', 'operations')),
    password_hash   text        NOT NULL CHECK (password_hash <> ''),
    created_at      timestamptz NOT NULL DEFAULT now(),
    created_by      text        NOT NULL,
    password_set_at timestamptz NOT NULL DEFAULT now(),
    last_sign_in_at timestamptz
);
