package db

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/uptrace/bun"

	"github.com/kycd/kycd/models"
)

// ErrNotFound means no row matched within the caller's account and mode.
var ErrNotFound = errors.New("not found")

// ErrConflict means the row is not in a state that allows the change.
var ErrConflict = errors.New("state conflict")

// ErrReferenceTaken means a new verification drew a reference another one has.
var ErrReferenceTaken = errors.New("verification reference taken")

// referenceTaken tells whether err is the unique violation of verifications.reference.
func referenceTaken(err error) bool {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.Code == "23505" && pgErr.ConstraintName == "verifications_reference_key"
	}
	return strings.Contains(err.Error(), "UNIQUE constraint failed: verifications.reference")
}

// Scope limits a read or write to one account and mode. Every query that takes an
// object id also takes a Scope, so an id from another account or mode is simply not found.
type Scope struct {
	AccountID string
	Mode      models.Mode
}

func notFound(err error, what string) error {
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("%s: %w", what, ErrNotFound)
	}
	return fmt.Errorf("%s: %w", what, err)
}

// EnsureAccount creates the account when it does not exist yet.
func (s *Store) EnsureAccount(ctx context.Context, id, name string) error {
	a := &models.Account{ID: id, Name: name, CreatedAt: s.Now()}
	_, err := s.DB.NewInsert().Model(a).On("CONFLICT (id) DO NOTHING").Exec(ctx)
	if err != nil {
		return fmt.Errorf("ensure account: %w", err)
	}
	return nil
}

// NewKey describes an API key to create.
type NewKey struct {
	AccountID string
	Name      string
	Mode      models.Mode
	Scopes    []string
	Checks    []string
	RateLimit int
	// ScreeningStrongHit overrides the server's strong-hit policy for this key: review, fail or "".
	ScreeningStrongHit string
	// FaceMatchThreshold and LivenessThreshold override the server's (0 = its default).
	FaceMatchThreshold, LivenessThreshold float64
	// EmbedOrigins may frame this key's hosted flow (https://shop.example.com), besides the
	// server's allow-list.
	EmbedOrigins []string
	// DocumentCountries (ICAO codes, validated by the caller: tools.ParseKeyDocumentPolicy)
	// and DocumentTypes bound what this key's verifications accept; empty = the server's.
	DocumentCountries []string
	DocumentTypes     []string
}

// CreateAPIKey stores a new key and returns its secret, which is not stored and cannot be shown again.
func (s *Store) CreateAPIKey(ctx context.Context, nk NewKey) (string, *models.APIKey, error) {
	if nk.Mode != models.ModeLive && nk.Mode != models.ModeTest {
		return "", nil, fmt.Errorf("mode: must be live or test, got %q", nk.Mode)
	}
	if strings.TrimSpace(nk.Name) == "" {
		return "", nil, errors.New("name: required")
	}
	if nk.ScreeningStrongHit != "" && nk.ScreeningStrongHit != "review" && nk.ScreeningStrongHit != "fail" {
		return "", nil, fmt.Errorf("screening strong hit: must be review or fail, got %q", nk.ScreeningStrongHit)
	}
	for name, t := range map[string]float64{"face match threshold": nk.FaceMatchThreshold, "liveness threshold": nk.LivenessThreshold} {
		if t < 0 || t >= 1 || t != t {
			return "", nil, fmt.Errorf("%s: must be above 0 and below 1 (0 = the server's default), got %v", name, t)
		}
	}
	origins := make([]string, 0, len(nk.EmbedOrigins))
	for _, o := range nk.EmbedOrigins {
		n, err := NormalizeOrigin(o)
		if err != nil {
			return "", nil, fmt.Errorf("embed origins: %w", err)
		}
		origins = append(origins, n)
	}
	for _, t := range nk.DocumentTypes {
		if !slices.Contains(models.AllDocumentTypes, models.DocumentType(t)) {
			return "", nil, fmt.Errorf("document types: %q is not one of %v", t, models.AllDocumentTypes)
		}
	}
	if err := s.EnsureAccount(ctx, nk.AccountID, nk.AccountID); err != nil {
		return "", nil, err
	}
	secret := "sk_" + string(nk.Mode) + "_" + RandomBase62(32)
	scopes, _ := json.Marshal(nonNil(nk.Scopes))
	checks, _ := json.Marshal(nonNil(nk.Checks))
	k := &models.APIKey{
		ID:        NewID("key", s.Now()),
		AccountID: nk.AccountID,
		Name:      nk.Name,
		Mode:      nk.Mode,
		Prefix:    secret[:12],
		Hash:      HashSecret(secret),
		Scopes:    string(scopes),
		Checks:    string(checks),
		RateLimit: nk.RateLimit,
		CreatedAt: s.Now(),
	}
	k.ScreeningStrongHit = nk.ScreeningStrongHit // "" = the server default
	k.FaceMatchThreshold, k.LivenessThreshold = nk.FaceMatchThreshold, nk.LivenessThreshold
	k.EmbedOrigins = strings.Join(origins, ",")
	k.DocumentCountries, k.DocumentTypes = strings.Join(nk.DocumentCountries, ","), strings.Join(nk.DocumentTypes, ",")
	if _, err := s.DB.NewInsert().Model(k).Exec(ctx); err != nil {
		return "", nil, fmt.Errorf("insert api key: %w", err)
	}
	return secret, k, nil
}

