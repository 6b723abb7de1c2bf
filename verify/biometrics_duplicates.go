package verify

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/kycd/kycd/checks/face"
	"github.com/kycd/kycd/db"
	"github.com/kycd/kycd/models"
)

// EventFraudDuplicate is emitted when a verification's face (or document number) belongs to
// another applicant's verification; the data names the other verification.
const EventFraudDuplicate = "fraud.duplicate"

// dupIndex is the duplicate-search index of one account and mode.
type dupIndex struct {
	mu   sync.RWMutex
	idx  *face.Index
	last string            // the newest enrollment id loaded from the database
	apps map[string]string // verification id → applicant id, for every face in idx
	// gone are faces still in idx whose enrollment was deleted (the applicant was erased,
	// maybe by another process): the index cannot drop a row, so searches skip them.
	gone map[string]bool
}

// Duplicate names another applicant's verification whose face matched.
type Duplicate struct {
	VerificationID string  `json:"verification_id"`
	ApplicantID    string  `json:"applicant_id"`
	Score          float64 `json:"score"`
	Threshold      float64 `json:"threshold"`
}

// LoadEnrollments loads every enrolled face of the current embedding model into the
// per-account-and-mode indexes. Call it once at start; afterwards each search picks up
// what other processes enrolled since (FindDuplicate syncs its scope first).
func (b *Biometrics) LoadEnrollments(ctx context.Context) (int, error) {
	start := time.Now()
	n := 0
	model := b.eng.EmbeddingModel().SHA256
	_, err := b.store.FaceEnrollments(ctx, nil, model, "", func(e *models.FaceEnrollment, emb []byte) error {
		x := b.index(db.Scope{AccountID: e.AccountID, Mode: e.Mode})
		x.mu.Lock()
		defer x.mu.Unlock()
		if err := x.add(e.VerificationID, e.ApplicantID, emb); err != nil {
			return fmt.Errorf("enrollment %s: %w", e.ID, err)
		}
		x.last = e.ID
		n++
		return nil
	})
	if err != nil {
		return n, err
	}
	b.mu.Lock()
	scopes := len(b.indexes)
	b.mu.Unlock()
	b.log.Info("face enrollments loaded", "faces", n, "scopes", scopes, "took", time.Since(start).Round(time.Millisecond))
	return n, nil
}

// index returns the scope's index, creating an empty one.
func (b *Biometrics) index(sc db.Scope) *dupIndex {
	b.mu.Lock()
	defer b.mu.Unlock()
	x := b.indexes[sc]
	if x == nil {
		idx, _ := face.NewIndex(512) // 512 > 0: cannot fail
		x = &dupIndex{idx: idx, apps: map[string]string{}}
		b.indexes[sc] = x
	}
	return x
}

// add puts one encoded embedding in the index unless its verification is there already.
// The caller holds x.mu for writing.
func (x *dupIndex) add(verificationID, applicantID string, encoded []byte) error {
	if _, ok := x.apps[verificationID]; ok {
		return nil
	}
	var e face.Embedding
	if err := e.UnmarshalBinary(encoded); err != nil {
		return err
	}
	if len(e) != 512 && x.idx.Len() == 0 {
		idx, err := face.NewIndex(len(e))
		if err != nil {
			return err
		}
		x.idx = idx
	}
	if err := x.idx.Add(verificationID, e); err != nil {
		return err
	}
	x.apps[verificationID] = applicantID
	return nil
}

// sync loads the scope's enrollments newer than the last one seen.
func (b *Biometrics) sync(ctx context.Context, sc db.Scope, x *dupIndex) error {
	x.mu.Lock()
	defer x.mu.Unlock()
	last, err := b.store.FaceEnrollments(ctx, &sc, b.eng.EmbeddingModel().SHA256, x.last, func(e *models.FaceEnrollment, emb []byte) error {
		return x.add(e.VerificationID, e.ApplicantID, emb)
	})
	x.last = last
	return err
}

