package tools

import (
	"context"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/kycd/kycd/db"
	"github.com/kycd/kycd/models"
)

// ListReviewQueueInput filters the review queue.
type ListReviewQueueInput struct {
	FailedCheck string `json:"failed_check,omitempty" jsonschema:"only cases where this check did not pass" enumof:"models.AllChecks"`
	Country     string `json:"country,omitempty" jsonschema:"only cases whose document was issued by (else whose applicant data names) this country" country:"alpha2"`
	MinAgeHours int    `json:"min_age_hours,omitempty" jsonschema:"only cases waiting at least this many hours" minimum:"0" maximum:"87600"`
	MaxAgeHours int    `json:"max_age_hours,omitempty" jsonschema:"only cases waiting at most this many hours" minimum:"0" maximum:"87600"`
	Assignee    string `json:"assignee,omitempty" jsonschema:"only cases assigned to this operator (me = the caller; - = unassigned)" maxLength:"254"`
	Limit       int    `json:"limit,omitempty" jsonschema:"page size, 1 to 100; default 20" minimum:"1" maximum:"100"`
	Cursor      string `json:"cursor,omitempty" jsonschema:"next_cursor from the previous page" maxLength:"200"`
}

// QueueCase is one case waiting for review.
type QueueCase struct {
	ID            string    `json:"id" jsonschema:"verification id (ver_…)"`
	Reference     string    `json:"reference" jsonschema:"the verification's reference"`
	ApplicantName *string   `json:"applicant_name" jsonschema:"the applicant's name as given at creation, null when none"`
	Checks        []string  `json:"checks" jsonschema:"the checks the verification ran"`
	FailedChecks  []string  `json:"failed_checks" jsonschema:"the checks that did not pass"`
	Country       *string   `json:"country" jsonschema:"the document's issuing country, else the applicant's; null when unknown"`
	EnteredReview time.Time `json:"entered_review" jsonschema:"when it entered the queue"`
	WaitingHours  float64   `json:"waiting_hours" jsonschema:"time in the queue so far, hours"`
	Assignee      *string   `json:"assignee" jsonschema:"who works it; null when unassigned"`
}

// ReviewQueue is one page of the queue, oldest first.
type ReviewQueue struct {
	Data       []QueueCase `json:"data" jsonschema:"the cases, longest waiting first"`
	HasMore    bool        `json:"has_more" jsonschema:"whether another page follows"`
	NextCursor *string     `json:"next_cursor" jsonschema:"pass as cursor to get the next page; null on the last page"`
}

// ListReviewQueue lists needs_review verifications oldest first.
var ListReviewQueue = Tool[ListReviewQueueInput, ReviewQueue]{
	Name:     "list_review_queue",
	Examples: []string{`{"failed_check":"screening","min_age_hours":24,"limit":20}`},
	Title:    "List the review queue",
	Description: "List the verifications waiting for a person (needs_review), longest waiting first, with the checks that did not pass, the country and the assignee; " +
		"filter by failed check, country, time in the queue and assignee. Decide one with review_verification.",
	Brief:       "`needs_review` cases, oldest first; filter by failed check, country, hours in the queue, assignee",
	Scope:       ScopeVerificationsRead,
	Annotations: Annotations{ReadOnly: true, Destructive: false, Idempotent: true, OpenWorld: false},
	REST:        REST{Method: "GET", Path: "/review-queue"},
	Summary: func(q ReviewQueue) string {
		return fmt.Sprintf("%d case(s) waiting%s.", len(q.Data), moreNote(q.HasMore))
	},
	Handle: listReviewQueue,
}

func listReviewQueue(ctx context.Context, d *Deps, c Caller, in ListReviewQueueInput) (ReviewQueue, error) {
	offset := 0
	if in.Cursor != "" {
		b, err := base64.RawURLEncoding.DecodeString(in.Cursor)
		n, convErr := strconv.Atoi(strings.TrimPrefix(string(b), "queue:"))
		if err != nil || convErr != nil || !strings.HasPrefix(string(b), "queue:") || n < 0 {
			return ReviewQueue{}, invalid("cursor", "not a cursor returned by this list; pass next_cursor back unchanged")
		}
		offset = n
	}
	if in.MinAgeHours > 0 && in.MaxAgeHours > 0 && in.MaxAgeHours < in.MinAgeHours {
		return ReviewQueue{}, invalid("max_age_hours", "must be at least min_age_hours")
	}
	var countries []string
	if in.Country != "" {
		cc, err := countryField("country", in.Country)
		if err != nil {
			return ReviewQueue{}, err
		}
		countries = append(countries, cc)
		if icao, ok := countryICAO(cc); ok && icao != cc {
			countries = append(countries, icao)
		}
	}
	assignee := strings.TrimSpace(in.Assignee)
	if assignee == "me" {
		assignee = c.Actor()
	}
	sc := c.scope()
	if _, err := d.Store.IndexVerifications(ctx, sc); err != nil {
		return ReviewQueue{}, err
	}
	limit := pageLimit(in.Limit)
	rows, more, err := d.Store.ReviewQueue(ctx, db.QueueFilter{Scope: sc, FailedCheck: in.FailedCheck, Countries: countries,
		MinAge: time.Duration(in.MinAgeHours) * time.Hour, MaxAge: time.Duration(in.MaxAgeHours) * time.Hour,
		Assignee: assignee, Offset: offset, Limit: limit})
	if err != nil {
		return ReviewQueue{}, err
	}
	ids := make([]string, len(rows))
	for i, r := range rows {
		ids[i] = r.Verification.ID
	}
	as, err := d.Store.ReviewAssignments(ctx, sc, ids)
	if err != nil {
		return ReviewQueue{}, err
	}
	now := d.Store.Now()
	out := ReviewQueue{Data: make([]QueueCase, 0, len(rows)), HasMore: more}
	for _, r := range rows {
		v, err := toVerification(d, &r.Verification)
		if err != nil {
			return ReviewQueue{}, err
		}
		qc := QueueCase{ID: v.ID, Reference: v.Reference, Checks: v.Checks, FailedChecks: r.FailedChecks, Country: nullable(displayCountry(caseCountry(v))),
			EnteredReview: r.EnteredReview.UTC(), WaitingHours: float64(now.Sub(r.EnteredReview).Round(time.Minute)) / float64(time.Hour)}
		if qc.FailedChecks == nil {
			qc.FailedChecks = []string{}
		}
		if v.Applicant != nil {
			qc.ApplicantName = nullable(v.Applicant.Name)
		}
		if a, ok := as[v.ID]; ok {
			qc.Assignee = &a.Assignee
		}
		out.Data = append(out.Data, qc)
	}
	if more {
		c := base64.RawURLEncoding.EncodeToString([]byte("queue:" + strconv.Itoa(offset+limit)))
		out.NextCursor = &c
	}
	return out, nil
}

// caseCountry is the document's issuing country, else the applicant's.
func caseCountry(v Verification) string {
	if v.Result != nil {
		for _, c := range v.Result.Checks {
			if cc, ok := c.Details["issuing_country"].(string); ok && cc != "" && c.Check == string(models.CheckDocument) {
				return strings.TrimRight(cc, "<")
			}
		}
	}
	if v.Applicant != nil {
		return v.Applicant.Country
	}
	return ""
}

// displayCountry shows an indexed country (alpha-2 or ICAO) as alpha-2 where it is a country.
func displayCountry(code string) string {
	if cc, ok := countryAlpha2(code); ok {
		return cc
	}
	return code
}
