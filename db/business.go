package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/uptrace/bun"

	"github.com/kycd/kycd/models"
)

// InsertBusiness writes a new business in tx; ID, CreatedAt and UpdatedAt are filled when empty.
func (tx *Tx) InsertBusiness(ctx context.Context, b *models.Business) error {
	now := tx.store.Now()
	if b.CreatedAt.IsZero() {
		b.CreatedAt = now
	}
	if b.UpdatedAt.IsZero() {
		b.UpdatedAt = b.CreatedAt
	}
	if b.ID == "" {
		b.ID = NewID("biz", b.CreatedAt)
	}
	if _, err := tx.NewInsert().Model(b).Exec(ctx); err != nil {
		return fmt.Errorf("insert business: %w", err)
	}
	return nil
}

// GetBusiness reads a business of the scope; another account's or mode's is ErrNotFound.
func (s *Store) GetBusiness(ctx context.Context, sc Scope, id string) (*models.Business, error) {
	b := new(models.Business)
	err := s.DB.NewSelect().Model(b).Where("id = ?", id).Where("account_id = ?", sc.AccountID).Where("mode = ?", sc.Mode).Scan(ctx)
	if err != nil {
		return nil, notFound(err, "business "+id)
	}
	return b, nil
}

// LockBusiness reads a business of the scope in tx for update (PostgreSQL locks the row; SQLite
// has one writer anyway), so two resolutions of one business are serialised.
func (tx *Tx) LockBusiness(ctx context.Context, sc Scope, id string) (*models.Business, error) {
	b := new(models.Business)
	q := tx.NewSelect().Model(b).Where("id = ?", id).Where("account_id = ?", sc.AccountID).Where("mode = ?", sc.Mode)
	if tx.store.Dialect == Postgres {
		q = q.For("UPDATE")
	}
	if err := q.Scan(ctx); err != nil {
		return nil, notFound(err, "business "+id)
	}
	return b, nil
}

// UpdateBusiness writes the given columns of b (and updated_at) in tx.
func (tx *Tx) UpdateBusiness(ctx context.Context, b *models.Business, columns ...string) error {
	b.UpdatedAt = tx.store.Now()
	columns = append(columns, "updated_at")
	res, err := tx.NewUpdate().Model(b).Column(columns...).WherePK().
		Where("account_id = ?", b.AccountID).Where("mode = ?", b.Mode).Exec(ctx)
	if err != nil {
		return fmt.Errorf("update business %s: %w", b.ID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("update business %s: %w", b.ID, ErrNotFound)
	}
	return nil
}

// BusinessFilter selects businesses for ListBusinesses.
type BusinessFilter struct {
	Scope
	Statuses    []string
	RiskLevels  []string
	ExternalRef string
	// Before is the cursor: only ids strictly less (older) than it.
	Before string
	Limit  int
}

// ListBusinesses lists newest first. It returns up to Limit rows and whether more exist.
func (s *Store) ListBusinesses(ctx context.Context, f BusinessFilter) ([]models.Business, bool, error) {
	var rows []models.Business
	q := s.DB.NewSelect().Model(&rows).Where("account_id = ?", f.AccountID).Where("mode = ?", f.Mode)
	if len(f.Statuses) > 0 {
		q = q.Where("status IN (?)", bun.List(f.Statuses))
	}
	if len(f.RiskLevels) > 0 {
		q = q.Where("risk_level IN (?)", bun.List(f.RiskLevels))
	}
	if f.ExternalRef != "" {
		q = q.Where("external_ref = ?", f.ExternalRef)
	}
	if f.Before != "" {
		q = q.Where("id < ?", f.Before)
	}
	if err := q.Order("id DESC").Limit(int64(f.Limit + 1)).Scan(ctx); err != nil {
		return nil, false, fmt.Errorf("list businesses: %w", err)
	}
	more := len(rows) > f.Limit
	if more {
		rows = rows[:f.Limit]
	}
	return rows, more, nil
}

// BusinessCacheGet returns a cached GLEIF response that has not expired.
func (s *Store) BusinessCacheGet(ctx context.Context, key string) ([]byte, bool, error) {
	e := new(models.BusinessCacheEntry)
	err := s.DB.NewSelect().Model(e).Where("key = ?", key).Where("expires_at > ?", s.Now()).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("business cache get: %w", err)
	}
	return e.Body, true, nil
}

