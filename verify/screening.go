package verify

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/kycd/kycd/checks/crypto"
	"github.com/kycd/kycd/checks/screening"
	"github.com/kycd/kycd/checks/screening/lists"
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
	scr    atomic.Pointer[screening.Screener] // swapped whole when lists change: one index build per sync
	policy ScreeningPolicy
	log    *slog.Logger

	mu     sync.Mutex
	loaded map[string]string // source → sha256 in the index
	// synced is when Sync last read the list versions from the database (unix nanoseconds).
	synced atomic.Int64
	nodes  map[crypto.Chain]crypto.TxSource
	// derived is what is built from the index alongside it: the entity lookup and the crypto
	// address screener. It is swapped as a whole, like the index.
	derived atomic.Pointer[derived]
	// svc is set by verify.New when this Screening is one of its checks: it enqueues ongoing
	// monitoring and records its events.
	svc *Service
	// triggered is the list-version key monitoring was last enqueued for by this process.
	triggered string
}

// derived holds the lookups rebuilt whenever the index changes.
type derived struct {
	entities map[[2]string]*screening.Entity // (source, source_id) → entity
	crypto   *crypto.Screener
	lists    CryptoLists
}

// CryptoLists describes the crypto address lists built from the loaded sanctions lists.
type CryptoLists struct {
	// Versions has, per list source, the address count and a hash over its addresses.
	Versions []crypto.ListVersion
	// From maps each source to the sanctions list version its addresses came from.
	From map[string]screening.ListVersion
	// Anomalies counts listed addresses that do not validate for their listed currency; they
	// are matched as exact text.
	Anomalies int
}

// NewScreening builds an empty index; call Sync to load the stored lists.
func NewScreening(store *db.Store, policy ScreeningPolicy, logger *slog.Logger) *Screening {
	if policy.StrongHit == "" {
		policy.StrongHit = models.OutcomeReview
	}
	if logger == nil {
		logger = slog.Default()
	}
	s := &Screening{store: store, policy: policy, log: logger, loaded: map[string]string{}}
	s.scr.Store(screening.NewScreener())
	s.rebuildDerived()
	return s
}

