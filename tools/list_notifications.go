package tools

import (
	"context"
	"fmt"
	"time"

	"github.com/kycd/kycd/db"
	"github.com/kycd/kycd/models"
)

// Notification is one team notification as sent (or waiting) to one operator on one channel.
type Notification struct {
	ID        string     `json:"id" jsonschema:"ntf_…"`
	UserID    string     `json:"user_id" jsonschema:"the operator"`
	Kind      string     `json:"kind" jsonschema:"case_review, screening_match, endpoint_disabled, key_expiring or digest"`
	Channel   string     `json:"channel" jsonschema:"email or webhook"`
	Mode      string     `json:"mode" jsonschema:"live or test"`
	Summary   string     `json:"summary" jsonschema:"one line"`
	ObjectID  string     `json:"object_id,omitempty" jsonschema:"the verification, endpoint or key"`
	Status    string     `json:"status" jsonschema:"pending, digest (waiting), batched (in digest_id), sent, failed or skipped"`
	DigestID  *string    `json:"digest_id,omitempty" jsonschema:"the digest that carried it"`
	Attempts  int        `json:"attempts" jsonschema:"sending attempts"`
	LastError string     `json:"last_error,omitempty" jsonschema:"why the last attempt failed"`
	CreatedAt time.Time  `json:"created_at" jsonschema:"when the event happened"`
	SentAt    *time.Time `json:"sent_at" jsonschema:"null until sent"`
}

// NotificationList is a page of notifications.
type NotificationList struct {
	Data       []Notification `json:"data" jsonschema:"newest first"`
	HasMore    bool           `json:"has_more" jsonschema:"another page follows"`
	NextCursor *string        `json:"next_cursor" jsonschema:"pass as cursor for the next page"`
}

// ListNotificationsInput filters the notifications.
type ListNotificationsInput struct {
	UserID string `json:"user_id,omitempty" jsonschema:"another operator of the account (admins); default: you" maxLength:"64"`
	Status string `json:"status,omitempty" jsonschema:"only this status" enum:"pending,digest,batched,sent,failed,skipped"`
	Limit  int    `json:"limit,omitempty" jsonschema:"1 to 100; default 20" minimum:"1" maximum:"100"`
	Cursor string `json:"cursor,omitempty" jsonschema:"next_cursor of the previous page" maxLength:"200"`
}

// ListNotifications lists what was sent to an operator, with the outcome.
var ListNotifications = Tool[ListNotificationsInput, NotificationList]{
	Name:        "list_notifications",
	Examples:    []string{`{"status":"failed"}`},
	Title:       "List notifications",
	Description: "What team notifications were sent to you (or, for admins, to user_id), newest first, with status, attempts and error. Operators only.",
	Brief:       "the team notifications sent to an operator, with status and errors",
	Scope:       ScopeNotifications,
	Annotations: Annotations{ReadOnly: true, Destructive: false, Idempotent: true, OpenWorld: false},
	REST:        REST{Method: "GET", Path: "/notifications"},
	Summary: func(l NotificationList) string {
		return fmt.Sprintf("%d notification(s)%s.", len(l.Data), moreNote(l.HasMore))
	},
	Handle: func(ctx context.Context, d *Deps, c Caller, in ListNotificationsInput) (NotificationList, error) {
		u, err := notificationUser(ctx, d, c, in.UserID)
		if err != nil {
			return NotificationList{}, err
		}
		before, err := decodeCursor(in.Cursor, "ntf")
		if err != nil {
			return NotificationList{}, err
		}
		rows, more, err := d.Store.ListNotifications(ctx, db.NotificationFilter{AccountID: c.AccountID, UserID: u.ID,
			Status: in.Status, Before: before, Limit: pageLimit(in.Limit)})
		if err != nil {
			return NotificationList{}, err
		}
		out := NotificationList{Data: make([]Notification, 0, len(rows)), HasMore: more}
		for i := range rows {
			out.Data = append(out.Data, toNotification(&rows[i]))
		}
		if more {
			out.NextCursor = encodeCursor(rows[len(rows)-1].ID)
		}
		return out, nil
	},
}

func toNotification(n *models.Notification) Notification {
	return Notification{ID: n.ID, UserID: n.UserID, Kind: n.Kind, Channel: n.Channel, Mode: string(n.Mode), Summary: n.Summary,
		ObjectID: n.ObjectID, Status: n.Status, DigestID: n.DigestID, Attempts: n.Attempts, LastError: n.LastError,
		CreatedAt: n.CreatedAt.UTC(), SentAt: n.SentAt}
}
