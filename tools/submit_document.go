package tools

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/kycd/kycd/checks/document"
	"github.com/kycd/kycd/checks/imaging"
	"github.com/kycd/kycd/checks/mrz"
	"github.com/kycd/kycd/db"
	"github.com/kycd/kycd/models"
	"github.com/kycd/kycd/verify"
)

// SubmitDocumentInput is one photo of an identity document.
type SubmitDocumentInput struct {
	ID           string `json:"id" jsonschema:"verification id (ver_…)" minLength:"1" maxLength:"64"`
	Side         string `json:"side,omitempty" jsonschema:"front (data page, portrait side; default) or back (an ID card's MRZ side)" enumof:"document.AllSides"`
	Image        string `json:"image" jsonschema:"the photo, base64 or data URL (JPEG, PNG, WebP, ≤ 15 MB, ≤ 40 MP)" minLength:"1"`
	DocumentType string `json:"document_type,omitempty" jsonschema:"what the applicant says it is (a contradicting reading: document_type_mismatch)" enumof:"models.AllDocumentTypes"`
	Country      string `json:"country,omitempty" jsonschema:"the issuing state the applicant names (a contradicting reading: country_mismatch)" country:"icao"`
}

// DocumentResult is what a document upload read.
type DocumentResult struct {
	VerificationID string `json:"verification_id" jsonschema:"the verification"`
	Status         string `json:"status" jsonschema:"the verification's status after the upload"`
	Side           string `json:"side" jsonschema:"the side stored" enumof:"document.AllSides"`
	ArtifactID     string `json:"artifact_id" jsonschema:"the stored image (art_…)"`
	// AnalysisStatus is pending when no worker read the image within the tool's wait.
	AnalysisStatus string `json:"analysis_status" jsonschema:"done, or pending when no worker has read the image yet (the document check reads it at submission)" enum:"done,pending"`
	Accepted       bool   `json:"accepted" jsonschema:"false means retake the photo (reason says why); the image stays stored but a better one should follow"`
	Reason         string `json:"reason,omitempty" jsonschema:"why the photo should be retaken: mrz_unreadable, unreadable"`
	// NextSide is set when the other side is still needed (an ID card's MRZ is on its back).
	NextSide string `json:"next_side,omitempty" jsonschema:"the side to upload next, when one is still needed" enumof:"document.AllSides"`

	DocumentType         string                     `json:"document_type" jsonschema:"passport, id_card, visa or other, from the MRZ document code; empty when no MRZ was read"`
	IssuingCountry       string                     `json:"issuing_country" jsonschema:"issuing state, ICAO code (D for Germany)"`
	FullName             string                     `json:"full_name" jsonschema:"given names then surname, as in the MRZ"`
	GivenNames           string                     `json:"given_names" jsonschema:"given names"`
	Surname              string                     `json:"surname" jsonschema:"surname"`
	DateOfBirth          string                     `json:"date_of_birth" jsonschema:"YYYY-MM-DD"`
	Nationality          string                     `json:"nationality" jsonschema:"ICAO code"`
	Sex                  string                     `json:"sex" jsonschema:"M, F or X (unspecified)"`
	DocumentNumberMasked string                     `json:"document_number_masked" jsonschema:"the document number with all but the last characters masked"`
	ExpiryDate           string                     `json:"expiry_date" jsonschema:"YYYY-MM-DD"`
	Expired              bool                       `json:"expired" jsonschema:"the document expired before today"`
	MRZValid             bool                       `json:"mrz_valid" jsonschema:"every check digit agrees"`
	IsValid              bool                       `json:"is_valid" jsonschema:"MRZ valid and the document not expired"`
	ExtractionConfidence float64                    `json:"extraction_confidence" jsonschema:"0–1: the OCR's lowest confidence over the characters no check digit protects"`
	ValidationErrors     []document.ValidationError `json:"validation_errors" jsonschema:"every problem found, each with a machine-readable code (mrz_missing, mrz_invalid, document_expired, country_not_allowed, document_type_not_allowed, age_below_minimum, age_above_maximum, prefill_mismatch, low_confidence, document_type_mismatch, country_mismatch)"`
	Verdict              string                     `json:"verdict" jsonschema:"what the document check would decide on these images: pass, review or fail; empty while pending" enum:"pass,review,fail,"`
	PortraitFound        bool                       `json:"portrait_found" jsonschema:"a document portrait was cut out for the face match"`
}

