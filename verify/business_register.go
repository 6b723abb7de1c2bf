package verify

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/kycd/kycd/checks/business"
	"github.com/kycd/kycd/db"
	"github.com/kycd/kycd/models"
)

// BusinessCache is the database-backed business.Cache: GLEIF responses are shared by every
// process on the database. A database error only costs a call to GLEIF (it is logged).
type BusinessCache struct {
	Store  *db.Store
	Logger *slog.Logger
}

var _ business.Cache = BusinessCache{}

// Get implements business.Cache.
func (c BusinessCache) Get(ctx context.Context, key string) ([]byte, bool) {
	body, ok, err := c.Store.BusinessCacheGet(ctx, key)
	if err != nil {
		c.logger().WarnContext(ctx, "business cache read failed; asking GLEIF", "err", err)
		return nil, false
	}
	return body, ok
}

// Set implements business.Cache.
func (c BusinessCache) Set(ctx context.Context, key string, body []byte, ttl time.Duration) {
	if ttl <= 0 {
		return
	}
	if err := c.Store.BusinessCacheSet(ctx, key, body, ttl); err != nil {
		c.logger().WarnContext(ctx, "business cache write failed", "err", err)
	}
}

func (c BusinessCache) logger() *slog.Logger {
	if c.Logger == nil {
		return slog.Default()
	}
	return c.Logger
}

// BusinessRegister is the offline register in the database (business.Register), filled by
// `kycd registry import` through a RegisterLoader. business.Offline over it is the Source
// of --registry-mode offline.
type BusinessRegister struct {
	Store *db.Store
	// WordLimit is the searchWordLimit (0 = the default; tests lower it).
	WordLimit int
}

var _ business.Register = BusinessRegister{}

// Record implements business.Register.
func (r BusinessRegister) Record(ctx context.Context, lei string) (*business.Record, error) {
	rows, err := r.Store.GLEIFRecordsByLEI(ctx, []string{lei})
	if err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, fmt.Errorf("register: LEI %s: %w", lei, business.ErrNotFound)
	}
	return decodeRecord(rows[0])
}

func decodeRecord(row models.GLEIFRecord) (*business.Record, error) {
	rec := new(business.Record)
	if err := json.Unmarshal([]byte(row.Data), rec); err != nil {
		return nil, fmt.Errorf("register: LEI %s: decode: %w", row.LEI, err)
	}
	return rec, nil
}

// ParentRelationships implements business.Register.
func (r BusinessRegister) ParentRelationships(ctx context.Context, lei string) ([]business.Relationship, error) {
	rows, err := r.Store.GLEIFParentRelationships(ctx, lei)
	if err != nil {
		return nil, err
	}
	return decodeRels(rows)
}

// ChildRelationships implements business.Register.
func (r BusinessRegister) ChildRelationships(ctx context.Context, lei, relType string, limit int) ([]business.Relationship, int, error) {
	rows, total, err := r.Store.GLEIFChildRelationships(ctx, lei, relType, limit)
	if err != nil {
		return nil, 0, err
	}
	rels, err := decodeRels(rows)
	return rels, total, err
}

func decodeRels(rows []models.GLEIFRelationship) ([]business.Relationship, error) {
	out := make([]business.Relationship, 0, len(rows))
	for _, row := range rows {
		var rel business.Relationship
		if err := json.Unmarshal([]byte(row.Data), &rel); err != nil {
			return nil, fmt.Errorf("register: relationship %s→%s: decode: %w", row.StartLEI, row.EndLEI, err)
		}
		out = append(out, rel)
	}
	return out, nil
}

// ReportingExceptions implements business.Register.
func (r BusinessRegister) ReportingExceptions(ctx context.Context, lei string) ([]business.ReportingException, error) {
	rows, err := r.Store.GLEIFExceptions(ctx, lei)
	if err != nil {
		return nil, err
	}
	out := make([]business.ReportingException, 0, len(rows))
	for _, row := range rows {
		var x business.ReportingException
		if err := json.Unmarshal([]byte(row.Data), &x); err != nil {
			return nil, fmt.Errorf("register: exception %s: decode: %w", row.LEI, err)
		}
		out = append(out, x)
	}
	return out, nil
}

// searchWordLimit bounds the LEIs one name word contributes: a word in more names than this
// (after legal forms are dropped) says little, and is used only when the query has no rarer
// word, and then only for the names that have every such word.
const searchWordLimit = 2000

