package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/uptrace/bun"

	"github.com/kycd/kycd/models"
)

// PutScreeningList stores a list version as the current one for its source.
func (s *Store) PutScreeningList(ctx context.Context, l *models.ScreeningList) error {
	_, err := s.DB.NewInsert().Model(l).
		On("CONFLICT (source) DO UPDATE").
		Set("sha256 = EXCLUDED.sha256, entities = EXCLUDED.entities, loaded_at = EXCLUDED.loaded_at, fetched_at = EXCLUDED.fetched_at, origin = EXCLUDED.origin, data = EXCLUDED.data").
		Exec(ctx)
	if err != nil {
		return fmt.Errorf("store screening list %s: %w", l.Source, err)
	}
	return nil
}

// ScreeningListVersions lists the current versions without their data (cheap to poll).
func (s *Store) ScreeningListVersions(ctx context.Context) ([]models.ScreeningList, error) {
	var rows []models.ScreeningList
	err := s.DB.NewSelect().Model(&rows).Column("source", "sha256", "entities", "loaded_at", "fetched_at", "origin").Order("source").Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("screening list versions: %w", err)
	}
	return rows, nil
}

// GetScreeningList reads one list with its data.
func (s *Store) GetScreeningList(ctx context.Context, source string) (*models.ScreeningList, error) {
	l := new(models.ScreeningList)
	if err := s.DB.NewSelect().Model(l).Where("source = ?", source).Scan(ctx); err != nil {
		return nil, notFound(err, "screening list "+source)
	}
	return l, nil
}

// InsertScreeningDecision appends an analyst's verdict. The reason is sealed here, so no caller
// can store it in the clear by mistake; ID and DecidedAt are filled when empty.
func (s *Store) InsertScreeningDecision(ctx context.Context, d *models.ScreeningDecision, reason string) error {
	if d.DecidedAt.IsZero() {
		d.DecidedAt = s.Now()
	}
	if d.ID == "" {
		d.ID = NewID("sdc", d.DecidedAt)
	}
	// A verdict on an applicant of the scope (by id or external_ref) is sealed with the
	// applicant's data key, so its reason is shredded with the applicant; others (a subject
	// screened with screen_person alone) with the keyring.
	var owner string
	err := s.DB.NewSelect().Model((*models.Applicant)(nil)).Column("id").Where("account_id = ?", d.AccountID).
		Where("mode = ?", d.Mode).Where("deleted_at IS NULL").
		WhereGroup(" AND ", func(q *bun.SelectQuery) *bun.SelectQuery {
			return q.Where("id = ?", d.SubjectRef).WhereOr("external_ref = ?", d.SubjectRef)
		}).Limit(1).Scan(ctx, &owner)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("subject of decision: %w", err)
	}
	sealed, err := s.keys.SealFor(owner, []byte(reason))
	if err != nil {
		return fmt.Errorf("seal decision reason: %w", err)
	}
	d.ReasonSealed = sealed
	// The listed entity's name is public, but a verdict ties it to the person screened (a
	// match names them): the stored copy is sealed too, d keeps it readable.
	stored := *d
	if stored.EntityName, err = s.keys.SealText(owner, d.EntityName); err != nil {
		return fmt.Errorf("seal decision entity: %w", err)
	}
	if _, err := s.DB.NewInsert().Model(&stored).Exec(ctx); err != nil {
		return fmt.Errorf("insert screening decision: %w", err)
	}
	return nil
}

// ScreeningDecisions returns the current verdict per listed entity for a subject known under
// any of refs (an applicant is known by its id and by the integrator's external_ref): the newest
// row per (source, source_id) across all of them.
func (s *Store) ScreeningDecisions(ctx context.Context, sc Scope, refs []string) ([]models.ScreeningDecision, error) {
	if len(refs) == 0 {
		return nil, nil
	}
	var rows []models.ScreeningDecision
	err := s.DB.NewSelect().Model(&rows).Where("account_id = ?", sc.AccountID).Where("mode = ?", sc.Mode).
		Where("subject_ref IN (?)", bun.List(refs)).Order("id DESC").Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("screening decisions: %w", err)
	}
	seen := map[[2]string]bool{}
	out := rows[:0]
	for _, r := range rows {
		k := [2]string{r.Source, r.SourceID}
		if seen[k] {
			continue
		}
		seen[k] = true
		name, err := s.keys.OpenText(r.EntityName)
		if errors.Is(err, ErrShredded) {
			name, err = "", nil // erased with its applicant
		}
		if err != nil {
			return nil, fmt.Errorf("open decision entity: %w", err)
		}
		r.EntityName = name
		out = append(out, r)
	}
	return out, nil
}

// OpenDecisionReason unseals a decision's reason.
func (s *Store) OpenDecisionReason(d *models.ScreeningDecision) (string, error) {
	b, err := s.keys.Open(d.ReasonSealed)
	if errors.Is(err, ErrShredded) {
		return "", nil // erased with its applicant
	}
	if err != nil {
		return "", fmt.Errorf("open decision reason: %w", err)
	}
	return string(b), nil
}

