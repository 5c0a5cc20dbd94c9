-- +goose Up
-- Timestamps are milliseconds since the epoch; ids come from identity columns.

CREATE TABLE orgs (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    slug        TEXT    NOT NULL,
    name        TEXT    NOT NULL DEFAULT '',
    title       TEXT    NOT NULL DEFAULT '',
    description TEXT    NOT NULL DEFAULT '',
    hostname    TEXT,
    join_secret TEXT    NOT NULL,
    open_join   BOOLEAN NOT NULL DEFAULT FALSE,
    flags       TEXT    NOT NULL DEFAULT '{}',
    created_at  BIGINT  NOT NULL,
    updated_at  BIGINT  NOT NULL
);
CREATE UNIQUE INDEX orgs_slug ON orgs (slug);
CREATE UNIQUE INDEX orgs_join_secret ON orgs (join_secret);
CREATE UNIQUE INDEX orgs_hostname ON orgs (hostname) WHERE hostname IS NOT NULL;

CREATE TABLE users (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id        BIGINT  NOT NULL REFERENCES orgs (id),
    username      TEXT,
    name          TEXT    NOT NULL DEFAULT '',
    email         TEXT,
    level         INTEGER NOT NULL,
    bot           BOOLEAN NOT NULL DEFAULT FALSE,
    deleted       BOOLEAN NOT NULL DEFAULT FALSE,
    profile_image TEXT    NOT NULL DEFAULT '',
    description   TEXT    NOT NULL DEFAULT '',
    xid           TEXT    NOT NULL DEFAULT '',
    created_at    BIGINT  NOT NULL,
    updated_at    BIGINT  NOT NULL
);
CREATE INDEX users_org ON users (org_id, id);
CREATE UNIQUE INDEX users_username ON users (org_id, username) WHERE username IS NOT NULL;
CREATE UNIQUE INDEX users_email ON users (org_id, email) WHERE email IS NOT NULL;

CREATE TABLE roles (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id          BIGINT  NOT NULL REFERENCES orgs (id),
    name            TEXT    NOT NULL,
    administrator   BOOLEAN NOT NULL DEFAULT FALSE,
    manage_users    BOOLEAN NOT NULL DEFAULT FALSE,
    manage_channels BOOLEAN NOT NULL DEFAULT FALSE,
    manage_roles    BOOLEAN NOT NULL DEFAULT FALSE,
    deleted         BOOLEAN NOT NULL DEFAULT FALSE,
    created_at      BIGINT  NOT NULL
);
CREATE INDEX roles_org ON roles (org_id);

CREATE TABLE user_roles (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id     BIGINT  NOT NULL REFERENCES orgs (id),
    user_id    BIGINT  NOT NULL REFERENCES users (id),
    role_id    BIGINT  NOT NULL REFERENCES roles (id),
    deleted    BOOLEAN NOT NULL DEFAULT FALSE,
    created_at BIGINT  NOT NULL
);
CREATE INDEX user_roles_user ON user_roles (user_id);
CREATE INDEX user_roles_role ON user_roles (role_id);

CREATE TABLE channels (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id      BIGINT  NOT NULL REFERENCES orgs (id),
    name        TEXT    NOT NULL,
    description TEXT    NOT NULL DEFAULT '',
    visibility  INTEGER NOT NULL,
    auto_join   BOOLEAN NOT NULL DEFAULT FALSE,
    deleted     BOOLEAN NOT NULL DEFAULT FALSE,
    xid         TEXT    NOT NULL DEFAULT '',
    created_at  BIGINT  NOT NULL,
    updated_at  BIGINT  NOT NULL
);
CREATE INDEX channels_org ON channels (org_id, id);

CREATE TABLE channel_roles (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id     BIGINT  NOT NULL REFERENCES orgs (id),
    channel_id BIGINT  NOT NULL REFERENCES channels (id),
    role_id    BIGINT  NOT NULL REFERENCES roles (id),
    can_read   BOOLEAN NOT NULL DEFAULT TRUE,
    can_write  BOOLEAN NOT NULL DEFAULT TRUE,
    deleted    BOOLEAN NOT NULL DEFAULT FALSE,
    created_at BIGINT  NOT NULL
);
CREATE INDEX channel_roles_channel ON channel_roles (channel_id);
CREATE INDEX channel_roles_role ON channel_roles (role_id);

