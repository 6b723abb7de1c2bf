package verify

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"runtime"
	"time"

	"github.com/kycd/kycd/checks/screening"
	"github.com/kycd/kycd/db"
	"github.com/kycd/kycd/models"
)

// EventScreeningMatch is recorded on an applicant's latest verification when ongoing
// monitoring finds a hit nobody has seen or decided yet. An approved verification moves to
// needs_review with it (the event then carries previous_status "approved").
const EventScreeningMatch = "screening.match"

// Causes of a monitoring run.
const (
	MonitorListsChanged = "lists_changed" // a list version changed (detected by Sync)
	MonitorSchedule     = "schedule"      // the periodic re-screening
	MonitorManual       = "manual"        // an operator or a test asked
)

// DefaultMonitorInterval is how often monitored applicants are re-screened without a list change.
const DefaultMonitorInterval = 24 * time.Hour

// monitorBatch is how many verifications one page of a monitoring run screens at once.
const monitorBatch = 500

// MonitorRun is one ongoing-screening run (Screening.Monitor), as enqueued.
type MonitorRun struct {
	// Cause is lists_changed, schedule or manual.
	Cause string `json:"cause"`
	// Lists names the list versions that caused the run ("source:sha256,…"), which makes runs
	// enqueued by several processes for one list update unique.
	Lists string `json:"lists,omitempty"`
}

// RunMonitor syncs this process to the stored lists (it may not have picked up the list
// that caused the run yet), runs Monitor, then businesses.Monitor when businesses is set, logs
// the report and records what the run did per account and mode (monitoring_runs, read by
// list_monitoring_runs). A run that fails records nothing: its job is retried.
func (s *Screening) RunMonitor(ctx context.Context, cause string, businesses *Business) error {
	if err := s.Sync(ctx); err != nil {
		return err
	}
	rep, err := s.Monitor(ctx, cause)
	if err != nil {
		return err
	}
	if businesses != nil {
		byScope, err := businesses.MonitorScopes(ctx)
		if err != nil {
			return err
		}
		for sc, n := range byScope {
			c := rep.scope(sc)
			c.BusinessesChecked, c.BusinessesChanged = n.Checked, n.Changed
		}
	}
	s.log.Info("screening monitoring done", "cause", cause, "subjects", rep.Subjects, "with_hits", rep.WithHits,
		"new_hits", rep.NewHits, "flagged", rep.Flagged, "took", rep.Took.Round(time.Millisecond))
	return s.recordRun(ctx, cause, rep)
}

// recordRun writes one monitoring_runs row per scope the run touched.
func (s *Screening) recordRun(ctx context.Context, cause string, rep MonitorReport) error {
	lists, err := json.Marshal(rep.Lists)
	if err != nil {
		return err
	}
	finished := s.store.Now()
	started := finished.Add(-rep.Took)
	runID := db.NewID("run", started)
	rows := make([]models.MonitoringRun, 0, len(rep.ByScope))
	for sc, c := range rep.ByScope {
		rows = append(rows, models.MonitoringRun{RunID: runID, AccountID: sc.AccountID, Mode: sc.Mode, Cause: cause,
			Lists: string(lists), StartedAt: started, FinishedAt: finished, Subjects: c.Subjects, Skipped: c.Skipped,
			WithHits: c.WithHits, NewHits: c.NewHits, Flagged: c.Flagged, Moved: c.Moved,
			BusinessesChecked: c.BusinessesChecked, BusinessesChanged: c.BusinessesChanged})
	}
	return s.store.InsertMonitoringRuns(ctx, rows)
}

