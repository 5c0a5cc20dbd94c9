-- +goose Up
-- API keys (The Convo Space's ?apikey=): each names one org. owner_id is the
-- member who minted it, or 0 for the operator.
CREATE TABLE api_keys (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id     BIGINT  NOT NULL REFERENCES orgs (id),
    owner_id   BIGINT  NOT NULL DEFAULT 0,
    key        TEXT    NOT NULL,
    active     BOOLEAN NOT NULL DEFAULT TRUE,
    created_at BIGINT  NOT NULL,
    revoked_at BIGINT  NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX api_keys_key ON api_keys (key);
CREATE INDEX api_keys_owner ON api_keys (org_id, owner_id, id);

-- Requests served per key and month ("2006-01").
CREATE TABLE api_key_usage (
    key_id BIGINT NOT NULL REFERENCES api_keys (id),
    period TEXT   NOT NULL,
    count  BIGINT NOT NULL,
    PRIMARY KEY (key_id, period)
);

-- SIWE nonces already used, per org and signer, kept until the signed
-- message expires.
CREATE TABLE wallet_nonces (
    org_id     BIGINT NOT NULL REFERENCES orgs (id),
    signer     TEXT   NOT NULL,
    nonce      TEXT   NOT NULL,
    expires_at BIGINT NOT NULL,
    PRIMARY KEY (org_id, signer, nonce)
);
CREATE INDEX wallet_nonces_expires ON wallet_nonces (expires_at);

-- Comment listings by author.
CREATE INDEX messages_author ON messages (org_id, author_id, id);

-- +goose Down
DROP INDEX messages_author;
DROP TABLE wallet_nonces;
DROP TABLE api_key_usage;
DROP TABLE api_keys;