func nonNil(v []string) []string {
	if v == nil {
		return []string{}
	}
	return v
}

// ListAPIKeys lists keys, newest first; accountID "" lists every account's.
func (s *Store) ListAPIKeys(ctx context.Context, accountID string) ([]models.APIKey, error) {
	var keys []models.APIKey
	q := s.DB.NewSelect().Model(&keys).Order("id DESC")
	if accountID != "" {
		q = q.Where("account_id = ?", accountID)
	}
	if err := q.Scan(ctx); err != nil {
		return nil, fmt.Errorf("list api keys: %w", err)
	}
	return keys, nil
}

// RevokeAPIKey revokes a key by id or by its display prefix. Revoking twice is not an error.
// On PostgreSQL the revocation is announced (NOTIFY) to every process caching keys.
func (s *Store) RevokeAPIKey(ctx context.Context, idOrPrefix string) (*models.APIKey, error) {
	k := new(models.APIKey)
	err := s.DB.NewSelect().Model(k).Where("id = ? OR prefix = ?", idOrPrefix, idOrPrefix).Limit(1).Scan(ctx)
	if err != nil {
		return nil, notFound(err, "api key")
	}
	if k.RevokedAt == nil {
		now := s.Now()
		k.RevokedAt = &now
		err := s.InTx(ctx, func(ctx context.Context, tx *Tx) error {
			if _, err := tx.NewUpdate().Model(k).Column("revoked_at").WherePK().Exec(ctx); err != nil {
				return fmt.Errorf("revoke api key: %w", err)
			}
			if s.Dialect == Postgres {
				if _, err := tx.ExecContext(ctx, "SELECT pg_notify(?, ?)", keyCacheChannel, k.Hash); err != nil {
					return fmt.Errorf("announce revocation: %w", err)
				}
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	if s.keyCache != nil {
		s.keyCache.drop(k.Hash)
	}
	return k, nil
}

// LookupAPIKey finds the live (not revoked) key with this secret.
func (s *Store) LookupAPIKey(ctx context.Context, secret string) (*models.APIKey, error) {
	hash := HashSecret(secret)
	var gen uint64
	if s.keyCache != nil {
		var k *models.APIKey
		if k, gen = s.keyCache.get(hash, s.Now()); k != nil {
			return k, nil
		}
	}
	k := new(models.APIKey)
	err := s.DB.NewSelect().Model(k).Where("hash = ?", hash).Where("revoked_at IS NULL").Scan(ctx)
	if err != nil {
		return nil, notFound(err, "api key")
	}
	if s.keyCache != nil {
		s.keyCache.put(hash, k, gen, s.Now())
	}
	return k, nil
}

// FindOrCreateApplicant returns the applicant with this external reference in the scope,
// creating it when absent (or always, when ref is nil). pii is the integrator's data, sealed.
func (tx *Tx) FindOrCreateApplicant(ctx context.Context, sc Scope, ref *string, pii any) (*models.Applicant, error) {
	a, err := tx.store.newApplicant(sc, ref, pii)
	if err != nil {
		return nil, err
	}
	// ON CONFLICT makes concurrent creations with one reference converge on one applicant.
	res, err := tx.NewInsert().Model(a).On("CONFLICT (account_id, mode, external_ref) WHERE external_ref IS NOT NULL DO NOTHING").Exec(ctx)
	if err != nil {
		return nil, fmt.Errorf("insert applicant: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 1 {
		return a, nil
	}
	existing := new(models.Applicant)
	err = tx.NewSelect().Model(existing).Where("account_id = ?", sc.AccountID).Where("mode = ?", sc.Mode).
		Where("external_ref = ?", *ref).Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("find applicant: %w", err)
	}
	return existing, nil
}

// newApplicant is a new applicant row of the scope with the integrator's data pii, sealed.
func (s *Store) newApplicant(sc Scope, ref *string, pii any) (*models.Applicant, error) {
	sealed, err := s.keys.SealJSON(pii)
	if err != nil {
		return nil, fmt.Errorf("seal applicant data: %w", err)
	}
	now := s.Now()
	return &models.Applicant{ID: NewID("app", now), AccountID: sc.AccountID, Mode: sc.Mode, ExternalRef: ref, PII: sealed, CreatedAt: now, UpdatedAt: now}, nil
}

// NewVerification is one verification to create: the row, its first event and the
// integrator's data for a new applicant (nil: none given).
type NewVerification struct {
	V   *models.Verification
	Ev  *models.Event
	PII any
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
	byID := make(map[string]int, len(items))
	for i, it := range items {
		a, err := tx.store.newApplicant(Scope{AccountID: it.V.AccountID, Mode: it.V.Mode}, it.V.ExternalRef, it.PII)
		if err != nil {
			return nil, err
		}
		it.V.ApplicantID = a.ID // the new applicant's id, unless the reference finds one
		it.Ev.Seq = 1           // the verification row is inserted by the same statement
		prepareEvent(tx.store, it.Ev)
		apps[i], vers[i], evs[i] = a, it.V, it.Ev
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
		" RETURNING id, account_id, mode, external_ref)" +
		", v_in AS (SELECT * FROM " + vFrom + ")" +
		", ver AS (INSERT INTO verifications (" + strings.Join(vCols, ", ") + ") SELECT " + strings.Join(vSel, ", ") +
		" FROM v_in LEFT JOIN app new ON new.id = v_in.applicant_id" +
		" LEFT JOIN app old ON old.account_id = v_in.account_id AND old.mode = v_in.mode AND old.external_ref = v_in.external_ref" +
		" RETURNING id, applicant_id, account_id, mode)" +
		", evt AS (INSERT INTO events (" + strings.Join(eCols, ", ") + ") SELECT * FROM " + eFrom + " RETURNING NULL)" +
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
		return fmt.Errorf("insert verification: %w", err)
	}
	return nil
}

// AppendEvent adds an event to its object's timeline with the next sequence number. A caller
// that creates the object in the same transaction sets Seq to 1 and saves the lookup (the
// unique (object_id, seq) index still refuses a wrong claim).
func (tx *Tx) AppendEvent(ctx context.Context, ev *models.Event) error {
	if ev.Seq == 0 {
		var seq int64
		err := tx.NewSelect().Model((*models.Event)(nil)).ColumnExpr("COALESCE(MAX(seq), 0)").
			Where("object_id = ?", ev.ObjectID).Scan(ctx, &seq)
		if err != nil {
			return fmt.Errorf("next event seq: %w", err)
		}
		ev.Seq = seq + 1
	}
	prepareEvent(tx.store, ev)
	if _, err := tx.NewInsert().Model(ev).Exec(ctx); err != nil {
		return fmt.Errorf("insert event: %w", err)
	}
	return nil
}

// prepareEvent fills an event's id, time and empty data.
func prepareEvent(s *Store, ev *models.Event) {
	if ev.CreatedAt.IsZero() {
		ev.CreatedAt = s.Now()
	}
	ev.ID = NewID("evt", ev.CreatedAt)
	if ev.Data == "" {
		ev.Data = "{}"
	}
}

// Transition moves a verification from one of the from statuses to to, applying set to the
// row first (set may be nil). It returns ErrConflict when the verification is in another status.
func (tx *Tx) Transition(ctx context.Context, sc Scope, id string, from []models.Status, to models.Status, set func(v *models.Verification) []string) (*models.Verification, error) {
	v := new(models.Verification)
	q := tx.NewSelect().Model(v).Where("id = ?", id).Where("account_id = ?", sc.AccountID).Where("mode = ?", sc.Mode)
	if tx.store.Dialect == Postgres {
		q = q.For("UPDATE")
	}
	if err := q.Scan(ctx); err != nil {
		return nil, notFound(err, "verification")
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
	res, err := tx.NewUpdate().Model(v).Column(cols...).WherePK().Where("status IN (?)", bun.In(from)).Exec(ctx)
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
		q = q.Where("status IN (?)", bun.In(f.Statuses))
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

// EventFilter selects events for ListEvents.
type EventFilter struct {
	Scope
	ObjectID string
	Types    []string
	// After is the cursor for ascending (timeline) order; Before for descending.
	After, Before string
	// AfterSeq pages an object's timeline (ObjectID set, Ascending) by sequence number.
	AfterSeq  int64
	Since     *time.Time
	Ascending bool
	Limit     int
}

// ListEvents lists events; per object they come in sequence order when Ascending.
func (s *Store) ListEvents(ctx context.Context, f EventFilter) ([]models.Event, bool, error) {
	var rows []models.Event
	q := s.DB.NewSelect().Model(&rows).Where("account_id = ?", f.AccountID).Where("mode = ?", f.Mode)
	if f.ObjectID != "" {
		q = q.Where("object_id = ?", f.ObjectID)
	}
	if len(f.Types) > 0 {
		q = q.Where("type IN (?)", bun.In(f.Types))
	}
	if f.Since != nil {
		q = q.Where("created_at >= ?", f.Since.UTC())
	}
	if f.After != "" {
		q = q.Where("id > ?", f.After)
	}
	if f.Before != "" {
		q = q.Where("id < ?", f.Before)
	}
	if f.AfterSeq > 0 {
		q = q.Where("seq > ?", f.AfterSeq)
	}
	switch {
	case f.Ascending && f.ObjectID != "":
		q = q.Order("seq ASC")
	case f.Ascending:
		q = q.Order("id ASC")
	default:
		q = q.Order("id DESC")
	}
	if err := q.Limit(int64(f.Limit + 1)).Scan(ctx); err != nil {
		return nil, false, fmt.Errorf("list events: %w", err)
	}
	more := len(rows) > f.Limit
	if more {
		rows = rows[:f.Limit]
	}
	return rows, more, nil
}

// GetApplicant reads an applicant by id in the scope.
func (s *Store) GetApplicant(ctx context.Context, sc Scope, id string) (*models.Applicant, error) {
	a := new(models.Applicant)
	err := s.DB.NewSelect().Model(a).Where("id = ?", id).Where("account_id = ?", sc.AccountID).Where("mode = ?", sc.Mode).Scan(ctx)
	if err != nil {
		return nil, notFound(err, "applicant")
	}
	return a, nil
}

// GetApplicantByRef reads an applicant by the integrator's external reference in the scope.
func (s *Store) GetApplicantByRef(ctx context.Context, sc Scope, ref string) (*models.Applicant, error) {
	a := new(models.Applicant)
	err := s.DB.NewSelect().Model(a).Where("external_ref = ?", ref).Where("account_id = ?", sc.AccountID).Where("mode = ?", sc.Mode).Scan(ctx)
	if err != nil {
		return nil, notFound(err, "applicant")
	}
	return a, nil
}

// ListApplicants lists newest first with a cursor (Before = the last id seen).
func (s *Store) ListApplicants(ctx context.Context, sc Scope, before string, limit int) ([]models.Applicant, bool, error) {
	var rows []models.Applicant
	q := s.DB.NewSelect().Model(&rows).Where("account_id = ?", sc.AccountID).Where("mode = ?", sc.Mode)
	if before != "" {
		q = q.Where("id < ?", before)
	}
	if err := q.Order("id DESC").Limit(int64(limit + 1)).Scan(ctx); err != nil {
		return nil, false, fmt.Errorf("list applicants: %w", err)
	}
	more := len(rows) > limit
	if more {
		rows = rows[:limit]
	}
	return rows, more, nil
}

// UpdateApplicantProfile stores the profile as last verified (sealed).
func (tx *Tx) UpdateApplicantProfile(ctx context.Context, applicantID string, profile any) error {
	sealed, err := tx.store.keys.SealJSON(profile)
	if err != nil {
		return fmt.Errorf("seal profile: %w", err)
	}
	_, err = tx.NewUpdate().Model((*models.Applicant)(nil)).Set("profile = ?", sealed).Set("updated_at = ?", tx.store.Now()).
		Where("id = ?", applicantID).Exec(ctx)
	if err != nil {
		return fmt.Errorf("update applicant profile: %w", err)
	}
	return nil
}

// DueForExpiry returns up to limit verifications still open after their expiry time.
func (s *Store) DueForExpiry(ctx context.Context, now time.Time, limit int) ([]models.Verification, error) {
	var rows []models.Verification
	err := s.DB.NewSelect().Model(&rows).Column("id", "account_id", "mode").
		Where("status IN (?)", bun.In([]models.Status{models.StatusPending, models.StatusInProgress})).
		Where("expires_at <= ?", now.UTC()).Order("expires_at ASC").Limit(int64(limit)).Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("due for expiry: %w", err)
	}
	return rows, nil
}

// NormalizeOrigin checks that o is a web origin (scheme://host[:port], http or https, no
// path, query or wildcard) and returns it lower-cased: the form CSP frame-ancestors and
// postMessage target origins need.
func NormalizeOrigin(o string) (string, error) {
	u, err := url.Parse(strings.TrimSpace(o))
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil ||
		(u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" || strings.ContainsAny(u.Host, "*' ;,") {
		return "", fmt.Errorf("%q is not an origin like https://shop.example.com", o)
	}
	return u.Scheme + "://" + strings.ToLower(u.Host), nil
}
