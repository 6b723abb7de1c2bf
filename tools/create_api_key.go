package tools

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/kycd/kycd/db"
)

// grantableScopes are the scopes a key may be created with (by a caller holding them).
var grantableScopes = append(slices.Clone(AllScopes), ScopeFlowsRead, ScopeFlowsWrite, ScopeKeysRead, ScopeKeysWrite, ScopeAuditRead)

// CreateAPIKeyInput describes a new key.
type CreateAPIKeyInput struct {
	Name               string   `json:"name" jsonschema:"a name saying who uses the key (shop backend, CRM sync)" minLength:"1" maxLength:"100"`
	Scopes             []string `json:"scopes,omitempty" jsonschema:"what the key may do; default: the scopes the caller holds (a key never gets a scope its creator lacks)" maxItems:"16"`
	Checks             []string `json:"checks,omitempty" jsonschema:"checks its verifications run by default; default: every available check" enumof:"models.AllChecks" maxItems:"16"`
	RateLimit          int      `json:"rate_limit,omitempty" jsonschema:"requests per minute; 0 = the server default" minimum:"0" maximum:"100000"`
	FaceMatchThreshold float64  `json:"face_match_threshold,omitempty" jsonschema:"face match threshold, ≥ the server's reject threshold; 0 = server default" minimum:"0" maximum:"0.999"`
	LivenessThreshold  float64  `json:"liveness_threshold,omitempty" jsonschema:"liveness threshold above 0 and below 1; 0 = the server default" minimum:"0" maximum:"0.999"`
	EmbedOrigins       []string `json:"embed_origins,omitempty" jsonschema:"origins allowed to frame its hosted flow (https://shop.example.com)" maxItems:"20"`
	ExpiresInDays      int      `json:"expires_in_days,omitempty" jsonschema:"days until it stops working; 0 = never" minimum:"0" maximum:"3650"`
}

// CreatedAPIKey is a new key with its secret, shown this once.
type CreatedAPIKey struct {
	Key    APIKey `json:"key" jsonschema:"the key"`
	Secret string `json:"secret" jsonschema:"the key's secret (sk_live_… / sk_test_…): shown only now, store it safely; kycd keeps only its hash"`
}

// CreateAPIKey creates a key in the caller's account and mode.
var CreateAPIKey = Tool[CreateAPIKeyInput, CreatedAPIKey]{
	Name:     "create_api_key",
	Examples: []string{`{"name":"shop backend","scopes":["verifications:read","verifications:write"],"rate_limit":600}`},
	Title:    "Create an API key",
	Description: "Create an API key in this account and the caller's mode, with scopes (never more than the caller holds), default checks, a rate limit, biometric thresholds and embed origins. " +
		"The secret is in the answer only this once: kycd stores its hash. Requires keys:write.",
	Brief:       "new key in this account and mode (scopes ⊆ the caller's); the secret is shown once",
	Scope:       ScopeKeysWrite,
	Annotations: Annotations{ReadOnly: false, Destructive: false, Idempotent: false, OpenWorld: false},
	REST:        REST{Method: "POST", Path: "/api-keys", Status: 201},
	Summary: func(k CreatedAPIKey) string {
		return fmt.Sprintf("Created key %s (%s, %s); its secret is shown only in this answer.", k.Key.ID, k.Key.Name, k.Key.Mode)
	},
	Handle: createAPIKey,
}

func createAPIKey(ctx context.Context, d *Deps, c Caller, in CreateAPIKeyInput) (CreatedAPIKey, error) {
	name := strings.TrimSpace(in.Name)
	if name == "" {
		return CreatedAPIKey{}, invalid("name", "required: say who uses the key")
	}
	var scopes []string
	for _, s := range in.Scopes {
		if !slices.Contains(grantableScopes, Scope(s)) {
			return CreatedAPIKey{}, invalid("scopes", "unknown scope %q; known: %s", s, joinScopes(grantableScopes))
		}
		if !c.Has(Scope(s)) {
			return CreatedAPIKey{}, Errorf(CodePermissionDenied, "scopes", "you do not hold %s, so you cannot give it to a key", s)
		}
		if !slices.Contains(scopes, s) {
			scopes = append(scopes, s)
		}
	}
	if len(in.Scopes) == 0 {
		for _, s := range grantableScopes {
			if c.Has(s) {
				scopes = append(scopes, string(s))
			}
		}
	}
	for field, t := range map[string]float64{"face_match_threshold": in.FaceMatchThreshold, "liveness_threshold": in.LivenessThreshold} {
		if t < 0 || t >= 1 {
			return CreatedAPIKey{}, invalid(field, "must be above 0 and below 1 (0 = the server default)")
		}
	}
	if in.FaceMatchThreshold > 0 && d.Biometrics != nil {
		th, err := d.Biometrics.ThresholdsFor(ctx, "")
		if err != nil {
			return CreatedAPIKey{}, err
		}
		if in.FaceMatchThreshold < th.MatchReject {
			return CreatedAPIKey{}, invalid("face_match_threshold", "%.3f is below %.3f, the server's reject threshold for its embedding model %s: "+
				"a lower accept threshold would accept faces the model scores as different people", in.FaceMatchThreshold, th.MatchReject, d.Biometrics.EmbeddingModel().Name)
		}
	}
	for _, o := range in.EmbedOrigins {
		if _, err := db.NormalizeOrigin(o); err != nil {
			return CreatedAPIKey{}, invalid("embed_origins", "%q: %v", o, err)
		}
	}
	var expires *time.Time
	switch {
	case in.ExpiresInDays < 0 || in.ExpiresInDays > 3650:
		return CreatedAPIKey{}, invalid("expires_in_days", "0 (never) to 3650 days, got %d", in.ExpiresInDays)
	case in.ExpiresInDays > 0:
		at := d.Store.Now().AddDate(0, 0, in.ExpiresInDays)
		expires = &at
	}
	secret, k, err := d.Store.CreateAPIKey(ctx, db.NewKey{AccountID: c.AccountID, Name: name, Mode: c.Mode, Scopes: scopes,
		Checks: in.Checks, RateLimit: in.RateLimit, FaceMatchThreshold: in.FaceMatchThreshold, LivenessThreshold: in.LivenessThreshold,
		EmbedOrigins: in.EmbedOrigins, ExpiresAt: expires})
	if err != nil {
		return CreatedAPIKey{}, err
	}
	return CreatedAPIKey{Key: toAPIKey(k), Secret: secret}, nil
}
