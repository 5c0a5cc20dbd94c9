-- +goose Up
-- Who may open an attachment: the readers of the message it was uploaded
-- for, or of a forwarded copy of it (chat.canReadAttachment walks the
-- copies by forwarded_from).
CREATE INDEX messages_forwarded_from ON messages (forwarded_from) WHERE forwarded_from <> 0;

-- +goose Down
DROP INDEX messages_forwarded_from;
