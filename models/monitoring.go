package models

import "time"

// MonitoringRun is what one ongoing-screening run did for one account and mode (table
// monitoring_runs): the applicants re-screened and what was raised, the businesses re-checked.
type MonitoringRun struct {
	ID                string    `bun:"id,pk"`
	RunID             string    `bun:"run_id"`
	AccountID         string    `bun:"account_id"`
	Mode              Mode      `bun:"mode"`
	Cause             string    `bun:"cause"`
	Lists             string    `bun:"lists"` // JSON {source: sha256} of the list versions screened against
	StartedAt         time.Time `bun:"started_at"`
	FinishedAt        time.Time `bun:"finished_at"`
	Subjects          int       `bun:"subjects"`
	Skipped           int       `bun:"skipped"`
	WithHits          int       `bun:"with_hits"`
	NewHits           int       `bun:"new_hits"`
	Flagged           int       `bun:"flagged"`
	Moved             int       `bun:"moved"`
	BusinessesChecked int       `bun:"businesses_checked"`
	BusinessesChanged int       `bun:"businesses_changed"`
}