CREATE TABLE channel_members (
    channel_id BIGINT NOT NULL REFERENCES channels (id),
    user_id    BIGINT NOT NULL REFERENCES users (id),
    joined_at  BIGINT NOT NULL,
    PRIMARY KEY (channel_id, user_id)
);
CREATE INDEX channel_members_user ON channel_members (user_id);

CREATE TABLE threads (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id       BIGINT  NOT NULL REFERENCES orgs (id),
    kind         INTEGER NOT NULL,
    key          TEXT,
    subject      TEXT    NOT NULL DEFAULT '',
    summary      TEXT    NOT NULL DEFAULT '',
    author_id    BIGINT  NOT NULL,
    xid          TEXT    NOT NULL DEFAULT '',
    resolved     BOOLEAN NOT NULL DEFAULT FALSE,
    hidden       BOOLEAN NOT NULL DEFAULT FALSE,
    deleted      BOOLEAN NOT NULL DEFAULT FALSE,
    url          TEXT    NOT NULL DEFAULT '',
    metadata     TEXT    NOT NULL DEFAULT '',
    read_public  BOOLEAN NOT NULL DEFAULT FALSE,
    write_public BOOLEAN NOT NULL DEFAULT FALSE,
    last_seq     BIGINT  NOT NULL DEFAULT 0,
    num_chats    INTEGER NOT NULL DEFAULT 0,
    created_at   BIGINT  NOT NULL,
    updated_at   BIGINT  NOT NULL
);
CREATE INDEX threads_org_updated ON threads (org_id, updated_at);
CREATE INDEX threads_org_url ON threads (org_id, url) WHERE url <> '';
CREATE UNIQUE INDEX threads_key ON threads (org_id, key) WHERE key IS NOT NULL;

CREATE TABLE thread_channels (
    thread_id  BIGINT NOT NULL REFERENCES threads (id),
    channel_id BIGINT NOT NULL REFERENCES channels (id),
    PRIMARY KEY (thread_id, channel_id)
);
CREATE INDEX thread_channels_channel ON thread_channels (channel_id, thread_id);

CREATE TABLE thread_members (
    thread_id BIGINT NOT NULL REFERENCES threads (id),
    user_id   BIGINT NOT NULL REFERENCES users (id),
    moderator BOOLEAN NOT NULL DEFAULT FALSE,
    joined_at BIGINT NOT NULL,
    PRIMARY KEY (thread_id, user_id)
);
CREATE INDEX thread_members_user ON thread_members (user_id, thread_id);

CREATE TABLE thread_tags (
    thread_id BIGINT NOT NULL REFERENCES threads (id),
    tag       TEXT   NOT NULL,
    PRIMARY KEY (thread_id, tag)
);
CREATE INDEX thread_tags_tag ON thread_tags (tag);

CREATE TABLE messages (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id        BIGINT  NOT NULL REFERENCES orgs (id),
    thread_id     BIGINT  NOT NULL REFERENCES threads (id),
    seq           BIGINT  NOT NULL,
    author_id     BIGINT  NOT NULL,
    text          TEXT    NOT NULL DEFAULT '',
    xid           TEXT    NOT NULL DEFAULT '',
    client_msg_id TEXT,
    reply_to      BIGINT  NOT NULL DEFAULT 0,
    deleted       BOOLEAN NOT NULL DEFAULT FALSE,
    edited        BOOLEAN NOT NULL DEFAULT FALSE,
    attachments   TEXT    NOT NULL DEFAULT '',
    forwarded_from BIGINT NOT NULL DEFAULT 0,
    metadata      TEXT    NOT NULL DEFAULT '',
    tags          TEXT    NOT NULL DEFAULT '',
    pinned        BOOLEAN NOT NULL DEFAULT FALSE,
    pinned_at     BIGINT  NOT NULL DEFAULT 0,
    pinned_by     BIGINT  NOT NULL DEFAULT 0,
    encrypted     BOOLEAN NOT NULL DEFAULT FALSE,
    enc_algorithm TEXT    NOT NULL DEFAULT '',
    enc_signature TEXT    NOT NULL DEFAULT '',
    poll          TEXT    NOT NULL DEFAULT '',
    expires_at    BIGINT  NOT NULL DEFAULT 0,
    created_at    BIGINT  NOT NULL,
    updated_at    BIGINT  NOT NULL
);
CREATE UNIQUE INDEX messages_thread_seq ON messages (thread_id, seq);
CREATE INDEX messages_thread_id ON messages (thread_id, id);
CREATE INDEX messages_expires ON messages (expires_at) WHERE expires_at <> 0;
CREATE UNIQUE INDEX messages_client_msg_id ON messages (author_id, client_msg_id) WHERE client_msg_id IS NOT NULL;

