package tools

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/kycd/kycd/models"
)

// APIKey is an API key as an admin sees it: never its secret.
type APIKey struct {
	ID                 string     `json:"id" jsonschema:"key id (key_…)"`
	Name               string     `json:"name" jsonschema:"the key's name"`
	Mode               string     `json:"mode" jsonschema:"live or test" enumof:"models.AllModes"`
	Prefix             string     `json:"prefix" jsonschema:"the secret's first characters, to recognise it (sk_live_ab…)"`
	Scopes             []string   `json:"scopes" jsonschema:"what the key may do"`
	Checks             []string   `json:"checks" jsonschema:"checks its verifications run by default; empty = every available check"`
	RateLimit          int        `json:"rate_limit" jsonschema:"requests per minute; 0 = the server default"`
	FaceMatchThreshold float64    `json:"face_match_threshold" jsonschema:"its face match threshold; 0 = the server default"`
	LivenessThreshold  float64    `json:"liveness_threshold" jsonschema:"its liveness threshold; 0 = the server default"`
	EmbedOrigins       []string   `json:"embed_origins" jsonschema:"origins allowed to frame its hosted flow"`
	CreatedAt          time.Time  `json:"created_at" jsonschema:"creation time"`
	RevokedAt          *time.Time `json:"revoked_at" jsonschema:"when it was revoked; null while it works"`
	LastUsedAt         *time.Time `json:"last_used_at" jsonschema:"last use as recorded; null when never or not recorded"`
	ExpiresAt          *time.Time `json:"expires_at" jsonschema:"when it stops working; null = never"`
}

// APIKeyList is the keys of the caller's account and mode.
type APIKeyList struct {
	Data []APIKey `json:"data" jsonschema:"the keys, newest first"`
}

// ListAPIKeysInput filters the key list.
type ListAPIKeysInput struct {
	IncludeRevoked bool `json:"include_revoked,omitempty" jsonschema:"also list revoked keys"`
}

// ListAPIKeys lists the account's keys in the caller's mode.
var ListAPIKeys = Tool[ListAPIKeysInput, APIKeyList]{
	Name:        "list_api_keys",
	Examples:    []string{`{"include_revoked":true}`},
	Title:       "List API keys",
	Description: "List the API keys of this account in the caller's mode (live or test), newest first: name, prefix, scopes, checks, limits and thresholds, when created and revoked — never a secret. Requires keys:read.",
	Brief:       "the account's keys in this mode: prefix, scopes, limits, revoked or not — never a secret",
	Scope:       ScopeKeysRead,
	Annotations: Annotations{ReadOnly: true, Destructive: false, Idempotent: true, OpenWorld: false},
	REST:        REST{Method: "GET", Path: "/api-keys"},
	Summary: func(l APIKeyList) string {
		return fmt.Sprintf("%d key(s).", len(l.Data))
	},
	Handle: listAPIKeys,
}

func listAPIKeys(ctx context.Context, d *Deps, c Caller, in ListAPIKeysInput) (APIKeyList, error) {
	keys, err := d.Store.ListAPIKeys(ctx, c.AccountID)
	if err != nil {
		return APIKeyList{}, err
	}
	out := APIKeyList{Data: []APIKey{}}
	for _, k := range keys {
		if k.Mode != c.Mode || (k.RevokedAt != nil && !in.IncludeRevoked) {
			continue
		}
		out.Data = append(out.Data, toAPIKey(&k))
	}
	return out, nil
}

func toAPIKey(k *models.APIKey) APIKey {
	out := APIKey{ID: k.ID, Name: k.Name, Mode: string(k.Mode), Prefix: k.Prefix + "…", RateLimit: k.RateLimit,
		FaceMatchThreshold: k.FaceMatchThreshold, LivenessThreshold: k.LivenessThreshold,
		EmbedOrigins: splitNonEmpty(k.EmbedOrigins), CreatedAt: k.CreatedAt.UTC(), RevokedAt: k.RevokedAt, LastUsedAt: k.LastUsedAt,
		ExpiresAt: k.ExpiresAt, Scopes: []string{}, Checks: []string{}}
	_ = json.Unmarshal([]byte(k.Scopes), &out.Scopes)
	_ = json.Unmarshal([]byte(k.Checks), &out.Checks)
	return out
}