// FindDuplicate searches the scope's enrolled faces for another applicant's face that
// matches emb; the best such match at or above DuplicateThreshold, or nil. A match is checked
// against the database before it is reported: an erased applicant's face may still be in
// this process's index, but its enrollment is gone, and it never matches again.
func (b *Biometrics) FindDuplicate(ctx context.Context, sc db.Scope, v *models.Verification, emb face.Embedding) (*Duplicate, error) {
	x := b.index(sc)
	if err := b.sync(ctx, sc, x); err != nil {
		return nil, err
	}
	var candidates []Duplicate
	x.mu.RLock()
	if x.idx.Len() > 0 {
		// The same applicant's earlier verifications are expected matches; look past a few.
		hits, err := x.idx.Search(emb, 10)
		if err != nil {
			x.mu.RUnlock()
			return nil, fmt.Errorf("duplicate search: %w", err)
		}
		for _, h := range hits {
			if float64(h.Score) < b.cfg.DuplicateThreshold {
				break
			}
			if h.ID == v.ID || x.apps[h.ID] == v.ApplicantID || x.gone[h.ID] {
				continue
			}
			candidates = append(candidates, Duplicate{VerificationID: h.ID, ApplicantID: x.apps[h.ID],
				Score: round3(float64(h.Score)), Threshold: b.cfg.DuplicateThreshold})
		}
	}
	x.mu.RUnlock()
	for _, c := range candidates {
		ok, err := b.store.FaceEnrolled(ctx, sc, c.VerificationID)
		if err != nil {
			return nil, err
		}
		if ok {
			return &c, nil
		}
		x.mu.Lock()
		if x.gone == nil {
			x.gone = map[string]bool{}
		}
		x.gone[c.VerificationID] = true
		x.mu.Unlock()
	}
	return nil, nil
}

// DocumentDuplicate records the document a verification presented and returns an earlier
// verification in the scope where the same document (number and issuing country) named a
// different identity (name and date of birth), or nil. The document check calls it through
// the DocumentFacts seam; numbers and identities are stored only as hashes.
func (b *Biometrics) DocumentDuplicate(ctx context.Context, v *models.Verification, f *DocumentFacts) (*Duplicate, error) {
	if f == nil || strings.TrimSpace(f.Number) == "" {
		return nil, errors.New("document duplicate: no document number")
	}
	norm := func(s string) string { return strings.ToUpper(strings.Join(strings.Fields(s), " ")) }
	hash := func(parts ...string) string {
		sum := sha256.Sum256([]byte(strings.Join(parts, "\x1f")))
		return hex.EncodeToString(sum[:])
	}
	u := &models.DocumentUse{AccountID: v.AccountID, Mode: v.Mode, VerificationID: v.ID, ApplicantID: v.ApplicantID,
		NumberHash:   hash("docnum", norm(f.IssuingCountry), strings.ReplaceAll(norm(f.Number), " ", "")),
		IdentityHash: hash("identity", norm(f.FullName), f.DateOfBirth)}
	other, err := b.store.RecordDocumentUse(ctx, u)
	if err != nil || other == nil {
		return nil, err
	}
	return &Duplicate{VerificationID: other.VerificationID, ApplicantID: other.ApplicantID, Score: 1, Threshold: 1}, nil
}

// duplicateEventData is the payload of a fraud.duplicate event: both verifications (this one
// and the earlier one of another applicant), the score and the threshold it reached.
func duplicateEventData(v *models.Verification, kind string, d *Duplicate) map[string]any {
	return map[string]any{"kind": kind, "verification_id": v.ID, "applicant_id": v.ApplicantID,
		"other_verification_id": d.VerificationID, "other_applicant_id": d.ApplicantID,
		"score": d.Score, "threshold": d.Threshold}
}

// acceptBand reports whether a face_match check's match details fell in the accept band
// (the details are a MatchVerdict in the pipeline, a decoded map when read back).
func acceptBand(details any) bool {
	switch m := details.(type) {
	case MatchVerdict:
		return m.Band == BandAccept
	case *MatchVerdict:
		return m != nil && m.Band == BandAccept
	case map[string]any:
		return m["band"] == BandAccept
	}
	return false
}

// CompletionHook is implemented by check engines that act when a verification is decided,
// inside the transaction that records the decision (so what they write commits with it).
// They must read through tx: on SQLite the store's one connection belongs to tx meanwhile.
type CompletionHook interface {
	Completed(ctx context.Context, s *Service, tx *db.Tx, v *models.Verification, in *CheckInput, result *models.VerificationResult) error
}

// completionHookProvider lets several runners share one hook (the biometric checks share
// their Biometrics), which then runs once.
type completionHookProvider interface{ completionHook() CompletionHook }

