-- +goose Up
-- ConvoForge (internal/compat/forge) over the core: the file behind each
-- user's profile image, and the lookups its routes make.

-- The file of each user's profile image; users.profile_image keeps its URL.
CREATE TABLE profile_files (
    user_id    BIGINT NOT NULL PRIMARY KEY REFERENCES users (id),
    org_id     BIGINT NOT NULL REFERENCES orgs (id),
    file_id    BIGINT NOT NULL REFERENCES files (id),
    updated_at BIGINT NOT NULL
);

-- Files by their (unguessable) key, for the key URLs media are served at.
CREATE INDEX files_org_key ON files (org_id, key);
-- Who has read a thread up to a message (seen receipts).
CREATE INDEX read_states_thread_seq ON read_states (thread_id, last_read_seq);
-- An org's role assignments and channel grants.
CREATE INDEX user_roles_org ON user_roles (org_id, id);
CREATE INDEX channel_roles_org ON channel_roles (org_id, channel_id, id);

-- +goose Down
DROP INDEX channel_roles_org;
DROP INDEX user_roles_org;
DROP INDEX read_states_thread_seq;
DROP INDEX files_org_key;
DROP TABLE profile_files;
