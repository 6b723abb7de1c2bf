package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"github.com/kycd/kycd/models"
)

// InsertNFCScan stores a verified chip read, sealing details (the whole result, JSON) and the
// portrait. It fills s.ID (when empty) and CreatedAt.
func (tx *Tx) InsertNFCScan(ctx context.Context, s *models.NFCScan, details any, face []byte) error {
	if s.AccountID == "" || s.Mode == "" || s.ActiveAuth == "" {
		return errors.New("insert nfc scan: account, mode and active_auth are required")
	}
	keys, owner := tx.store.keys, deref(s.VerificationID)
	var err error
	if s.Details, err = keys.SealJSONFor(owner, details); err != nil {
		return fmt.Errorf("seal nfc scan: %w", err)
	}
	if len(face) > 0 {
		if s.Face, err = keys.SealFor(owner, face); err != nil {
			return fmt.Errorf("seal nfc face: %w", err)
		}
	}
	if s.CreatedAt.IsZero() {
		s.CreatedAt = tx.store.Now()
	}
	if s.ID == "" {
		s.ID = NewID("nfc", s.CreatedAt)
	}
	if _, err := tx.NewInsert().Model(s).Exec(ctx); err != nil {
		return fmt.Errorf("insert nfc scan: %w", err)
	}
	return nil
}

// GetNFCScan reads a scan in the scope.
func (s *Store) GetNFCScan(ctx context.Context, sc Scope, id string) (*models.NFCScan, error) {
	r := new(models.NFCScan)
	err := s.DB.NewSelect().Model(r).Where("id = ?", id).Where("account_id = ?", sc.AccountID).Where("mode = ?", sc.Mode).Scan(ctx)
	if err != nil {
		return nil, notFound(err, "nfc scan")
	}
	return r, nil
}

// LatestNFCScan returns the newest scan attached to a verification.
func (s *Store) LatestNFCScan(ctx context.Context, sc Scope, verificationID string) (*models.NFCScan, error) {
	r := new(models.NFCScan)
	err := s.DB.NewSelect().Model(r).Where("verification_id = ?", verificationID).Where("account_id = ?", sc.AccountID).
		Where("mode = ?", sc.Mode).Order("id DESC").Limit(1).Scan(ctx)
	if err != nil {
		return nil, notFound(err, "nfc scan")
	}
	return r, nil
}

// NFCScanFilter selects scans for ListNFCScans.
type NFCScanFilter struct {
	Scope
	VerificationID string
	// Before is the cursor: only ids strictly less (older) than it.
	Before string
	Limit  int
}

// ListNFCScans lists newest first: up to Limit rows and whether more exist.
func (s *Store) ListNFCScans(ctx context.Context, f NFCScanFilter) ([]models.NFCScan, bool, error) {
	var rows []models.NFCScan
	q := s.DB.NewSelect().Model(&rows).Where("account_id = ?", f.AccountID).Where("mode = ?", f.Mode)
	if f.VerificationID != "" {
		q = q.Where("verification_id = ?", f.VerificationID)
	}
	if f.Before != "" {
		q = q.Where("id < ?", f.Before)
	}
	if err := q.Order("id DESC").Limit(int64(f.Limit + 1)).Scan(ctx); err != nil {
		return nil, false, fmt.Errorf("list nfc scans: %w", err)
	}
	more := len(rows) > f.Limit
	if more {
		rows = rows[:f.Limit]
	}
	return rows, more, nil
}