func (c *FaceMatchCheck) completionHook() CompletionHook { return c.b }
func (c *LivenessCheck) completionHook() CompletionHook  { return c.b }
func (c *AgeCheck) completionHook() CompletionHook       { return c.b }

// runCompletionHooks calls every distinct completion hook of the queue's engines.
func (s *Service) runCompletionHooks(ctx context.Context, tx *db.Tx, v *models.Verification, in *CheckInput, result *models.VerificationResult) error {
	var done []CompletionHook
	for _, ch := range models.AllChecks {
		r, ok := s.opts.Checks[ch]
		if !ok {
			continue
		}
		var h CompletionHook
		switch t := r.(type) {
		case completionHookProvider:
			h = t.completionHook()
		case CompletionHook:
			h = t
		default:
			continue
		}
		if slices.Contains(done, h) {
			continue
		}
		done = append(done, h)
		if err := h.Completed(ctx, s, tx, v, in, result); err != nil {
			return fmt.Errorf("completion of %s: %w", ch, err)
		}
	}
	return nil
}

// Completed implements CompletionHook: it reports duplicates found by the checks as
// fraud.duplicate events, enrolls the selfie's face for future duplicate searches, and
// issues a reusable identity token when the verification was approved with a face match.
func (b *Biometrics) Completed(ctx context.Context, s *Service, tx *db.Tx, v *models.Verification, in *CheckInput, result *models.VerificationResult) error {
	owner := dedupeOwner(in.Checks)
	if owner == "" {
		return nil
	}
	faceMatched, live := false, false
	for _, c := range result.Checks {
		if c.Check == string(models.CheckFaceMatch) && c.Outcome == models.OutcomePass && acceptBand(c.Details["match"]) {
			faceMatched = true
		}
		if c.Check == string(models.CheckLiveness) && c.Outcome == models.OutcomePass {
			live = true
		}
		if c.Check != string(owner) {
			continue
		}
		for key, kind := range map[string]string{"duplicate": "face", "duplicate_document": "document_number"} {
			if d, ok := c.Details[key].(*Duplicate); ok && d != nil {
				err := s.RecordEvent(ctx, tx, v, EventFraudDuplicate, "", duplicateEventData(v, kind, d))
				if err != nil {
					return err
				}
			}
		}
	}
	sc := scopeOf(v)
	a, err := tx.LatestArtifact(ctx, sc, v.ID, models.ArtifactSelfie)
	if errors.Is(err, db.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	var fa FaceAnalysis
	if ok, err := b.store.ArtifactAnalysis(a, &fa); err != nil || !ok {
		return err // no analysis: the checks did not get far enough to enroll anything
	}
	model := b.eng.EmbeddingModel().SHA256
	if len(fa.Embedding) == 0 || fa.EmbeddingModel != model {
		return nil
	}
	added, err := tx.EnrollFace(ctx, &models.FaceEnrollment{AccountID: v.AccountID, Mode: v.Mode, VerificationID: v.ID,
		ApplicantID: v.ApplicantID, Model: model}, fa.Embedding)
	if err != nil {
		return err
	}
	if added {
		// Added before commit: if the transaction rolls back, the job retries and enrolls
		// again, and the index skips a verification it already holds.
		x := b.index(sc)
		x.mu.Lock()
		err := x.add(v.ID, v.ApplicantID, fa.Embedding)
		x.mu.Unlock()
		if err != nil {
			return err
		}
	}
	// A reusable identity replaces a document check later, so it is issued only from a clean
	// approval: a face match in the accept band (never the review band, even if a person
	// approved it) and a passed liveness check.
	if result.Decision == models.StatusApproved && faceMatched && live {
		ref := db.IdentityFace{Model: model, Embedding: fa.Embedding}
		if fa.CrossCheckModel != "" && fa.CrossCheckModel == b.eng.CrossCheckModel().SHA256 {
			ref.CrossCheckModel, ref.CrossCheck = fa.CrossCheckModel, fa.CrossCheck
		}
		_, tok, err := tx.IssueIdentityToken(ctx, v, ref)
		if errors.Is(err, db.ErrConflict) {
			return nil // issued by an earlier attempt of this job
		}
		if err != nil {
			return err
		}
		b.log.InfoContext(ctx, "reusable identity issued", "verification", v.ID, "identity_token_id", tok.ID)
	}
	return nil
}
