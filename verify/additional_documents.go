package verify

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/kycd/kycd/checks/document"
	"github.com/kycd/kycd/db"
	"github.com/kycd/kycd/models"
)

// CheckAdditionalDocument is the result check of a verification's additional documents
// (additional_document steps): which were uploaded, which are still missing.
const CheckAdditionalDocument = "additional_document"

// OCR outcomes of an additional document.
const (
	OCRNotAsked    = "not_asked"   // the step does not ask for its text
	OCRRead        = "read"        // text was read
	OCRNoText      = "no_text"     // the OCR ran and found nothing legible
	OCRUnavailable = "unavailable" // this server has no OCR (a build without Tesseract)
)

// AdditionalDocument is what is kept (sealed) with an additional document's image: the step
// it answers and, when the step asks, the text read from it.
type AdditionalDocument struct {
	Label     string `json:"label"`
	OCR       string `json:"ocr"`
	Text      string `json:"text,omitempty"`
	OCREngine string `json:"ocr_engine,omitempty"`
}

// AdditionalSteps are a verification's additional_document steps: the flow's, then the
// session's additional_steps.
func AdditionalSteps(o models.SessionOptions) []models.FlowStep {
	var out []models.FlowStep
	for _, s := range append(slices.Clone(o.Steps), o.AdditionalSteps...) {
		if s.Type == models.StepAdditionalDocument {
			out = append(out, s)
		}
	}
	return out
}

// SameLabel compares labels the way an applicant and an integrator would: case and runs of
// white space do not matter.
func SameLabel(a, b string) bool {
	return strings.EqualFold(strings.Join(strings.Fields(a), " "), strings.Join(strings.Fields(b), " "))
}

// FindAdditionalStep is the additional_document step a label names.
func FindAdditionalStep(o models.SessionOptions, label string) (models.FlowStep, bool) {
	for _, s := range AdditionalSteps(o) {
		if SameLabel(s.Label, label) {
			return s, true
		}
	}
	return models.FlowStep{}, false
}

// ReadAdditionalText reads an additional document's text for a step that asks for it: the
// evidence kept with the image. No OCR on this server is not an error (the image is kept,
// marked unavailable); an image the engine cannot decode is ErrBadImage.
func (d *Documents) ReadAdditionalText(ctx context.Context, mode models.Mode, step models.FlowStep, image []byte) (AdditionalDocument, error) {
	out := AdditionalDocument{Label: step.Label, OCR: OCRNotAsked}
	if !step.OCR {
		return out, nil
	}
	if d == nil || d.Ready() != nil {
		out.OCR = OCRUnavailable
		return out, nil
	}
	text, err := d.Engine(mode).ReadText(ctx, image)
	var ie *document.InputError
	switch {
	case errors.Is(err, document.ErrNoTesseract):
		out.OCR = OCRUnavailable
		return out, nil
	case errors.As(err, &ie):
		return out, fmt.Errorf("%w: %s", ErrBadImage, ie.Message)
	case err != nil:
		return out, fmt.Errorf("read additional document: %w", err)
	}
	out.OCR, out.Text, out.OCREngine = OCRRead, text, "tesseract"
	if text == "" {
		out.OCR = OCRNoText
	}
	return out, nil
}

// AdditionalUploads are the additional documents stored for a verification, oldest first,
// with what was kept of each.
func AdditionalUploads(ctx context.Context, store *db.Store, v *models.Verification) ([]models.Artifact, []AdditionalDocument, error) {
	arts, err := store.ArtifactsOfKind(ctx, db.Scope{AccountID: v.AccountID, Mode: v.Mode}, v.ID, models.ArtifactAdditionalDocument)
	if err != nil {
		return nil, nil, err
	}
	docs := make([]AdditionalDocument, len(arts))
	for i := range arts {
		if _, err := store.ArtifactAnalysis(&arts[i], &docs[i]); err != nil {
			return nil, nil, err
		}
		arts[i].Analysis = nil // opened: the text is in docs
	}
	return arts, docs, nil
}

// additionalOutcome is the additional documents' part of the result: pass when every
// required one was uploaded (the uploads are listed as evidence, with their text), review
// when one is missing. Extra documents alone verify nothing: a verification with no other
// check goes to a person who looks at them.
func (s *Service) additionalOutcome(ctx context.Context, v *models.Verification, o models.SessionOptions, otherChecks int) (*models.CheckOutcome, error) {
	steps := AdditionalSteps(o)
	if len(steps) == 0 {
		return nil, nil
	}
	arts, docs, err := AdditionalUploads(ctx, s.store, v)
	if err != nil {
		return nil, err
	}
	out := &models.CheckOutcome{Check: CheckAdditionalDocument, Outcome: models.OutcomePass, Details: map[string]any{}}
	var uploads []map[string]any
	for i, d := range docs {
		u := map[string]any{"label": d.Label, "artifact_id": arts[i].ID, "ocr": d.OCR}
		if d.Text != "" {
			u["text"] = d.Text
		}
		uploads = append(uploads, u)
	}
	out.Details["uploads"] = uploads
	var missing []string
	for _, st := range steps {
		if st.Optional || slices.ContainsFunc(docs, func(d AdditionalDocument) bool { return SameLabel(d.Label, st.Label) }) {
			continue
		}
		missing = append(missing, st.Label)
	}
	switch {
	case len(missing) > 0:
		out.Outcome = models.OutcomeReview
		out.Reasons = []models.Reason{{Code: "additional_document_missing", Check: out.Check,
			Message: "not uploaded: " + strings.Join(missing, ", ")}}
	case otherChecks == 0:
		out.Outcome = models.OutcomeReview
		out.Reasons = []models.Reason{{Code: "additional_document_evidence_only", Check: out.Check,
			Message: "extra documents alone verify nothing: a person looks at them"}}
	}
	return out, nil
}
