-- +goose Up
-- Full-text search. The index is kept in step by the store in the
-- same transaction as every write (see search.go); its documents are a
-- thread's subject, summary and tags (ids -(thread_id<<2 | field)) and each
-- chat (id = the chat's id), holding the tokens chat.IndexTokens gives.
--
-- PostgreSQL: a tsvector per document, built from those tokens as they are
-- (no parser, no dictionary, no positions), under a GIN index. Built-in text
-- search needs no extension, so it works in any schema and on managed hosts.
CREATE TABLE search_fts (
    id        BIGINT   PRIMARY KEY,
    thread_id BIGINT   NOT NULL,
    weight    INTEGER  NOT NULL,
    tsv       TSVECTOR NOT NULL
);
CREATE INDEX search_fts_tsv ON search_fts USING GIN (tsv);
CREATE INDEX search_fts_thread ON search_fts (thread_id);

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
