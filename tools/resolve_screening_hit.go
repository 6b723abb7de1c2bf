package tools

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/kycd/kycd/models"
)

// ResolveScreeningHitInput is an analyst's verdict on one hit for one subject.
type ResolveScreeningHitInput struct {
	SubjectRef  string `json:"subject_ref" jsonschema:"who was screened: an applicant id (app_…), their verifications' external_ref (the pipeline and monitoring then honour it) or your subject_ref" minLength:"1" maxLength:"128"`
	Source      string `json:"source" jsonschema:"the hit's list" enumof:"lists.Sources"`
	SourceID    string `json:"source_id" jsonschema:"the hit's source_id (the list's own id of the entity)" minLength:"1" maxLength:"128"`
	Fingerprint string `json:"fingerprint,omitempty" jsonschema:"the hit's fingerprint as you reviewed it (default: the current one); a conflict if the listed data changed since" maxLength:"128"`
	Verdict     string `json:"verdict" jsonschema:"false_positive (not raised again while the entity is unchanged), true_match, or escalated (still raised)" enumof:"models.AllVerdicts"`
	Reason      string `json:"reason" jsonschema:"why, for the audit trail (e.g. date of birth 1990 vs listed 1951)" minLength:"1" maxLength:"2000"`
}

// ScreeningDecision is a recorded verdict.
type ScreeningDecision struct {
	ID          string    `json:"id" jsonschema:"decision id (sdc_…)"`
	SubjectRef  string    `json:"subject_ref" jsonschema:"the subject the verdict is about"`
	Source      string    `json:"source" jsonschema:"the list"`
	SourceID    string    `json:"source_id" jsonschema:"the list's id of the entity"`
	EntityName  string    `json:"entity_name" jsonschema:"the entity's primary name on the list"`
	Fingerprint string    `json:"fingerprint" jsonschema:"the entity data the verdict holds for"`
	Verdict     string    `json:"verdict" jsonschema:"true_match, false_positive or escalated" enumof:"models.AllVerdicts"`
	Reason      string    `json:"reason" jsonschema:"the analyst's reason"`
	DecidedBy   string    `json:"decided_by" jsonschema:"the API key id that recorded it"`
	DecidedAt   time.Time `json:"decided_at" jsonschema:"when it was recorded"`
	// Previous is the verdict this one replaces, if any.
	Previous *PreviousDecision `json:"previous,omitempty" jsonschema:"the verdict this one replaces, if any (it stays in the audit trail)"`
}

// PreviousDecision is the verdict a new one replaced.
type PreviousDecision struct {
	Verdict     string    `json:"verdict" jsonschema:"the earlier verdict"`
	Fingerprint string    `json:"fingerprint" jsonschema:"the entity data it was made on"`
	DecidedBy   string    `json:"decided_by" jsonschema:"the API key id that recorded it"`
	DecidedAt   time.Time `json:"decided_at" jsonschema:"when"`
}

// ResolveScreeningHit records a verdict on a screening hit.
var ResolveScreeningHit = Tool[ResolveScreeningHitInput, ScreeningDecision]{
	Name:        "resolve_screening_hit",
	Examples:    []string{`{"subject_ref":"customer-4711","source":"ofac_sdn","source_id":"2676","verdict":"false_positive","reason":"date of birth 1990-02-01 vs listed 1951-06-19; nationality DE vs EG"}`},
	Title:       "Resolve a screening hit",
	Description: "Record an analyst's verdict on a screening hit for one subject: false_positive, true_match or escalated, with a reason. A false positive is no longer raised for that subject (screen_person / screen_entity with that subject_ref, the pipeline, monitoring) until the listed entity's data changes. Every verdict is kept; the newest counts.",
	Brief:       "record `false_positive` / `true_match` / `escalated` with a reason on a hit for a subject; the newest verdict counts, all are kept",
	Scope:       ScopeReview,
	Annotations: Annotations{ReadOnly: false, Destructive: false, Idempotent: true, OpenWorld: false},
	REST:        REST{Method: "POST", Path: "/screenings/decisions", Status: 201},
	Summary: func(d ScreeningDecision) string {
		return fmt.Sprintf("Recorded %s for %s on %s %s %q.", d.Verdict, d.SubjectRef, d.Source, d.SourceID, d.EntityName)
	},
	Handle: resolveScreeningHit,
}

