package tools

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/kycd/kycd/db"
	"github.com/kycd/kycd/verify"
)

// LoggedEvent is one event of the account's event log: what webhooks deliver, readable by polling.
type LoggedEvent struct {
	ID         string         `json:"id" jsonschema:"event id (evt_…)"`
	Type       string         `json:"type" jsonschema:"event type, e.g. verification.completed"`
	ObjectType string         `json:"object_type" jsonschema:"kind of object the event is about, e.g. verification"`
	ObjectID   string         `json:"object_id" jsonschema:"the object the event is about"`
	Seq        int64          `json:"seq" jsonschema:"position in the object's timeline, from 1: order events of one object by it"`
	Mode       string         `json:"mode" jsonschema:"live or test" enumof:"models.AllModes"`
	Data       map[string]any `json:"data" jsonschema:"what changed (never raw images)"`
	CreatedAt  time.Time      `json:"created_at" jsonschema:"when it happened"`
}

// LoggedEventList is one page of the event log, oldest first.
type LoggedEventList struct {
	Data       []LoggedEvent `json:"data" jsonschema:"the events, oldest first"`
	HasMore    bool          `json:"has_more" jsonschema:"whether another page follows"`
	NextCursor *string       `json:"next_cursor" jsonschema:"pass as cursor for the next page, or later to poll for newer events; null only when nothing was read yet"`
}

// ListEventsInput filters the event log.
type ListEventsInput struct {
	Types    []string   `json:"types,omitempty" jsonschema:"only these event types" maxItems:"20"`
	ObjectID string     `json:"object_id,omitempty" jsonschema:"only events about this object (ver_…)" maxLength:"64"`
	Since    *time.Time `json:"since,omitempty" jsonschema:"only events at or after this time (RFC 3339)"`
	Limit    int        `json:"limit,omitempty" jsonschema:"page size, 1 to 100; default 20" minimum:"1" maximum:"100"`
	Cursor   string     `json:"cursor,omitempty" jsonschema:"next_cursor from the previous page" maxLength:"200"`
}

// ListEvents reads the account's event log for polling and reconciliation.
var ListEvents = Tool[ListEventsInput, LoggedEventList]{
	Name:        "list_events",
	Examples:    []string{`{"types":["verification.completed"],"since":"2026-12-01T00:00:00Z","limit":50}`},
	Title:       "List events",
	Description: "Read the event log of this account and mode, oldest first (the events webhooks deliver), to poll or reconcile. Filter by type, object and time; page with next_cursor; one object's events are ordered by seq.",
	Brief:       "the account's event log, oldest first (what webhooks deliver): filter by types, object_id, since; `next_cursor`",
	Scope:       ScopeEventsRead,
	Annotations: Annotations{ReadOnly: true, Destructive: false, Idempotent: true, OpenWorld: false},
	REST:        REST{Method: "GET", Path: "/events"},
	Summary: func(l LoggedEventList) string {
		return fmt.Sprintf("%d event(s)%s.", len(l.Data), moreNote(l.HasMore))
	},
	Handle: func(ctx context.Context, d *Deps, c Caller, in ListEventsInput) (LoggedEventList, error) {
		for _, t := range in.Types {
			if !slices.Contains(verify.EventTypes, t) {
				return LoggedEventList{}, invalid("types", "%q is not an event type; known: %s", t, strings.Join(verify.EventTypes, ", "))
			}
		}
		// One object's events page by seq (the store orders them so); the whole log by id.
		f := db.EventFilter{Scope: c.scope(), ObjectID: in.ObjectID, Types: in.Types, Since: in.Since, Ascending: true, Limit: pageLimit(in.Limit)}
		prefix := "evt"
		if in.ObjectID != "" {
			prefix = "seq"
		}
		after, err := decodeCursor(in.Cursor, prefix)
		if err != nil {
			return LoggedEventList{}, err
		}
		if in.ObjectID != "" && after != "" {
			if f.AfterSeq, err = strconv.ParseInt(strings.TrimPrefix(after, "seq_"), 10, 64); err != nil {
				return LoggedEventList{}, invalid("cursor", "not a cursor returned by this list; pass next_cursor back unchanged")
			}
		} else {
			f.After = after
		}
		rows, more, err := d.Store.ListEvents(ctx, f)
		if err != nil {
			return LoggedEventList{}, err
		}
		out := LoggedEventList{Data: make([]LoggedEvent, 0, len(rows)), HasMore: more}
		for _, e := range rows {
			ev := LoggedEvent{ID: e.ID, Type: e.Type, ObjectType: e.ObjectType, ObjectID: e.ObjectID, Seq: e.Seq,
				Mode: string(e.Mode), CreatedAt: e.CreatedAt, Data: map[string]any{}}
			if err := json.Unmarshal([]byte(e.Data), &ev.Data); err != nil {
				return LoggedEventList{}, fmt.Errorf("decode event %s: %w", e.ID, err)
			}
			out.Data = append(out.Data, ev)
		}
		if len(rows) > 0 {
			last := rows[len(rows)-1]
			if in.ObjectID != "" {
				out.NextCursor = encodeCursor("seq_" + strconv.FormatInt(last.Seq, 10))
			} else {
				out.NextCursor = encodeCursor(last.ID)
			}
		}
		if !more && len(rows) == 0 && in.Cursor != "" {
			out.NextCursor = &in.Cursor
		}
		return out, nil
	},
}
