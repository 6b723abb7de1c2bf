package tools

// Biometric tools run inference in the request, not in a River job. The design puts heavy
// work in workers; these are the exception because the caller is waiting for exactly this
// answer ("retake: face too dark") and the work is small: the full selfie chain (detect,
// landmarks, quality, align, embed ×2, liveness, age) measured 82–90 ms median on one core
// for a 1-megapixel photo (docs/benchmarks/face.md), about what a queue round trip costs.
// Jobs.Biometrics bounds concurrent inferences to the cores, and the stored analysis is
// reused by the pipeline's checks, so nothing is computed twice. submit_liveness is the
// heaviest (5–30 frames, ~60–80 ms each); see docs/benchmarks/biometrics.md.

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/kycd/kycd/checks/face"
	"github.com/kycd/kycd/checks/imaging"
	"github.com/kycd/kycd/db"
	"github.com/kycd/kycd/models"
	"github.com/kycd/kycd/verify"
)

// SubmitSelfieInput is a selfie for a verification.
type SubmitSelfieInput struct {
	ID    string `json:"id" jsonschema:"verification id (ver_…)" minLength:"1" maxLength:"64"`
	Image string `json:"image" jsonschema:"the selfie, base64 or data URL (JPEG, PNG, WebP, ≤ 15 MB)" minLength:"1"`
}

// ScoreVerdict is a score against its threshold.
type ScoreVerdict struct {
	Score     float64 `json:"score" jsonschema:"the model's score"`
	Threshold float64 `json:"threshold" jsonschema:"the configured threshold"`
	Passed    bool    `json:"passed" jsonschema:"score ≥ threshold"`
}

// SelfieResult is what a selfie upload found.
type SelfieResult struct {
	VerificationID string `json:"verification_id" jsonschema:"the verification"`
	Status         string `json:"status" jsonschema:"the verification's status after the upload"`
	// Accepted is false when the quality gate refused the photo; it was then not stored.
	Accepted   bool          `json:"accepted" jsonschema:"true when the selfie was stored; false means retake it (quality.reason says why)"`
	ArtifactID *string       `json:"artifact_id" jsonschema:"the stored image (art_…), null when not accepted"`
	FaceFound  bool          `json:"face_found" jsonschema:"whether a face was detected"`
	Box        *FaceBox      `json:"box" jsonschema:"the face box in pixels of the upright image"`
	Quality    FaceQuality   `json:"quality" jsonschema:"the quality gate's verdict: ok, or a reason such as face_too_small, too_dark, too_blurry, multiple_faces, face_not_frontal"`
	Liveness   *ScoreVerdict `json:"liveness" jsonschema:"passive liveness (probability of a live face); null when the photo was refused"`
	Match      *MatchSummary `json:"match" jsonschema:"selfie against the document portrait (or the reusable identity); null until there is one to compare with"`
}

// MatchSummary is a face comparison inside a larger result.
type MatchSummary struct {
	Against string `json:"against" jsonschema:"what the selfie was compared with" enum:"document_portrait,identity_token"`
	ScoreVerdict
	// Reason is set when the reference photo could not be used.
	Reason string `json:"reason,omitempty" jsonschema:"why no score: <side>:<quality reason>, e.g. document:face_too_small"`
}

// SubmitSelfie stores a selfie and reports on it at once.
var SubmitSelfie = Tool[SubmitSelfieInput, SelfieResult]{
	Name:        "submit_selfie",
	Examples:    []string{`{"id":"ver_01kbx4r7c8d9e0f1g2h3j4k5m6","image":"data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAABAAAAAQCAAAAAA6mKC9AAAAD0lEQVR42mNoQAMMI1sAAAUMgAHjM1mKAAAAAElFTkSuQmCC"}`},
	Title:       "Submit selfie",
	Description: "Upload the applicant's selfie for face_match, liveness or age. Answers at once: face found, the quality verdict (a reason to retake: face_too_small, too_dark, …), the passive liveness score and, with a document portrait, the face-match score. A refused photo is not stored; an accepted one moves the verification to in_progress, and the latest one counts.",
	Brief:       "upload the applicant's selfie (base64 or data URL): face found, quality verdict with a specific retake reason, passive liveness score, face-match score when a document portrait exists; an accepted selfie moves the verification to `in_progress`",
	Scope:       ScopeVerificationsWrite,
	Annotations: Annotations{ReadOnly: false, Destructive: false, Idempotent: false, OpenWorld: false},
	REST:        REST{Method: "POST", Path: "/verifications/{id}/selfie"},
	Summary:     summarizeSelfie,
	Handle:      submitSelfie,
	// The hosted flow uploads the applicant's selfie.
	SessionAllowed: true,
}

