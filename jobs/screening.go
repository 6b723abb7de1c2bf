package jobs

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/kycd/kycd/checks/screening"
	"github.com/kycd/kycd/db"
	"github.com/kycd/kycd/models"
)

// ScreeningPolicy says what a hit does to a verification.
type ScreeningPolicy struct {
	// StrongHit is the outcome of a strong hit: review (default) or fail.
	StrongHit models.Outcome
	// Threshold overrides the matcher's default score threshold (0 = default).
	Threshold float64
}

// Screening keeps every process's screening index in step with the lists stored in the
// database: `kycd lists import` stores a parsed list once, and each serve/worker process
// rebuilds its in-memory index when a stored version changes (Watch), swapping it atomically.
type Screening struct {
	store  *db.Store
	scr    *screening.Screener
	policy ScreeningPolicy
	log    *slog.Logger

	mu     sync.Mutex
	loaded map[string]string // source → sha256 in the index
}

// NewScreening builds an empty index; call Sync to load the stored lists.
func NewScreening(store *db.Store, policy ScreeningPolicy, logger *slog.Logger) *Screening {
	if policy.StrongHit == "" {
		policy.StrongHit = models.OutcomeReview
	}
	if logger == nil {
		logger = slog.Default()
	}
	return &Screening{store: store, scr: screening.NewScreener(), policy: policy, log: logger, loaded: map[string]string{}}
}

// Screener is the live index.
func (s *Screening) Screener() *screening.Screener { return s.scr }

// Import parses a list from local files and stores it as its source's current version.
// A malformed file is an error and leaves the stored version as it was.
func (s *Screening) Import(ctx context.Context, source, path string) (screening.ListVersion, error) {
	l, err := screening.LoadList(source, path)
	if err != nil {
		return screening.ListVersion{}, err
	}
	return s.Store(ctx, l)
}

// Store saves a parsed list (from Import or a download) as its source's current version.
func (s *Screening) Store(ctx context.Context, l screening.LoadedList) (screening.ListVersion, error) {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if err := json.NewEncoder(zw).Encode(l); err != nil {
		return l.Version, fmt.Errorf("encode list: %w", err)
	}
	if err := zw.Close(); err != nil {
		return l.Version, err
	}
	row := &models.ScreeningList{Source: l.Version.Source, SHA256: l.Version.SHA256, Entities: l.Version.Entities,
		LoadedAt: l.Version.LoadedAt.UTC(), Origin: l.Version.Path, Data: buf.Bytes()}
	if row.Origin == "" {
		row.Origin = l.Version.URL
	}
	if !l.Version.FetchedAt.IsZero() {
		t := l.Version.FetchedAt.UTC()
		row.FetchedAt = &t
	}
	if err := s.store.PutScreeningList(ctx, row); err != nil {
		return l.Version, err
	}
	return l.Version, nil
}

// Sync loads into the index every stored list whose version differs from the one it holds.
func (s *Screening) Sync(ctx context.Context) error {
	rows, err := s.store.ScreeningListVersions(ctx)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, r := range rows {
		if s.loaded[r.Source] == r.SHA256 {
			continue
		}
		full, err := s.store.GetScreeningList(ctx, r.Source)
		if err != nil {
			return err
		}
		zr, err := gzip.NewReader(bytes.NewReader(full.Data))
		if err != nil {
			return fmt.Errorf("list %s: %w", r.Source, err)
		}
		var l screening.LoadedList
		if err := json.NewDecoder(zr).Decode(&l); err != nil {
			return fmt.Errorf("list %s: decode: %w", r.Source, err)
		}
		start := time.Now()
		s.scr.Replace(l)
		s.loaded[r.Source] = r.SHA256
		s.log.Info("screening list loaded", "source", r.Source, "entities", r.Entities, "sha256", r.SHA256[:12], "index_build", time.Since(start).Round(time.Millisecond))
	}
	return nil
}

// Watch re-syncs every interval until ctx ends, so a list imported by another process is picked up.
func (s *Screening) Watch(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := s.Sync(ctx); err != nil && ctx.Err() == nil {
				s.log.Warn("screening list sync failed; the current index stays", "err", err)
			}
		}
	}
}

// Ready reports whether any list is loaded: screening with no list would pass everyone.
func (s *Screening) Ready() error {
	if len(s.scr.Versions()) == 0 {
		return errors.New("no sanctions list is loaded; run `kycd lists import`")
	}
	return nil
}

// Missing implements CheckRunner: screening needs at least a name.
func (s *Screening) Missing(in *CheckInput) []string {
	if in.Applicant.Name == "" {
		return []string{"the applicant's name (applicant.name when creating the verification)"}
	}
	return nil
}

// Run implements CheckRunner: screens the applicant and turns hits into an outcome.
func (s *Screening) Run(ctx context.Context, in *CheckInput) (*models.CheckOutcome, error) {
	if err := s.Ready(); err != nil {
		return nil, err // retried: lists may be loading
	}
	q := screening.Query{Name: in.Applicant.Name, DOB: in.Applicant.DOB, Nationality: in.Applicant.Country, Type: "person", Threshold: s.policy.Threshold}
	hits := s.scr.Screen(q)
	out := &models.CheckOutcome{Outcome: models.OutcomePass, Details: map[string]any{}, Versions: map[string]string{}}
	for _, v := range s.scr.Versions() {
		out.Versions["list:"+v.Source] = v.SHA256
	}
	best := 0.0
	for i := range hits {
		h := &hits[i]
		h.Entity = nil // the list entity is reachable by source_id; keep results small
		best = max(best, h.Score)
		outcome, code := models.OutcomeReview, "screening_weak_hit"
		if h.Strong {
			outcome, code = s.policy.StrongHit, "screening_strong_hit"
		}
		if outcome == models.OutcomeFail || out.Outcome == models.OutcomePass {
			out.Outcome = outcome
		}
		out.Reasons = append(out.Reasons, models.Reason{Code: code,
			Message: fmt.Sprintf("%q matches %s entry %s %q (score %.2f, threshold %.2f)", q.Name, h.Source, h.SourceID, h.EntityName, h.Score, h.Threshold)})
	}
	out.Score = &best
	out.Details["hits"] = hits
	out.Details["query"] = map[string]any{"name": q.Name, "dob": q.DOB, "nationality": q.Nationality}
	return out, nil
}
