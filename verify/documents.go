package verify

// The document check reads the uploaded sides in a River job (document.analyze), not in the
// request: reading an MRZ takes 0.1–1 s of CPU, retries over rotations and scales, and a
// worker process may own the cores. submit_document stores the image and the job in one
// transaction and waits for the job's answer, so a caller still gets the extraction at once
// when a worker is free, and nothing is lost when none is. The analysis of the sides read
// together is sealed on the newest side's artifact and reused by the check, the age check,
// duplicate detection and screening, so the document is read once.

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/kycd/kycd/checks/document"
	"github.com/kycd/kycd/db"
	"github.com/kycd/kycd/models"
)

// EventDocumentUploaded is recorded when a document side is stored.
const EventDocumentUploaded = "verification.document_uploaded"

// DocumentsConfig configures the document check.
type DocumentsConfig struct {
	// Engine is the OCR engine's configuration (limits, back-end).
	Engine document.Config
	// AllowedCountries are issuing states (ICAO alpha-3, "D" for Germany) accepted by this
	// server; empty = any.
	AllowedCountries []string
	// AllowedDocTypes are document types as everywhere else (models.AllDocumentTypes: passport,
	// id_card, drivers_license, residence_permit); empty = any.
	AllowedDocTypes []string
}

// Documents is the document engine wrapped for the pipeline and the tools. Test-mode
// verifications also accept ICAO's specimen state UTO, so integrators can test with the
// published specimens; live mode never does.
type Documents struct {
	store      *db.Store
	live, test *document.Engine
	cfg        DocumentsConfig
	// mrzTypes are cfg.AllowedDocTypes as the MRZ names them (document.DocPassport, DocIDCard).
	mrzTypes []string
	log      *slog.Logger
}

// NewDocuments loads the engine (once per mode).
func NewDocuments(store *db.Store, cfg DocumentsConfig, logger *slog.Logger) (*Documents, error) {
	if logger == nil {
		logger = slog.Default()
	}
	ec := cfg.Engine
	if ec.Now == nil {
		ec.Now = store.Now
	}
	ec.AllowSpecimen = false
	live, err := document.NewEngine(ec)
	if err != nil {
		return nil, err
	}
	ec.AllowSpecimen = true
	test, err := document.NewEngine(ec)
	if err != nil {
		return nil, err
	}
	// The engine judges the MRZ's document code; the server's list is in document types.
	mrzTypes, err := MRZDocTypes(cfg.AllowedDocTypes)
	if err != nil {
		return nil, err
	}
	return &Documents{store: store, live: live, test: test, cfg: cfg, mrzTypes: mrzTypes, log: logger}, nil
}

// Engine is the engine for a mode (the test one also reads specimens).
func (d *Documents) Engine(mode models.Mode) *document.Engine {
	if mode == models.ModeTest {
		return d.test
	}
	return d.live
}

// Ready implements the optional readiness probe create_verification asks.
func (d *Documents) Ready() error { return d.live.Available() }

// DocumentSide is what one upload says of the document, as the tool returns it and the
// job stores it (sealed) on the artifact.
type DocumentSide struct {
	// Inputs are the artifacts read together (the latest front and back), newest last.
	Inputs []string `json:"inputs"`
	// Sides are the inputs' sides (front, back), in the same order.
	Sides []string `json:"sides"`
	// Result is the engine's reading of the inputs; nil when the image could not be read.
	Result *document.Result `json:"result,omitempty"`
	// Unreadable is set when the image could not be decoded (the reason).
	Unreadable string `json:"unreadable,omitempty"`
	// Number is the full document number, for duplicate detection (sealed with the rest).
	Number string `json:"number,omitempty"`
	// PortraitArtifact is the document_portrait cut from these images ("" when none).
	PortraitArtifact string `json:"portrait_artifact,omitempty"`
	// Declared is what the uploader said the document is (document_type, country).
	Declared DocumentDeclared `json:"declared"`
	// Mismatch lists declared values the reading contradicts.
	Mismatch   []document.ValidationError `json:"mismatch,omitempty"`
	AnalyzedAt time.Time                  `json:"analyzed_at"`
}

// DocumentDeclared is what the applicant or integrator said the document is.
type DocumentDeclared struct {
	DocumentType string `json:"document_type,omitempty"`
	Country      string `json:"country,omitempty"`
}