func summarizeSelfie(r SelfieResult) string {
	if !r.Accepted {
		return fmt.Sprintf("Selfie refused for %s: %s — %s", r.VerificationID, r.Quality.Reason, r.Quality.Message)
	}
	s := fmt.Sprintf("Selfie stored for %s (now %s).", r.VerificationID, r.Status)
	if r.Liveness != nil {
		s += fmt.Sprintf(" Liveness %.2f (%s).", r.Liveness.Score, passFail(r.Liveness.Passed))
	}
	if r.Match != nil && r.Match.Reason == "" {
		s += fmt.Sprintf(" Match with the %s %.2f (%s).", r.Match.Against, r.Match.Score, passFail(r.Match.Passed))
	}
	return s
}

func passFail(ok bool) string {
	if ok {
		return "passed"
	}
	return "failed"
}

// biometrics returns the engine or the unavailable error every biometric tool gives.
func biometrics(d *Deps) (*verify.Biometrics, error) {
	if d.Biometrics == nil {
		return nil, Errorf(CodeUnavailable, "", "face checks are not available on this server (build with -tags onnx and run scripts/setup/onnx.sh)")
	}
	return d.Biometrics, nil
}

// biometricChecks are the checks that use a selfie.
var biometricChecks = []models.Check{models.CheckFaceMatch, models.CheckLiveness, models.CheckAge}

// openForUpload reads a verification that may still receive uploads for a biometric check.
func openForUpload(ctx context.Context, d *Deps, c Caller, id string, need ...models.Check) (*models.Verification, *verify.CheckInput, error) {
	v, err := getVerification(ctx, d, c, id)
	if err != nil {
		return nil, nil, err
	}
	if v.Status != models.StatusPending && v.Status != models.StatusInProgress {
		return nil, nil, Errorf(CodeConflict, "id", "uploads are accepted while a verification is pending or in_progress; this one is %s", v.Status)
	}
	if !d.Store.Now().Before(v.ExpiresAt) {
		return nil, nil, Errorf(CodeConflict, "id", "the verification expired at %s", v.ExpiresAt.Format("2006-01-02T15:04:05Z"))
	}
	in, err := verify.LoadCheckInput(ctx, d.Store, v)
	if err != nil {
		return nil, nil, err
	}
	for _, ch := range need {
		if slices.Contains(in.Checks, ch) {
			return v, in, nil
		}
	}
	return nil, nil, Errorf(CodeConflict, "id", "this verification does not run %s (its checks: %v)", joinChecks(need), in.Checks)
}

func joinChecks(cs []models.Check) string {
	s := ""
	for i, c := range cs {
		if i > 0 {
			s += " or "
		}
		s += string(c)
	}
	return s
}

// analyzeUpload runs the face chain, turning an undecodable image into a field error.
func analyzeUpload(ctx context.Context, b *verify.Biometrics, field string, img []byte, kind face.Kind) (*verify.FaceAnalysis, error) {
	fa, err := b.Analyze(ctx, img, kind)
	if errors.Is(err, verify.ErrBadImage) {
		return nil, invalid(field, "%v", err)
	}
	var ie *imaging.Error
	if errors.As(err, &ie) {
		return nil, imageError(field, ie) // the photo's fault, found by an engine
	}
	if err != nil {
		return nil, fmt.Errorf("analyse %s: %w", field, err)
	}
	return fa, nil
}

