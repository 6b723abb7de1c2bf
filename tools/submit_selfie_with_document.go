package tools

import (
	"context"
	"errors"
	"fmt"
	"slices"

	faceimg "github.com/kycd/kycd/checks/face/imaging"
	"github.com/kycd/kycd/checks/imaging"
	"github.com/kycd/kycd/checks/selfiedoc"
	"github.com/kycd/kycd/db"
	"github.com/kycd/kycd/models"
	"github.com/kycd/kycd/verify"
)

// SubmitSelfieWithDocumentInput is the picture of the applicant holding their document.
type SubmitSelfieWithDocumentInput struct {
	ID    string `json:"id" jsonschema:"verification id (ver_…)" minLength:"1" maxLength:"64"`
	Image string `json:"image" jsonschema:"the picture as base64 or a data URL: JPEG, PNG or WebP, at most 15 MB; the face and the document's photo page both visible" minLength:"1"`
}

// SelfieWithDocumentResult is what the picture showed.
type SelfieWithDocumentResult struct {
	VerificationID string `json:"verification_id" jsonschema:"the verification"`
	// Accepted is false when the face or the held portrait was not found; the picture was
	// then not stored.
	Accepted         bool     `json:"accepted" jsonschema:"true when the picture was stored; false means retake it (reason says why)"`
	FaceFound        bool     `json:"face_found" jsonschema:"whether the applicant's face was found"`
	HeldFound        bool     `json:"held_portrait_found" jsonschema:"whether the held document's portrait was found"`
	SelfieToHeld     *float64 `json:"selfie_to_held" jsonschema:"face against the held document's portrait (cosine)"`
	SelfieToDocument *float64 `json:"selfie_to_document" jsonschema:"face against the document photo's portrait; null before a document photo"`
	Threshold        float64  `json:"threshold" jsonschema:"the match threshold"`
	Passed           bool     `json:"passed" jsonschema:"both matches reach the threshold"`
	Reason           string   `json:"reason,omitempty" jsonschema:"why not passed: no_face, held_portrait_not_found, held_document_mismatch, document_photo_mismatch, no_document_portrait, selfie_with_document_uncertain (review band: a person compares)"`
	Message          string   `json:"message,omitempty" jsonschema:"the reason for a person"`
	// HeldDocumentNumber is read from the held document's MRZ when legible.
	HeldDocumentNumber string `json:"held_document_number,omitempty" jsonschema:"the held document's number, when its MRZ was legible"`
}

// SubmitSelfieWithDocument judges and stores the picture of a selfie_with_document step.
var SubmitSelfieWithDocument = Tool[SubmitSelfieWithDocumentInput, SelfieWithDocumentResult]{
	Name:     "submit_selfie_with_document",
	Examples: []string{`{"id":"ver_01kbx4r7c8d9e0f1g2h3j4k5m6","image":"data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAABAAAAAQCAAAAAA6mKC9AAAAD0lEQVR42mNoQAMMI1sAAAUMgAHjM1mKAAAAAElFTkSuQmCC"}`},
	Title:    "Submit selfie with document",
	Description: "Upload the picture of the applicant holding their identity document next to their face, for a verification whose flow has a selfie_with_document step. " +
		"Answers at once: both faces found, the face against the held document's portrait and against the portrait of the document photographed before. " +
		"A picture without both faces is not stored (retake it); a stored one decides the step's outcome when the verification is processed.",
	Brief:       "the applicant holding their document: face against the held portrait and the document photo's portrait",
	Scope:       ScopeVerificationsWrite,
	Annotations: Annotations{ReadOnly: false, Destructive: false, Idempotent: false, OpenWorld: false},
	REST:        REST{Method: "POST", Path: "/verifications/{id}/selfie_with_document"},
	Summary: func(r SelfieWithDocumentResult) string {
		if r.Passed {
			return fmt.Sprintf("The picture for %s matches both portraits.", r.VerificationID)
		}
		return fmt.Sprintf("The picture for %s did not pass: %s.", r.VerificationID, r.Message)
	},
	SessionAllowed: true,
	Handle:         submitSelfieWithDocument,
}

func submitSelfieWithDocument(ctx context.Context, d *Deps, c Caller, in SubmitSelfieWithDocumentInput) (SelfieWithDocumentResult, error) {
	b, err := biometrics(d)
	if err != nil {
		return SelfieWithDocumentResult{}, err
	}
	v, err := getVerification(ctx, d, c, in.ID)
	if err != nil {
		return SelfieWithDocumentResult{}, err
	}
	o, err := verify.OpenOptions(d.Store, v)
	if err != nil {
		return SelfieWithDocumentResult{}, err
	}
	if !slices.ContainsFunc(o.Steps, func(s models.FlowStep) bool { return s.Type == models.StepSelfieWithDocument }) {
		return SelfieWithDocumentResult{}, Errorf(CodeConflict, "id", "this verification's flow has no selfie_with_document step")
	}
	if v.Status != models.StatusPending && v.Status != models.StatusInProgress || !d.Store.Now().Before(v.ExpiresAt) {
		return SelfieWithDocumentResult{}, Errorf(CodeConflict, "id", "uploads are accepted while a verification is open; this one is %s", v.Status)
	}
	img, err := decodeImage("image", in.Image, 0)
	if err != nil {
		return SelfieWithDocumentResult{}, err
	}
	r, err := b.SelfieWithDocument(ctx, v, img)
	if err != nil {
		if ie := imageErr(err); ie != nil {
			return SelfieWithDocumentResult{}, ie
		}
		return SelfieWithDocumentResult{}, err
	}
	if d.Documents != nil && d.Documents.Ready() == nil && r.Held != nil {
		pic, err := faceimg.Decode(img)
		if err != nil {
			return SelfieWithDocumentResult{}, err
		}
		if err := selfiedoc.ReadHeldMRZ(ctx, d.Documents.Engine(c.Mode).ReadMRZ, pic, r); err != nil {
			return SelfieWithDocumentResult{}, err
		}
	}
	out := SelfieWithDocumentResult{VerificationID: v.ID, FaceFound: r.Face != nil, HeldFound: r.Held != nil, SelfieToHeld: r.SelfieToHeld,
		SelfieToDocument: r.SelfieToDocument, Threshold: r.Threshold, Passed: r.Pass, Reason: r.Reason, Message: r.Message}
	if r.HeldMRZ != nil {
		out.HeldDocumentNumber = r.HeldMRZ.DocumentNumber
	}
	if r.Face == nil || r.Held == nil {
		return out, nil
	}
	art := &models.Artifact{AccountID: v.AccountID, Mode: v.Mode, VerificationID: v.ID, Kind: models.ArtifactSelfieWithDocument, ContentType: imaging.Sniff(img)}
	err = d.Store.InTx(ctx, func(ctx context.Context, tx *db.Tx) error {
		if err := markStarted(ctx, d, tx, c, v, string(models.StepSelfieWithDocument)); err != nil {
			return err
		}
		return tx.InsertArtifact(ctx, art, img, r)
	})
	if err != nil {
		return SelfieWithDocumentResult{}, err
	}
	out.Accepted = true
	return out, nil
}

// imageErr is the field error of an image the decoder or an engine refused (nil for other errors).
func imageErr(err error) error {
	var ie *imaging.Error
	if errors.As(err, &ie) {
		return imageError("image", ie)
	}
	if errors.Is(err, verify.ErrBadImage) {
		return invalid("image", "%v", err)
	}
	return nil
}
