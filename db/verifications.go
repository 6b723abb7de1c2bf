package db

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/uptrace/bun"

	"github.com/kycd/kycd/models"
)

// NewVerification is one verification to create: the row, its first event, the
// integrator's data for a new applicant (nil: none given) and the verification's data key
// (Keyring.NewDataKey of V.ID, with which V.ApplicantPII is sealed; the event is sealed with
// it here).
type NewVerification struct {
	V   *models.Verification
	Ev  *models.Event
	PII any
	Key *models.DataKey
}

// CreateVerifications writes new verifications, each with its applicant (found by external
// reference or created, as FindOrCreateApplicant) and its first event (seq 1), and returns, per
// verification, its scope's enabled webhook endpoints for the event's fan-out. On PostgreSQL
// that is one statement for all of them (data-modifying WITH over unnest), the hot path of
// every integration; SQLite runs the steps in turn. Two of them must not share an external
// reference in one scope (PostgreSQL refuses to touch one applicant twice in a statement).
func (tx *Tx) CreateVerifications(ctx context.Context, items []NewVerification) ([][]models.WebhookEndpoint, error) {
	out := make([][]models.WebhookEndpoint, len(items))
	if tx.store.Dialect != Postgres {
		scopes := map[Scope][]models.WebhookEndpoint{}
		for i, it := range items {
			sc := Scope{AccountID: it.V.AccountID, Mode: it.V.Mode}
			a, err := tx.FindOrCreateApplicant(ctx, sc, it.V.ExternalRef, it.PII)
			if err != nil {
				return nil, err
			}
			it.V.ApplicantID = a.ID
			if err := tx.InsertVerification(ctx, it.V); err != nil {
				return nil, err
			}
			if err := tx.InsertDataKeys(ctx, it.Key); err != nil {
				return nil, err
			}
			it.Ev.Seq = 1
			if err := tx.AppendEvent(ctx, it.Ev); err != nil {
				return nil, err
			}
			eps, ok := scopes[sc]
			if !ok {
				if eps, err = tx.EnabledEndpoints(ctx, sc); err != nil {
					return nil, err
				}
				scopes[sc] = eps
			}
			out[i] = eps
		}
		return out, nil
	}
	apps := make([]any, len(items))
	vers := make([]any, len(items))
	evs := make([]any, len(items))
	keys := make([]any, 0, 2*len(items))
	byID := make(map[string]int, len(items))
	for i, it := range items {
		a, aKey, err := tx.store.newApplicant(Scope{AccountID: it.V.AccountID, Mode: it.V.Mode}, it.V.ExternalRef, it.PII)
		if err != nil {
			return nil, err
		}
		it.V.ApplicantID = a.ID // the new applicant's id, unless the reference finds one
		it.Ev.Seq = 1           // the verification row is inserted by the same statement
		stored, err := prepareEvent(tx.store, it.Ev)
		if err != nil {
			return nil, err
		}
		apps[i], vers[i], evs[i] = a, it.V, stored
		keys = append(keys, aKey)
		if it.Key != nil {
			keys = append(keys, it.Key)
		}
		byID[it.V.ID] = i
	}
	// Applicants in one order in every batch (by scope and reference), so two batches in flight
	// that share references wait for each other instead of deadlocking.
	slices.SortFunc(apps, func(x, y any) int {
		a, b := x.(*models.Applicant), y.(*models.Applicant)
		return cmp.Or(cmp.Compare(a.AccountID, b.AccountID), cmp.Compare(a.Mode, b.Mode),
			cmp.Compare(deref(a.ExternalRef), deref(b.ExternalRef)), cmp.Compare(a.ID, b.ID))
	})
	var args []any
	aCols, aFrom, err := tx.unnestRows(apps, "a_in", &args)
	if err != nil {
		return nil, err
	}
	vCols, vFrom, err := tx.unnestRows(vers, "v_in", &args)
	if err != nil {
		return nil, err
	}
	eCols, eFrom, err := tx.unnestRows(evs, "e_in", &args)
	if err != nil {
		return nil, err
	}
	kCols, kFrom, err := tx.unnestRows(keys, "k_in", &args)
	if err != nil {
		return nil, err
	}
	// A verification takes its applicant row from app: the one inserted with its proposed id
	// (joined as new), or the existing one with its external reference (joined as old; the
	// no-op update makes RETURNING give it). Two equi-joins, so they hash.
	vSel := make([]string, len(vCols))
	for i, c := range vCols {
		vSel[i] = "v_in." + c
		if strings.Trim(c, `"`) == "applicant_id" {
			vSel[i] = "COALESCE(new.id, old.id)"
		}
	}
	args = append(args, models.EndpointKindEndpoint, models.EndpointEnabled)
	n := len(args)
	sql := "WITH app AS (INSERT INTO applicants (" + strings.Join(aCols, ", ") + ") SELECT * FROM " + aFrom +
		" ON CONFLICT (account_id, mode, external_ref) WHERE external_ref IS NOT NULL DO UPDATE SET updated_at = applicants.updated_at" +
		// A frozen applicant (scheduled for deletion) is not returned, so its verification gets
		// no applicant_id and the NOT NULL constraint refuses it: ErrScheduledForDeletion.
		" WHERE applicants.deletion_scheduled_at IS NULL" +
		" RETURNING id, account_id, mode, external_ref)" +
		", v_in AS (SELECT * FROM " + vFrom + ")" +
		", ver AS (INSERT INTO verifications (" + strings.Join(vCols, ", ") + ") SELECT " + strings.Join(vSel, ", ") +
		" FROM v_in LEFT JOIN app new ON new.id = v_in.applicant_id" +
		" LEFT JOIN app old ON old.account_id = v_in.account_id AND old.mode = v_in.mode AND old.external_ref = v_in.external_ref" +
		" RETURNING id, applicant_id, account_id, mode)" +
		", evt AS (INSERT INTO events (" + strings.Join(eCols, ", ") + ") SELECT * FROM " + eFrom + " RETURNING NULL)" +
		// The data keys of the verifications, and of the applicants inserted (not of one whose
		// reference found an existing applicant: that one has its key).
		", dk AS (INSERT INTO data_keys (" + strings.Join(kCols, ", ") + ") SELECT * FROM " + kFrom +
		" WHERE k_in.owner_id IN (SELECT id FROM app) OR k_in.owner_id IN (SELECT id FROM v_in) RETURNING NULL)" +
		fmt.Sprintf(`, eps AS (SELECT w.account_id, w.mode, json_agg(json_build_object('id', w.id, 'url', w.url, 'events', w.events) ORDER BY w.id) AS list
			FROM webhook_endpoints w WHERE (w.account_id, w.mode) IN (SELECT account_id, mode FROM v_in) AND w.kind = $%d AND w.status = $%d
			GROUP BY w.account_id, w.mode)`, n-1, n) +
		" SELECT ver.id, ver.applicant_id, COALESCE(eps.list, '[]') FROM ver LEFT JOIN eps ON eps.account_id = ver.account_id AND eps.mode = ver.mode"
	type row struct{ id, applicant, endpoints string }
	var got []row
	err = tx.WithPgx(func(ptx pgx.Tx) error {
		rows, err := ptx.Query(ctx, sql, append([]any{pgx.QueryExecModeCacheStatement}, args...)...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var r row
			if err := rows.Scan(&r.id, &r.applicant, &r.endpoints); err != nil {
				return err
			}
			got = append(got, r)
		}
		return rows.Err()
	})
	if err != nil {
		if referenceTaken(err) {
			err = fmt.Errorf("%w: %w", ErrReferenceTaken, err)
		}
		var pgErr *pgconn.PgError
		if errors.As(err, &pgErr) && pgErr.Code == "23502" && pgErr.ColumnName == "applicant_id" {
			err = fmt.Errorf("%w: %w", ErrScheduledForDeletion, err)
		}
		return nil, fmt.Errorf("insert verification: %w", err)
	}
	if len(got) != len(items) {
		return nil, fmt.Errorf("insert verification: %d rows written for %d verifications", len(got), len(items))
	}
	scopes := map[string][]models.WebhookEndpoint{}
	for _, r := range got {
		i, ok := byID[r.id]
		if !ok {
			return nil, fmt.Errorf("insert verification: unexpected row %s", r.id)
		}
		items[i].V.ApplicantID = r.applicant
		eps, ok := scopes[r.endpoints]
		if !ok {
			if eps, err = decodeEndpoints(r.endpoints); err != nil {
				return nil, err
			}
			scopes[r.endpoints] = eps
		}
		out[i] = eps
	}
	return out, nil
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// decodeEndpoints reads the endpoint list CreateVerifications' statement builds as JSON.
func decodeEndpoints(list string) ([]models.WebhookEndpoint, error) {
	var rows []struct {
		ID     string `json:"id"`
		URL    string `json:"url"`
		Events string `json:"events"`
	}
	if err := json.Unmarshal([]byte(list), &rows); err != nil {
		return nil, fmt.Errorf("enabled webhook endpoints: %w", err)
	}
	out := make([]models.WebhookEndpoint, len(rows))
	for i, r := range rows {
		out[i] = models.WebhookEndpoint{ID: r.ID, URL: r.URL, Events: r.Events}
	}
	return out, nil
}

// InsertVerification writes a new verification row.
func (tx *Tx) InsertVerification(ctx context.Context, v *models.Verification) error {
	if _, err := tx.NewInsert().Model(v).Exec(ctx); err != nil {
		if referenceTaken(err) {
			err = fmt.Errorf("%w: %w", ErrReferenceTaken, err)
		}
		var pgErr *pgconn.PgError
		if errors.As(err, &pgErr) && pgErr.Code == "23502" && pgErr.ColumnName == "applicant_id" {
			err = fmt.Errorf("%w: %w", ErrScheduledForDeletion, err)
		}
		return fmt.Errorf("insert verification: %w", err)
	}
	return nil
}

// Transition moves a verification from one of the from statuses to to, applying set to the
// row first (set may be nil). It returns ErrConflict when the verification is in another status.
func (tx *Tx) Transition(ctx context.Context, sc Scope, id string, from []models.Status, to models.Status, set func(v *models.Verification) []string) (*models.Verification, error) {
	v, err := tx.LockVerification(ctx, sc, id)
	if err != nil {
		return nil, err
	}
	allowed := false
	for _, f := range from {
		if v.Status == f {
			allowed = true
		}
	}
	if !allowed {
		return v, fmt.Errorf("verification is %s: %w", v.Status, ErrConflict)
	}
	cols := []string{"status", "updated_at"}
	if set != nil {
		cols = append(cols, set(v)...)
	}
	v.Status = to
	v.UpdatedAt = tx.store.Now()
	res, err := tx.NewUpdate().Model(v).Column(cols...).WherePK().Where("status IN (?)", bun.List(from)).Exec(ctx)
	if err != nil {
		return nil, fmt.Errorf("update verification: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return nil, fmt.Errorf("verification changed concurrently: %w", ErrConflict)
	}
	return v, nil
}

// GetVerification reads one verification in the scope.
func (s *Store) GetVerification(ctx context.Context, sc Scope, id string) (*models.Verification, error) {
	v := new(models.Verification)
	err := s.DB.NewSelect().Model(v).Where("id = ?", id).Where("account_id = ?", sc.AccountID).Where("mode = ?", sc.Mode).Scan(ctx)
	if err != nil {
		return nil, notFound(err, "verification")
	}
	return v, nil
}

// GetVerificationByToken finds the verification a hosted-flow session token belongs to.
func (s *Store) GetVerificationByToken(ctx context.Context, token string) (*models.Verification, error) {
	v := new(models.Verification)
	if err := s.DB.NewSelect().Model(v).Where("token_hash = ?", HashSecret(token)).Scan(ctx); err != nil {
		return nil, notFound(err, "verification")
	}
	return v, nil
}

// VerificationFilter selects verifications for ListVerifications.
type VerificationFilter struct {
	Scope
	Statuses      []models.Status
	ExternalRef   string
	ApplicantID   string
	CreatedAfter  *time.Time
	CreatedBefore *time.Time
	// Before is the cursor: only ids strictly less (older) than it.
	Before string
	Limit  int
}

// ListVerifications lists newest first. It returns up to Limit rows and whether more exist.
func (s *Store) ListVerifications(ctx context.Context, f VerificationFilter) ([]models.Verification, bool, error) {
	var rows []models.Verification
	q := s.DB.NewSelect().Model(&rows).Where("account_id = ?", f.AccountID).Where("mode = ?", f.Mode)
	if len(f.Statuses) > 0 {
		q = q.Where("status IN (?)", bun.List(f.Statuses))
	}
	if f.ExternalRef != "" {
		q = q.Where("external_ref = ?", f.ExternalRef)
	}
	if f.ApplicantID != "" {
		q = q.Where("applicant_id = ?", f.ApplicantID)
	}
	if f.CreatedAfter != nil {
		q = q.Where("created_at > ?", f.CreatedAfter.UTC())
	}
	if f.CreatedBefore != nil {
		q = q.Where("created_at < ?", f.CreatedBefore.UTC())
	}
	if f.Before != "" {
		q = q.Where("id < ?", f.Before)
	}
	if err := q.Order("id DESC").Limit(int64(f.Limit + 1)).Scan(ctx); err != nil {
		return nil, false, fmt.Errorf("list verifications: %w", err)
	}
	more := len(rows) > f.Limit
	if more {
		rows = rows[:f.Limit]
	}
	return rows, more, nil
}

// DueForExpiry returns up to limit verifications still open after their expiry time.
func (s *Store) DueForExpiry(ctx context.Context, now time.Time, limit int) ([]models.Verification, error) {
	var rows []models.Verification
	err := s.DB.NewSelect().Model(&rows).Column("id", "account_id", "mode", "expires_at", "session_deadline").
		Where("status IN (?)", bun.List([]models.Status{models.StatusPending, models.StatusInProgress})).
		Where("expires_at <= ?", now.UTC()).Order("expires_at ASC").Limit(int64(limit)).Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("due for expiry: %w", err)
	}
	return rows, nil
}