func resolveScreeningHit(ctx context.Context, d *Deps, c Caller, in ResolveScreeningHitInput) (ScreeningDecision, error) {
	if d.Screening == nil {
		return ScreeningDecision{}, Errorf(CodeUnavailable, "", "screening is not configured on this server")
	}
	ref := strings.TrimSpace(in.SubjectRef)
	if ref == "" {
		return ScreeningDecision{}, invalid("subject_ref", "required")
	}
	reason := strings.TrimSpace(in.Reason)
	if reason == "" {
		return ScreeningDecision{}, invalid("reason", "required: say why, for the audit trail")
	}
	switch in.Verdict {
	case models.VerdictTrueMatch, models.VerdictFalsePositive, models.VerdictEscalated:
	default:
		return ScreeningDecision{}, invalid("verdict", "%q is not true_match, false_positive or escalated", in.Verdict)
	}
	e := d.Screening.Entity(in.Source, strings.TrimSpace(in.SourceID))
	if e == nil {
		return ScreeningDecision{}, Errorf(CodeNotFound, "source_id", "no entity %q on the loaded %s list", in.SourceID, in.Source)
	}
	current := e.Fingerprint()
	fp := strings.TrimSpace(in.Fingerprint)
	if fp != "" && fp != current {
		return ScreeningDecision{}, Errorf(CodeConflict, "fingerprint",
			"the %s entry %s has changed since this hit was produced (fingerprint %s, now %s); screen again and decide on the current data", in.Source, e.SourceID, short(fp), short(current))
	}
	prev, err := d.Store.ScreeningDecisions(ctx, c.scope(), []string{ref})
	if err != nil {
		return ScreeningDecision{}, err
	}
	var last *models.ScreeningDecision
	for i := range prev {
		if prev[i].Source == in.Source && prev[i].SourceID == e.SourceID {
			last = &prev[i]
		}
	}
	if last != nil && last.Verdict == in.Verdict && last.Fingerprint == current {
		if lastReason, err := d.Store.OpenDecisionReason(last); err == nil && lastReason == reason {
			return toDecision(last, reason, nil), nil // the same verdict again: nothing new to record
		}
	}
	row := &models.ScreeningDecision{AccountID: c.AccountID, Mode: c.Mode, SubjectRef: ref, Source: in.Source, SourceID: e.SourceID,
		Fingerprint: current, Verdict: in.Verdict, EntityName: e.PrimaryName(), DecidedBy: c.Actor()}
	if err := d.Store.InsertScreeningDecision(ctx, row, reason); err != nil {
		return ScreeningDecision{}, err
	}
	return toDecision(row, reason, last), nil
}

func toDecision(r *models.ScreeningDecision, reason string, prev *models.ScreeningDecision) ScreeningDecision {
	out := ScreeningDecision{ID: r.ID, SubjectRef: r.SubjectRef, Source: r.Source, SourceID: r.SourceID, EntityName: r.EntityName,
		Fingerprint: r.Fingerprint, Verdict: r.Verdict, Reason: reason, DecidedBy: r.DecidedBy, DecidedAt: r.DecidedAt.UTC()}
	if prev != nil {
		out.Previous = &PreviousDecision{Verdict: prev.Verdict, Fingerprint: prev.Fingerprint, DecidedBy: prev.DecidedBy, DecidedAt: prev.DecidedAt.UTC()}
	}
	return out
}

func short(s string) string { return s[:min(12, len(s))] }
