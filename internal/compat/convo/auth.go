package convo

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/parley-chat/parley/internal/chat"
	"github.com/parley-chat/parley/internal/httpx"
)

// API key answers, as withApikey wrote them.
const (
	noKeyText      = "No API key, please refer to the integration docs at https://docs.theconvo.space/ to see how to get and use a new API key."
	invalidKeyText = "Invalid API key, please refer to the integration docs at https://docs.theconvo.space/ to see how to get and use a new API key."
)

// useKey checks the request's API key (?apikey= or x-api-key), counts the
// request against it, sets the rate-limit headers and returns the request
// carrying the key's org (as an anonymous actor of that org).
func (s *server) useKey(w http.ResponseWriter, r *http.Request) (*http.Request, error) {
	key := r.URL.Query().Get("apikey")
	if key == "" {
		key = r.Header.Get("X-Api-Key")
	}
	org, remaining, err := s.chat.UseAPIKey(r.Context(), key)
	switch chat.ErrorReason(err) {
	case "":
	case chat.ErrAPIKeyMissing.Reason:
		return r, fail(http.StatusUnauthorized, "error", noKeyText)
	case chat.ErrAPIKeyInvalid.Reason:
		return r, fail(http.StatusUnauthorized, "error", invalidKeyText)
	case chat.ErrAPIKeyLimit.Reason:
		w.Header().Set("X-Rate-Limit-Limit", strconv.Itoa(chat.APIKeyMonthlyLimit))
		w.Header().Set("X-Rate-Limit-Remaining", "0")
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(http.StatusTooManyRequests)
		w.Write([]byte("Rate limit exceeded"))
		return r, answered
	}
	if err != nil {
		return r, err
	}
	w.Header().Set("X-Rate-Limit-Limit", strconv.Itoa(chat.APIKeyMonthlyLimit))
	w.Header().Set("X-Rate-Limit-Remaining", strconv.FormatInt(remaining, 10))
	return r.WithContext(httpx.WithActor(r.Context(), chat.AnonymousActor(org))), nil
}

// answered means the response is already written.
var answered = &failure{status: 0}

// orgOf returns the org the request's API key named (zero when the route
// takes no key).
func orgOf(r *http.Request) chat.OrgID {
	a, _ := httpx.Actor(r)
	return a.OrgID
}

// reader is who reads: the signer when the request carries a token and
// signerAddress (query or body), else an anonymous visitor of the key's org.
func (s *server) reader(r *http.Request, sig signed) (chat.Actor, error) {
	if sig.Token == "" && sig.SignerAddress == "" {
		return chat.AnonymousActor(orgOf(r)), nil
	}
	return s.chat.AuthenticateWallet(r.Context(), orgOf(r), sig.Token, sig.SignerAddress)
}

// querySigned reads an optional token and signer from the query string.
func querySigned(r *http.Request) signed {
	q := r.URL.Query()
	return signed{Token: q.Get("token"), SignerAddress: q.Get("signerAddress")}
}

// decode reads a JSON body; any failure is the route's params error.
func decode[T any](w http.ResponseWriter, r *http.Request, paramsErr error) (T, error) {
	v, err := httpx.Decode[T](w, r, httpx.DecodeOptions{AllowUnknown: true, AllowEmpty: true, AnyContentType: true})
	if chat.ErrorCode(err) == chat.TooLarge {
		return v, err
	}
	if err != nil {
		return v, paramsErr
	}
	return v, nil
}

// ping is GET /api/ping.
func (s *server) ping(w http.ResponseWriter, r *http.Request) error {
	return httpx.WriteJSON(w, http.StatusOK, map[string]any{"success": true, "message": "Heyo 🚀"})
}

// auth is POST /api/auth: sign in with a signed timestamp.
func (s *server) auth(w http.ResponseWriter, r *http.Request) error {
	in, err := decode[authRequest](w, r, fail(http.StatusBadRequest, "message", chat.ErrWalletParams.Message))
	if err != nil {
		return err
	}
	sess, err := s.chat.SignInWithWallet(r.Context(), chat.WalletSignIn{OrgID: orgOf(r), Chain: strings.ToLower(in.Chain),
		SignerAddress: in.SignerAddress, Signature: in.Signature, AccountID: in.AccountID, Timestamp: int64(in.Timestamp)})
	if err != nil {
		return signInError(err)
	}
	return httpx.WriteJSON(w, http.StatusOK, map[string]any{"success": true, "message": sess.Token})
}

// authV2 is POST /api/authV2: Sign-In with Ethereum.
func (s *server) authV2(w http.ResponseWriter, r *http.Request) error {
	in, err := decode[authV2Request](w, r, fail(http.StatusBadRequest, "message", chat.ErrSIWEParams.Message))
	if err != nil {
		return err
	}
	sess, err := s.chat.SignInWithEthereum(r.Context(), chat.SIWESignIn{OrgID: orgOf(r), Message: in.Message, Signature: in.Signature, Chain: in.Chain})
	if err != nil {
		return signInError(err)
	}
	return httpx.WriteJSON(w, http.StatusOK, map[string]any{"success": true, "message": sess.Token})
}

