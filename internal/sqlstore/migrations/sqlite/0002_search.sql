-- +goose Up
-- Full-text search. The index is kept in step by the store in the
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

-- +goose Down
DROP TABLE search_meta;
DROP TABLE search_fts;
