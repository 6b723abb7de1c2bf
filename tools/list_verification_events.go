package tools

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/kycd/kycd/db"
)

// ListVerificationEventsInput names the verification whose timeline to read.
type ListVerificationEventsInput struct {
	ID     string `json:"id" jsonschema:"verification id (ver_…)" minLength:"1" maxLength:"64"`
	Limit  int    `json:"limit,omitempty" jsonschema:"page size, 1 to 100; default 20" minimum:"1" maximum:"100"`
	Cursor string `json:"cursor,omitempty" jsonschema:"next_cursor from the previous page" maxLength:"200"`
}

// Event is one entry of a timeline.
type Event struct {
	ID        string         `json:"id" jsonschema:"event id (evt_…)"`
	Type      string         `json:"type" jsonschema:"event type, e.g. verification.completed"`
	ObjectID  string         `json:"object_id" jsonschema:"the object the event is about"`
	Seq       int64          `json:"seq" jsonschema:"position in the object's timeline, from 1"`
	Data      map[string]any `json:"data" jsonschema:"what changed (never raw images)"`
	CreatedAt time.Time      `json:"created_at" jsonschema:"when it happened"`
}

// EventList is one page of a timeline, oldest first.
type EventList struct {
	Data       []Event `json:"data" jsonschema:"the events, oldest first"`
	HasMore    bool    `json:"has_more" jsonschema:"whether another page follows"`
	NextCursor *string `json:"next_cursor" jsonschema:"pass as cursor to get the next page; null on the last page"`
}

// ListVerificationEvents reads a verification's timeline.
var ListVerificationEvents = Tool[ListVerificationEventsInput, EventList]{
	Name:        "list_verification_events",
	Examples:    []string{`{"id":"ver_01kbx4r7c8d9e0f1g2h3j4k5m6"}`},
	Title:       "List verification events",
	Description: "Read a verification's timeline, oldest first: every status change with its data (decision and reasons on completion).",
	Brief:       "a verification's timeline: every status change, in order",
	Scope:       ScopeVerificationsRead,
	Annotations: Annotations{ReadOnly: true, Destructive: false, Idempotent: true, OpenWorld: false},
	REST:        REST{Method: "GET", Path: "/verifications/{id}/events"},
	Summary: func(l EventList) string {
		return fmt.Sprintf("%d event(s)%s.", len(l.Data), moreNote(l.HasMore))
	},
	Handle: func(ctx context.Context, d *Deps, c Caller, in ListVerificationEventsInput) (EventList, error) {
		if _, err := getVerification(ctx, d, c, in.ID); err != nil {
			return EventList{}, err
		}
		after, err := decodeCursor(in.Cursor, "seq")
		if err != nil {
			return EventList{}, err
		}
		var afterSeq int64
		if after != "" {
			if afterSeq, err = strconv.ParseInt(strings.TrimPrefix(after, "seq_"), 10, 64); err != nil {
				return EventList{}, invalid("cursor", "not a cursor returned by this list; pass next_cursor back unchanged")
			}
		}
		rows, more, err := d.Store.ListEvents(ctx, db.EventFilter{Scope: c.scope(), ObjectID: in.ID, AfterSeq: afterSeq, Ascending: true, Limit: pageLimit(in.Limit)})
		if err != nil {
			return EventList{}, err
		}
		out := EventList{Data: make([]Event, 0, len(rows)), HasMore: more}
		for _, e := range rows {
			ev := Event{ID: e.ID, Type: e.Type, ObjectID: e.ObjectID, Seq: e.Seq, CreatedAt: e.CreatedAt, Data: map[string]any{}}
			if err := json.Unmarshal([]byte(e.Data), &ev.Data); err != nil {
				return EventList{}, err
			}
			out.Data = append(out.Data, ev)
		}
		if more {
			out.NextCursor = encodeCursor("seq_" + strconv.FormatInt(rows[len(rows)-1].Seq, 10))
		}
		return out, nil
	},
}