// MonitoredVerifications pages through the verifications ongoing screening covers, across
// every account and mode: for each applicant after the cursor (an applicant id), its latest
// decided verification when that one ran the screening check and is approved or needs_review
// (a rejected applicant is no longer a customer to monitor). It reads one page of applicants
// and their decided verifications with two index lookups rather than a correlated subquery,
// which query planners get badly wrong on freshly loaded tables. next is the cursor for the
// following page, "" after the last one.
func (s *Store) MonitoredVerifications(ctx context.Context, after string, limit int) (out []models.Verification, next string, err error) {
	var ids []string
	err = s.DB.NewSelect().Model((*models.Applicant)(nil)).Column("id").Where("id > ?", after).
		Where("deleted_at IS NULL"). // an erased applicant is no longer monitored (delete_applicant)
		Order("id ASC").Limit(int64(limit)).Scan(ctx, &ids)
	if err != nil {
		return nil, "", fmt.Errorf("monitored applicants: %w", err)
	}
	if len(ids) == 0 {
		return nil, "", nil
	}
	var rows []models.Verification
	decided := []models.Status{models.StatusApproved, models.StatusNeedsReview, models.StatusRejected}
	err = s.DB.NewSelect().Model(&rows).Where("applicant_id IN (?)", bun.List(ids)).Where("status IN (?)", bun.List(decided)).
		Order("applicant_id ASC", "id ASC").Scan(ctx)
	if err != nil {
		return nil, "", fmt.Errorf("monitored verifications: %w", err)
	}
	for i := range rows {
		v := &rows[i]
		if i+1 < len(rows) && rows[i+1].ApplicantID == v.ApplicantID {
			continue // not the applicant's latest decided verification
		}
		if (v.Status == models.StatusApproved || v.Status == models.StatusNeedsReview) && strings.Contains(v.Checks, `"screening"`) {
			out = append(out, *v)
		}
	}
	if len(ids) == limit {
		next = ids[len(ids)-1]
	}
	return out, next, nil
}

// InsertScreeningAlert records a monitoring hit and reports whether it is new: a hit already
// recorded for the applicant on the same entity data is not inserted again.
func (tx *Tx) InsertScreeningAlert(ctx context.Context, a *models.ScreeningAlert) (bool, error) {
	if a.CreatedAt.IsZero() {
		a.CreatedAt = tx.store.Now()
	}
	if a.ID == "" {
		a.ID = NewID("sal", a.CreatedAt)
	}
	res, err := tx.NewInsert().Model(a).
		On("CONFLICT (account_id, mode, applicant_id, source, source_id, fingerprint) DO NOTHING").Exec(ctx)
	if err != nil {
		return false, fmt.Errorf("insert screening alert: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("insert screening alert: %w", err)
	}
	return n == 1, nil
}

// ScreeningAlerts lists the monitoring hits raised for an applicant, oldest first.
func (s *Store) ScreeningAlerts(ctx context.Context, sc Scope, applicantID string) ([]models.ScreeningAlert, error) {
	var rows []models.ScreeningAlert
	err := s.DB.NewSelect().Model(&rows).Where("account_id = ?", sc.AccountID).Where("mode = ?", sc.Mode).
		Where("applicant_id = ?", applicantID).Order("id ASC").Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("screening alerts: %w", err)
	}
	return rows, nil
}

// KeyScreeningPolicy returns a key's strong-hit override ("review", "fail" or "" for the server
// default). A revoked key's override still applies to the verifications it created.
func (s *Store) KeyScreeningPolicy(ctx context.Context, keyID string) (string, error) {
	var policy string
	err := s.DB.NewSelect().Model((*models.APIKey)(nil)).Column("screening_strong_hit").Where("id = ?", keyID).Scan(ctx, &policy)
	if err != nil {
		return "", notFound(err, "api key "+keyID)
	}
	return policy, nil
}

// KeyBiometricThresholds returns a key's face-match and passive-liveness thresholds (0 = the
// server's default). A revoked key's thresholds still apply to the verifications it created.
func (s *Store) KeyBiometricThresholds(ctx context.Context, keyID string) (match, live float64, err error) {
	var k models.APIKey
	err = s.DB.NewSelect().Model(&k).Column("face_match_threshold", "liveness_threshold").Where("id = ?", keyID).Scan(ctx)
	if err != nil {
		return 0, 0, notFound(err, "api key "+keyID)
	}
	return k.FaceMatchThreshold, k.LivenessThreshold, nil
}

// KeyDocumentTypes returns the document types a key's verifications accept (nil = any).
func (s *Store) KeyDocumentTypes(ctx context.Context, keyID string) ([]string, error) {
	return s.keyList(ctx, keyID, "document_types")
}

// KeyHighRiskJurisdictions returns the high-risk jurisdictions a key set for its business
// checks (nil = the server's list; ["none"] = none).
func (s *Store) KeyHighRiskJurisdictions(ctx context.Context, keyID string) ([]string, error) {
	return s.keyList(ctx, keyID, "high_risk_jurisdictions")
}

// KeyEmbedOrigins returns the origins a key allows to frame its hosted flow.
func (s *Store) KeyEmbedOrigins(ctx context.Context, keyID string) ([]string, error) {
	return s.keyList(ctx, keyID, "embed_origins")
}

// keyList reads one comma-separated list column of a key (nil when empty).
func (s *Store) keyList(ctx context.Context, keyID, column string) ([]string, error) {
	var list string
	if err := s.DB.NewSelect().Model((*models.APIKey)(nil)).Column(column).Where("id = ?", keyID).Scan(ctx, &list); err != nil {
		return nil, notFound(err, "api key "+keyID)
	}
	if list == "" {
		return nil, nil
	}
	return strings.Split(list, ","), nil
}
