-- Accounts, sessions, API tokens and login throttling (issue #9). Secrets are never
-- stored: passwords as scrypt hashes (parameters and salt inside the hash text),
-- session ids and API tokens as SHA-256 hex digests of the random value.

CREATE TABLE users (
  id            bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  username      text        NOT NULL UNIQUE CHECK (char_length(username) BETWEEN 1 AND 64),
  role          text        NOT NULL CHECK (role IN ('viewer', 'admin')),
  password_hash text        NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE sessions (
  id_hash    text        PRIMARY KEY,
  user_id    bigint      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL
);
CREATE INDEX sessions_user_id_idx ON sessions (user_id);
CREATE INDEX sessions_expires_at_idx ON sessions (expires_at);

CREATE TABLE api_tokens (
  id           bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name         text        NOT NULL UNIQUE CHECK (char_length(name) BETWEEN 1 AND 64),
  role         text        NOT NULL CHECK (role IN ('viewer', 'admin')),
  token_hash   text        NOT NULL UNIQUE,
  created_at   timestamptz NOT NULL DEFAULT now(),
  last_used_at timestamptz
);

-- Failed logins per account name and per client address in a fixed window.
CREATE TABLE login_attempts (
  scope        text        NOT NULL CHECK (scope IN ('account', 'address')),
  key          text        NOT NULL,
  failures     integer     NOT NULL,
  window_start timestamptz NOT NULL,
  PRIMARY KEY (scope, key)
);