// SetNodes configures the blockchain nodes screen_transaction reads transactions from (chains
// without a node get their counterparties reported as unscreened). Call it before serving.
func (s *Screening) SetNodes(nodes map[crypto.Chain]crypto.TxSource) error {
	if _, err := crypto.NewScreener(crypto.NewLists(), nodes); err != nil {
		return fmt.Errorf("screening nodes: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.nodes = nodes
	s.rebuildDerived()
	return nil
}

// rebuildDerived rebuilds the entity lookup and the crypto address lists from the current
// index: the crypto lists are the digital-currency identifiers the sanctions lists carry (the
// OFAC SDN remarks), so one `kycd lists import` updates both. Callers hold s.mu (or own s).
func (s *Screening) rebuildDerived() {
	d := &derived{entities: map[[2]string]*screening.Entity{}, lists: CryptoLists{From: map[string]screening.ListVersion{}}}
	cl := crypto.NewLists()
	for _, l := range s.Screener().Index().Lists() {
		for i := range l.Entities {
			e := &l.Entities[i]
			d.entities[[2]string{e.Source, e.SourceID}] = e
			for _, id := range e.Identifiers {
				if id.Type != lists.IDCrypto {
					continue
				}
				err := cl.AddListed(l.Version.Source, id.Currency, id.Value, e.SourceID)
				var anomaly *crypto.AnomalyError
				switch {
				case errors.As(err, &anomaly):
					d.lists.Anomalies++ // recorded as exact text: a list is authoritative about what it publishes
				case err != nil:
					s.log.Warn("crypto address on a sanctions list skipped", "source", l.Version.Source, "source_id", e.SourceID, "err", err)
					continue
				}
				d.lists.From[l.Version.Source] = l.Version
			}
		}
	}
	cs, err := crypto.NewScreener(cl, s.nodes)
	if err != nil { // SetNodes validated the nodes; an error here is a programming error
		s.log.Error("crypto screener", "err", err)
		cs, _ = crypto.NewScreener(cl, nil)
	}
	d.crypto = cs
	d.lists.Versions = cl.Versions()
	s.derived.Store(d)
}

// Entity returns the listed entity with this list id from the loaded lists, or nil.
func (s *Screening) Entity(source, sourceID string) *screening.Entity {
	return s.derived.Load().entities[[2]string{source, sourceID}]
}

// Crypto returns the address and transaction screener over the crypto addresses of the loaded
// lists, and what those addresses are.
func (s *Screening) Crypto() (*crypto.Screener, CryptoLists) {
	d := s.derived.Load()
	return d.crypto, d.lists
}

// attach makes svc the service monitoring records events through and enqueues its runs on
// (called by New).
func (s *Screening) attach(svc *Service) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.svc = svc
}

// Screener is the live index.
func (s *Screening) Screener() *screening.Screener { return s.scr.Load() }

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
	s.synced.Store(time.Now().UnixNano())
	s.mu.Lock()
	defer s.mu.Unlock()
	var (
		fresh = map[string]screening.LoadedList{}
		errs  []error
	)
	for _, r := range rows {
		if s.loaded[r.Source] == r.SHA256 {
			continue
		}
		l, err := s.decodeList(ctx, r.Source)
		if err != nil {
			errs = append(errs, err) // the other lists still load; this one keeps its old version
			continue
		}
		fresh[r.Source] = l
	}
	if len(fresh) > 0 {
		// One index build for every changed list: a cold start loads all of them at once.
		start := time.Now()
		all := make([]screening.LoadedList, 0, len(fresh)+len(s.loaded))
		for _, old := range s.Screener().Index().Lists() {
			if _, replaced := fresh[old.Version.Source]; !replaced {
				all = append(all, old)
			}
		}
		for _, l := range fresh {
			all = append(all, l)
		}
		s.scr.Store(screening.NewScreener(all...))
		for src, l := range fresh {
			s.loaded[src] = l.Version.SHA256
			s.log.Info("screening list loaded", "source", src, "entities", l.Version.Entities, "sha256", l.Version.SHA256[:min(12, len(l.Version.SHA256))])
		}
		s.rebuildDerived()
		_, cl := s.Crypto()
		addresses := 0
		for _, v := range cl.Versions {
			addresses += v.Count
		}
		s.log.Info("screening index built", "lists", len(all), "changed", len(fresh), "took", time.Since(start).Round(time.Millisecond),
			"crypto_addresses", addresses, "crypto_anomalies", cl.Anomalies)
	}
	if err := s.triggerMonitoring(ctx); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// decodeList reads one stored list.
func (s *Screening) decodeList(ctx context.Context, source string) (screening.LoadedList, error) {
	var l screening.LoadedList
	full, err := s.store.GetScreeningList(ctx, source)
	if err != nil {
		return l, err
	}
	zr, err := gzip.NewReader(bytes.NewReader(full.Data))
	if err != nil {
		return l, fmt.Errorf("list %s: %w", source, err)
	}
	if err := json.NewDecoder(zr).Decode(&l); err != nil {
		return l, fmt.Errorf("list %s: decode: %w", source, err)
	}
	return l, nil
}

// versionsKey names the loaded list versions ("source:sha256,…"), sorted.
func (s *Screening) versionsKey() string {
	parts := make([]string, 0, len(s.loaded))
	for src, sha := range s.loaded {
		parts = append(parts, src+":"+sha)
	}
	sort.Strings(parts)
	return strings.Join(parts, ",")
}

// triggerMonitoring enqueues a re-screening of the monitored applicants when the loaded list
// versions differ from the ones this process last enqueued for. Every process does this after
// it syncs; the job is unique by its arguments (the versions), so they converge on one run per
// version set. After a restart the current versions are enqueued once more, which costs a
// re-screening but never misses a list imported while no process was running. Callers hold s.mu.
func (s *Screening) triggerMonitoring(ctx context.Context) error {
	key := s.versionsKey()
	if s.svc == nil || s.svc.enq == nil || key == "" || key == s.triggered {
		return nil
	}
	if err := s.enqueueMonitor(ctx, MonitorRun{Cause: MonitorListsChanged, Lists: key}); err != nil {
		return err
	}
	s.triggered = key
	return nil
}

// EnqueueMonitor asks the workers for a monitoring run now (`kycd lists monitor`).
func (s *Screening) EnqueueMonitor(ctx context.Context) error {
	if s.svc == nil || s.svc.enq == nil {
		return errors.New("screening monitoring: no job queue attached (the Screening must be one of the verify.Service's checks, with its enqueuer set)")
	}
	return s.enqueueMonitor(ctx, MonitorRun{Cause: MonitorManual, Lists: time.Now().UTC().Format(time.RFC3339Nano)})
}

// enqueueMonitor inserts a run, unique by its arguments.
func (s *Screening) enqueueMonitor(ctx context.Context, run MonitorRun) error {
	err := s.store.InTx(ctx, func(ctx context.Context, tx *db.Tx) error {
		return s.svc.enq.EnqueueMonitor(ctx, tx, run)
	})
	if err != nil {
		return fmt.Errorf("enqueue screening monitoring: %w", err)
	}
	return nil
}

// Watch re-syncs every interval until ctx ends, so a list imported by another process is picked up.
func (s *Screening) Watch(ctx context.Context, every time.Duration) {
	if err := s.Sync(ctx); err != nil && ctx.Err() == nil {
		s.log.Warn("screening list sync failed; the current index stays", "err", err)
	}
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
// With none loaded it reads the database again first (at most once a second), so a list
// imported by `kycd lists import` a moment ago is used at once rather than at the next
// periodic sync.
func (s *Screening) Ready() error {
	if len(s.Screener().Versions()) > 0 {
		return nil
	}
	if last := time.Unix(0, s.synced.Load()); time.Since(last) > time.Second {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		err := s.Sync(ctx)
		cancel()
		if err != nil {
			s.log.Warn("screening list sync on a miss failed", "err", err)
		}
		if len(s.Screener().Versions()) > 0 {
			return nil
		}
	}
	checked := "never"
	if n := s.synced.Load(); n > 0 {
		checked = time.Unix(0, n).UTC().Format(time.RFC3339)
	}
	return fmt.Errorf("no sanctions list is loaded (the database was last checked at %s); run `kycd lists update` or `kycd lists import`", checked)
}

// ScreeningSubject is who the screening check screens, and where the data came from.
type ScreeningSubject struct {
	Name        string
	DOB         string
	Nationality string
	// From is "document" when the data was read from the identity document, else "applicant".
	From string
}

// SubjectOf chooses the data the screening check (and ongoing monitoring) screens: the name,
// date of birth and nationality read from a check-digit-valid document win over what the
// integrator typed; without one, the applicant data given at creation.
func SubjectOf(in *CheckInput) ScreeningSubject {
	if f := in.Document; f != nil && f.FullName != "" {
		nat := f.Nationality
		if nat == "D" { // Germany's one-letter ICAO code; the lists use ISO codes
			nat = "DEU"
		}
		return ScreeningSubject{Name: f.FullName, DOB: f.DateOfBirth, Nationality: nat, From: "document"}
	}
	return ScreeningSubject{Name: in.Applicant.Name, DOB: in.Applicant.DOB, Nationality: in.Applicant.Country, From: "applicant"}
}

// query is the screening query for a subject under this server's policy.
func (s *Screening) query(sub ScreeningSubject) screening.Query {
	return screening.Query{Name: sub.Name, DOB: sub.DOB, Nationality: sub.Nationality, Type: "person", Threshold: s.policy.Threshold}
}

// SubjectRefs are the names decisions about a verification's applicant may be recorded under:
// the applicant id and the integrator's external_ref.
func SubjectRefs(v *models.Verification) []string {
	refs := []string{v.ApplicantID}
	if v.ExternalRef != nil && *v.ExternalRef != "" && *v.ExternalRef != v.ApplicantID {
		refs = append(refs, *v.ExternalRef)
	}
	return refs
}

// ApplyDecisions attaches to each hit the current analyst verdict recorded for the subject
// under any of refs (see screening.ApplyDecisions; a verdict on other entity data is stale).
func (s *Screening) ApplyDecisions(ctx context.Context, sc db.Scope, refs []string, hits []screening.Hit) ([]screening.Hit, error) {
	if len(hits) == 0 || len(refs) == 0 {
		return hits, nil
	}
	rows, err := s.store.ScreeningDecisions(ctx, sc, refs)
	if err != nil {
		return nil, err
	}
	ds := make([]screening.Decision, len(rows))
	for i := range rows {
		r := &rows[i]
		reason, err := s.store.OpenDecisionReason(r)
		if err != nil {
			return nil, err
		}
		ds[i] = screening.Decision{SubjectRef: r.SubjectRef, Source: r.Source, SourceID: r.SourceID, Fingerprint: r.Fingerprint,
			Verdict: r.Verdict, Note: reason, DecidedBy: r.DecidedBy, DecidedAt: r.DecidedAt}
	}
	return screening.ApplyDecisions(hits, ds), nil
}

// Cleared reports a hit an analyst resolved as a false positive on the entity's current data:
// it is shown, marked, but raises nothing.
func Cleared(h *screening.Hit) bool {
	return h.Decision != nil && !h.DecisionStale && h.Decision.Verdict == screening.VerdictFalsePositive
}

// Decided reports a hit with a current verdict of any kind: not new to an analyst.
func Decided(h *screening.Hit) bool { return h.Decision != nil && !h.DecisionStale }

// Missing implements CheckRunner: screening needs at least a name.
func (s *Screening) Missing(in *CheckInput) []string {
	if SubjectOf(in).Name == "" {
		return []string{"the applicant's name (applicant.name when creating the verification)"}
	}
	return nil
}

// Run implements CheckRunner: screens the applicant and turns hits into an outcome. A hit the
// analysts cleared as a false positive for this applicant (by applicant id or external_ref) on
// the entity's current data raises nothing; a confirmed true match rejects.
func (s *Screening) Run(ctx context.Context, in *CheckInput) (*models.CheckOutcome, error) {
	if err := s.Ready(); err != nil {
		return nil, err // retried: lists may be loading
	}
	sub := SubjectOf(in)
	q := s.query(sub)
	scr := s.Screener() // one index for the hits and the versions named with them
	hits := scr.Screen(q)
	strongHit := s.policy.StrongHit
	if v := in.Verification; v != nil {
		sc := db.Scope{AccountID: v.AccountID, Mode: v.Mode}
		var err error
		if hits, err = s.ApplyDecisions(ctx, sc, SubjectRefs(v), hits); err != nil {
			return nil, err
		}
		if len(hits) > 0 && v.APIKeyID != "" {
			override, err := s.store.KeyScreeningPolicy(ctx, v.APIKeyID)
			switch {
			case errors.Is(err, db.ErrNotFound): // a key deleted from the database: the server default
			case err != nil:
				return nil, err
			case override != "":
				strongHit = models.Outcome(override)
			}
		}
	}
	out := &models.CheckOutcome{Outcome: models.OutcomePass, Details: map[string]any{}, Versions: map[string]string{}}
	for _, v := range scr.Versions() {
		out.Versions["list:"+v.Source] = v.SHA256
	}
	best, cleared := 0.0, 0
	raise := func(outcome models.Outcome) {
		if outcome == models.OutcomeFail || out.Outcome == models.OutcomePass {
			out.Outcome = outcome
		}
	}
	for i := range hits {
		h := &hits[i]
		h.Entity = nil // the list entity is reachable by source_id; keep results small
		if Cleared(h) {
			cleared++
			continue
		}
		best = max(best, h.Score)
		outcome, code := models.OutcomeReview, "screening_weak_hit"
		if h.Strong {
			outcome, code = strongHit, "screening_strong_hit"
		}
		msg := fmt.Sprintf("%q matches %s entry %s %q (score %.2f, threshold %.2f)", q.Name, h.Source, h.SourceID, h.EntityName, h.Score, h.Threshold)
		switch {
		case Decided(h) && h.Decision.Verdict == screening.VerdictTrueMatch:
			outcome, code = models.OutcomeFail, "screening_confirmed_match"
			msg += "; an analyst confirmed it as a true match"
		case Decided(h) && h.Decision.Verdict == screening.VerdictEscalated:
			msg += "; escalated by an analyst"
		case h.DecisionStale:
			msg += fmt.Sprintf("; the earlier %s verdict was made on list data that has changed since", h.Decision.Verdict)
		}
		raise(outcome)
		out.Reasons = append(out.Reasons, models.Reason{Code: code, Message: msg})
	}
	out.Score = &best
	out.Details["hits"] = hits
	out.Details["cleared"] = cleared
	out.Details["query"] = map[string]any{"name": q.Name, "dob": q.DOB, "nationality": q.Nationality, "from": sub.From}
	return out, nil
}
