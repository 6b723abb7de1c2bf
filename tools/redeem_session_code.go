package tools

import (
	"context"
	"errors"
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/kycd/kycd/checks/signals"
	"github.com/kycd/kycd/db"
	"github.com/kycd/kycd/verify"
)

// RedeemSessionCodeInput is the code an applicant was shown.
type RedeemSessionCodeInput struct {
	Code string `json:"code" jsonschema:"the 8-digit code create_verification returned (generate_code); spaces and dashes are ignored" minLength:"1" maxLength:"20"`
}

// RedeemedSession is the session a code continues.
type RedeemedSession struct {
	VerificationID string    `json:"verification_id" jsonschema:"the verification (ver_…)"`
	Reference      string    `json:"reference" jsonschema:"its VER- reference"`
	HostedURL      string    `json:"hosted_url" jsonschema:"the hosted link that continues the session; it carries the session token, so treat it as a secret"`
	ExpiresAt      time.Time `json:"expires_at" jsonschema:"when the session ends, and the code with it"`
}

// RedeemSessionCode exchanges a session code for the session it continues.
var RedeemSessionCode = Tool[RedeemSessionCodeInput, RedeemedSession]{
	Name:     "redeem_session_code",
	Examples: []string{`{"code":"4711 0815"}`},
	Title:    "Redeem session code",
	Description: "Exchange the 8-digit code of a verification created with generate_code for its hosted link, so your app continues the applicant's session on another device. " +
		"The code works while the session is open (pending or in progress, before it expires) and only for this API key's account and mode. " +
		"At most 5 wrong codes a minute are allowed per API key (per IP on the hosted /verify/code page); more are rate_limited.",
	Brief:       "exchange a `generate_code` code for the session's hosted link (5 wrong tries a minute)",
	Scope:       ScopeVerificationsWrite,
	Annotations: Annotations{ReadOnly: false, Destructive: false, Idempotent: true, OpenWorld: false},
	REST:        REST{Method: "POST", Path: "/session_codes/redeem"},
	Summary: func(r RedeemedSession) string {
		return "The code continues verification " + r.Reference + " (" + r.VerificationID + "): " + r.HostedURL
	},
	Handle: func(ctx context.Context, d *Deps, c Caller, in RedeemSessionCodeInput) (RedeemedSession, error) {
		client := "key:" + c.KeyID
		if c.ClientIP != "" {
			client = "ip:" + c.ClientIP
		}
		sc := c.scope()
		return redeemCode(ctx, d, in.Code, client, &sc)
	},
}

var codeSeparators = regexp.MustCompile(`[\s-]`)

func redeemCode(ctx context.Context, d *Deps, code, client string, sc *db.Scope) (RedeemedSession, error) {
	code = codeSeparators.ReplaceAllString(strings.TrimSpace(code), "")
	v, err := d.Verify.RedeemSessionCode(ctx, code, client, sc)
	switch {
	case errors.Is(err, verify.ErrCodeLimit):
		return RedeemedSession{}, &Error{Code: CodeRateLimited, Field: "code", RetryAfterSeconds: int(db.CodeFailureWindow / time.Second),
			Message: "too many wrong codes; wait a minute before trying again"}
	case errors.Is(err, verify.ErrBadCode):
		return RedeemedSession{}, Errorf(CodeNotFound, "code", "no open session has this code: check the 8 digits; a code ends with its session")
	case err != nil:
		return RedeemedSession{}, err
	}
	token, err := d.Store.Keyring().Open(v.TokenSealed)
	if err != nil {
		return RedeemedSession{}, err
	}
	return RedeemedSession{VerificationID: v.ID, Reference: v.Reference, HostedURL: verify.HostedURL(d.PublicURL, string(token)), ExpiresAt: v.ExpiresAt}, nil
}

// RedeemSessionCodeRequest is RedeemSessionCodeFromPage for the request r, whose client IP
// (honouring the trusted proxies) the wrong tries are counted by.
func RedeemSessionCodeRequest(d *Deps, r *http.Request, code string) (string, error) {
	var src SignalSource
	if d.Signals != nil {
		src = *d.Signals
	}
	ip := "unknown"
	if a := signals.ClientIP(r, src.Proxies); a.IsValid() {
		ip = a.String()
	}
	return RedeemSessionCodeFromPage(r.Context(), d, code, ip)
}

// RedeemSessionCodeFromPage is the hosted /verify/code page's exchange: the code an applicant
// typed, limited per IP, for the session token to continue with (any account: the page
// knows none).
func RedeemSessionCodeFromPage(ctx context.Context, d *Deps, code, ip string) (string, error) {
	r, err := redeemCode(ctx, d, code, "ip:"+ip, nil)
	if err != nil {
		return "", err
	}
	return r.HostedURL[strings.LastIndexByte(r.HostedURL, '/')+1:], nil
}
