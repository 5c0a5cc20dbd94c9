-- +goose Up
-- The bot platform (Botyard): bots' keys and positions in the event log,
-- commands, bot chats and webhooks. Bots themselves are users (bot = TRUE).

-- One row per platform bot: its key (a salt and the hex SHA-256 of the
-- token) and its position in the event log, with the state of webhook
-- delivery (which node holds it until when, failures in a row, next retry).
CREATE TABLE bots (
    user_id     BIGINT  PRIMARY KEY REFERENCES users (id),
    org_id      BIGINT  NOT NULL REFERENCES orgs (id),
    key_salt    TEXT    NOT NULL,
    key_hash    TEXT    NOT NULL,
    position    BIGINT  NOT NULL DEFAULT 0,
    lease_owner TEXT    NOT NULL DEFAULT '',
    lease_until BIGINT  NOT NULL DEFAULT 0,
    failures    INTEGER NOT NULL DEFAULT 0,
    retry_at    BIGINT  NOT NULL DEFAULT 0,
    last_error  TEXT    NOT NULL DEFAULT '',
    created_at  BIGINT  NOT NULL,
    updated_at  BIGINT  NOT NULL
);
CREATE INDEX bots_org ON bots (org_id, user_id);

CREATE TABLE bot_commands (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id      BIGINT NOT NULL REFERENCES orgs (id),
    bot_id      BIGINT NOT NULL REFERENCES users (id),
    alias       TEXT   NOT NULL,
    description TEXT   NOT NULL DEFAULT '',
    created_at  BIGINT NOT NULL
);
CREATE UNIQUE INDEX bot_commands_alias ON bot_commands (bot_id, alias);

-- A bot chat is a group thread of a user and a bot.
CREATE TABLE bot_chats (
    thread_id  BIGINT PRIMARY KEY REFERENCES threads (id),
    org_id     BIGINT NOT NULL REFERENCES orgs (id),
    user_id    BIGINT NOT NULL REFERENCES users (id),
    bot_id     BIGINT NOT NULL REFERENCES users (id),
    created_at BIGINT NOT NULL
);
CREATE INDEX bot_chats_pair ON bot_chats (user_id, bot_id, thread_id);

-- How many chats each user has with each bot; inserting a chat updates this
-- row, which serializes concurrent inserts for one pair.
CREATE TABLE bot_chat_counts (
    user_id BIGINT  NOT NULL,
    bot_id  BIGINT  NOT NULL,
    chats   INTEGER NOT NULL,
    PRIMARY KEY (user_id, bot_id)
);

CREATE TABLE bot_webhooks (
    bot_id         BIGINT PRIMARY KEY REFERENCES users (id),
    org_id         BIGINT NOT NULL REFERENCES orgs (id),
    url            TEXT   NOT NULL,
    secret         TEXT   NOT NULL DEFAULT '',
    signing_secret TEXT   NOT NULL,
    created_at     BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL
);

-- Bot platform files are served by the random part of their storage key.
CREATE INDEX files_key ON files (org_id, key);

-- +goose Down
DROP INDEX files_key;
DROP TABLE bot_webhooks;
DROP TABLE bot_chat_counts;
DROP TABLE bot_chats;
DROP TABLE bot_commands;
DROP TABLE bots;
