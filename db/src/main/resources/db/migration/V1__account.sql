-- Accounts that receive deposits. `version` is the optimistic-locking counter: every change adds one.
CREATE TABLE account (
    id       BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    username VARCHAR(64)    NOT NULL,
    balance  NUMERIC(19, 2) NOT NULL DEFAULT 0,
    version  BIGINT         NOT NULL DEFAULT 0,
    CONSTRAINT account_username_key UNIQUE (username),
    CONSTRAINT account_username_not_blank CHECK (length(trim(username)) > 0),
    CONSTRAINT account_balance_not_negative CHECK (balance >= 0),
    CONSTRAINT account_version_not_negative CHECK (version >= 0)
);
