package business

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
)

// Register is the offline store of GLEIF data (filled from the Golden Copy files). The
// database-backed Register is wired later; MemRegister serves tests and small deployments.
//
// Record returns ErrNotFound for an unknown LEI. ParentRelationships returns the
// relationships in which lei is the child (start node); ChildRelationships those in which
// it is the parent, of one type, up to limit, with the total.
type Register interface {
	Record(ctx context.Context, lei string) (*Record, error)
	ParentRelationships(ctx context.Context, lei string) ([]Relationship, error)
	ChildRelationships(ctx context.Context, lei, relType string, limit int) ([]Relationship, int, error)
	ReportingExceptions(ctx context.Context, lei string) ([]ReportingException, error)
	Search(ctx context.Context, q SearchQuery) ([]Record, error)
}

// RegisterWriter is how a Golden Copy load writes into a Register.
type RegisterWriter interface {
	PutRecord(ctx context.Context, r Record) error
	PutRelationship(ctx context.Context, r Relationship) error
	PutReportingException(ctx context.Context, x ReportingException) error
}

// MemRegister is an in-memory Register and RegisterWriter. Search uses a word index of the
// normalised names. Safe for concurrent use.
type MemRegister struct {
	mu       sync.RWMutex
	records  map[string]*Record
	parents  map[string][]Relationship // by child LEI
	children map[string][]Relationship // by parent LEI
	excs     map[string][]ReportingException
	words    map[string][]string // normalised name word → LEIs
	regs     map[string][]string // normalised register number → LEIs
}

// NewMemRegister returns an empty register.
func NewMemRegister() *MemRegister {
	return &MemRegister{records: map[string]*Record{}, parents: map[string][]Relationship{},
		children: map[string][]Relationship{}, excs: map[string][]ReportingException{},
		words: map[string][]string{}, regs: map[string][]string{}}
}

var (
	_ Register       = (*MemRegister)(nil)
	_ RegisterWriter = (*MemRegister)(nil)
)

// PutRecord implements RegisterWriter; a later record for the same LEI replaces it.
func (m *MemRegister) PutRecord(_ context.Context, r Record) error {
	if err := ValidateLEI(r.LEI); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, dup := m.records[r.LEI]; !dup {
		seen := map[string]bool{}
		for _, n := range r.Names() {
			for _, w := range NormalizeName(n).Tokens {
				if !seen[w] {
					seen[w] = true
					m.words[w] = append(m.words[w], r.LEI)
				}
			}
		}
		if k := alnumUpper(r.RegisteredAs); k != "" {
			m.regs[k] = append(m.regs[k], r.LEI)
		}
	}
	rc := r
	m.records[r.LEI] = &rc
	return nil
}

