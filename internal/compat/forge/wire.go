package forge

import (
	"encoding/json"
	"net/http"

	"github.com/parley-chat/parley/internal/chat"
	"github.com/parley-chat/parley/internal/httpx"
)

// decodeJSON reads a JSON body and requires the named fields to be present,
// answering as actix-web's JSON extractor did: 400 "Json deserialize error:
// …".
func decodeJSON[T any](w http.ResponseWriter, r *http.Request, required ...string) (T, error) {
	var zero T
	raw, err := httpx.Decode[map[string]json.RawMessage](w, r, httpx.DecodeOptions{AllowUnknown: true, AnyContentType: true})
	if err != nil {
		return zero, deserializeError(chat.ErrorMessage(err))
	}
	for _, f := range required {
		if _, ok := raw[f]; !ok {
			return zero, deserializeError("missing field `" + f + "`")
		}
	}
	b, _ := json.Marshal(raw)
	var v T
	if err := httpx.Unmarshal(b, &v, true); err != nil {
		return zero, deserializeError(chat.ErrorMessage(err))
	}
	return v, nil
}

func deserializeError(msg string) error {
	return fail(http.StatusBadRequest, "Json deserialize error: "+msg)
}
