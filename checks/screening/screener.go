package screening

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/kycd/kycd/checks/screening/lists"
)

// Official list URLs and the downloader, re-exported from the lists package.
const (
	URLOFACBase = lists.URLOFACBase
	URLUN       = lists.URLUN
	URLEU       = lists.URLEU
	URLUK       = lists.URLUK
	URLUSCSL    = lists.URLUSCSL
	URLBISDPL   = lists.URLBISDPL
)

// FetchOptions bound a download (timeout, per-file size limit).
type FetchOptions = lists.FetchOptions

// Fetch downloads and parses one list; on any failure it returns an error and no list.
func Fetch(ctx context.Context, source, url string, client *http.Client) (LoadedList, error) {
	return lists.Fetch(ctx, source, url, client)
}

// Screener holds the current index behind an atomic pointer: queries never wait for a rebuild,
// and a failed list update leaves the previous index in place.
type Screener struct {
	cur atomic.Pointer[Index]
	mu  sync.Mutex // serialises rebuilds
}

// NewScreener builds the first index from lists (possibly none).
func NewScreener(ls ...LoadedList) *Screener {
	s := &Screener{}
	s.cur.Store(NewIndex(ls...))
	return s
}

// Index returns the current index.
func (s *Screener) Index() *Index { return s.cur.Load() }

// Screen screens q against the current index.
func (s *Screener) Screen(q Query) []Hit { return s.cur.Load().Screen(q) }

// Versions reports the lists of the current index.
func (s *Screener) Versions() []ListVersion { return s.cur.Load().Versions() }

// Replace swaps in a new index in which l replaces every list with the same label (or source,
// when l has no label); other lists are kept.
func (s *Screener) Replace(l LoadedList) {
	s.mu.Lock()
	defer s.mu.Unlock()
	key := l.Version.Label
	if key == "" {
		key = l.Version.Source
	}
	var keep []LoadedList
	for _, old := range s.cur.Load().Lists() {
		k := old.Version.Label
		if k == "" {
			k = old.Version.Source
		}
		if k != key {
			keep = append(keep, old)
		}
	}
	s.cur.Store(NewIndex(append(keep, l)...))
}

// Refresh downloads source from url (empty = the official URL) and swaps it in. On failure the
// current index stays and the error says why.
func (s *Screener) Refresh(ctx context.Context, source, url string, client *http.Client, opt FetchOptions) (ListVersion, error) {
	l, err := lists.FetchWithOptions(ctx, source, url, client, opt)
	if err != nil {
		return ListVersion{}, fmt.Errorf("refresh %s (previous index kept): %w", source, err)
	}
	s.Replace(l)
	return l.Version, nil
}

// Verdicts an analyst can record on a hit.
const (
	VerdictFalsePositive = "false_positive"
	VerdictTrueMatch     = "true_match"
	VerdictEscalated     = "escalated"
)

// Decision is an analyst's verdict on one hit for one subject. It is bound to the entity's
// fingerprint: if the list later changes the entity, the decision no longer applies and the
// hit is shown again as new.
type Decision struct {
	SubjectRef  string    `json:"subject_ref"` // the caller's id of the screened subject
	Source      string    `json:"source"`
	SourceID    string    `json:"source_id"`
	Fingerprint string    `json:"fingerprint"`
	Verdict     string    `json:"verdict"`
	Note        string    `json:"note,omitempty"`
	DecidedBy   string    `json:"decided_by"`
	DecidedAt   time.Time `json:"decided_at"`
}

// ValidateDecision reports what is wrong with a decision, naming the field.
func ValidateDecision(d Decision) error {
	switch {
	case d.Source == "":
		return fmt.Errorf("source: required")
	case d.SourceID == "":
		return fmt.Errorf("source_id: required")
	case d.Fingerprint == "":
		return fmt.Errorf("fingerprint: required (copy it from the hit)")
	case d.DecidedBy == "":
		return fmt.Errorf("decided_by: required")
	}
	switch d.Verdict {
	case VerdictFalsePositive, VerdictTrueMatch, VerdictEscalated:
		return nil
	}
	return fmt.Errorf("verdict: %q is not %s, %s or %s", d.Verdict, VerdictFalsePositive, VerdictTrueMatch, VerdictEscalated)
}

// ApplyDecisions attaches the subject's recorded decisions to matching hits. A decision whose
// fingerprint no longer matches the entity is attached with Stale set, so the hit needs review.
func ApplyDecisions(hits []Hit, decisions []Decision) []Hit {
	for i := range hits {
		h := &hits[i]
		for k := range decisions {
			d := &decisions[k]
			if d.Source != h.Source || d.SourceID != h.SourceID {
				continue
			}
			dc := *d
			h.Decision = &dc
			h.DecisionStale = d.Fingerprint != h.Fingerprint
			if !h.DecisionStale {
				break
			}
		}
	}
	return hits
}