// BusinessCacheSet stores a GLEIF response for ttl, replacing an older one.
func (s *Store) BusinessCacheSet(ctx context.Context, key string, body []byte, ttl time.Duration) error {
	e := &models.BusinessCacheEntry{Key: key, Body: body, ExpiresAt: s.Now().Add(ttl)}
	_, err := s.DB.NewInsert().Model(e).On("CONFLICT (key) DO UPDATE").
		Set("body = EXCLUDED.body, expires_at = EXCLUDED.expires_at").Exec(ctx)
	if err != nil {
		return fmt.Errorf("business cache set: %w", err)
	}
	return nil
}

// PurgeBusinessCache deletes expired cache entries and reports how many.
func (s *Store) PurgeBusinessCache(ctx context.Context) (int64, error) {
	res, err := s.DB.NewDelete().Model((*models.BusinessCacheEntry)(nil)).Where("expires_at <= ?", s.Now()).Exec(ctx)
	if err != nil {
		return 0, fmt.Errorf("purge business cache: %w", err)
	}
	n, _ := res.RowsAffected()
	return n, nil
}

// GLEIFBatch is one batch of offline-register rows, written by PutGLEIFBatch.
type GLEIFBatch struct {
	Records       []models.GLEIFRecord
	Words         []models.GLEIFNameWord
	Relationships []models.GLEIFRelationship
	Exceptions    []models.GLEIFException
}

// Len is the number of rows in the batch.
func (b *GLEIFBatch) Len() int {
	return len(b.Records) + len(b.Words) + len(b.Relationships) + len(b.Exceptions)
}

// maxRowsPerInsert keeps one multi-row insert under SQLite's 32766 bound parameters.
const maxRowsPerInsert = 500

// PutGLEIFBatch upserts a batch in one transaction, with multi-row inserts: a later record,
// relationship or exception for the same key replaces the earlier one; name words are only
// added (a stale word only widens a search's candidates, which are scored afterwards).
//
// On PostgreSQL the rows go through COPY into temporary tables and one INSERT … SELECT per
// table, with synchronous_commit off for the import's transactions: a crash can lose the last
// batches, which running the import again restores, and the import is several times faster.
func (s *Store) PutGLEIFBatch(ctx context.Context, b *GLEIFBatch) error {
	if s.Dialect == Postgres {
		return s.copyGLEIFBatch(ctx, b)
	}
	return s.InTx(ctx, func(ctx context.Context, tx *Tx) error {
		if err := insertChunks(ctx, tx, b.Records, "CONFLICT (lei) DO UPDATE", "registered_as = EXCLUDED.registered_as, data = EXCLUDED.data"); err != nil {
			return fmt.Errorf("gleif records: %w", err)
		}
		if err := insertChunks(ctx, tx, b.Words, "CONFLICT (word, lei) DO NOTHING", ""); err != nil {
			return fmt.Errorf("gleif name words: %w", err)
		}
		if err := insertChunks(ctx, tx, b.Relationships, "CONFLICT (start_lei, end_lei, type) DO UPDATE", "data = EXCLUDED.data"); err != nil {
			return fmt.Errorf("gleif relationships: %w", err)
		}
		if err := insertChunks(ctx, tx, b.Exceptions, "CONFLICT (lei, category) DO UPDATE", "data = EXCLUDED.data"); err != nil {
			return fmt.Errorf("gleif exceptions: %w", err)
		}
		return nil
	})
}

func insertChunks[T any](ctx context.Context, tx *Tx, rows []T, on, set string) error {
	for len(rows) > 0 {
		n := min(len(rows), maxRowsPerInsert)
		chunk := rows[:n]
		q := tx.NewInsert().Model(&chunk).On(on)
		if set != "" {
			q = q.Set(set)
		}
		if _, err := q.Exec(ctx); err != nil {
			return err
		}
		rows = rows[n:]
	}
	return nil
}

// InsertGLEIFImport records a finished import.
func (s *Store) InsertGLEIFImport(ctx context.Context, imp *models.GLEIFImport) error {
	if imp.ID == "" {
		imp.ID = NewID("gli", imp.FinishedAt)
	}
	if _, err := s.DB.NewInsert().Model(imp).Exec(ctx); err != nil {
		return fmt.Errorf("insert gleif import: %w", err)
	}
	return nil
}

