package db

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"github.com/kycd/kycd/models"
)

// ErrPurged means an artifact's image was deleted by retention; its metadata remains.
var ErrPurged = errors.New("image purged")

// InsertArtifact stores an uploaded image of a verification, sealing the bytes (and the
// analysis, when not nil, as JSON). It fills a's ID, SHA256, Size and CreatedAt.
func (tx *Tx) InsertArtifact(ctx context.Context, a *models.Artifact, image []byte, analysis any) error {
	if len(image) == 0 {
		return errors.New("insert artifact: empty image")
	}
	if a.VerificationID == "" || a.Kind == "" || a.ContentType == "" {
		return errors.New("insert artifact: verification, kind and content type are required")
	}
	s := tx.store
	sealed, err := s.keys.SealFor(a.VerificationID, image)
	if err != nil {
		return fmt.Errorf("seal artifact: %w", err)
	}
	a.Data = sealed
	if analysis != nil {
		if a.Analysis, err = s.keys.SealJSONFor(a.VerificationID, analysis); err != nil {
			return fmt.Errorf("seal artifact analysis: %w", err)
		}
	}
	sum := sha256.Sum256(image)
	a.SHA256, a.Size = hex.EncodeToString(sum[:]), len(image)
	if a.CreatedAt.IsZero() {
		a.CreatedAt = s.Now()
	}
	a.ID = NewID("art", a.CreatedAt)
	if _, err := tx.NewInsert().Model(a).Exec(ctx); err != nil {
		return fmt.Errorf("insert artifact: %w", err)
	}
	return nil
}

// LatestArtifact returns the newest artifact of a kind of one verification (sealed columns
// included; open them with ArtifactImage / ArtifactAnalysis).
func (s *Store) LatestArtifact(ctx context.Context, sc Scope, verificationID string, kind models.ArtifactKind) (*models.Artifact, error) {
	return latestArtifact(ctx, s.DB, sc, verificationID, kind)
}

// LatestArtifact is Store.LatestArtifact inside the transaction (on SQLite the store's
// single connection is the transaction's while it is open).
func (tx *Tx) LatestArtifact(ctx context.Context, sc Scope, verificationID string, kind models.ArtifactKind) (*models.Artifact, error) {
	return latestArtifact(ctx, tx.Tx, sc, verificationID, kind)
}

func latestArtifact(ctx context.Context, idb bun.IDB, sc Scope, verificationID string, kind models.ArtifactKind) (*models.Artifact, error) {
	a := new(models.Artifact)
	err := idb.NewSelect().Model(a).Where("verification_id = ?", verificationID).Where("kind = ?", kind).
		Where("account_id = ?", sc.AccountID).Where("mode = ?", sc.Mode).Order("id DESC").Limit(1).Scan(ctx)
	if err != nil {
		return nil, notFound(err, string(kind))
	}
	return a, nil
}

// GetArtifact reads one artifact by id in the scope.
func (s *Store) GetArtifact(ctx context.Context, sc Scope, id string) (*models.Artifact, error) {
	a := new(models.Artifact)
	err := s.DB.NewSelect().Model(a).Where("id = ?", id).Where("account_id = ?", sc.AccountID).Where("mode = ?", sc.Mode).Scan(ctx)
	if err != nil {
		return nil, notFound(err, "artifact")
	}
	return a, nil
}

// ListArtifacts lists a verification's artifacts in upload order, without the sealed columns.
func (s *Store) ListArtifacts(ctx context.Context, sc Scope, verificationID string) ([]models.Artifact, error) {
	var rows []models.Artifact
	err := s.DB.NewSelect().Model(&rows).ExcludeColumn("data", "analysis").Where("verification_id = ?", verificationID).
		Where("account_id = ?", sc.AccountID).Where("mode = ?", sc.Mode).Order("id ASC").Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("list artifacts: %w", err)
	}
	return rows, nil
}

// ArtifactFrames returns the frames of one liveness challenge in capture order.
func (s *Store) ArtifactFrames(ctx context.Context, sc Scope, challengeID string) ([]models.Artifact, error) {
	var rows []models.Artifact
	err := s.DB.NewSelect().Model(&rows).Where("challenge_id = ?", challengeID).Where("kind = ?", models.ArtifactLivenessFrame).
		Where("account_id = ?", sc.AccountID).Where("mode = ?", sc.Mode).Order("seq ASC").Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("list liveness frames: %w", err)
	}
	return rows, nil
}