// Search implements business.Register. Candidates are read by name word and register number
// from the index tables, then ranked by the same code as the in-memory register
// (business.MemRegister.Search), so online and offline rank alike.
func (r BusinessRegister) Search(ctx context.Context, q business.SearchQuery) ([]business.Record, error) {
	limit := r.WordLimit
	if limit <= 0 {
		limit = searchWordLimit
	}
	set := map[string]bool{}
	words := business.NormalizeName(q.LegalName).Tokens
	var common []string
	for _, w := range words {
		leis, err := r.Store.GLEIFLEIsByWord(ctx, w, limit+1)
		if err != nil {
			return nil, err
		}
		if len(leis) > limit {
			common = append(common, w)
			continue
		}
		for _, l := range leis {
			set[l] = true
		}
	}
	if len(set) == 0 && len(common) > 0 {
		// Only common words ("deutsche bank"): the names that have all of them. (One common
		// word alone gives an arbitrary slice of its names; Select then finds no clear winner.)
		leis, err := r.Store.GLEIFLEIsByAllWords(ctx, common, limit)
		if err != nil {
			return nil, err
		}
		for _, l := range leis {
			set[l] = true
		}
	}
	if k := business.RegisterNumberKey(q.RegisteredAs); k != "" {
		leis, err := r.Store.GLEIFLEIsByRegisteredAs(ctx, k, limit)
		if err != nil {
			return nil, err
		}
		for _, l := range leis {
			set[l] = true
		}
	}
	if len(set) == 0 {
		return []business.Record{}, nil
	}
	leis := make([]string, 0, len(set))
	for l := range set {
		leis = append(leis, l)
	}
	slices.Sort(leis)
	mem := business.NewMemRegister()
	for len(leis) > 0 {
		n := min(len(leis), 500)
		rows, err := r.Store.GLEIFRecordsByLEI(ctx, leis[:n])
		if err != nil {
			return nil, err
		}
		for _, row := range rows {
			rec, err := decodeRecord(row)
			if err != nil {
				return nil, err
			}
			if err := mem.PutRecord(ctx, *rec); err != nil {
				return nil, err
			}
		}
		leis = leis[n:]
	}
	return mem.Search(ctx, q)
}

// RegisterLoader is the business.RegisterWriter of `kycd registry import`: it buffers rows and
// writes them in batches (one transaction of multi-row upserts per batch). Call Flush at the end.
type RegisterLoader struct {
	Store *db.Store
	// BatchRows is the rows per batch (default 5000).
	BatchRows int
	batch     db.GLEIFBatch
	// Counts of what was written.
	Records, Relationships, Exceptions int
}

var _ business.RegisterWriter = (*RegisterLoader)(nil)

// PutRecord implements business.RegisterWriter.
func (l *RegisterLoader) PutRecord(ctx context.Context, r business.Record) error {
	data, err := json.Marshal(r)
	if err != nil {
		return err
	}
	l.batch.Records = append(l.batch.Records, models.GLEIFRecord{LEI: r.LEI, RegisteredAs: business.RegisterNumberKey(r.RegisteredAs), Data: string(data)})
	seen := map[string]bool{}
	for _, n := range r.Names() {
		for _, w := range business.NormalizeName(n).Tokens {
			if !seen[w] && len(w) <= 200 {
				seen[w] = true
				l.batch.Words = append(l.batch.Words, models.GLEIFNameWord{Word: w, LEI: r.LEI})
			}
		}
	}
	l.Records++
	return l.maybeFlush(ctx)
}

// PutRelationship implements business.RegisterWriter.
func (l *RegisterLoader) PutRelationship(ctx context.Context, r business.Relationship) error {
	data, err := json.Marshal(r)
	if err != nil {
		return err
	}
	l.batch.Relationships = append(l.batch.Relationships, models.GLEIFRelationship{StartLEI: r.StartLEI, EndLEI: r.EndLEI, Type: r.Type, Data: string(data)})
	l.Relationships++
	return l.maybeFlush(ctx)
}

// PutReportingException implements business.RegisterWriter.
func (l *RegisterLoader) PutReportingException(ctx context.Context, x business.ReportingException) error {
	data, err := json.Marshal(x)
	if err != nil {
		return err
	}
	l.batch.Exceptions = append(l.batch.Exceptions, models.GLEIFException{LEI: x.LEI, Category: x.Category, Data: string(data)})
	l.Exceptions++
	return l.maybeFlush(ctx)
}

func (l *RegisterLoader) maybeFlush(ctx context.Context) error {
	limit := l.BatchRows
	if limit <= 0 {
		limit = 5000
	}
	if l.batch.Len() < limit {
		return nil
	}
	return l.Flush(ctx)
}

// Flush writes the buffered rows.
func (l *RegisterLoader) Flush(ctx context.Context) error {
	if l.batch.Len() == 0 {
		return nil
	}
	// A batch may hold the same key twice (a file that repeats a row): an upsert touching one
	// row twice is an error in PostgreSQL, so keep the last of each.
	l.batch.Records = lastByKey(l.batch.Records, func(r models.GLEIFRecord) string { return r.LEI })
	l.batch.Words = lastByKey(l.batch.Words, func(w models.GLEIFNameWord) string { return w.Word + "\x00" + w.LEI })
	l.batch.Relationships = lastByKey(l.batch.Relationships, func(r models.GLEIFRelationship) string {
		return r.StartLEI + "\x00" + r.EndLEI + "\x00" + r.Type
	})
	l.batch.Exceptions = lastByKey(l.batch.Exceptions, func(x models.GLEIFException) string { return x.LEI + "\x00" + x.Category })
	if err := l.Store.PutGLEIFBatch(ctx, &l.batch); err != nil {
		return err
	}
	l.batch = db.GLEIFBatch{}
	return nil
}

func lastByKey[T any](rows []T, key func(T) string) []T {
	idx := make(map[string]int, len(rows))
	out := rows[:0]
	for _, r := range rows {
		k := key(r)
		if i, ok := idx[k]; ok {
			out[i] = r
			continue
		}
		idx[k] = len(out)
		out = append(out, r)
	}
	return out
}