// MonitorReport summarises one monitoring run.
type MonitorReport struct {
	// Subjects is how many applicants were re-screened.
	Subjects int `json:"subjects"`
	// Skipped counts monitored verifications that could not be screened (no name, unreadable data).
	Skipped int `json:"skipped"`
	// WithHits counts subjects with any hit, cleared or not.
	WithHits int `json:"with_hits"`
	// NewHits counts hits raised for the first time.
	NewHits int `json:"new_hits"`
	// Flagged counts verifications that got a screening.match event.
	Flagged int `json:"flagged"`
	// Moved counts approved verifications moved to needs_review.
	Moved int           `json:"moved"`
	Took  time.Duration `json:"took"`
	// Lists are the list versions screened against (source → SHA-256).
	Lists map[string]string `json:"lists"`
	// ByScope splits the counts by account and mode.
	ByScope map[db.Scope]*MonitorCounts `json:"-"`
}

// MonitorCounts is what a run did for one account and mode.
type MonitorCounts struct {
	Subjects, Skipped, WithHits, NewHits, Flagged, Moved int
	// BusinessesChecked and BusinessesChanged count the businesses re-screened and those
	// whose decision changed (Business.Monitor).
	BusinessesChecked, BusinessesChanged int
}

func (r *MonitorReport) scope(sc db.Scope) *MonitorCounts {
	if r.ByScope == nil {
		r.ByScope = map[db.Scope]*MonitorCounts{}
	}
	c := r.ByScope[sc]
	if c == nil {
		c = &MonitorCounts{}
		r.ByScope[sc] = c
	}
	return c
}

// Monitor re-screens every monitored applicant (see db.Store.MonitoredVerifications) against
// the current index with ScreenBatch, and raises each new hit once: a hit is new unless an
// analyst has a current verdict on it for the applicant, it was already in the verification's
// result, or monitoring raised it before on the same entity data. A new hit records a
// screening.match event on the applicant's latest verification and moves it from approved to
// needs_review, in one transaction with the alert rows that make it happen only once.
func (s *Screening) Monitor(ctx context.Context, cause string) (MonitorReport, error) {
	start := time.Now()
	var rep MonitorReport
	if s.svc == nil {
		return rep, errors.New("screening monitoring: not attached to a verify.Service (the Screening must be one of its checks)")
	}
	if s.Ready() != nil {
		s.log.Warn("screening monitoring skipped: no list is loaded")
		return rep, nil
	}
	idx := s.Screener().Index()
	versions := map[string]string{}
	for _, v := range idx.Versions() {
		versions[v.Source] = v.SHA256
	}
	rep.Lists = versions
	workers := runtime.GOMAXPROCS(0)
	after := ""
	for {
		if err := ctx.Err(); err != nil {
			return rep, err
		}
		page, next, err := s.store.MonitoredVerifications(ctx, after, monitorBatch)
		if err != nil {
			return rep, err
		}
		subjects := make([]*models.Verification, 0, len(page))
		queries := make([]screening.Query, 0, len(page))
		for i := range page {
			v := &page[i]
			c := rep.scope(db.Scope{AccountID: v.AccountID, Mode: v.Mode})
			in, err := LoadCheckInput(ctx, s.store, v)
			if err != nil {
				rep.Skipped++
				c.Skipped++
				s.log.Warn("screening monitoring: cannot read the verification's data", "verification", v.ID, "err", err)
				continue
			}
			sub := SubjectOf(in)
			if sub.Name == "" {
				rep.Skipped++
				c.Skipped++
				continue
			}
			c.Subjects++
			subjects = append(subjects, v)
			queries = append(queries, s.query(sub))
		}
		rep.Subjects += len(subjects)
		for i, hits := range idx.ScreenBatch(queries, workers) {
			if len(hits) == 0 {
				continue
			}
			c := rep.scope(db.Scope{AccountID: subjects[i].AccountID, Mode: subjects[i].Mode})
			rep.WithHits++
			c.WithHits++
			n, moved, err := s.raise(ctx, subjects[i], hits, cause, versions)
			if err != nil {
				return rep, fmt.Errorf("verification %s: %w", subjects[i].ID, err)
			}
			rep.NewHits += n
			c.NewHits += n
			if n > 0 {
				rep.Flagged++
				c.Flagged++
			}
			if moved {
				rep.Moved++
				c.Moved++
			}
		}
		if next == "" {
			break
		}
		after = next
	}
	rep.Took = time.Since(start)
	return rep, nil
}