// DocumentJob is the reading of an uploaded document side (Documents.Analyze), enqueued in
// the upload's transaction.
type DocumentJob struct {
	ArtifactID     string           `json:"artifact_id"`
	VerificationID string           `json:"verification_id"`
	AccountID      string           `json:"account_id"`
	Mode           models.Mode      `json:"mode"`
	Declared       DocumentDeclared `json:"declared"`
}

// Analyze reads the verification's latest sides as they were at the job's upload and seals
// the reading on the uploaded artifact. A deleted verification or artifact is ErrGone.
func (d *Documents) Analyze(ctx context.Context, a DocumentJob) error {
	sc := db.Scope{AccountID: a.AccountID, Mode: a.Mode}
	v, err := d.store.GetVerification(ctx, sc, a.VerificationID)
	if errors.Is(err, db.ErrNotFound) {
		return fmt.Errorf("verification %s: %w: %w", a.VerificationID, ErrGone, err)
	}
	if err != nil {
		return err
	}
	art, err := d.store.GetArtifact(ctx, sc, a.ArtifactID)
	if errors.Is(err, db.ErrNotFound) {
		return fmt.Errorf("artifact %s: %w: %w", a.ArtifactID, ErrGone, err)
	}
	if err != nil {
		return err
	}
	in, err := LoadCheckInput(ctx, d.store, v)
	if err != nil {
		return err
	}
	side, err := d.analyze(ctx, v, in, art, a.Declared)
	if err != nil {
		return err
	}
	return d.store.SetArtifactAnalysis(ctx, sc, art.ID, side)
}

// sideOf maps an artifact kind to the engine's side.
func sideOf(k models.ArtifactKind) document.Side {
	if k == models.ArtifactDocumentBack {
		return document.SideBack
	}
	return document.SideFront
}

