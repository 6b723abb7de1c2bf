package tools

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/kycd/kycd/db"
)

// ListAuditEventsInput filters and pages the audit trail.
type ListAuditEventsInput struct {
	ActorID  string     `json:"actor_id,omitempty" jsonschema:"only this operator (usr_…) or API key (key_…)" maxLength:"64"`
	ObjectID string     `json:"object_id,omitempty" jsonschema:"only events about this object (ver_…, app_…, usr_…)" maxLength:"80"`
	Action   string     `json:"action,omitempty" jsonschema:"only this action: tool, login, logout, page, export, reveal, user.setup, …" maxLength:"40"`
	Tool     string     `json:"tool,omitempty" jsonschema:"only calls of this tool" maxLength:"64"`
	Since    *time.Time `json:"since,omitempty" jsonschema:"only events at or after this time"`
	Until    *time.Time `json:"until,omitempty" jsonschema:"only events before this time"`
	Limit    int        `json:"limit,omitempty" jsonschema:"page size, 1 to 100; default 20" minimum:"1" maximum:"100"`
	Cursor   string     `json:"cursor,omitempty" jsonschema:"next_cursor from the previous page" maxLength:"40"`
}

// AuditEventList is one page of the audit trail, newest first.
type AuditEventList struct {
	Data       []AuditEvent `json:"data" jsonschema:"the events, newest first"`
	HasMore    bool         `json:"has_more" jsonschema:"whether another page follows"`
	NextCursor *string      `json:"next_cursor" jsonschema:"pass as cursor to get the next page; null on the last page"`
}

// ListAuditEvents reads the account's audit trail.
var ListAuditEvents = Tool[ListAuditEventsInput, AuditEventList]{
	Name:     "list_audit_events",
	Examples: []string{`{"limit":20}`, `{"object_id":"ver_01kbx4r7c8d9e0f1g2h3j4k5m6"}`},
	Title:    "List audit events",
	Description: "Read this account's audit trail, newest first: who (operator or API key) did what (a tool call — every read of applicant data among them —, sign-in, export, reveal, user change), to which object, when, from where (IP, user agent) and the outcome. " +
		"Rows are hash-chained (prev_hash, hash): `kycd audit verify` proves none was edited, deleted or reordered. Both modes' events are listed. Filters: actor, object, action, tool, time.",
	Brief:       "the account's hash-chained audit trail: who read or changed what, when, from where, with what outcome",
	Scope:       ScopeAuditRead,
	Annotations: Annotations{ReadOnly: true, Destructive: false, Idempotent: true, OpenWorld: false},
	REST:        REST{Method: "GET", Path: "/audit-events"},
	Summary: func(l AuditEventList) string {
		return fmt.Sprintf("%d audit event(s)%s.", len(l.Data), moreNote(l.HasMore))
	},
	Handle: func(ctx context.Context, d *Deps, c Caller, in ListAuditEventsInput) (AuditEventList, error) {
		f := db.AuditFilter{AccountID: c.AccountID, ActorID: in.ActorID, ObjectID: in.ObjectID, Action: in.Action, Tool: in.Tool, Limit: pageLimit(in.Limit)}
		if in.Since != nil {
			f.Since = *in.Since
		}
		if in.Until != nil {
			f.Until = *in.Until
		}
		if in.Cursor != "" {
			n, err := strconv.ParseInt(in.Cursor, 10, 64)
			if err != nil || n < 1 {
				return AuditEventList{}, invalid("cursor", "not a cursor from list_audit_events")
			}
			f.BeforeSeq = n
		}
		rows, more, err := d.Store.ListAudit(ctx, f)
		if err != nil {
			return AuditEventList{}, err
		}
		out := AuditEventList{Data: make([]AuditEvent, 0, len(rows)), HasMore: more}
		for _, r := range rows {
			out.Data = append(out.Data, ToAuditEvent(r))
		}
		if more {
			next := strconv.FormatInt(rows[len(rows)-1].Seq, 10)
			out.NextCursor = &next
		}
		return out, nil
	},
}