// signInError renders a refused sign-in: 400 with the reason in "message",
// and the original's {"success":true,"message":"Invalid Chain"}.
func signInError(err error) error {
	if chat.ErrorReason(err) == chat.ErrWalletChain.Reason {
		return answer(http.StatusBadRequest, map[string]any{"success": true, "message": chat.ErrWalletChain.Message})
	}
	switch chat.ErrorCode(err) {
	case chat.Invalid, chat.Unauthenticated, chat.Conflict:
		return fail(http.StatusBadRequest, "message", chat.ErrorMessage(err))
	}
	return err
}

type validateRequest struct {
	SignerAddress string `json:"signerAddress"`
	Token         string `json:"token"`
}

// validateAuth is POST /api/validateAuth.
func (s *server) validateAuth(w http.ResponseWriter, r *http.Request) error {
	missing := fail(http.StatusBadRequest, "message", "signerAddress or token is missing/invalid.")
	in, err := decode[validateRequest](w, r, missing)
	if err != nil {
		return err
	}
	if in.SignerAddress == "" || in.Token == "" {
		return missing
	}
	if err := s.chat.ValidateWalletToken(r.Context(), orgOf(r), in.Token, in.SignerAddress); err != nil {
		if chat.ErrorCode(err) == chat.Unauthenticated {
			return fail(http.StatusBadRequest, "message", "Invalid Auth Token")
		}
		return err
	}
	return httpx.WriteJSON(w, http.StatusOK, map[string]any{"success": true, "message": "Valid Auth Token"})
}

// invalidAuth is the answer to a write without a valid token: 401, as the
// current original (its first versions and its docs said 503).
var invalidAuth = fail(http.StatusUnauthorized, "error", "Invalid Auth")

// getAPIKey is GET /api/apikey: the signer's keys (?token=&signerAddress=),
// or with the Client-Secret header the keys the operator minted for ?org=.
func (s *server) getAPIKey(w http.ResponseWriter, r *http.Request) error {
	if cs := r.Header.Get("Client-Secret"); cs != "" {
		org, set, err := s.chat.OperatorAPIKeys(r.Context(), cs, r.URL.Query().Get("org"))
		if err != nil {
			return apikeyError(err)
		}
		body := keySetJSON(set, true)
		body["org"] = org.Slug
		return httpx.WriteJSON(w, http.StatusOK, body)
	}
	sig := querySigned(r)
	a, err := s.chat.AuthenticateWallet(r.Context(), 0, sig.Token, sig.SignerAddress)
	if err != nil {
		return apikeyError(err)
	}
	set, err := s.chat.APIKeys(r.Context(), a)
	if err != nil {
		return apikeyError(err)
	}
	if set.Active == nil {
		return httpx.WriteJSON(w, http.StatusOK, map[string]any{"success": true, "activeKey": nil})
	}
	return httpx.WriteJSON(w, http.StatusOK, keySetJSON(set, true))
}

// postAPIKey is POST /api/apikey: mint (or rotate) the signer's key, or
// with the Client-Secret header mint a key for the org "org" (a new org when
// none is named).
func (s *server) postAPIKey(w http.ResponseWriter, r *http.Request) error {
	in, err := decode[apikeyRequest](w, r, fail(http.StatusBadRequest, "error", "Invalid/Incomplete params"))
	if err != nil {
		return err
	}
	if cs := r.Header.Get("Client-Secret"); cs != "" {
		slug := in.Org
		if slug == "" {
			slug = r.URL.Query().Get("org")
		}
		org, key, err := s.chat.ProvisionAPIKey(r.Context(), cs, slug)
		if err != nil {
			return apikeyError(err)
		}
		return httpx.WriteJSON(w, http.StatusOK, map[string]any{"success": true, "activeKey": key.Key, "pastKeys": []string{},
			"whitelist": []string{}, "org": org.Slug})
	}
	a, err := s.chat.AuthenticateWallet(r.Context(), 0, in.Token, in.SignerAddress)
	if err != nil {
		return apikeyError(err)
	}
	set, err := s.chat.RotateAPIKey(r.Context(), a)
	if chat.ErrorReason(err) == chat.ErrAPIKeyCount.Reason {
		return answer(http.StatusOK, map[string]any{"success": false,
			"error": "Limit of 10 Keys/Account exceeded. Please contact the operator of this server."})
	}
	if err != nil {
		return apikeyError(err)
	}
	return httpx.WriteJSON(w, http.StatusOK, keySetJSON(set, false))
}

func apikeyError(err error) error {
	switch chat.ErrorCode(err) {
	case chat.Unauthenticated:
		return fail(http.StatusUnauthorized, "error", "Invalid Auth")
	case chat.NotFound:
		return fail(http.StatusNotFound, "error", "Organization not found.")
	}
	return err
}

// keySetJSON renders a key set; with usage, the "data" map of monthly
// counts.
func keySetJSON(set *chat.APIKeySet, usage bool) map[string]any {
	var active any
	past := []string{}
	for _, k := range set.Past {
		past = append(past, k.Key)
	}
	body := map[string]any{"success": true, "activeKey": active, "pastKeys": past, "whitelist": []string{}}
	if set.Active != nil {
		body["activeKey"] = set.Active.Key
	}
	if usage {
		data := map[string]string{}
		keys := append([]*chat.APIKey{set.Active}, set.Past...)
		for _, k := range keys {
			if k == nil {
				continue
			}
			for _, u := range set.Usage[k.ID] {
				data[usageKey(k.Key, u.Period)] = strconv.FormatInt(u.Count, 10)
			}
		}
		body["data"] = data
	}
	return body
}
