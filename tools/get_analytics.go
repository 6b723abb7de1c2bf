package tools

import (
	"context"
	"fmt"
	"slices"
	"time"
)

// GetAnalyticsInput says which period to count.
type GetAnalyticsInput struct {
	Days int `json:"days,omitempty" jsonschema:"the period: the last this many days, 1 to 366; default 30" minimum:"1" maximum:"366"`
}

// Analytics are the figures of the caller's account and mode over a period.
type Analytics struct {
	Mode                  string            `json:"mode" jsonschema:"the mode counted (the caller's)" enumof:"models.AllModes"`
	Since                 time.Time         `json:"since" jsonschema:"start of the period"`
	PerDay                []AnalyticsDay    `json:"per_day" jsonschema:"verifications created per UTC day, by current status"`
	Checks                []AnalyticsCheck  `json:"checks" jsonschema:"per check: outcomes and pass rate"`
	Decided               int               `json:"decided" jsonschema:"verifications approved or rejected in the period"`
	MedianDecisionSeconds *float64          `json:"median_decision_seconds" jsonschema:"median time from submission to the final decision (a reviewer's, else the pipeline's); null when none decided"`
	Backlog               int               `json:"backlog" jsonschema:"cases in needs_review now"`
	BacklogAges           []AnalyticsBucket `json:"backlog_ages" jsonschema:"the backlog by time in the queue"`
	OldestInQueue         *time.Time        `json:"oldest_in_queue" jsonschema:"when the longest-waiting case entered review; null when the queue is empty"`
	RejectionReasons      []AnalyticsCount  `json:"rejection_reasons" jsonschema:"most frequent reason codes of rejected verifications' checks"`
	ReviewerRejections    []AnalyticsCount  `json:"reviewer_rejections" jsonschema:"reviewers' reason codes of their rejections"`
}

// AnalyticsDay is one day's verifications by status.
type AnalyticsDay struct {
	Day      string         `json:"day" jsonschema:"YYYY-MM-DD (UTC)"`
	ByStatus map[string]int `json:"by_status" jsonschema:"count per current status"`
	Total    int            `json:"total" jsonschema:"all of the day"`
}

// AnalyticsCheck is one check's outcomes.
type AnalyticsCheck struct {
	Check    string  `json:"check" jsonschema:"the check"`
	Pass     int     `json:"pass" jsonschema:"passed"`
	Review   int     `json:"review" jsonschema:"sent to review"`
	Fail     int     `json:"fail" jsonschema:"failed"`
	PassRate float64 `json:"pass_rate" jsonschema:"pass / all, 0 to 1"`
}

// AnalyticsBucket is a slice of the backlog by age.
type AnalyticsBucket struct {
	Label string `json:"label" jsonschema:"the age range"`
	Count int    `json:"count" jsonschema:"cases"`
}

// AnalyticsCount is a reason code and its count.
type AnalyticsCount struct {
	Code  string `json:"code" jsonschema:"reason code"`
	Count int    `json:"count" jsonschema:"occurrences"`
}

// GetAnalytics computes the dashboard's figures.
var GetAnalytics = Tool[GetAnalyticsInput, Analytics]{
	Name:     "get_analytics",
	Examples: []string{`{"days":30}`},
	Title:    "Get analytics",
	Description: "Figures for the caller's account and mode over the last days: verifications per day by status, outcomes and pass rate per check, " +
		"median time to decision, the review backlog and its age, and the most frequent rejection reasons (the checks' and the reviewers'). " +
		"Counted in the database from a non-personal index of outcomes and reason codes.",
	Brief:       "per-day verifications by status, pass rate per check, median time to decision, review backlog and age, top rejection reasons",
	Scope:       ScopeVerificationsRead,
	Annotations: Annotations{ReadOnly: true, Destructive: false, Idempotent: true, OpenWorld: false},
	REST:        REST{Method: "GET", Path: "/analytics"},
	Summary: func(a Analytics) string {
		total := 0
		for _, d := range a.PerDay {
			total += d.Total
		}
		return fmt.Sprintf("%d verification(s) since %s; %d decided; %d in review.", total, a.Since.Format("2006-01-02"), a.Decided, a.Backlog)
	},
	Handle: getAnalytics,
}

func getAnalytics(ctx context.Context, d *Deps, c Caller, in GetAnalyticsInput) (Analytics, error) {
	days := in.Days
	if days == 0 {
		days = 30
	}
	sc := c.scope()
	if _, err := d.Store.IndexVerifications(ctx, sc); err != nil {
		return Analytics{}, err
	}
	now := d.Store.Now().UTC()
	since := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC).AddDate(0, 0, 1-days)
	a, err := d.Store.ComputeAnalytics(ctx, sc, since)
	if err != nil {
		return Analytics{}, err
	}
	out := Analytics{Mode: string(c.Mode), Since: since, Decided: a.Decided, Backlog: a.Backlog, OldestInQueue: a.OldestInQueue,
		PerDay: []AnalyticsDay{}, Checks: []AnalyticsCheck{}, BacklogAges: []AnalyticsBucket{},
		RejectionReasons: []AnalyticsCount{}, ReviewerRejections: []AnalyticsCount{}}
	if a.MedianDecisionSeconds >= 0 {
		m := a.MedianDecisionSeconds
		out.MedianDecisionSeconds = &m
	}
	// Every day of the period, also those without verifications, so charts have no gaps.
	for day := since; !day.After(now); day = day.AddDate(0, 0, 1) {
		out.PerDay = append(out.PerDay, AnalyticsDay{Day: day.Format("2006-01-02"), ByStatus: map[string]int{}})
	}
	for _, dc := range a.PerDay {
		i := slices.IndexFunc(out.PerDay, func(x AnalyticsDay) bool { return x.Day == dc.Day })
		if i < 0 {
			continue
		}
		out.PerDay[i].ByStatus[dc.Status] += dc.Count
		out.PerDay[i].Total += dc.Count
	}
	for _, ch := range a.Checks {
		ac := AnalyticsCheck{Check: ch.Check, Pass: ch.Pass, Review: ch.Review, Fail: ch.Fail}
		if n := ch.Pass + ch.Review + ch.Fail; n > 0 {
			ac.PassRate = float64(ch.Pass) / float64(n)
		}
		out.Checks = append(out.Checks, ac)
	}
	for _, b := range a.BacklogAges {
		out.BacklogAges = append(out.BacklogAges, AnalyticsBucket{Label: b.Label, Count: b.Count})
	}
	for _, r := range a.RejectionReasons {
		out.RejectionReasons = append(out.RejectionReasons, AnalyticsCount{Code: r.Code, Count: r.Count})
	}
	for _, r := range a.ReviewerRejections {
		out.ReviewerRejections = append(out.ReviewerRejections, AnalyticsCount{Code: r.Code, Count: r.Count})
	}
	return out, nil
}
