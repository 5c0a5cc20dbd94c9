package httpx

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"

	"github.com/parley-chat/parley/internal/chat"
)

// MaxJSONBody is the default cap on a JSON request body.
const MaxJSONBody = 1 << 20

// DecodeOptions tune Decode.
type DecodeOptions struct {
	MaxBytes int64 // 0 means MaxJSONBody
	// AllowUnknown accepts fields the target type does not have (compat
	// surfaces mirror products that ignored them).
	AllowUnknown bool
	// AllowEmpty treats an empty body as "{}".
	AllowEmpty bool
	// AnyContentType skips the Content-Type check (clients of the original
	// products, such as curl -d, often send form or no content type).
	AnyContentType bool
}

// Decode reads r's body as JSON into a T. Every failure is a chat error that
// says what is wrong: Invalid for malformed JSON, wrong types, unknown fields
// or trailing data; TooLarge for an oversized body.
func Decode[T any](w http.ResponseWriter, r *http.Request, opt DecodeOptions) (T, error) {
	var v T
	err := DecodeInto(w, r, &v, opt)
	return v, err
}

// DecodeInto is Decode for an existing value.
func DecodeInto(w http.ResponseWriter, r *http.Request, v any, opt DecodeOptions) error {
	if opt.MaxBytes == 0 {
		opt.MaxBytes = MaxJSONBody
	}
	if !opt.AnyContentType {
		if ct := r.Header.Get("Content-Type"); ct != "" {
			mt, _, err := mime.ParseMediaType(ct)
			if err != nil || mt != "application/json" && !strings.HasSuffix(mt, "+json") && mt != "application/x-www-form-urlencoded" && mt != "text/plain" {
				return chat.Errorf(chat.Invalid, "The request body must be JSON (Content-Type: application/json).")
			}
		}
	}
	body := http.MaxBytesReader(w, r.Body, opt.MaxBytes)
	data, err := io.ReadAll(body)
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return &chat.Error{Code: chat.TooLarge, Message: fmt.Sprintf("The request body is larger than %d bytes.", opt.MaxBytes)}
		}
		return chat.Errorf(chat.Invalid, "The request body could not be read.")
	}
	if len(strings.TrimSpace(string(data))) == 0 {
		if opt.AllowEmpty {
			data = []byte("{}")
		} else {
			return chat.Errorf(chat.Invalid, "The request body is empty; send a JSON object.")
		}
	}
	return Unmarshal(data, v, opt.AllowUnknown)
}

// Unmarshal decodes JSON data into v with Decode's error messages.
func Unmarshal(data []byte, v any, allowUnknown bool) error {
	dec := json.NewDecoder(strings.NewReader(string(data)))
	if !allowUnknown {
		dec.DisallowUnknownFields()
	}
	if err := dec.Decode(v); err != nil {
		return jsonError(err)
	}
	if dec.More() {
		return chat.Errorf(chat.Invalid, "The request body has data after the JSON value.")
	}
	return nil
}

// jsonError turns an encoding/json error into a message for the client.
func jsonError(err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return chat.Errorf(chat.Invalid, "The request body is not valid JSON (at byte %d).", syn.Offset)
	case errors.As(err, &typ):
		if typ.Field != "" {
			return chat.Invalidf(typ.Field, "The field %q must be %s, not %s.", typ.Field, jsonKind(typ.Type.Kind().String()), typ.Value)
		}
		return chat.Errorf(chat.Invalid, "The request body must be %s, not %s.", jsonKind(typ.Type.Kind().String()), typ.Value)
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return chat.Errorf(chat.Invalid, "The request body is truncated JSON.")
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		field := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return chat.Invalidf(field, "Unknown field %q.", field)
	}
	var ie *chat.Error
	if errors.As(err, &ie) {
		return ie
	}
	return chat.Errorf(chat.Invalid, "The request body is not valid: %s.", strings.TrimPrefix(err.Error(), "json: "))
}

func jsonKind(goKind string) string {
	switch goKind {
	case "string":
		return "a string"
	case "bool":
		return "true or false"
	case "slice", "array":
		return "an array"
	case "map", "struct":
		return "an object"
	case "int", "int8", "int16", "int32", "int64", "uint", "uint8", "uint16", "uint32", "uint64", "float32", "float64":
		return "a number"
	}
	return "a " + goKind
}

// WriteJSON writes v as JSON with status.
func WriteJSON(w http.ResponseWriter, status int, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode response: %w", err)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, err = w.Write(append(b, '\n'))
	return err
}
