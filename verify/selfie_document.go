package verify

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/kycd/kycd/checks/face"
	"github.com/kycd/kycd/checks/face/imaging"
	"github.com/kycd/kycd/checks/selfiedoc"
	"github.com/kycd/kycd/db"
	"github.com/kycd/kycd/models"
)

// SelfieWithDocument judges the picture of the applicant holding their document: their face
// against the held document's portrait and against the portrait of the document photographed
// before (selfiedoc). Without a document portrait yet, the held match is still made and the
// result says no_document_portrait.
func (b *Biometrics) SelfieWithDocument(ctx context.Context, v *models.Verification, image []byte) (*selfiedoc.Result, error) {
	var doc face.Embedding
	_, pa, err := b.PortraitAnalysis(ctx, v) // before acquiring: it may analyse, which acquires too
	if err != nil {
		return nil, err
	}
	if pa != nil && pa.Quality.OK {
		if doc, err = pa.Vector(); err != nil {
			return nil, err
		}
	}
	release, err := b.acquire(ctx)
	if err != nil {
		return nil, err
	}
	defer release()
	img, err := imaging.DecodeContext(ctx, image)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fmt.Errorf("%w: %w", ErrBadImage, err)
	}
	r, err := selfiedoc.Analyze(b.eng, img, doc)
	if err != nil {
		return nil, err
	}
	th, err := b.ThresholdsFor(ctx, v.APIKeyID)
	if err != nil {
		return nil, err
	}
	r.Judge(th.Match, th.MatchReject) // the key's thresholds, as the face_match check's
	return r, nil
}

// selfieWithDocumentOutcome is the selfie_with_document step's outcome from the latest such
// picture's stored judgement: pass, fail on a face that matches neither portrait, review
// when something could not be judged (no picture, no portrait found) or a match fell in the
// review band (selfie_with_document_uncertain).
// A legible MRZ on the held document must name the document photographed (its number).
func (s *Service) selfieWithDocumentOutcome(ctx context.Context, v *models.Verification, facts *DocumentFacts) (models.CheckOutcome, error) {
	out := models.CheckOutcome{Check: string(models.StepSelfieWithDocument), Outcome: models.OutcomeReview, Details: map[string]any{}}
	a, err := s.store.LatestArtifact(ctx, db.Scope{AccountID: v.AccountID, Mode: v.Mode}, v.ID, models.ArtifactSelfieWithDocument)
	if errors.Is(err, db.ErrNotFound) {
		out.Reasons = []models.Reason{{Code: "selfie_with_document_missing", Check: out.Check, Message: "no picture of the applicant holding their document was taken"}}
		return out, nil
	}
	if err != nil {
		return out, err
	}
	var r selfiedoc.Result
	if ok, err := s.store.ArtifactAnalysis(a, &r); err != nil || !ok {
		return out, fmt.Errorf("selfie with document %s: analysis: %v", a.ID, err)
	}
	out.Details["analysis"] = r
	out.Details["artifact_id"] = a.ID
	out.Score = r.SelfieToHeld
	held := ""
	if r.HeldMRZ != nil {
		held = normalizeCompare("document_number", r.HeldMRZ.DocumentNumber)
	}
	switch {
	case r.Pass && held != "" && facts != nil && facts.Number != "" && held != normalizeCompare("document_number", facts.Number):
		out.Outcome = models.OutcomeFail
		out.Reasons = []models.Reason{{Code: "held_document_differs", Check: out.Check,
			Message: "the held document's MRZ names another document than the one photographed"}}
	case r.Pass:
		out.Outcome = models.OutcomePass
	case slices.Contains([]string{selfiedoc.ReasonHeldMismatch, selfiedoc.ReasonDocumentMismatch}, r.Reason):
		out.Outcome = models.OutcomeFail
		out.Reasons = []models.Reason{{Code: r.Reason, Check: out.Check, Message: r.Message}}
	default:
		out.Reasons = []models.Reason{{Code: r.Reason, Check: out.Check, Message: r.Message}}
	}
	return out, nil
}