// PutRelationship implements RegisterWriter.
func (m *MemRegister) PutRelationship(_ context.Context, r Relationship) error {
	if r.StartLEI == "" || r.EndLEI == "" {
		return fmt.Errorf("relationship without start or end node")
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.parents[r.StartLEI] = append(m.parents[r.StartLEI], r)
	m.children[r.EndLEI] = append(m.children[r.EndLEI], r)
	return nil
}

// PutReportingException implements RegisterWriter.
func (m *MemRegister) PutReportingException(_ context.Context, x ReportingException) error {
	if x.LEI == "" {
		return fmt.Errorf("reporting exception without LEI")
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.excs[x.LEI] = append(m.excs[x.LEI], x)
	return nil
}

// Len reports the number of records.
func (m *MemRegister) Len() int {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return len(m.records)
}

// Record implements Register.
func (m *MemRegister) Record(_ context.Context, lei string) (*Record, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	r, ok := m.records[lei]
	if !ok {
		return nil, fmt.Errorf("register: LEI %s: %w", lei, ErrNotFound)
	}
	c := *r
	return &c, nil
}

// ParentRelationships implements Register.
func (m *MemRegister) ParentRelationships(_ context.Context, lei string) ([]Relationship, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return slices.Clone(m.parents[lei]), nil
}

// ChildRelationships implements Register.
func (m *MemRegister) ChildRelationships(_ context.Context, lei, relType string, limit int) ([]Relationship, int, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	var out []Relationship
	total := 0
	for _, r := range m.children[lei] {
		if r.Type != relType {
			continue
		}
		total++
		if limit <= 0 || len(out) < limit {
			out = append(out, r)
		}
	}
	return out, total, nil
}

// ReportingExceptions implements Register.
func (m *MemRegister) ReportingExceptions(_ context.Context, lei string) ([]ReportingException, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return slices.Clone(m.excs[lei]), nil
}

// Search implements Register: records sharing a name word with the query (scored with
// NameSimilarity), or with the registration number, filtered by jurisdiction (country
// level), best first.
func (m *MemRegister) Search(_ context.Context, q SearchQuery) ([]Record, error) {
	limit := q.Limit
	if limit <= 0 {
		limit = 20
	}
	qn := NormalizeName(q.LegalName)
	m.mu.RLock()
	defer m.mu.RUnlock()
	cand := map[string]bool{}
	// Words in very many names ("global", "holding") say little: they are used only when
	// the query has no rarer word.
	rarest := ""
	for _, w := range qn.Tokens {
		if rarest == "" || len(m.words[w]) < len(m.words[rarest]) {
			rarest = w
		}
	}
	for _, w := range qn.Tokens {
		ls := m.words[w]
		if len(ls) > 50000 && w != rarest {
			continue
		}
		for _, l := range ls {
			cand[l] = true
		}
	}
	if k := alnumUpper(q.RegisteredAs); k != "" {
		for _, l := range m.regs[k] {
			cand[l] = true
		}
	}
	type scored struct {
		r *Record
		s float64
	}
	var out []scored
	qj := strings.ToUpper(strings.TrimSpace(q.Jurisdiction))
	for l := range cand {
		r := m.records[l]
		if qj != "" {
			if v, _ := compareJurisdiction(qj, recordJurisdiction(*r)); v == MatchMismatch {
				continue
			}
		}
		if q.RegisteredAs != "" && q.LegalName == "" {
			if v, _ := compareRegNumber(q.RegisteredAs, r.RegisteredAs); v != MatchExact {
				continue
			}
		}
		s := 1.0
		if qn.Core != "" {
			s = 0
			for _, n := range r.Names() {
				s = max(s, normSimilarity(qn, NormalizeName(n)))
			}
		}
		out = append(out, scored{r, s})
	}
	slices.SortFunc(out, func(a, b scored) int {
		if c := cmp.Compare(b.s, a.s); c != 0 {
			return c
		}
		return cmp.Compare(a.r.LEI, b.r.LEI)
	})
	if len(out) > limit {
		out = out[:limit]
	}
	recs := make([]Record, len(out))
	for i, s := range out {
		recs[i] = *s.r
	}
	return recs, nil
}

// Offline is a Source over a Register: the same answers as the API, without calling GLEIF.
type Offline struct {
	Register Register
}

var _ Source = Offline{}

// Record implements Source.
func (o Offline) Record(ctx context.Context, lei string) (*Record, error) {
	lei = NormalizeLEI(lei)
	if err := ValidateLEI(lei); err != nil {
		return nil, err
	}
	return o.Register.Record(ctx, lei)
}

// Parent implements Source: the active relationship of the level (an inactive one only
// when there is no active one), with the parent's record when the register has it.
func (o Offline) Parent(ctx context.Context, lei string, level Level) (*Parent, error) {
	lei = NormalizeLEI(lei)
	rels, err := o.Register.ParentRelationships(ctx, lei)
	if err != nil {
		return nil, err
	}
	var best *Relationship
	for i := range rels {
		r := &rels[i]
		if r.Type != level.RelationshipType() {
			continue
		}
		if best == nil || (best.Status != "ACTIVE" && r.Status == "ACTIVE") {
			best = r
		}
	}
	if best == nil {
		return nil, nil
	}
	p := &Parent{Relationship: *best}
	rec, err := o.Register.Record(ctx, best.EndLEI)
	switch {
	case err == nil:
		p.Record = rec
	case !isNotFound(err):
		return nil, err
	}
	return p, nil
}

// ReportingException implements Source.
func (o Offline) ReportingException(ctx context.Context, lei string, level Level) (*ReportingException, error) {
	xs, err := o.Register.ReportingExceptions(ctx, NormalizeLEI(lei))
	if err != nil {
		return nil, err
	}
	for _, x := range xs {
		if x.Category == level.ExceptionCategory() {
			return &x, nil
		}
	}
	return nil, nil
}

// Children implements Source.
func (o Offline) Children(ctx context.Context, lei string, level Level, limit int) (Children, error) {
	rels, total, err := o.Register.ChildRelationships(ctx, NormalizeLEI(lei), level.RelationshipType(), limit)
	if err != nil {
		return Children{}, err
	}
	out := Children{Total: total, Items: make([]Child, 0, len(rels))}
	for _, r := range rels {
		c := Child{Relationship: r}
		rec, err := o.Register.Record(ctx, r.StartLEI)
		switch {
		case err == nil:
			c.Record = rec
		case !isNotFound(err):
			return Children{}, err
		}
		out.Items = append(out.Items, c)
	}
	return out, nil
}

// Search implements Source.
func (o Offline) Search(ctx context.Context, q SearchQuery) ([]Record, error) {
	return o.Register.Search(ctx, q)
}
