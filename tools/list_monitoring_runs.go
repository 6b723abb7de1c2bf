package tools

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// ListMonitoringRunsInput pages the account's ongoing-screening runs.
type ListMonitoringRunsInput struct {
	Limit  int    `json:"limit,omitempty" jsonschema:"page size, 1 to 100; default 20" minimum:"1" maximum:"100"`
	Cursor string `json:"cursor,omitempty" jsonschema:"next_cursor from the previous page" maxLength:"40"`
}

// MonitoringRun is what one ongoing-screening run did for this account and mode.
type MonitoringRun struct {
	ID                string            `json:"id" jsonschema:"the run's record for this account (mon_…)"`
	RunID             string            `json:"run_id" jsonschema:"the run (run_…); one run covers every account"`
	Cause             string            `json:"cause" jsonschema:"lists_changed (a list was updated), schedule (the periodic re-screening) or manual" enum:"lists_changed,schedule,manual"`
	Lists             map[string]string `json:"lists" jsonschema:"the list versions screened against: source → SHA-256"`
	StartedAt         time.Time         `json:"started_at" jsonschema:"when the run started"`
	FinishedAt        time.Time         `json:"finished_at" jsonschema:"when it finished"`
	Subjects          int               `json:"subjects" jsonschema:"applicants re-screened"`
	Skipped           int               `json:"skipped" jsonschema:"monitored verifications that could not be screened (no name, erased data)"`
	WithHits          int               `json:"with_hits" jsonschema:"applicants with any hit, cleared or not"`
	NewHits           int               `json:"new_hits" jsonschema:"hits raised for the first time"`
	Flagged           int               `json:"flagged" jsonschema:"verifications that got a screening.match event"`
	Moved             int               `json:"moved" jsonschema:"approved verifications moved to needs_review"`
	BusinessesChecked int               `json:"businesses_checked" jsonschema:"businesses re-screened"`
	BusinessesChanged int               `json:"businesses_changed" jsonschema:"businesses whose decision changed (a business.completed event each)"`
}

// MonitoringRunList is one page of runs, newest first.
type MonitoringRunList struct {
	Data       []MonitoringRun `json:"data" jsonschema:"the runs, newest first"`
	HasMore    bool            `json:"has_more" jsonschema:"whether another page follows"`
	NextCursor *string         `json:"next_cursor" jsonschema:"pass as cursor to get the next page; null on the last page"`
}

// ListMonitoringRuns reads what ongoing screening did for the account.
var ListMonitoringRuns = Tool[ListMonitoringRunsInput, MonitoringRunList]{
	Name:     "list_monitoring_runs",
	Examples: []string{`{"limit":20}`},
	Title:    "List monitoring runs",
	Brief:    "the ongoing-screening runs for this account and mode, newest first: cause, list versions, applicants and businesses re-screened, new hits, cases flagged",
	Description: "Read the ongoing-screening runs (after a list update, on the schedule, or `kycd lists monitor`) as they touched this account and mode, newest first: " +
		"the cause, the list versions screened against, how many applicants and businesses were re-screened, the new hits raised, the verifications flagged " +
		"(screening.match) and moved to needs_review. A run that touched nothing of this account is not listed.",
	Scope:       ScopeVerificationsRead,
	Annotations: Annotations{ReadOnly: true, Destructive: false, Idempotent: true, OpenWorld: false},
	REST:        REST{Method: "GET", Path: "/monitoring-runs"},
	Summary: func(l MonitoringRunList) string {
		return fmt.Sprintf("%d monitoring run(s)%s.", len(l.Data), moreNote(l.HasMore))
	},
	Handle: func(ctx context.Context, d *Deps, c Caller, in ListMonitoringRunsInput) (MonitoringRunList, error) {
		if in.Cursor != "" && !strings.HasPrefix(in.Cursor, "mon_") {
			return MonitoringRunList{}, invalid("cursor", "not a cursor from list_monitoring_runs")
		}
		limit := pageLimit(in.Limit)
		rows, err := d.Store.ListMonitoringRuns(ctx, c.scope(), in.Cursor, limit+1)
		if err != nil {
			return MonitoringRunList{}, err
		}
		out := MonitoringRunList{Data: make([]MonitoringRun, 0, len(rows)), HasMore: len(rows) > limit}
		if out.HasMore {
			rows = rows[:limit]
			next := rows[limit-1].ID
			out.NextCursor = &next
		}
		for _, r := range rows {
			m := MonitoringRun{ID: r.ID, RunID: r.RunID, Cause: r.Cause, Lists: map[string]string{}, StartedAt: r.StartedAt.UTC(),
				FinishedAt: r.FinishedAt.UTC(), Subjects: r.Subjects, Skipped: r.Skipped, WithHits: r.WithHits, NewHits: r.NewHits,
				Flagged: r.Flagged, Moved: r.Moved, BusinessesChecked: r.BusinessesChecked, BusinessesChanged: r.BusinessesChanged}
			if err := json.Unmarshal([]byte(r.Lists), &m.Lists); err != nil {
				return MonitoringRunList{}, fmt.Errorf("monitoring run %s: lists: %w", r.ID, err)
			}
			out.Data = append(out.Data, m)
		}
		return out, nil
	},
}