// AttachNFCScan binds a scan to a verification. A scan belongs to one verification: attaching
// it to another is ErrConflict; attaching it again to the same one is a no-op.
func (tx *Tx) AttachNFCScan(ctx context.Context, sc Scope, scanID, verificationID string) error {
	res, err := tx.NewUpdate().Model((*models.NFCScan)(nil)).Set("verification_id = ?", verificationID).
		Where("id = ?", scanID).Where("account_id = ?", sc.AccountID).Where("mode = ?", sc.Mode).
		Where("(verification_id IS NULL OR verification_id = ?)", verificationID).Exec(ctx)
	if err != nil {
		return fmt.Errorf("attach nfc scan: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 1 {
		return nil
	}
	r := new(models.NFCScan)
	if err := tx.NewSelect().Model(r).Column("id", "verification_id").Where("id = ?", scanID).
		Where("account_id = ?", sc.AccountID).Where("mode = ?", sc.Mode).Scan(ctx); err != nil {
		return notFound(err, "nfc scan")
	}
	return fmt.Errorf("nfc scan %s is attached to verification %s: %w", scanID, *r.VerificationID, ErrConflict)
}

// NFCScanDetails decrypts a scan's result into dst; false when it has none (erased).
func (s *Store) NFCScanDetails(r *models.NFCScan, dst any) (bool, error) {
	if r.Details == nil {
		return false, nil
	}
	if err := s.keys.OpenJSON(r.Details, dst); err != nil {
		return false, fmt.Errorf("open nfc scan %s: %w", r.ID, err)
	}
	return true, nil
}

// NFCScanFace decrypts a scan's portrait (nil when it has none).
func (s *Store) NFCScanFace(r *models.NFCScan) ([]byte, error) {
	if r.Face == nil {
		return nil, nil
	}
	b, err := s.keys.Open(r.Face)
	if err != nil {
		return nil, fmt.Errorf("open nfc face %s: %w", r.ID, err)
	}
	return b, nil
}

// EraseNFCScans clears the sealed personal data (result with the MRZ, portrait) of the scans
// attached to the verifications; the verdict flags stay for the audit trail.
func (tx *Tx) EraseNFCScans(ctx context.Context, sc Scope, verificationIDs []string) (int, error) {
	if len(verificationIDs) == 0 {
		return 0, nil
	}
	res, err := tx.NewUpdate().Model((*models.NFCScan)(nil)).Set("details = NULL").Set("face = NULL").
		Where("account_id = ?", sc.AccountID).Where("mode = ?", sc.Mode).
		Where("verification_id IN (?)", bun.List(verificationIDs)).Exec(ctx)
	if err != nil {
		return 0, fmt.Errorf("erase nfc scans: %w", err)
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}

// InsertNFCChallenge stores a new Active Authentication challenge, filling ID and CreatedAt.
func (s *Store) InsertNFCChallenge(ctx context.Context, c *models.NFCChallenge) error {
	if len(c.Nonce) != 16 {
		return errors.New("insert nfc challenge: the nonce must be 8 bytes (16 hex digits)")
	}
	if c.CreatedAt.IsZero() {
		c.CreatedAt = s.Now()
	}
	c.ID = NewID("nch", c.CreatedAt)
	if _, err := s.DB.NewInsert().Model(c).Exec(ctx); err != nil {
		return fmt.Errorf("insert nfc challenge: %w", err)
	}
	return nil
}

// NFC challenge use errors: a challenge answers once, before its deadline.
var (
	ErrNFCChallengeUsed    = errors.New("nfc challenge already used")
	ErrNFCChallengeExpired = errors.New("nfc challenge expired")
)

// UseNFCChallenge spends a challenge for the scan scanID at now and returns it. It succeeds
// once: a second use is ErrNFCChallengeUsed, a use at or after the deadline
// ErrNFCChallengeExpired. The check and the mark are one conditional UPDATE.
func (tx *Tx) UseNFCChallenge(ctx context.Context, sc Scope, id, scanID string, now time.Time) (*models.NFCChallenge, error) {
	res, err := tx.NewUpdate().Model((*models.NFCChallenge)(nil)).Set("used_at = ?", now.UTC()).Set("scan_id = ?", scanID).
		Where("id = ?", id).Where("account_id = ?", sc.AccountID).Where("mode = ?", sc.Mode).
		Where("used_at IS NULL").Where("expires_at > ?", now.UTC()).Exec(ctx)
	if err != nil {
		return nil, fmt.Errorf("use nfc challenge: %w", err)
	}
	n, _ := res.RowsAffected()
	c := new(models.NFCChallenge)
	if err := tx.NewSelect().Model(c).Where("id = ?", id).Where("account_id = ?", sc.AccountID).
		Where("mode = ?", sc.Mode).Scan(ctx); err != nil {
		return nil, notFound(err, "nfc challenge")
	}
	switch {
	case n == 1:
		return c, nil
	case c.UsedAt != nil:
		return c, ErrNFCChallengeUsed
	default:
		return c, ErrNFCChallengeExpired
	}
}

// InsertCSCACertificates adds trust anchors; ones already present (same DER) are kept as
// they are. It returns how many were new.
func (s *Store) InsertCSCACertificates(ctx context.Context, certs []models.CSCACertificate) (int, error) {
	added := 0
	err := s.InTx(ctx, func(ctx context.Context, tx *Tx) error {
		now := s.Now()
		for i := range certs {
			c := &certs[i]
			if c.ImportedAt.IsZero() {
				c.ImportedAt = now
			}
			res, err := tx.NewInsert().Model(c).On("CONFLICT (id) DO NOTHING").Exec(ctx)
			if err != nil {
				return fmt.Errorf("insert csca %s: %w", c.Subject, err)
			}
			if n, _ := res.RowsAffected(); n == 1 {
				added++
			}
		}
		return nil
	})
	return added, err
}

// InsertCSCARevocationList adds a CRL; false when the same DER is already stored.
func (s *Store) InsertCSCARevocationList(ctx context.Context, c *models.CSCARevocationList) (bool, error) {
	if c.ImportedAt.IsZero() {
		c.ImportedAt = s.Now()
	}
	res, err := s.DB.NewInsert().Model(c).On("CONFLICT (id) DO NOTHING").Exec(ctx)
	if err != nil {
		return false, fmt.Errorf("insert csca crl: %w", err)
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// CSCACertificates lists every stored trust anchor, by country and subject.
func (s *Store) CSCACertificates(ctx context.Context) ([]models.CSCACertificate, error) {
	var rows []models.CSCACertificate
	if err := s.DB.NewSelect().Model(&rows).Order("country", "subject", "id").Scan(ctx); err != nil {
		return nil, fmt.Errorf("list csca certificates: %w", err)
	}
	return rows, nil
}

// CSCARevocationLists lists every stored CRL.
func (s *Store) CSCARevocationLists(ctx context.Context) ([]models.CSCARevocationList, error) {
	var rows []models.CSCARevocationList
	if err := s.DB.NewSelect().Model(&rows).Order("id").Scan(ctx); err != nil {
		return nil, fmt.Errorf("list csca crls: %w", err)
	}
	return rows, nil
}

// TrustStoreVersion changes whenever a certificate or CRL is added: rows are only ever
// inserted, so the counts and the newest import time identify the content.
func (s *Store) TrustStoreVersion(ctx context.Context) (string, error) {
	var certs, crls int
	var last1, last2 sql.NullString
	if err := s.DB.NewSelect().Model((*models.CSCACertificate)(nil)).ColumnExpr("count(*)").
		ColumnExpr("CAST(max(imported_at) AS TEXT)").Scan(ctx, &certs, &last1); err != nil {
		return "", fmt.Errorf("trust store version: %w", err)
	}
	if err := s.DB.NewSelect().Model((*models.CSCARevocationList)(nil)).ColumnExpr("count(*)").
		ColumnExpr("CAST(max(imported_at) AS TEXT)").Scan(ctx, &crls, &last2); err != nil {
		return "", fmt.Errorf("trust store version: %w", err)
	}
	return fmt.Sprintf("%d/%d/%s/%s", certs, crls, last1.String, last2.String), nil
}

// GetNFCChallenge reads a challenge by id in the scope.
func (s *Store) GetNFCChallenge(ctx context.Context, sc Scope, id string) (*models.NFCChallenge, error) {
	c := new(models.NFCChallenge)
	err := s.DB.NewSelect().Model(c).Where("id = ?", id).Where("account_id = ?", sc.AccountID).Where("mode = ?", sc.Mode).Scan(ctx)
	if err != nil {
		return nil, notFound(err, "nfc challenge")
	}
	return c, nil
}