// LatestGLEIFImport returns the newest finished import, or ErrNotFound when the offline
// register was never loaded.
func (s *Store) LatestGLEIFImport(ctx context.Context) (*models.GLEIFImport, error) {
	imp := new(models.GLEIFImport)
	if err := s.DB.NewSelect().Model(imp).Order("finished_at DESC").Limit(1).Scan(ctx); err != nil {
		return nil, notFound(err, "gleif import")
	}
	return imp, nil
}

// GLEIFRecordsByLEI reads records of the offline register.
func (s *Store) GLEIFRecordsByLEI(ctx context.Context, leis []string) ([]models.GLEIFRecord, error) {
	if len(leis) == 0 {
		return nil, nil
	}
	var rows []models.GLEIFRecord
	if err := s.DB.NewSelect().Model(&rows).Where("lei IN (?)", bun.List(leis)).Scan(ctx); err != nil {
		return nil, fmt.Errorf("gleif records: %w", err)
	}
	return rows, nil
}

// GLEIFLEIsByWord returns up to limit LEIs whose names contain the normalised word.
func (s *Store) GLEIFLEIsByWord(ctx context.Context, word string, limit int) ([]string, error) {
	var leis []string
	err := s.DB.NewSelect().Model((*models.GLEIFNameWord)(nil)).Column("lei").Where("word = ?", word).
		Order("lei").Limit(int64(limit)).Scan(ctx, &leis)
	if err != nil {
		return nil, fmt.Errorf("gleif name word: %w", err)
	}
	return leis, nil
}

// GLEIFLEIsByAllWords returns up to limit LEIs whose names contain every one of the words.
func (s *Store) GLEIFLEIsByAllWords(ctx context.Context, words []string, limit int) ([]string, error) {
	var leis []string
	err := s.DB.NewSelect().Model((*models.GLEIFNameWord)(nil)).Column("lei").Where("word IN (?)", bun.List(words)).
		Group("lei").Having("COUNT(DISTINCT word) = ?", len(words)).Order("lei").Limit(int64(limit)).Scan(ctx, &leis)
	if err != nil {
		return nil, fmt.Errorf("gleif name words: %w", err)
	}
	return leis, nil
}

// GLEIFLEIsByRegisteredAs returns up to limit LEIs with this register number (upper-case alphanumerics).
func (s *Store) GLEIFLEIsByRegisteredAs(ctx context.Context, number string, limit int) ([]string, error) {
	var leis []string
	err := s.DB.NewSelect().Model((*models.GLEIFRecord)(nil)).Column("lei").Where("registered_as = ?", number).
		Order("lei").Limit(int64(limit)).Scan(ctx, &leis)
	if err != nil {
		return nil, fmt.Errorf("gleif registered_as: %w", err)
	}
	return leis, nil
}

// GLEIFParentRelationships returns the relationships in which lei is the child.
func (s *Store) GLEIFParentRelationships(ctx context.Context, lei string) ([]models.GLEIFRelationship, error) {
	var rows []models.GLEIFRelationship
	if err := s.DB.NewSelect().Model(&rows).Where("start_lei = ?", lei).Order("end_lei", "type").Scan(ctx); err != nil {
		return nil, fmt.Errorf("gleif parent relationships: %w", err)
	}
	return rows, nil
}

// GLEIFChildRelationships returns up to limit relationships of relType in which lei is the
// parent, and how many there are.
func (s *Store) GLEIFChildRelationships(ctx context.Context, lei, relType string, limit int) ([]models.GLEIFRelationship, int, error) {
	q := s.DB.NewSelect().Model((*models.GLEIFRelationship)(nil)).Where("end_lei = ?", lei).Where("type = ?", relType)
	total, err := q.Count(ctx)
	if err != nil {
		return nil, 0, fmt.Errorf("gleif child relationships: %w", err)
	}
	var rows []models.GLEIFRelationship
	if total > 0 && limit != 0 {
		sel := s.DB.NewSelect().Model(&rows).Where("end_lei = ?", lei).Where("type = ?", relType).Order("start_lei")
		if limit > 0 {
			sel = sel.Limit(int64(limit))
		}
		if err := sel.Scan(ctx); err != nil {
			return nil, 0, fmt.Errorf("gleif child relationships: %w", err)
		}
	}
	return rows, int(total), nil
}

