package tools

import (
	"context"
	"encoding/json"

	"reflect"
	"strings"
	"sync"
	"time"

	"github.com/kycd/kycd/db"
	"github.com/kycd/kycd/models"
	"github.com/kycd/kycd/verify"
)

// auditors holds one group-committing auditor per store, shared by every registry and surface
// on it, so concurrent calls from MCP, REST, JSON-RPC and the dashboard share transactions.
var auditors sync.Map // *db.Store → *verify.Auditor

func auditorFor(s *db.Store) *verify.Auditor {
	if a, ok := auditors.Load(s); ok {
		return a.(*verify.Auditor)
	}
	a, _ := auditors.LoadOrStore(s, verify.NewAuditor(s))
	return a.(*verify.Auditor)
}

// AuditEntry is something a surface records in the audit trail besides tool calls, which the
// registry records itself: a page view, an export, a reveal of masked data.
type AuditEntry struct {
	// Action is page, export, reveal, … (short, lower case).
	Action string
	// ObjectType and ObjectID name what it was about (verification, ver_…).
	ObjectType, ObjectID string
	// Outcome is "ok" when empty.
	Outcome string
	// Detail is a small JSON object with no applicant personal data (e.g. {"path":"/dashboard/cases"}).
	Detail string
}

// RecordAudit appends an entry for the caller (an operator or a key) and waits until it is
// committed: a surface that shows personal data records before it shows.
func RecordAudit(ctx context.Context, d *Deps, c Caller, e AuditEntry) error {
	if e.Outcome == "" {
		e.Outcome = "ok"
	}
	return auditorFor(d.Store).Record(ctx, auditEvent(c, e.Action, "", e.ObjectType, e.ObjectID, e.Outcome, e.Detail, d.Store.Now()))
}

func auditAs(ctx context.Context, d *Deps, c Caller, from Origin, action, outcome, objectType, objectID, detail string) {
	c.RemoteIP, c.UserAgent = from.IP, from.UserAgent
	if err := auditorFor(d.Store).Record(ctx, auditEvent(c, action, "", objectType, objectID, outcome, detail, d.Store.Now())); err != nil {
		d.logger().ErrorContext(ctx, "audit", "action", action, "err", err)
	}
}

func auditEvent(c Caller, action, tool, objectType, objectID, outcome, detail string, at time.Time) *models.AuditEvent {
	e := &models.AuditEvent{AccountID: c.AccountID, At: at, Mode: string(c.Mode), Action: action, Tool: tool,
		ObjectType: objectType, ObjectID: objectID, IP: c.RemoteIP, UserAgent: c.UserAgent, Outcome: outcome, Detail: detail}
	switch {
	case c.UserID != "":
		e.ActorType, e.ActorID, e.ActorEmail = verify.ActorUser, c.UserID, c.UserEmail
	case c.KeyID != "":
		e.ActorType, e.ActorID = verify.ActorKey, c.KeyID
	default:
		e.ActorType, e.ActorID = verify.ActorSystem, "kycd"
	}
	return e
}

// callNote is what the call path learns about a call for its audit row.
type callNote struct {
	// args are the decoded arguments; raw the arguments as received, read only when a call
	// was refused before they were decoded (a missing scope), to name what it was about.
	args map[string]any
	raw  json.RawMessage
}

// objectTypes name objects by their id prefix.
var objectTypes = map[string]string{"ver": "verification", "app": "applicant", "evt": "event", "whe": "webhook_endpoint",
	"whd": "webhook_delivery", "biz": "business", "adr": "address_check", "nfc": "nfc_scan", "usr": "user", "key": "api_key"}

// auditObject names the object of a call: the id input, else the id of what it created.
func auditObject(args map[string]any, out any) (string, string) {
	id := ""
	for _, k := range []string{"id", "verification_id", "applicant_id", "endpoint_id", "delivery_id", "user_id"} {
		if v, ok := args[k].(string); ok && v != "" {
			id = v
			break
		}
	}
	if id == "" && out != nil {
		v := reflect.ValueOf(out)
		for v.Kind() == reflect.Pointer && !v.IsNil() {
			v = v.Elem()
		}
		if v.Kind() == reflect.Struct {
			if f := v.FieldByName("ID"); f.IsValid() && f.Kind() == reflect.String {
				id = f.String()
			}
		}
	}
	if len(id) > 80 {
		id = id[:80]
	}
	prefix, _, ok := strings.Cut(id, "_")
	if !ok {
		return "", id
	}
	if t, ok := objectTypes[prefix]; ok {
		return t, id
	}
	return prefix, id
}