// documentWait is how long submit_document waits for the document.analyze job: a read
// takes 0.1–1 s of CPU, and SQLite workers poll every 250 ms.
const documentWait = 20 * time.Second

// SubmitDocument stores a document photo and reads it.
var SubmitDocument = Tool[SubmitDocumentInput, DocumentResult]{
	Name:        "submit_document",
	Examples:    []string{`{"id":"ver_01kbx4r7c8d9e0f1g2h3j4k5m6","side":"front","image":"data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAABAAAAAQCAAAAAA6mKC9AAAAD0lEQVR42mNoQAMMI1sAAAUMgAHjM1mKAAAAAElFTkSuQmCC","document_type":"passport"}`},
	Title:       "Submit document photo",
	Description: "Upload a photo of the identity document (passport data page, ID card front or back). The MRZ is read and validated in a background job the tool waits for (up to 20 s): the extracted fields (number masked), the check digits' verdict and every rule problem, or accepted=false with a reason to retake. Moves the verification to in_progress; the latest photo of each side counts.",
	Brief:       "upload a document photo (front/back) for a verification: MRZ read and validated, extraction (type, country, names, dates, masked number), rules verdict; moves the verification to `in_progress`",
	Scope:       ScopeVerificationsWrite,
	Annotations: Annotations{ReadOnly: false, Destructive: false, Idempotent: false, OpenWorld: false},
	REST:        REST{Method: "POST", Path: "/verifications/{id}/document"},
	Summary:     summarizeDocument,
	Handle:      submitDocument,
	// The hosted flow uploads the applicant's document photos.
	SessionAllowed: true,
}

func summarizeDocument(r DocumentResult) string {
	switch {
	case r.AnalysisStatus == "pending":
		return fmt.Sprintf("Document %s stored for %s (now %s); not read yet — the check reads it at submission.", r.Side, r.VerificationID, r.Status)
	case !r.Accepted:
		return fmt.Sprintf("Document %s of %s should be retaken: %s.", r.Side, r.VerificationID, r.Reason)
	case r.DocumentType == "":
		return fmt.Sprintf("Document %s stored for %s; now upload the %s.", r.Side, r.VerificationID, r.NextSide)
	}
	valid := "MRZ valid"
	if !r.MRZValid {
		valid = "MRZ INVALID"
	}
	return fmt.Sprintf("%s from %s read for %s: %s, born %s, expires %s, %s; verdict %s (%d problem(s)).",
		r.DocumentType, r.IssuingCountry, r.VerificationID, r.FullName, r.DateOfBirth, r.ExpiryDate, valid, r.Verdict, len(r.ValidationErrors))
}

// documents returns the engine or the unavailable error.
func documents(d *Deps) (*verify.Documents, error) {
	if d.Documents == nil {
		return nil, Errorf(CodeUnavailable, "", "the document check is not available on this server")
	}
	return d.Documents, nil
}