// GLEIFExceptions returns the reporting exceptions of lei.
func (s *Store) GLEIFExceptions(ctx context.Context, lei string) ([]models.GLEIFException, error) {
	var rows []models.GLEIFException
	if err := s.DB.NewSelect().Model(&rows).Where("lei = ?", lei).Order("category").Scan(ctx); err != nil {
		return nil, fmt.Errorf("gleif exceptions: %w", err)
	}
	return rows, nil
}

// gleifCopies are the tables of a batch as copyGLEIFBatch writes them: the temporary table
// COPY fills, and the statement that moves its rows into the register.
var gleifCopies = []struct {
	table, columns, conflict string
}{
	{"gleif_records", "lei, registered_as, data", "(lei) DO UPDATE SET registered_as = EXCLUDED.registered_as, data = EXCLUDED.data"},
	{"gleif_name_words", "word, lei", "(word, lei) DO NOTHING"},
	{"gleif_relationships", "start_lei, end_lei, type, data", "(start_lei, end_lei, type) DO UPDATE SET data = EXCLUDED.data"},
	{"gleif_exceptions", "lei, category, data", "(lei, category) DO UPDATE SET data = EXCLUDED.data"},
}

func (s *Store) copyGLEIFBatch(ctx context.Context, b *GLEIFBatch) error {
	rows := [][][]any{make([][]any, 0, len(b.Records)), make([][]any, 0, len(b.Words)),
		make([][]any, 0, len(b.Relationships)), make([][]any, 0, len(b.Exceptions))}
	for _, r := range b.Records {
		rows[0] = append(rows[0], []any{r.LEI, r.RegisteredAs, r.Data})
	}
	for _, w := range b.Words {
		rows[1] = append(rows[1], []any{w.Word, w.LEI})
	}
	for _, r := range b.Relationships {
		rows[2] = append(rows[2], []any{r.StartLEI, r.EndLEI, r.Type, r.Data})
	}
	for _, x := range b.Exceptions {
		rows[3] = append(rows[3], []any{x.LEI, x.Category, x.Data})
	}
	return s.InTx(ctx, func(ctx context.Context, tx *Tx) error {
		return tx.WithPgx(func(ptx pgx.Tx) error {
			if _, err := ptx.Exec(ctx, "SET LOCAL synchronous_commit = off"); err != nil {
				return err
			}
			for i, c := range gleifCopies {
				if len(rows[i]) == 0 {
					continue
				}
				in := c.table + "_in"
				if _, err := ptx.Exec(ctx, fmt.Sprintf("CREATE TEMPORARY TABLE IF NOT EXISTS %s (LIKE %s) ON COMMIT DELETE ROWS", in, c.table)); err != nil {
					return fmt.Errorf("%s: %w", c.table, err)
				}
				if _, err := ptx.CopyFrom(ctx, pgx.Identifier{in}, strings.Split(strings.ReplaceAll(c.columns, " ", ""), ","), pgx.CopyFromRows(rows[i])); err != nil {
					return fmt.Errorf("%s: copy: %w", c.table, err)
				}
				q := fmt.Sprintf("INSERT INTO %s (%s) SELECT %s FROM %s ON CONFLICT %s", c.table, c.columns, c.columns, in, c.conflict)
				if _, err := ptx.Exec(ctx, q); err != nil {
					return fmt.Errorf("%s: %w", c.table, err)
				}
			}
			return nil
		})
	})
}

// BusinessesToMonitor pages through the decided businesses ongoing screening covers (approved
// and needs_review, not deleted, every account and mode), by id after the cursor.
func (s *Store) BusinessesToMonitor(ctx context.Context, after string, limit int) ([]models.Business, error) {
	var rows []models.Business
	err := s.DB.NewSelect().Model(&rows).Where("id > ?", after).Where("status IN (?)", bun.List([]string{models.BusinessApproved, models.BusinessNeedsReview})).
		Apply(businessesLive).Order("id ASC").Limit(int64(limit)).Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("businesses to monitor: %w", err)
	}
	return rows, nil
}
