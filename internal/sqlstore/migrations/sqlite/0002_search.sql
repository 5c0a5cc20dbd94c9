-- +goose Up
-- Full-text search and feeds. The index is kept in step by the store in the
-- same transaction as every write (see search.go); its documents are a
-- thread's subject, summary and tags (ids -(thread_id<<2 | field)) and each
-- chat (id = the chat's id), holding the tokens chat.IndexTokens gives.
--
-- SQLite: an FTS5 table that stores only the index (contentless, with
-- deletes) and the two unindexed columns searches return. The tokens arrive
-- separated by spaces, so the 'ascii' tokenizer keeps them exactly as
-- PostgreSQL does; detail=none stores no positions, because terms are
-- matched by their tokens, not as phrases.
CREATE VIRTUAL TABLE search_fts USING fts5(
    body,
    thread_id UNINDEXED,
    weight UNINDEXED,
    tokenize = 'ascii',
    detail = none,
    content = '',
    contentless_delete = 1,
    contentless_unindexed = 1
);

-- What the index was built with: Open rebuilds it when either differs from
-- the running code (and so builds it for data older than this migration).
CREATE TABLE search_meta (
    id        INTEGER PRIMARY KEY CHECK (id = 1),
    tokenizer INTEGER NOT NULL,
    layout    INTEGER NOT NULL
);
INSERT INTO search_meta (id, tokenizer, layout) VALUES (1, 0, 0);

-- Users' own feeds. Ids below 16 belong to the default feeds (6N1, 6N2, 6N3).
CREATE TABLE feeds (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id      BIGINT  NOT NULL REFERENCES orgs (id),
    user_id     BIGINT  NOT NULL REFERENCES users (id),
    name        TEXT    NOT NULL,
    channel_ids TEXT    NOT NULL DEFAULT '[]',
    user_ids    TEXT    NOT NULL DEFAULT '[]',
    dm          BOOLEAN NOT NULL DEFAULT FALSE,
    created_at  BIGINT  NOT NULL,
    updated_at  BIGINT  NOT NULL
);
CREATE INDEX feeds_user ON feeds (user_id, id);
INSERT INTO sqlite_sequence (name, seq) VALUES ('feeds', 15);

-- +goose Down
DROP TABLE feeds;
DELETE FROM sqlite_sequence WHERE name = 'feeds';
DROP TABLE search_meta;
DROP TABLE search_fts;
