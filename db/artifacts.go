package db

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
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
	sealed, err := s.keys.Seal(image)
	if err != nil {
		return fmt.Errorf("seal artifact: %w", err)
	}
	a.Data = sealed
	if analysis != nil {
		if a.Analysis, err = s.keys.SealJSON(analysis); err != nil {
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
	sealed, err := s.keys.SealJSON(analysis)
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
		Where("mode = ?", sc.Mode).Where("kind = ?", kind).Where("sha256 IN (?)", bun.In(hashes)).
		Where("challenge_id <> ?", exceptChallenge).Limit(1).Scan(ctx, &found)
	if err != nil {
		return "", fmt.Errorf("look up image hashes: %w", err)
	}
	if len(found) == 0 {
		return "", nil
	}
	return found[0], nil
}

// InsertChallenge stores a new liveness challenge; the caller keeps the nonce, only its
// hash is stored.
func (s *Store) InsertChallenge(ctx context.Context, c *models.LivenessChallenge, nonce string) error {
	if nonce == "" || c.VerificationID == "" || c.Steps == "" {
		return errors.New("insert liveness challenge: nonce, verification and steps are required")
	}
	if c.CreatedAt.IsZero() {
		c.CreatedAt = s.Now()
	}
	c.ID = NewID("lch", c.CreatedAt)
	c.NonceHash = HashSecret(nonce)
	if _, err := s.DB.NewInsert().Model(c).Exec(ctx); err != nil {
		return fmt.Errorf("insert liveness challenge: %w", err)
	}
	return nil
}

// GetChallengeByNonce finds the challenge a nonce answers, in the scope.
func (s *Store) GetChallengeByNonce(ctx context.Context, sc Scope, nonce string) (*models.LivenessChallenge, error) {
	c := new(models.LivenessChallenge)
	err := s.DB.NewSelect().Model(c).Where("nonce_hash = ?", HashSecret(nonce)).Where("account_id = ?", sc.AccountID).
		Where("mode = ?", sc.Mode).Scan(ctx)
	if err != nil {
		return nil, notFound(err, "liveness challenge")
	}
	return c, nil
}

// GetChallenge reads a challenge by id in the scope.
func (s *Store) GetChallenge(ctx context.Context, sc Scope, id string) (*models.LivenessChallenge, error) {
	c := new(models.LivenessChallenge)
	err := s.DB.NewSelect().Model(c).Where("id = ?", id).Where("account_id = ?", sc.AccountID).Where("mode = ?", sc.Mode).Scan(ctx)
	if err != nil {
		return nil, notFound(err, "liveness challenge")
	}
	return c, nil
}

// Challenge use errors: a nonce answers once, before its deadline.
var (
	ErrChallengeUsed    = errors.New("liveness challenge already used")
	ErrChallengeExpired = errors.New("liveness challenge expired")
)

// UseChallenge marks a challenge used at now. It succeeds once: a second use returns
// ErrChallengeUsed and a use at or after the deadline ErrChallengeExpired (the row is then
// left unused, so the error stays the same on repeat). The check and the mark are one
// conditional UPDATE, so two concurrent submissions cannot both pass.
func (tx *Tx) UseChallenge(ctx context.Context, sc Scope, id string, now time.Time) error {
	res, err := tx.NewUpdate().Model((*models.LivenessChallenge)(nil)).Set("used_at = ?", now.UTC()).
		Where("id = ?", id).Where("account_id = ?", sc.AccountID).Where("mode = ?", sc.Mode).
		Where("used_at IS NULL").Where("expires_at > ?", now.UTC()).Exec(ctx)
	if err != nil {
		return fmt.Errorf("use liveness challenge: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 1 {
		return nil
	}
	c := new(models.LivenessChallenge)
	err = tx.NewSelect().Model(c).Where("id = ?", id).Where("account_id = ?", sc.AccountID).Where("mode = ?", sc.Mode).Scan(ctx)
	switch {
	case err != nil:
		return notFound(err, "liveness challenge")
	case c.UsedAt != nil:
		return ErrChallengeUsed
	default:
		return ErrChallengeExpired
	}
}

// SetChallengeResult stores the verdict on a used challenge's capture.
func (s *Store) SetChallengeResult(ctx context.Context, sc Scope, id string, passed bool, result any) error {
	b, err := json.Marshal(result)
	if err != nil {
		return fmt.Errorf("encode liveness result: %w", err)
	}
	r := string(b)
	res, err := s.DB.NewUpdate().Model((*models.LivenessChallenge)(nil)).Set("passed = ?", passed).Set("result = ?", r).
		Where("id = ?", id).Where("account_id = ?", sc.AccountID).Where("mode = ?", sc.Mode).Where("used_at IS NOT NULL").Exec(ctx)
	if err != nil {
		return fmt.Errorf("store liveness result: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return fmt.Errorf("liveness challenge %s (not found or not used): %w", id, ErrNotFound)
	}
	return nil
}

// LatestChallengeResult returns the verification's most recent challenge with a verdict.
func (s *Store) LatestChallengeResult(ctx context.Context, sc Scope, verificationID string) (*models.LivenessChallenge, error) {
	c := new(models.LivenessChallenge)
	err := s.DB.NewSelect().Model(c).Where("verification_id = ?", verificationID).Where("account_id = ?", sc.AccountID).
		Where("mode = ?", sc.Mode).Where("result IS NOT NULL").Order("id DESC").Limit(1).Scan(ctx)
	if err != nil {
		return nil, notFound(err, "liveness result")
	}
	return c, nil
}

// EnrollFace keeps a verification's face embedding (encoded, sealed here) for duplicate
// search. Enrolling a verification twice keeps the first: the call is idempotent, so a
// retried job does no harm. It reports whether a row was added.
func (tx *Tx) EnrollFace(ctx context.Context, e *models.FaceEnrollment, embedding []byte) (bool, error) {
	if len(embedding) == 0 || e.Model == "" || e.VerificationID == "" {
		return false, errors.New("enroll face: embedding, model and verification are required")
	}
	sealed, err := tx.store.keys.Seal(embedding)
	if err != nil {
		return false, fmt.Errorf("seal embedding: %w", err)
	}
	e.Embedding = sealed
	if e.CreatedAt.IsZero() {
		e.CreatedAt = tx.store.Now()
	}
	e.ID = NewID("fen", e.CreatedAt)
	res, err := tx.NewInsert().Model(e).On("CONFLICT (verification_id) DO NOTHING").Exec(ctx)
	if err != nil {
		return false, fmt.Errorf("enroll face: %w", err)
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// FaceEnrollments calls fn, in id order, with every enrollment of a model after the id
// afterID (exclusive; "" = from the start) — in one scope, or in every scope when sc is nil —
// with its embedding decrypted. It pages through the table, so memory stays flat.
func (s *Store) FaceEnrollments(ctx context.Context, sc *Scope, model, afterID string, fn func(e *models.FaceEnrollment, embedding []byte) error) (string, error) {
	const page = 2000
	last := afterID
	for {
		var rows []models.FaceEnrollment
		q := s.DB.NewSelect().Model(&rows).Where("model = ?", model).Where("id > ?", last)
		if sc != nil {
			q = q.Where("account_id = ?", sc.AccountID).Where("mode = ?", sc.Mode)
		}
		if err := q.Order("id ASC").Limit(page).Scan(ctx); err != nil {
			return last, fmt.Errorf("load face enrollments: %w", err)
		}
		for i := range rows {
			emb, err := s.keys.Open(rows[i].Embedding)
			if err != nil {
				return last, fmt.Errorf("open enrollment %s: %w", rows[i].ID, err)
			}
			if err := fn(&rows[i], emb); err != nil {
				return last, err
			}
			last = rows[i].ID
		}
		if len(rows) < page {
			return last, nil
		}
	}
}

// IdentityTokenPrefix starts every reusable identity token.
const IdentityTokenPrefix = "rid_"

// IssueIdentityToken creates a reusable identity for an approved verification: a fresh
// rid_… token whose hash is stored with the sealed reference embedding; the token itself is
// sealed onto the verification so get_verification can show it to the integrator. A second
// call for the same verification returns ErrConflict.
func (tx *Tx) IssueIdentityToken(ctx context.Context, v *models.Verification, model string, embedding []byte) (string, *models.IdentityToken, error) {
	s := tx.store
	token := IdentityTokenPrefix + RandomBase62(40)
	sealedEmb, err := s.keys.Seal(embedding)
	if err != nil {
		return "", nil, fmt.Errorf("seal embedding: %w", err)
	}
	sealedToken, err := s.keys.Seal([]byte(token))
	if err != nil {
		return "", nil, fmt.Errorf("seal identity token: %w", err)
	}
	now := s.Now()
	t := &models.IdentityToken{ID: NewID("idt", now), AccountID: v.AccountID, Mode: v.Mode, VerificationID: v.ID,
		ApplicantID: v.ApplicantID, TokenHash: HashSecret(token), Model: model, Embedding: sealedEmb, CreatedAt: now}
	res, err := tx.NewInsert().Model(t).On("CONFLICT (verification_id) DO NOTHING").Exec(ctx)
	if err != nil {
		return "", nil, fmt.Errorf("insert identity token: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return "", nil, fmt.Errorf("verification %s already has an identity token: %w", v.ID, ErrConflict)
	}
	_, err = tx.NewUpdate().Model((*models.Verification)(nil)).Set("identity_token = ?", sealedToken).Where("id = ?", v.ID).Exec(ctx)
	if err != nil {
		return "", nil, fmt.Errorf("store identity token on verification: %w", err)
	}
	v.IdentityToken = sealedToken
	return token, t, nil
}

// LookupIdentityToken finds a live (not revoked) token in the scope and returns it with
// its decrypted reference embedding.
func (s *Store) LookupIdentityToken(ctx context.Context, sc Scope, token string) (*models.IdentityToken, []byte, error) {
	return s.liveIdentityToken(ctx, sc, "token_hash", HashSecret(token))
}

// IdentityTokenFor returns the live token issued for a verification, with its embedding.
func (s *Store) IdentityTokenFor(ctx context.Context, sc Scope, verificationID string) (*models.IdentityToken, []byte, error) {
	return s.liveIdentityToken(ctx, sc, "verification_id", verificationID)
}

// liveIdentityToken reads the token whose column equals value in the scope: not found,
// revoked (ErrConflict), or the token with its decrypted embedding.
func (s *Store) liveIdentityToken(ctx context.Context, sc Scope, column, value string) (*models.IdentityToken, []byte, error) {
	t := new(models.IdentityToken)
	err := s.DB.NewSelect().Model(t).Where("? = ?", bun.Ident(column), value).Where("account_id = ?", sc.AccountID).
		Where("mode = ?", sc.Mode).Scan(ctx)
	if err != nil {
		return nil, nil, notFound(err, "identity token")
	}
	if t.RevokedAt != nil {
		return t, nil, fmt.Errorf("identity token %s was revoked: %w", t.ID, ErrConflict)
	}
	emb, err := s.keys.Open(t.Embedding)
	if err != nil {
		return nil, nil, fmt.Errorf("open identity token embedding: %w", err)
	}
	return t, emb, nil
}

// TouchIdentityToken records a use of a token.
func (tx *Tx) TouchIdentityToken(ctx context.Context, id string) error {
	_, err := tx.NewUpdate().Model((*models.IdentityToken)(nil)).Set("last_used_at = ?", tx.store.Now()).Where("id = ?", id).Exec(ctx)
	if err != nil {
		return fmt.Errorf("touch identity token: %w", err)
	}
	return nil
}

// RevokeIdentityToken revokes a token (by its secret) in the scope and removes the sealed
// copy from its verification. Revoking twice is not an error; the first revocation time stays.
func (s *Store) RevokeIdentityToken(ctx context.Context, sc Scope, token string) (*models.IdentityToken, error) {
	t := new(models.IdentityToken)
	err := s.InTx(ctx, func(ctx context.Context, tx *Tx) error {
		err := tx.NewSelect().Model(t).Where("token_hash = ?", HashSecret(token)).Where("account_id = ?", sc.AccountID).
			Where("mode = ?", sc.Mode).Scan(ctx)
		if err != nil {
			return notFound(err, "identity token")
		}
		if t.RevokedAt != nil {
			return nil
		}
		now := s.Now()
		t.RevokedAt = &now
		if _, err := tx.NewUpdate().Model(t).Column("revoked_at").WherePK().Exec(ctx); err != nil {
			return fmt.Errorf("revoke identity token: %w", err)
		}
		_, err = tx.NewUpdate().Model((*models.Verification)(nil)).Set("identity_token = NULL").Where("id = ?", t.VerificationID).Exec(ctx)
		if err != nil {
			return fmt.Errorf("clear identity token of verification: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return t, nil
}

// RecordDocumentUse stores that a document number (hashed by the caller, with the issuing
// country) was presented by an identity (hashed too) in a verification, and returns an
// earlier use of the same number by a different identity in the scope, or nil. Recording
// the same verification twice is a no-op.
func (s *Store) RecordDocumentUse(ctx context.Context, u *models.DocumentUse) (*models.DocumentUse, error) {
	if u.NumberHash == "" || u.IdentityHash == "" || u.VerificationID == "" {
		return nil, errors.New("record document use: number, identity and verification are required")
	}
	var other *models.DocumentUse
	err := s.InTx(ctx, func(ctx context.Context, tx *Tx) error {
		var rows []models.DocumentUse
		err := tx.NewSelect().Model(&rows).Where("account_id = ?", u.AccountID).Where("mode = ?", u.Mode).
			Where("number_hash = ?", u.NumberHash).Where("identity_hash <> ?", u.IdentityHash).
			Where("verification_id <> ?", u.VerificationID).Order("id ASC").Limit(1).Scan(ctx)
		if err != nil {
			return fmt.Errorf("find document uses: %w", err)
		}
		if len(rows) > 0 {
			other = &rows[0]
		}
		if u.CreatedAt.IsZero() {
			u.CreatedAt = s.Now()
		}
		u.ID = NewID("doc", u.CreatedAt)
		_, err = tx.NewInsert().Model(u).On("CONFLICT (account_id, mode, number_hash, verification_id) DO NOTHING").Exec(ctx)
		if err != nil {
			return fmt.Errorf("record document use: %w", err)
		}
		return nil
	})
	return other, err
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
			Where("status NOT IN (?)", bun.In(retainedStatuses)).Where("updated_at < ?", cutoff.UTC())
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