// latestSides are the newest front and back of a verification, oldest first, ending with
// upto when given (an analysis reads the sides as they were at that upload).
func (d *Documents) latestSides(ctx context.Context, v *models.Verification, upto *models.Artifact) ([]*models.Artifact, error) {
	var out []*models.Artifact
	for _, k := range []models.ArtifactKind{models.ArtifactDocumentFront, models.ArtifactDocumentBack} {
		if upto != nil && upto.Kind == k {
			continue
		}
		a, err := d.store.LatestArtifact(ctx, scopeOf(v), v.ID, k)
		if errors.Is(err, db.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		if upto != nil && a.ID > upto.ID {
			continue // uploaded after upto: not part of its reading
		}
		out = append(out, a)
	}
	slices.SortFunc(out, func(x, y *models.Artifact) int { return strings.Compare(x.ID, y.ID) })
	if upto != nil {
		out = append(out, upto)
	}
	return out, nil
}

// Policy is the rule set a verification's document is judged against: the server's allowed
// countries and types, the document types of the key that created it (keyTypes; its
// countries were copied onto the verification at creation), the verification's
// document_type (else the document types its flow's document step lists, flowTypes), its
// ages, and the applicant data given at creation.
func (d *Documents) Policy(in *CheckInput, keyTypes, flowTypes []string) document.Policy {
	v := in.Verification
	p := document.Policy{AllowedCountries: d.cfg.AllowedCountries, AllowedDocTypes: d.mrzTypes,
		Prefill: document.Prefill{Name: in.Applicant.Name, DOB: in.Applicant.DOB}, Now: in.Now}
	if v.AllowedCountries != "" {
		p.AllowedCountries = narrow(d.cfg.AllowedCountries, strings.Split(v.AllowedCountries, ","))
	}
	if t := expectedDocType(v.DocumentType); t != "" {
		p.AllowedDocTypes = []string{t}
	} else {
		// A flow listing several types narrows to them (one type was set as document_type at
		// creation); the key's types narrow further.
		for _, types := range [][]string{flowTypes, keyTypes} {
			var mrzTypes []string
			for _, kt := range types {
				if t := expectedDocType(kt); t != "" && !slices.Contains(mrzTypes, t) {
					mrzTypes = append(mrzTypes, t)
				}
			}
			if len(mrzTypes) > 0 {
				p.AllowedDocTypes = narrow(p.AllowedDocTypes, mrzTypes)
			}
		}
	}
	if v.MinAge != nil {
		p.MinAge = *v.MinAge
	}
	if v.MaxAge != nil {
		p.MaxAge = *v.MaxAge
	}
	return p
}

// expectedDocType maps a verification's document_type to the MRZ-derived type: a residence
// permit and a machine-readable driving licence carry ID-card (TD1/TD2) zones.
func expectedDocType(t string) string {
	switch models.DocumentType(t) {
	case models.DocPassport:
		return document.DocPassport
	case models.DocIDCard, models.DocResidencePermit, models.DocDriversLicense:
		return document.DocIDCard
	}
	return ""
}

// analyze reads the sides up to art and cuts the portrait out of them.
func (d *Documents) analyze(ctx context.Context, v *models.Verification, in *CheckInput, art *models.Artifact, declared DocumentDeclared) (*DocumentSide, error) {
	arts, err := d.latestSides(ctx, v, art)
	if err != nil {
		return nil, err
	}
	side := &DocumentSide{Declared: declared, AnalyzedAt: d.store.Now()}
	images := make([]document.Image, 0, len(arts))
	raw := make([][]byte, 0, len(arts))
	for _, a := range arts {
		b, err := d.store.ArtifactImage(a)
		if errors.Is(err, db.ErrPurged) {
			continue
		}
		if err != nil {
			return nil, err
		}
		side.Inputs = append(side.Inputs, a.ID)
		side.Sides = append(side.Sides, string(sideOf(a.Kind)))
		images = append(images, document.Image{Side: sideOf(a.Kind), Bytes: b})
		raw = append(raw, b)
	}
	if len(images) == 0 {
		side.Unreadable = "the document images were deleted by retention"
		return side, nil
	}
	keyTypes, err := d.store.KeyDocumentTypes(ctx, v.APIKeyID)
	if err != nil && !errors.Is(err, db.ErrNotFound) {
		return nil, err
	}
	o, err := OpenOptions(d.store, v)
	if err != nil {
		return nil, err
	}
	res, err := d.Engine(v.Mode).Analyze(ctx, images, d.Policy(in, keyTypes, FlowDocumentTypes(o)))
	var ie *document.InputError
	if errors.As(err, &ie) {
		side.Unreadable = ie.Message
		return side, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read document: %w", err)
	}
	side.Result = res
	if res.MRZ != nil {
		side.Number = strings.TrimRight(res.MRZ.DocumentNumber, "<")
	}
	side.Mismatch = declaredMismatch(declared, res)
	if res.PortraitBox != nil && res.MRZValid {
		crop, err := d.Engine(v.Mode).CropPortrait(raw[res.PortraitBox.Image], *res.PortraitBox)
		if err != nil {
			d.log.WarnContext(ctx, "document portrait", "verification", v.ID, "err", err)
		} else {
			p := &models.Artifact{AccountID: v.AccountID, Mode: v.Mode, VerificationID: v.ID, Kind: models.ArtifactDocumentPortrait, ContentType: "image/jpeg"}
			if err := d.store.InTx(ctx, func(ctx context.Context, tx *db.Tx) error { return tx.InsertArtifact(ctx, p, crop, nil) }); err != nil {
				return nil, err
			}
			side.PortraitArtifact = p.ID
		}
	}
	return side, nil
}

// declaredMismatch compares what the uploader said with what was read.
func declaredMismatch(dc DocumentDeclared, r *document.Result) []document.ValidationError {
	var out []document.ValidationError
	if r.MRZ == nil {
		return nil
	}
	if t := expectedDocType(dc.DocumentType); t != "" && r.DocumentType != t {
		out = append(out, document.ValidationError{Code: "document_type_mismatch", Field: "document_type",
			Message: fmt.Sprintf("declared %s, the MRZ says %s", dc.DocumentType, r.DocumentType)})
	}
	if dc.Country != "" && !strings.EqualFold(dc.Country, r.IssuingCountry) {
		out = append(out, document.ValidationError{Code: "country_mismatch", Field: "country",
			Message: fmt.Sprintf("declared %s, the MRZ says %s", strings.ToUpper(dc.Country), r.IssuingCountry)})
	}
	return out
}

// LatestSide returns the analysis stored on the verification's newest document upload:
// the artifact, its reading (nil while the job has not run yet).
func (d *Documents) LatestSide(ctx context.Context, v *models.Verification) (*models.Artifact, *DocumentSide, error) {
	return latestDocumentSide(ctx, d.store, v)
}

func latestDocumentSide(ctx context.Context, store *db.Store, v *models.Verification) (*models.Artifact, *DocumentSide, error) {
	var newest *models.Artifact
	for _, k := range []models.ArtifactKind{models.ArtifactDocumentFront, models.ArtifactDocumentBack} {
		a, err := store.LatestArtifact(ctx, scopeOf(v), v.ID, k)
		if errors.Is(err, db.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, nil, err
		}
		if newest == nil || a.ID > newest.ID {
			newest = a
		}
	}
	if newest == nil {
		return nil, nil, nil
	}
	var side DocumentSide
	ok, err := store.ArtifactAnalysis(newest, &side)
	if err != nil || !ok {
		return newest, nil, err
	}
	return newest, &side, nil
}

// ArtifactSide returns the stored reading of one document upload (nil while pending).
func (d *Documents) ArtifactSide(ctx context.Context, sc db.Scope, id string) (*DocumentSide, error) {
	a, err := d.store.GetArtifact(ctx, sc, id)
	if err != nil {
		return nil, err
	}
	var side DocumentSide
	ok, err := d.store.ArtifactAnalysis(a, &side)
	if err != nil || !ok {
		return nil, err
	}
	return &side, nil
}

// documentFacts are what a check-digit-valid reading of the latest upload says; nil when
// there is none, so later checks fall back to the applicant data given.
func documentFacts(ctx context.Context, store *db.Store, v *models.Verification) (*DocumentFacts, error) {
	_, side, err := latestDocumentSide(ctx, store, v)
	if err != nil || side == nil || side.Result == nil || !side.Result.MRZValid {
		return nil, err
	}
	r := side.Result
	return &DocumentFacts{DateOfBirth: r.DateOfBirth, Number: side.Number, IssuingCountry: r.IssuingCountry,
		FullName: r.FullName, Nationality: r.Nationality}, nil
}

// Missing implements CheckRunner.
func (d *Documents) Missing(in *CheckInput) []string {
	v := in.Verification
	a, err := d.store.LatestArtifact(context.Background(), scopeOf(v), v.ID, models.ArtifactDocumentFront)
	if err == nil && a != nil {
		return nil
	}
	b, err := d.store.LatestArtifact(context.Background(), scopeOf(v), v.ID, models.ArtifactDocumentBack)
	if err == nil && b != nil {
		return nil
	}
	return []string{"a photo of the identity document (submit_document)"}
}

// Run implements CheckRunner: the reading of the latest sides, judged by the rules. The
// stored reading of the newest upload is reused when it covers the latest sides.
func (d *Documents) Run(ctx context.Context, in *CheckInput) (*models.CheckOutcome, error) {
	v := in.Verification
	arts, err := d.latestSides(ctx, v, nil)
	if err != nil {
		return nil, err
	}
	if len(arts) == 0 {
		return &models.CheckOutcome{Outcome: models.OutcomeFail, Reasons: []models.Reason{{Code: document.ReasonMRZMissing,
			Message: "no document image was uploaded"}}}, nil
	}
	newest := arts[len(arts)-1]
	var side DocumentSide
	ok, err := d.store.ArtifactAnalysis(newest, &side)
	if err != nil {
		return nil, err
	}
	if !ok || !slices.Equal(side.Inputs, ids(arts)) {
		s, err := d.analyze(ctx, v, in, newest, side.Declared)
		if err != nil {
			return nil, err
		}
		if err := d.store.SetArtifactAnalysis(ctx, scopeOf(v), newest.ID, s); err != nil {
			return nil, err
		}
		side = *s
	}
	return documentOutcome(&side), nil
}

func ids(arts []*models.Artifact) []string {
	out := make([]string, len(arts))
	for i, a := range arts {
		out[i] = a.ID
	}
	return out
}

// documentOutcome turns a reading into the check's outcome. The details carry what the
// document says but not the names, date of birth or full number: those stay sealed.
func documentOutcome(side *DocumentSide) *models.CheckOutcome {
	out := &models.CheckOutcome{Reasons: []models.Reason{}, Details: map[string]any{}, Versions: map[string]string{}}
	if side.Result == nil {
		out.Outcome = models.OutcomeReview
		out.Reasons = append(out.Reasons, models.Reason{Code: "document_unreadable", Message: "the document image could not be read: " + side.Unreadable})
		return out
	}
	r := side.Result
	switch r.Verdict {
	case document.VerdictPass:
		out.Outcome = models.OutcomePass
	case document.VerdictFail:
		out.Outcome = models.OutcomeFail
	default:
		out.Outcome = models.OutcomeReview
	}
	for _, e := range r.ValidationErrors {
		out.Reasons = append(out.Reasons, models.Reason{Code: e.Code, Message: e.Message})
	}
	for _, e := range side.Mismatch {
		out.Reasons = append(out.Reasons, models.Reason{Code: e.Code, Message: e.Message})
		if out.Outcome == models.OutcomePass {
			out.Outcome = models.OutcomeReview
		}
	}
	out.Details = map[string]any{
		"document_type": r.DocumentType, "document_code": r.DocumentCode, "issuing_country": r.IssuingCountry,
		"nationality": r.Nationality, "expiry_date": r.ExpiryDate, "expired": r.Expired,
		"document_number_masked": r.DocumentNumberMasked, "mrz_valid": r.MRZValid, "is_valid": r.IsValid,
		"extraction_confidence": r.ExtractionConfidence, "portrait_found": side.PortraitArtifact != "",
		"images": len(side.Inputs),
	}
	if r.Age != nil {
		out.Details["age"] = *r.Age
	}
	// The printed-date and splice checks' evidence (their reasons, printed_date_mismatch and
	// portrait_splice_suspected, came with the validation errors and send it to review).
	if r.PrintedDates != nil {
		out.Details["printed_dates"] = r.PrintedDates
	}
	if r.Splice != nil {
		out.Details["portrait_splice"] = r.Splice
	}
	out.Versions["document_engine"] = r.Engine.Engine + "@" + r.Engine.Version
	out.Versions["document_ocr"] = strings.TrimSuffix(r.Engine.OCR+"@"+r.Engine.Model+r.Engine.Tesseract, "@")
	return out
}

// narrow is the verification's list within the server's (empty server list = any). When
// nothing is left, a sentinel no document carries keeps every country refused.
func narrow(server, verification []string) []string {
	if len(server) == 0 {
		return verification
	}
	var out []string
	for _, c := range verification {
		if slices.Contains(server, c) {
			out = append(out, c)
		}
	}
	if len(out) == 0 {
		return []string{"---"}
	}
	return out
}

// DocumentUploaded records a stored document side on the verification's timeline and enqueues
// its reading, in tx (the upload's transaction, which stored art).
func (s *Service) DocumentUploaded(ctx context.Context, tx *db.Tx, v *models.Verification, art *models.Artifact, side string, declared DocumentDeclared) error {
	q, err := s.queue()
	if err != nil {
		return err
	}
	if err := s.RecordEvent(ctx, tx, v, EventDocumentUploaded, "", map[string]any{"side": side, "artifact_id": art.ID}); err != nil {
		return err
	}
	return q.EnqueueDocument(ctx, tx, DocumentJob{ArtifactID: art.ID, VerificationID: v.ID, AccountID: v.AccountID,
		Mode: v.Mode, Declared: declared})
}

// MRZDocTypes maps document types (models.AllDocumentTypes) to the MRZ document codes the
// engine reads — a residence permit and a machine-readable driving licence carry ID-card
// zones — refusing anything else with the list of known types.
func MRZDocTypes(types []string) ([]string, error) {
	var out []string
	for _, t := range types {
		m := expectedDocType(t)
		if m == "" {
			known := make([]string, len(models.AllDocumentTypes))
			for i, k := range models.AllDocumentTypes {
				known[i] = string(k)
			}
			return nil, fmt.Errorf("document types: %q is not one of %s", t, strings.Join(known, ", "))
		}
		if !slices.Contains(out, m) {
			out = append(out, m)
		}
	}
	return out, nil
}

// FlowDocumentTypes are the document types the document step of a verification's flow
// accepts (nil: any).
func FlowDocumentTypes(o models.SessionOptions) []string {
	for _, s := range o.Steps {
		if s.Type == models.StepDocument {
			return s.DocumentTypes
		}
	}
	return nil
}
