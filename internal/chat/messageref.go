package chat

import (
	"context"
	"time"
)

// MessageRef names a message, optionally with the thread it must be in (the
// way conversation APIs name messages).
type MessageRef struct {
	// ThreadID, when set, must be the message's thread.
	ThreadID  ThreadID
	MessageID MessageID
}

func (r MessageRef) check() error {
	if r.MessageID == 0 {
		return Invalidf("chat_id", "The chat_id is required.")
	}
	return nil
}

// visibleMessageIn is visibleMessage for a reference at now: an expired
// message is NotFound, and a message of another thread than the one named
// is Invalid.
func visibleMessageIn(ctx context.Context, tx ReadTx, au *authority, ref MessageRef, now time.Time) (*Message, *Thread, Access, error) {
	m, th, acc, err := visibleMessage(ctx, tx, au, ref.MessageID)
	if err != nil {
		return nil, nil, 0, err
	}
	if m.Expired(now) {
		return nil, nil, 0, notFound("Chat")
	}
	if ref.ThreadID != 0 && ref.ThreadID != m.ThreadID {
		return nil, nil, 0, Invalidf("thread_id", "The chat is not in that thread.")
	}
	return m, th, acc, nil
}

// unexpired drops from msgs the messages whose time ran out at now but that
// the expiry job has not deleted yet.
func unexpired(msgs []*Message, now time.Time) []*Message {
	out := msgs[:0]
	for _, m := range msgs {
		if !m.Expired(now) {
			out = append(out, m)
		}
	}
	return out
}

// messageStub is the part of m that events about its removal carry: enough
// to name it, nothing of its content.
func messageStub(m *Message) *Message {
	return &Message{ID: m.ID, OrgID: m.OrgID, ThreadID: m.ThreadID, Seq: m.Seq, AuthorID: m.AuthorID, CreatedAt: m.CreatedAt,
		UpdatedAt: m.UpdatedAt}
}