func submitDocument(ctx context.Context, d *Deps, c Caller, in SubmitDocumentInput) (DocumentResult, error) {
	docs, err := documents(d)
	if err != nil {
		return DocumentResult{}, err
	}
	side := in.Side
	if side == "" {
		side = "front"
	}
	country, err := issuingStateField("country", in.Country)
	if err != nil {
		return DocumentResult{}, err
	}
	v, _, err := openForUpload(ctx, d, c, in.ID, models.CheckDocument)
	if err != nil {
		return DocumentResult{}, err
	}
	if in.DocumentType != "" {
		// A flow's document step listing several types lets the applicant say which one this is.
		o, err := verify.OpenOptions(d.Store, v)
		if err != nil {
			return DocumentResult{}, err
		}
		if ft := verify.FlowDocumentTypes(o); len(ft) > 0 && !slices.Contains(ft, in.DocumentType) {
			return DocumentResult{}, invalid("document_type", "this verification's flow accepts only %s", strings.Join(ft, ", "))
		}
	}
	img, err := decodeImage("image", in.Image, 0)
	if err != nil {
		return DocumentResult{}, err
	}
	kind := models.ArtifactDocumentFront
	if side == "back" {
		kind = models.ArtifactDocumentBack
	}
	art := &models.Artifact{AccountID: v.AccountID, Mode: v.Mode, VerificationID: v.ID, Kind: kind, ContentType: imaging.Sniff(img)}
	declared := verify.DocumentDeclared{DocumentType: in.DocumentType, Country: country}
	err = d.Store.InTx(ctx, func(ctx context.Context, tx *db.Tx) error {
		if err := markStarted(ctx, d, tx, c, v, "document_"+side); err != nil {
			return err
		}
		if err := tx.InsertArtifact(ctx, art, img, nil); err != nil {
			return err
		}
		cur := *v
		cur.Status = models.StatusInProgress
		return d.Verify.DocumentUploaded(ctx, tx, &cur, art, side, declared)
	})
	if err != nil {
		return DocumentResult{}, storeErr(err, "verification", "id")
	}
	out := DocumentResult{VerificationID: v.ID, Status: string(models.StatusInProgress), Side: side, ArtifactID: art.ID,
		AnalysisStatus: "pending", Accepted: true, ValidationErrors: []document.ValidationError{}}
	read, err := awaitDocument(ctx, docs, c.scope(), art.ID)
	if err != nil || read == nil {
		return out, err
	}
	out.AnalysisStatus = "done"
	declaredV := *v
	if declaredV.DocumentType == "" {
		declaredV.DocumentType = in.DocumentType // a passport the applicant chose has no back to ask for
	}
	fillDocumentResult(&out, read, &declaredV, side)
	return out, nil
}

// awaitDocument polls the upload's reading until the job stored it or documentWait passed.
func awaitDocument(ctx context.Context, docs *verify.Documents, sc db.Scope, artifactID string) (*verify.DocumentSide, error) {
	ctx, cancel := context.WithTimeout(ctx, documentWait)
	defer cancel()
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		read, err := docs.ArtifactSide(ctx, sc, artifactID)
		if err == nil && read != nil {
			return read, nil
		}
		if err != nil && !errors.Is(err, context.DeadlineExceeded) {
			return nil, err
		}
		select {
		case <-ctx.Done():
			return nil, nil // still pending: the answer says so
		case <-tick.C:
		}
	}
}

// fillDocumentResult copies a reading into the answer and decides whether to retake.
func fillDocumentResult(out *DocumentResult, read *verify.DocumentSide, v *models.Verification, side string) {
	if read.Result == nil {
		out.Accepted, out.Reason = false, "unreadable"
		out.ValidationErrors = append(out.ValidationErrors, document.ValidationError{Code: "unreadable", Field: "image", Message: read.Unreadable})
		return
	}
	r := read.Result
	out.DocumentType, out.IssuingCountry, out.FullName = r.DocumentType, r.IssuingCountry, r.FullName
	out.GivenNames, out.Surname, out.DateOfBirth, out.Nationality, out.Sex = r.GivenNames, r.Surname, r.DateOfBirth, r.Nationality, r.Sex
	out.DocumentNumberMasked, out.ExpiryDate, out.Expired = r.DocumentNumberMasked, r.ExpiryDate, r.Expired
	out.MRZValid, out.IsValid, out.ExtractionConfidence = r.MRZValid, r.IsValid, r.ExtractionConfidence
	out.ValidationErrors = append(append(out.ValidationErrors, r.ValidationErrors...), read.Mismatch...)
	out.Verdict = string(r.Verdict)
	if len(read.Mismatch) > 0 && out.Verdict == string(document.VerdictPass) {
		out.Verdict = string(document.VerdictReview)
	}
	out.PortraitFound = read.PortraitArtifact != ""
	if r.MRZ != nil {
		if r.MRZ.Format == mrz.FormatTD1 && !slices.Contains(read.Sides, "front") {
			out.NextSide = "front" // the portrait is on the card's front
		}
		return
	}
	// No MRZ in the sides read so far. An ID card's front carries none: ask for the back.
	if side == "front" && v.DocumentType != string(models.DocPassport) {
		out.NextSide = "back"
		out.ValidationErrors = out.ValidationErrors[:0]
		out.Verdict = ""
		return
	}
	out.Accepted, out.Reason = false, "mrz_unreadable"
}