// markStarted moves a pending verification to in_progress (recording verification.started
// on the first upload) or, when it is already in progress, checks that it still is.
func markStarted(ctx context.Context, d *Deps, tx *db.Tx, c Caller, v *models.Verification, first string) error {
	err := d.Verify.Start(ctx, tx, c.scope(), v, first)
	if errors.Is(err, verify.ErrNotTakingUploads) {
		return Errorf(CodeConflict, "id", "%v", err)
	}
	return err
}

func submitSelfie(ctx context.Context, d *Deps, c Caller, in SubmitSelfieInput) (SelfieResult, error) {
	b, err := biometrics(d)
	if err != nil {
		return SelfieResult{}, err
	}
	v, _, err := openForUpload(ctx, d, c, in.ID, biometricChecks...)
	if err != nil {
		return SelfieResult{}, err
	}
	img, err := decodeImage("image", in.Image, 0)
	if err != nil {
		return SelfieResult{}, err
	}
	fa, err := analyzeUpload(ctx, b, "image", img, face.KindSelfie)
	if err != nil {
		return SelfieResult{}, err
	}
	out := SelfieResult{VerificationID: v.ID, Status: string(v.Status), FaceFound: fa.FaceFound, Box: toBox(fa.Box), Quality: toQuality(fa.Quality)}
	if !fa.Quality.OK {
		return out, nil
	}
	art := &models.Artifact{AccountID: v.AccountID, Mode: v.Mode, VerificationID: v.ID, Kind: models.ArtifactSelfie, ContentType: imaging.Sniff(img)}
	err = d.Store.InTx(ctx, func(ctx context.Context, tx *db.Tx) error {
		if err := markStarted(ctx, d, tx, c, v, "selfie"); err != nil {
			return err
		}
		return tx.InsertArtifact(ctx, art, img, fa)
	})
	if err != nil {
		return SelfieResult{}, storeErr(err, "verification", "id")
	}
	out.Accepted, out.ArtifactID, out.Status = true, &art.ID, string(models.StatusInProgress)
	th, err := b.ThresholdsFor(ctx, v.APIKeyID)
	if err != nil {
		return SelfieResult{}, err
	}
	lv := b.Passive(fa, th)
	out.Liveness = &ScoreVerdict{Score: lv.Score, Threshold: lv.Threshold, Passed: lv.Live}
	out.Match, err = matchAgainstReference(ctx, d, b, v, fa, th)
	if err != nil {
		return SelfieResult{}, err
	}
	return out, nil
}

// matchAgainstReference compares a selfie with the verification's reference face: the
// reusable identity for a re-verification, else the document portrait; nil when none.
func matchAgainstReference(ctx context.Context, d *Deps, b *verify.Biometrics, v *models.Verification, selfie *verify.FaceAnalysis, th verify.Thresholds) (*MatchSummary, error) {
	var ref *verify.FaceAnalysis
	against := "document_portrait"
	if v.ReusedFrom != nil {
		against = "identity_token"
		tok, emb, err := d.Store.IdentityTokenFor(ctx, c2scope(v), *v.ReusedFrom)
		if errors.Is(err, db.ErrNotFound) || errors.Is(err, db.ErrConflict) {
			return nil, nil // revoked meanwhile: the face_match check reports it
		}
		if err != nil {
			return nil, err
		}
		if tok.Model != b.EmbeddingModel().SHA256 {
			return nil, nil // enrolled with another model: not comparable; the check sends it to review
		}
		ref = verify.IdentityReference(tok, emb)
	} else {
		var err error
		if _, ref, err = b.PortraitAnalysis(ctx, v); err != nil {
			return nil, err
		}
		if ref == nil {
			return nil, nil
		}
	}
	m, err := b.Match(selfie, ref, "selfie", "document", th)
	if err != nil {
		return nil, err
	}
	return &MatchSummary{Against: against, ScoreVerdict: ScoreVerdict{Score: m.Score, Threshold: m.Threshold, Passed: m.Match}, Reason: m.Reason}, nil
}

func c2scope(v *models.Verification) db.Scope { return db.Scope{AccountID: v.AccountID, Mode: v.Mode} }
