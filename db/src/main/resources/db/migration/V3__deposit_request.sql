-- Exactly-once deposits: a caller-chosen request id, recorded in the same transaction as the balance change.
-- Repeating the id returns the recorded outcome instead of applying the deposit again.
CREATE TABLE deposit_request (
    request_id    VARCHAR(100)   NOT NULL PRIMARY KEY,
    account_id    BIGINT         NOT NULL REFERENCES account (id),
    amount        NUMERIC(19, 2) NOT NULL,
    balance_after NUMERIC(19, 2) NOT NULL,
    version_after BIGINT         NOT NULL,
    recorded_at   TIMESTAMPTZ    NOT NULL DEFAULT now(),
    CONSTRAINT deposit_request_amount_positive CHECK (amount > 0)
);