// auditCall records one tool call in the audit trail. Every call by an API key or an
// operator is recorded — reads of personal data above all — with its outcome; calls by an
// applicant's hosted-flow session (their own data) and refusals of the rate limiter (a flood
// must not become a flood of rows) are not. A read whose row cannot be written fails closed:
// personal data is not shown unaudited. A change already made is answered, and the failure logged.
func (r *Registry) auditCall(ctx context.Context, caller Caller, info Info, note *callNote, out any, callErr error) error {
	if r.deps == nil || r.deps.Store == nil || caller.IsSession() || caller.AccountID == "" {
		return nil
	}
	outcome := "ok"
	if callErr != nil {
		te := AsError(callErr)
		if te == nil {
			outcome = string(CodeInternal)
		} else if te.Code == CodeRateLimited {
			return nil
		} else {
			outcome = string(te.Code)
		}
	}
	if note.args == nil && len(note.raw) > 0 {
		_ = json.Unmarshal(note.raw, &note.args)
	}
	typ, id := auditObject(note.args, out)
	e := auditEvent(caller, "tool", info.Name, typ, id, outcome, "", r.deps.Store.Now())
	if err := auditorFor(r.deps.Store).Record(ctx, e); err != nil {
		r.deps.logger().ErrorContext(ctx, "audit", "tool", info.Name, "err", err)
		if callErr == nil && info.Annotations.ReadOnly {
			return &Error{Code: CodeUnavailable, Message: "the audit trail cannot be written right now, so nothing is shown; retry shortly", RetryAfterSeconds: 5}
		}
	}
	return nil
}

// AuditEvent is one row of the audit trail as list_audit_events shows it.
type AuditEvent struct {
	Seq        int64     `json:"seq" jsonschema:"position in the account's hash chain (1, 2, …)"`
	ID         string    `json:"id" jsonschema:"audit event id (aud_…)"`
	At         time.Time `json:"at" jsonschema:"when it happened"`
	Mode       string    `json:"mode" jsonschema:"live or test: the data acted on; empty for sign-ins"`
	ActorType  string    `json:"actor_type" jsonschema:"user (an operator), key (an API key) or system"`
	ActorID    string    `json:"actor_id" jsonschema:"the operator (usr_…) or API key (key_…)"`
	ActorEmail string    `json:"actor_email,omitempty" jsonschema:"the operator's e-mail"`
	Action     string    `json:"action" jsonschema:"tool (a tool call), login, logout, page, export, reveal, user.* …"`
	Tool       string    `json:"tool,omitempty" jsonschema:"the tool called"`
	ObjectType string    `json:"object_type,omitempty" jsonschema:"what it was about: verification, applicant, user, …"`
	ObjectID   string    `json:"object_id,omitempty" jsonschema:"its id"`
	IP         string    `json:"ip,omitempty" jsonschema:"the client IP"`
	UserAgent  string    `json:"user_agent,omitempty" jsonschema:"the client's user agent"`
	Outcome    string    `json:"outcome" jsonschema:"ok, or the error code (permission_denied, not_found, wrong_password, …)"`
	Detail     string    `json:"detail,omitempty" jsonschema:"a small JSON object with more (never applicant personal data)"`
	PrevHash   string    `json:"prev_hash" jsonschema:"SHA-256 of the previous row (empty for the first)"`
	Hash       string    `json:"hash" jsonschema:"SHA-256 of this row's canonical encoding, prev_hash included"`
}

// ToAuditEvent renders a stored row (kycd audit export uses it too).
func ToAuditEvent(e models.AuditEvent) AuditEvent {
	return AuditEvent{Seq: e.Seq, ID: e.ID, At: e.At.UTC(), Mode: e.Mode, ActorType: e.ActorType, ActorID: e.ActorID,
		ActorEmail: e.ActorEmail, Action: e.Action, Tool: e.Tool, ObjectType: e.ObjectType, ObjectID: e.ObjectID, IP: e.IP,
		UserAgent: e.UserAgent, Outcome: e.Outcome, Detail: e.Detail, PrevHash: e.PrevHash, Hash: e.Hash}
}
