package tools

import (
	"context"
	"fmt"
	"strings"

	"github.com/kycd/kycd/checks/imaging"
	"github.com/kycd/kycd/db"
	"github.com/kycd/kycd/models"
	"github.com/kycd/kycd/verify"
)

// SubmitAdditionalDocumentInput is one image of an extra document a verification asks for.
type SubmitAdditionalDocumentInput struct {
	ID    string `json:"id" jsonschema:"verification id (ver_…)" minLength:"1" maxLength:"64"`
	Label string `json:"label" jsonschema:"the step's label as get_verification_flow shows it (bank card); case ignored" minLength:"1" maxLength:"100"`
	Image string `json:"image" jsonschema:"the picture as base64 or a data URL: JPEG, PNG or WebP, at most 15 MB; call again for more pages" minLength:"1"`
}

// AdditionalDocumentResult is what was kept of the image.
type AdditionalDocumentResult struct {
	VerificationID string `json:"verification_id" jsonschema:"the verification"`
	Label          string `json:"label" jsonschema:"the step's label"`
	ArtifactID     string `json:"artifact_id" jsonschema:"the stored image (sealed with the verification's data key)"`
	Pages          int    `json:"pages" jsonschema:"images stored for this label so far"`
	OCR            string `json:"ocr" jsonschema:"not_asked, read, no_text, or unavailable (no OCR on this server)"`
	Text           string `json:"text,omitempty" jsonschema:"the text read, when the step asks for OCR"`
}

// SubmitAdditionalDocument stores an image of an additional_document step as evidence.
var SubmitAdditionalDocument = Tool[SubmitAdditionalDocumentInput, AdditionalDocumentResult]{
	Name:     "submit_additional_document",
	Examples: []string{`{"id":"ver_01kbx4r7c8d9e0f1g2h3j4k5m6","label":"bank card","image":"data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAABAAAAAQCAAAAAA6mKC9AAAAD0lEQVR42mNoQAMMI1sAAAUMgAHjM1mKAAAAAElFTkSuQmCC"}`},
	Title:    "Submit additional document",
	Description: "Upload an extra document a verification asks for (an additional_document step of its flow or create_verification's additional_steps, named by its label): " +
		"kept as sealed evidence in the result, with its text read when the step sets ocr. A missing required one sends the verification to review.",
	Brief:       "an extra document asked for by label (bank card), kept as evidence, OCR'd when the step says",
	Scope:       ScopeVerificationsWrite,
	Annotations: Annotations{ReadOnly: false, Destructive: false, Idempotent: false, OpenWorld: false},
	REST:        REST{Method: "POST", Path: "/verifications/{id}/additional_documents"},
	Summary: func(r AdditionalDocumentResult) string {
		return fmt.Sprintf("Stored page %d of %q for %s (OCR: %s).", r.Pages, r.Label, r.VerificationID, r.OCR)
	},
	SessionAllowed: true,
	Handle:         submitAdditionalDocument,
}

func submitAdditionalDocument(ctx context.Context, d *Deps, c Caller, in SubmitAdditionalDocumentInput) (AdditionalDocumentResult, error) {
	if d.Store == nil || d.Verify == nil {
		return AdditionalDocumentResult{}, Errorf(CodeUnavailable, "", "the domain service is not running")
	}
	v, err := getVerification(ctx, d, c, in.ID)
	if err != nil {
		return AdditionalDocumentResult{}, err
	}
	o, err := verify.OpenOptions(d.Store, v)
	if err != nil {
		return AdditionalDocumentResult{}, err
	}
	steps := verify.AdditionalSteps(o)
	if len(steps) == 0 {
		return AdditionalDocumentResult{}, Errorf(CodeConflict, "id", "this verification asks for no additional document (no additional_document step, no additional_steps)")
	}
	step, ok := verify.FindAdditionalStep(o, in.Label)
	if !ok {
		labels := make([]string, len(steps))
		for i, s := range steps {
			labels[i] = fmt.Sprintf("%q", s.Label)
		}
		return AdditionalDocumentResult{}, invalid("label", "this verification asks for no document labelled %q; it asks for %s", strings.TrimSpace(in.Label), strings.Join(labels, ", "))
	}
	if v.Status != models.StatusPending && v.Status != models.StatusInProgress || !d.Store.Now().Before(v.ExpiresAt) {
		return AdditionalDocumentResult{}, Errorf(CodeConflict, "id", "uploads are accepted while a verification is open; this one is %s", v.Status)
	}
	img, err := decodeImage("image", in.Image, 0)
	if err != nil {
		return AdditionalDocumentResult{}, err
	}
	kept, err := d.Documents.ReadAdditionalText(ctx, c.Mode, step, img)
	if err != nil {
		if ie := imageErr(err); ie != nil {
			return AdditionalDocumentResult{}, ie
		}
		return AdditionalDocumentResult{}, err
	}
	art := &models.Artifact{AccountID: v.AccountID, Mode: v.Mode, VerificationID: v.ID, Kind: models.ArtifactAdditionalDocument, ContentType: imaging.Sniff(img)}
	err = d.Store.InTx(ctx, func(ctx context.Context, tx *db.Tx) error {
		if err := markStarted(ctx, d, tx, c, v, string(models.StepAdditionalDocument)); err != nil {
			return err
		}
		return tx.InsertArtifact(ctx, art, img, kept)
	})
	if err != nil {
		return AdditionalDocumentResult{}, err
	}
	_, docs, err := verify.AdditionalUploads(ctx, d.Store, v)
	if err != nil {
		return AdditionalDocumentResult{}, err
	}
	pages := 0
	for _, k := range docs {
		if verify.SameLabel(k.Label, step.Label) {
			pages++
		}
	}
	return AdditionalDocumentResult{VerificationID: v.ID, Label: step.Label, ArtifactID: art.ID, Pages: pages, OCR: kept.OCR, Text: kept.Text}, nil
}

// AdditionalUploaded reports, for a hosted-flow session, which additional documents (by
// label, as stored) and whether a picture with the document were uploaded, so the progress
// bar marks those steps done only once they are.
func AdditionalUploaded(ctx context.Context, d *Deps, c Caller) (labels []string, selfieWithDocument bool, err error) {
	if d == nil || d.Store == nil {
		return nil, false, Errorf(CodeUnavailable, "", "the domain service is not running")
	}
	v, err := d.Store.GetVerification(ctx, c.scope(), c.VerificationID)
	if err != nil {
		return nil, false, err
	}
	_, docs, err := verify.AdditionalUploads(ctx, d.Store, v)
	if err != nil {
		return nil, false, err
	}
	for _, k := range docs {
		labels = append(labels, k.Label)
	}
	held, err := d.Store.ArtifactsOfKind(ctx, c.scope(), v.ID, models.ArtifactSelfieWithDocument)
	if err != nil {
		return nil, false, err
	}
	return labels, len(held) > 0, nil
}

// SameLabel reports whether two labels name the same additional document (case and runs of
// white space ignored), as submit_additional_document matches them.
func SameLabel(a, b string) bool { return verify.SameLabel(a, b) }
