-- +goose Up
-- The rich message features (issue 8): the moderation queue, messages
-- waiting for their time, and an index from events to the message they
-- carry, so a message deleted for good takes its copies in the log with it.

ALTER TABLE events ADD COLUMN message_id BIGINT NOT NULL DEFAULT 0;
CREATE INDEX events_message ON events (message_id) WHERE message_id <> 0;

-- Reports outlive the messages they are about (an unsent or expired message
-- is deleted for good), so message_id has no foreign key; excerpt keeps the
-- reported plain text for the reviewers.
CREATE TABLE reports (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id      BIGINT  NOT NULL REFERENCES orgs (id),
    thread_id   BIGINT  NOT NULL REFERENCES threads (id),
    message_id  BIGINT  NOT NULL,
    author_id   BIGINT  NOT NULL,
    reporter_id BIGINT  NOT NULL,
    reason      TEXT    NOT NULL,
    excerpt     TEXT    NOT NULL DEFAULT '',
    resolved    BOOLEAN NOT NULL DEFAULT FALSE,
    resolution  TEXT    NOT NULL DEFAULT '',
    resolved_by BIGINT  NOT NULL DEFAULT 0,
    resolved_at BIGINT  NOT NULL DEFAULT 0,
    note        TEXT    NOT NULL DEFAULT '',
    created_at  BIGINT  NOT NULL
);
CREATE UNIQUE INDEX reports_reporter ON reports (message_id, reporter_id);
CREATE INDEX reports_org ON reports (org_id, resolved, id);

-- Scheduled messages: state 1 pending, 2 sent, 3 failed, 4 canceled. A row
-- is claimed (claimed_by, by a conditional UPDATE) in the same transaction
-- that posts its message, so it is sent once however many nodes run the job.
CREATE TABLE scheduled_messages (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id      BIGINT  NOT NULL REFERENCES orgs (id),
    thread_id   BIGINT  NOT NULL REFERENCES threads (id),
    author_id   BIGINT  NOT NULL,
    draft       TEXT    NOT NULL,
    send_at     BIGINT  NOT NULL,
    state       INTEGER NOT NULL,
    message_id  BIGINT  NOT NULL DEFAULT 0,
    failure     TEXT    NOT NULL DEFAULT '',
    claimed_by  TEXT,
    claimed_at  BIGINT  NOT NULL DEFAULT 0,
    created_at  BIGINT  NOT NULL,
    updated_at  BIGINT  NOT NULL
);
CREATE INDEX scheduled_due ON scheduled_messages (send_at, id) WHERE state = 1;
CREATE INDEX scheduled_author ON scheduled_messages (org_id, author_id, state, send_at);

-- +goose Down
DROP TABLE scheduled_messages;
DROP TABLE reports;
DROP INDEX events_message;
ALTER TABLE events DROP COLUMN message_id;