// ArtifactImage decrypts an artifact's image.
func (s *Store) ArtifactImage(a *models.Artifact) ([]byte, error) {
	if a.Data == nil {
		return nil, fmt.Errorf("artifact %s: %w", a.ID, ErrPurged)
	}
	b, err := s.keys.Open(a.Data)
	if err != nil {
		return nil, fmt.Errorf("open artifact %s: %w", a.ID, err)
	}
	return b, nil
}

// ArtifactAnalysis decrypts an artifact's analysis into dst; false when it has none yet.
func (s *Store) ArtifactAnalysis(a *models.Artifact, dst any) (bool, error) {
	if a.Analysis == nil {
		return false, nil
	}
	if err := s.keys.OpenJSON(a.Analysis, dst); err != nil {
		return false, fmt.Errorf("open analysis of artifact %s: %w", a.ID, err)
	}
	return true, nil
}

// SetArtifactAnalysis stores (sealed) the analysis of an artifact. An artifact whose image is
// gone (purged, or erased with its applicant) takes no analysis: a job that read the image
// before an erasure cannot write the reading back after it (ErrNotFound).
func (s *Store) SetArtifactAnalysis(ctx context.Context, sc Scope, id string, analysis any) error {
	var owner string
	err := s.DB.NewSelect().Model((*models.Artifact)(nil)).Column("verification_id").Where("id = ?", id).
		Where("account_id = ?", sc.AccountID).Where("mode = ?", sc.Mode).Scan(ctx, &owner)
	if err != nil {
		return notFound(err, "artifact")
	}
	sealed, err := s.keys.SealJSONFor(owner, analysis)
	if err != nil {
		return fmt.Errorf("seal artifact analysis: %w", err)
	}
	res, err := s.DB.NewUpdate().Model((*models.Artifact)(nil)).Set("analysis = ?", sealed).Where("id = ?", id).
		Where("account_id = ?", sc.AccountID).Where("mode = ?", sc.Mode).Where("data IS NOT NULL").Exec(ctx)
	if err != nil {
		return fmt.Errorf("update artifact analysis: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return fmt.Errorf("artifact %s: %w", id, ErrNotFound)
	}
	return nil
}

// SeenImage reports the first of the SHA-256 hashes already stored for a kind of artifact
// in the scope, outside the given challenge ("" when none): the same bytes submitted twice
// are a replay, since no two camera frames are bit-identical.
func (s *Store) SeenImage(ctx context.Context, sc Scope, kind models.ArtifactKind, hashes []string, exceptChallenge string) (string, error) {
	if len(hashes) == 0 {
		return "", nil
	}
	var found []string
	err := s.DB.NewSelect().Model((*models.Artifact)(nil)).Column("sha256").Where("account_id = ?", sc.AccountID).
		Where("mode = ?", sc.Mode).Where("kind = ?", kind).Where("sha256 IN (?)", bun.List(hashes)).
		Where("challenge_id <> ?", exceptChallenge).Limit(1).Scan(ctx, &found)
	if err != nil {
		return "", fmt.Errorf("look up image hashes: %w", err)
	}
	if len(found) == 0 {
		return "", nil
	}
	return found[0], nil
}

// retainedStatuses are the statuses whose images retention never purges: a verification still
// being worked on, or waiting for a reviewer who needs to see them.
var retainedStatuses = []models.Status{models.StatusPending, models.StatusInProgress, models.StatusProcessing, models.StatusNeedsReview}

// PurgeImages deletes the images (not their metadata, hash or analysis) of verifications that
// ended — approved, rejected, expired or cancelled — with their last change before cutoff,
// in batches, and returns how many images went. Readers of a purged image get ErrPurged.
func (s *Store) PurgeImages(ctx context.Context, cutoff time.Time) (int64, error) {
	var total int64
	for {
		ended := s.DB.NewSelect().Model((*models.Verification)(nil)).Column("id").
			Where("status NOT IN (?)", bun.List(retainedStatuses)).Where("updated_at < ?", cutoff.UTC())
		batch := s.DB.NewSelect().Model((*models.Artifact)(nil)).Column("id").
			Where("data IS NOT NULL").Where("verification_id IN (?)", ended).Limit(500)
		res, err := s.DB.NewUpdate().Model((*models.Artifact)(nil)).Set("data = NULL").Set("purged_at = ?", s.Now()).
			Where("id IN (?)", batch).Exec(ctx)
		if err != nil {
			return total, fmt.Errorf("purge images: %w", err)
		}
		n, _ := res.RowsAffected()
		total += n
		if n < 500 {
			return total, nil
		}
	}
}
