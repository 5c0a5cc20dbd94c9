package chat

import (
	"context"
	"slices"
)

// Forward copies a message into another thread.
type Forward struct {
	// From names the message; its ThreadID, when set, must be its thread.
	From MessageRef
	// To is the thread the copy is posted in.
	To ThreadID
}

// ForwardMessage posts, as the actor, a copy of a message it can read into
// a thread it can write in: the text (ciphertext stays ciphertext, with its
// algorithm and signature), the attachments and the poll's question and
// options (with no votes), with ForwardedFrom naming the original. NotFound
// when the actor cannot read the message or the target; Forbidden when it
// cannot write in the target or the message may not be forwarded (an
// ephemeral message would outlive its time). Uploads are not copied: the
// copy refers to the original's, which go with the original if it is
// unsent.
func (s *Service) ForwardMessage(ctx context.Context, a Actor, in Forward) (*Message, error) {
	if err := in.From.check(); err != nil {
		return nil, err
	}
	if in.To == 0 {
		return nil, Invalidf("thread_id", "Name the thread to forward to.")
	}
	var msg *Message
	err := s.update(ctx, func(w *work) error {
		au, err := loadMember(ctx, w.tx, a)
		if err != nil {
			return err
		}
		src, _, _, err := visibleMessageIn(ctx, w.tx, au, in.From, w.now)
		if err != nil {
			return err
		}
		if !canForwardMessage(src) {
			return Errorf(Forbidden, "An ephemeral chat cannot be forwarded.")
		}
		to, acc, err := visibleThread(ctx, w.tx, au, in.To)
		if err != nil {
			return err
		}
		if !acc.CanWrite() {
			return Errorf(Forbidden, "You cannot post in that thread.")
		}
		copied := NewMessage{ThreadID: to.ID, Text: src.Text, Encrypted: src.Encrypted, EncryptionAlgorithm: src.EncryptionAlgorithm,
			Signature: src.Signature, forwardOf: src}
		if src.Poll != nil {
			copied.Poll = &NewPoll{Question: src.Poll.Question, Options: slices.Clone(src.Poll.Options)}
		}
		msg, err = s.post(ctx, w, au, to, copied)
		return err
	})
	return msg, err
}