// raise records the new hits among hits for v's applicant; it returns how many were new and
// whether v moved from approved to needs_review.
func (s *Screening) raise(ctx context.Context, v *models.Verification, hits []screening.Hit, cause string, versions map[string]string) (int, bool, error) {
	sc := db.Scope{AccountID: v.AccountID, Mode: v.Mode}
	hits, err := s.ApplyDecisions(ctx, sc, SubjectRefs(v), hits)
	if err != nil {
		return 0, false, err
	}
	seen, err := hitsInResult(s.store.Keyring(), v)
	if err != nil {
		return 0, false, err
	}
	var candidates []screening.Hit
	for _, h := range hits {
		if Decided(&h) || seen[hitKey(h.Source, h.SourceID, h.Fingerprint)] {
			continue
		}
		h.Entity = nil
		candidates = append(candidates, h)
	}
	if len(candidates) == 0 {
		return 0, false, nil
	}
	var fresh []screening.Hit
	moved := false
	err = s.store.InTx(ctx, func(ctx context.Context, tx *db.Tx) error {
		fresh, moved = nil, false
		for _, h := range candidates {
			isNew, err := tx.InsertScreeningAlert(ctx, &models.ScreeningAlert{AccountID: v.AccountID, Mode: v.Mode,
				ApplicantID: v.ApplicantID, VerificationID: v.ID, Source: h.Source, SourceID: h.SourceID,
				Fingerprint: h.Fingerprint, Score: h.Score, Cause: cause})
			if err != nil {
				return err
			}
			if isNew {
				fresh = append(fresh, h)
			}
		}
		if len(fresh) == 0 {
			return nil // another run raised them first
		}
		data := map[string]any{"hits": fresh, "cause": cause, "lists": versions}
		if v.Status == models.StatusApproved {
			cur, err := s.svc.Transition(ctx, tx, sc, v.ID, []models.Status{models.StatusApproved}, models.StatusNeedsReview, EventScreeningMatch, data, nil)
			if err == nil {
				moved = true
				return nil
			}
			if !errors.Is(err, db.ErrConflict) || cur == nil {
				return err
			}
			v = cur // its status changed since it was read: record the match on it as it is now
		}
		return s.svc.RecordEvent(ctx, tx, v, EventScreeningMatch, "", data)
	})
	if err != nil {
		return 0, false, err
	}
	return len(fresh), moved, nil
}

func hitKey(source, id, fingerprint string) string {
	return source + "\x00" + id + "\x00" + fingerprint
}

// hitsInResult returns the screening hits already in a verification's result: the analyst saw
// them when the verification was decided, so monitoring does not raise them again.
func hitsInResult(keys *db.Keyring, v *models.Verification) (map[string]bool, error) {
	seen := map[string]bool{}
	if v.Result == nil {
		return seen, nil
	}
	var res struct {
		Checks []struct {
			Check   string `json:"check"`
			Details struct {
				Hits []struct {
					Source      string `json:"source"`
					SourceID    string `json:"source_id"`
					Fingerprint string `json:"fingerprint"`
				} `json:"hits"`
			} `json:"details"`
		} `json:"checks"`
	}
	raw, err := keys.OpenText(*v.Result)
	if err != nil {
		return nil, fmt.Errorf("open result: %w", err)
	}
	if err := json.Unmarshal([]byte(raw), &res); err != nil {
		return nil, fmt.Errorf("decode result: %w", err)
	}
	for _, c := range res.Checks {
		if c.Check != string(models.CheckScreening) {
			continue
		}
		for _, h := range c.Details.Hits {
			seen[hitKey(h.Source, h.SourceID, h.Fingerprint)] = true
		}
	}
	return seen, nil
}
