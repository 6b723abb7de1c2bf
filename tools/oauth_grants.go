package tools

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/kycd/kycd/db"
)

// OAuthGrant is one connected OAuth client: an operator's consent for one account and mode.
type OAuthGrant struct {
	ID         string     `json:"id" jsonschema:"the grant (ogr_…)"`
	ClientID   string     `json:"client_id" jsonschema:"the client: a registered id (oac_…) or its metadata document URL"`
	ClientName string     `json:"client_name" jsonschema:"the client's name as it registered"`
	UserID     string     `json:"user_id" jsonschema:"the operator who consented"`
	Mode       string     `json:"mode" jsonschema:"live or test"`
	Scopes     []string   `json:"scopes" jsonschema:"the scopes granted"`
	CreatedAt  time.Time  `json:"created_at" jsonschema:"when the operator consented"`
	LastUsedAt *time.Time `json:"last_used_at" jsonschema:"when a token of the grant was last used or refreshed; null if never"`
	RevokedAt  *time.Time `json:"revoked_at,omitempty" jsonschema:"when it was revoked"`
}

// ListOAuthGrantsInput bounds the list.
type ListOAuthGrantsInput struct {
	Limit int `json:"limit,omitempty" jsonschema:"at most this many, 1 to 100; default 20" minimum:"1" maximum:"100"`
}

// OAuthGrantList is the live grants of the caller's account and mode, newest first.
type OAuthGrantList struct {
	Data []OAuthGrant `json:"data" jsonschema:"the connected clients, newest first"`
}

// ListOAuthGrants lists the OAuth clients connected to the caller's account and mode.
var ListOAuthGrants = Tool[ListOAuthGrantsInput, OAuthGrantList]{
	Name:        "list_oauth_grants",
	Examples:    []string{`{"limit":20}`},
	Title:       "List OAuth grants",
	Description: "List the OAuth clients (remote MCP clients, agent platforms) an operator connected to this account and mode: client, scopes, who consented, last use.",
	Brief:       "connected OAuth clients of the account and mode",
	Scope:       ScopeKeysRead,
	Annotations: Annotations{ReadOnly: true, Destructive: false, Idempotent: true, OpenWorld: false},
	REST:        REST{Method: "GET", Path: "/oauth-grants"},
	Summary: func(l OAuthGrantList) string {
		return fmt.Sprintf("%d connected OAuth client(s).", len(l.Data))
	},
	Handle: func(ctx context.Context, d *Deps, c Caller, in ListOAuthGrantsInput) (OAuthGrantList, error) {
		rows, err := d.Store.ListOAuthGrants(ctx, c.scope(), pageLimit(in.Limit))
		if err != nil {
			return OAuthGrantList{}, err
		}
		out := OAuthGrantList{Data: make([]OAuthGrant, 0, len(rows))}
		for i := range rows {
			out.Data = append(out.Data, toOAuthGrant(&rows[i]))
		}
		return out, nil
	},
}

func toOAuthGrant(g *db.OAuthGrant) OAuthGrant {
	out := OAuthGrant{ID: g.ID, ClientID: g.ClientID, ClientName: g.ClientName, UserID: g.UserID, Mode: string(g.Mode),
		Scopes: []string{}, CreatedAt: g.CreatedAt, LastUsedAt: g.LastUsedAt, RevokedAt: g.RevokedAt}
	_ = json.Unmarshal([]byte(g.Scopes), &out.Scopes)
	return out
}

// RevokeOAuthGrantInput names the grant to revoke.
type RevokeOAuthGrantInput struct {
	ID string `json:"id" jsonschema:"the grant (ogr_…) from list_oauth_grants" minLength:"1" maxLength:"100"`
}

// RevokeOAuthGrant disconnects an OAuth client: its access and refresh tokens stop working.
var RevokeOAuthGrant = Tool[RevokeOAuthGrantInput, OAuthGrant]{
	Name:     "revoke_oauth_grant",
	Examples: []string{`{"id":"ogr_01kbx4r7c8d9e0f1g2h3j4k5m6"}`},
	Title:    "Revoke OAuth grant",
	Description: "Disconnect an OAuth client: every access and refresh token of the grant stops working at once, on every surface. " +
		"The client must send an operator through consent again. Revoking twice is harmless.",
	Brief:       "disconnect an OAuth client (all its tokens stop working)",
	Scope:       ScopeKeysWrite,
	Annotations: Annotations{ReadOnly: false, Destructive: true, Idempotent: true, OpenWorld: false},
	REST:        REST{Method: "POST", Path: "/oauth-grants/{id}/revoke"},
	Summary: func(g OAuthGrant) string {
		return fmt.Sprintf("OAuth grant %s (%s) revoked.", g.ID, g.ClientName)
	},
	Handle: func(ctx context.Context, d *Deps, c Caller, in RevokeOAuthGrantInput) (OAuthGrant, error) {
		by := "revoked by " + c.KeyID
		if c.OAuthSubject != "" {
			by = "revoked by " + c.OAuthSubject
		}
		g, err := d.Store.RevokeOAuthGrant(ctx, c.scope(), in.ID, by)
		if errors.Is(err, db.ErrNotFound) {
			return OAuthGrant{}, Errorf(CodeNotFound, "id", "no OAuth grant %q for this account and mode", in.ID)
		}
		if err != nil {
			return OAuthGrant{}, err
		}
		return toOAuthGrant(g), nil
	},
}