-- A message's tags by position (Convo's tag1, tag2), for lookups.
CREATE TABLE message_tags (
    message_id BIGINT NOT NULL REFERENCES messages (id),
    pos        INTEGER NOT NULL,
    tag        TEXT   NOT NULL,
    PRIMARY KEY (message_id, pos)
);
CREATE INDEX message_tags_tag ON message_tags (tag, pos);

-- Earlier texts of edited messages.
CREATE TABLE message_edits (
    message_id BIGINT NOT NULL REFERENCES messages (id),
    changed_at BIGINT NOT NULL,
    text       TEXT   NOT NULL
);
CREATE INDEX message_edits_message ON message_edits (message_id, changed_at);

-- One vote per user and poll.
CREATE TABLE poll_votes (
    message_id BIGINT  NOT NULL REFERENCES messages (id),
    user_id    BIGINT  NOT NULL,
    option     INTEGER NOT NULL,
    voted_at   BIGINT  NOT NULL,
    PRIMARY KEY (message_id, user_id)
);

CREATE TABLE reactions (
    message_id BIGINT NOT NULL REFERENCES messages (id),
    user_id    BIGINT NOT NULL,
    name       TEXT   NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (message_id, user_id, name)
);

CREATE TABLE read_states (
    user_id       BIGINT NOT NULL,
    thread_id     BIGINT NOT NULL REFERENCES threads (id),
    last_read_seq BIGINT NOT NULL DEFAULT 0,
    last_read_id  BIGINT NOT NULL DEFAULT 0,
    muted_until   BIGINT NOT NULL DEFAULT 0,
    updated_at    BIGINT NOT NULL,
    PRIMARY KEY (user_id, thread_id)
);

CREATE TABLE files (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id       BIGINT NOT NULL REFERENCES orgs (id),
    owner_id     BIGINT NOT NULL,
    name         TEXT   NOT NULL,
    content_type TEXT   NOT NULL,
    size         BIGINT NOT NULL,
    key          TEXT   NOT NULL,
    message_id   BIGINT NOT NULL DEFAULT 0,
    created_at   BIGINT NOT NULL
);
CREATE INDEX files_org ON files (org_id, id);
CREATE INDEX files_message ON files (message_id) WHERE message_id <> 0;

-- The event log. Ids are assigned from event_counter at commit, under its row
-- lock, so they grow in commit order (see sqlstore.Store.Update).
CREATE TABLE events (
    id         BIGINT PRIMARY KEY,
    org_id     BIGINT NOT NULL,
    type       TEXT   NOT NULL,
    topics     TEXT   NOT NULL,
    payload    TEXT   NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX events_org ON events (org_id, id);
CREATE INDEX events_created ON events (created_at);
CREATE TABLE event_counter (
    id    INTEGER PRIMARY KEY CHECK (id = 1),
    value BIGINT  NOT NULL
);
INSERT INTO event_counter (id, value) VALUES (1, 0);

-- Presence: when each user was last active, and whether it was announced as
-- away (so exactly one node announces it).
CREATE TABLE presence (
    user_id     BIGINT  PRIMARY KEY,
    org_id      BIGINT  NOT NULL,
    last_active BIGINT  NOT NULL,
    away        BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE INDEX presence_org ON presence (org_id, last_active);
CREATE INDEX presence_active ON presence (away, last_active);

-- +goose Down
DROP TABLE presence;
DROP TABLE event_counter;
DROP TABLE events;
DROP TABLE files;
DROP TABLE read_states;
DROP TABLE reactions;
DROP TABLE poll_votes;
DROP TABLE message_edits;
DROP TABLE message_tags;
DROP TABLE messages;
DROP TABLE thread_tags;
DROP TABLE thread_members;
DROP TABLE thread_channels;
DROP TABLE threads;
DROP TABLE channel_members;
DROP TABLE channel_roles;
DROP TABLE channels;
DROP TABLE user_roles;
DROP TABLE roles;
DROP TABLE users;
DROP TABLE orgs;
