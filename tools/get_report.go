package tools

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"codeberg.org/go-pdf/fpdf"

	"github.com/kycd/kycd/checks/imaging"
	"github.com/kycd/kycd/db"
	"github.com/kycd/kycd/models"
)

// GetReportInput names the verification to report on.
type GetReportInput struct {
	ID string `json:"id" jsonschema:"verification id (ver_…)" minLength:"1" maxLength:"64"`
}

// Report is a verification's compliance report as a PDF.
type Report struct {
	ID          string `json:"id" jsonschema:"the verification"`
	Filename    string `json:"filename" jsonschema:"a file name for it (kycd-VER-….pdf)"`
	ContentType string `json:"content_type" jsonschema:"application/pdf"`
	Pages       int    `json:"pages" jsonschema:"page count"`
	Data        string `json:"data" jsonschema:"the PDF, base64"`
}

// GetReport renders a verification's compliance report.
var GetReport = Tool[GetReportInput, Report]{
	Name:     "get_report",
	Examples: []string{`{"id":"ver_01kbx4r7c8d9e0f1g2h3j4k5m6"}`},
	Title:    "Get a verification report (PDF)",
	Description: "Render a verification's compliance report as a PDF for the compliance file: the decision and its reasons, every check's outcome with its evidence " +
		"and the engine, model and list versions used, screening hits with their explanations and verdicts, the manual review decisions and comments, " +
		"the uploaded images (document, portrait, selfie) and the timeline. It contains personal data: reading it is a read of the applicant's data.",
	Brief:       "the compliance PDF of a verification: decision, evidence, versions, hits and verdicts, reviews, images, timeline",
	Scope:       ScopeVerificationsRead,
	Annotations: Annotations{ReadOnly: true, Destructive: false, Idempotent: true, OpenWorld: false},
	REST:        REST{Method: "GET", Path: "/verifications/{id}/report"},
	Summary: func(r Report) string {
		return fmt.Sprintf("Report %s: %d page(s).", r.Filename, r.Pages)
	},
	Handle: getReport,
}

func getReport(ctx context.Context, d *Deps, c Caller, in GetReportInput) (Report, error) {
	row, err := getVerification(ctx, d, c, in.ID)
	if err != nil {
		return Report{}, err
	}
	v, err := toVerification(d, row)
	if err != nil {
		return Report{}, err
	}
	rc, err := getReview(ctx, d, c, GetReviewInput(in))
	if err != nil {
		return Report{}, err
	}
	evs, _, err := d.Store.ListEvents(ctx, db.EventFilter{Scope: c.scope(), ObjectID: in.ID, Ascending: true, Limit: 500})
	if err != nil {
		return Report{}, err
	}
	r := &reportPDF{pdf: fpdf.New("P", "mm", "A4", "")}
	r.tr = r.pdf.UnicodeTranslatorFromDescriptor("")
	r.pdf.SetTitle("kycd verification report "+v.Reference, true)
	r.pdf.SetCreator("kycd", true)
	r.pdf.SetAutoPageBreak(true, 15)
	generated := d.Store.Now().UTC().Format(time.RFC3339)
	r.pdf.SetFooterFunc(func() {
		r.pdf.SetY(-12)
		r.pdf.SetFont("Helvetica", "", 7)
		r.pdf.SetTextColor(90, 90, 90)
		r.pdf.CellFormat(0, 5, r.tr(fmt.Sprintf("kycd report %s · %s · generated %s for %s · page %d/{nb}", v.Reference, v.ID, generated, c.KeyID, r.pdf.PageNo())), "", 0, "C", false, 0, "")
	})
	r.pdf.AliasNbPages("")
	r.pdf.AddPage()
	r.write(v, rc, evs)
	r.images(ctx, d, c, rc.Images)
	var buf bytes.Buffer
	if err := r.pdf.Output(&buf); err != nil {
		return Report{}, fmt.Errorf("render report: %w", err)
	}
	return Report{ID: v.ID, Filename: "kycd-" + v.Reference + ".pdf", ContentType: "application/pdf", Pages: r.pdf.PageCount(),
		Data: base64.StdEncoding.EncodeToString(buf.Bytes())}, nil
}

type reportPDF struct {
	pdf *fpdf.Fpdf
	tr  func(string) string
}

func (r *reportPDF) heading(s string) {
	r.pdf.Ln(3)
	r.pdf.SetFont("Helvetica", "B", 12)
	r.pdf.SetTextColor(20, 40, 90)
	r.pdf.CellFormat(0, 7, r.tr(s), "B", 1, "L", false, 0, "")
	r.pdf.SetTextColor(0, 0, 0)
	r.pdf.Ln(1)
}

func (r *reportPDF) field(label, value string) {
	r.pdf.SetFont("Helvetica", "B", 9)
	r.pdf.CellFormat(45, 5, r.tr(label), "", 0, "L", false, 0, "")
	r.pdf.SetFont("Helvetica", "", 9)
	r.pdf.MultiCell(0, 5, r.tr(value), "", "L", false)
}

func (r *reportPDF) text(s string) {
	r.pdf.SetFont("Helvetica", "", 9)
	r.pdf.MultiCell(0, 5, r.tr(s), "", "L", false)
}

func derefDash(s *string) string {
	if s == nil || *s == "" {
		return "—"
	}
	return *s
}

func timeOrDash(t *time.Time) string {
	if t == nil {
		return "—"
	}
	return t.UTC().Format(time.RFC3339)
}

func (r *reportPDF) write(v Verification, rc ReviewCase, evs []models.Event) {
	r.pdf.SetFont("Helvetica", "B", 16)
	r.pdf.CellFormat(0, 10, r.tr("Verification report "+v.Reference), "", 1, "L", false, 0, "")
	r.field("Verification", v.ID)
	r.field("Status", v.Status)
	r.field("Mode", v.Mode)
	r.field("Checks", strings.Join(v.Checks, ", "))
	r.field("External reference", derefDash(v.ExternalRef))
	r.field("Created", v.CreatedAt.UTC().Format(time.RFC3339))
	r.field("Submitted", timeOrDash(v.SubmittedAt))
	r.field("Decided", timeOrDash(v.CompletedAt))
	if v.Applicant != nil {
		r.heading("Applicant (as given at creation)")
		r.field("Name", v.Applicant.Name)
		r.field("Date of birth", v.Applicant.DOB)
		r.field("Country", v.Applicant.Country)
		r.field("E-mail", v.Applicant.Email)
	}
	r.heading("Decision")
	if v.Result == nil {
		r.text("No automatic decision yet (status " + v.Status + ").")
	} else {
		r.field("Decision", string(v.Result.Decision))
		r.field("Decided at", v.Result.DecidedAt.UTC().Format(time.RFC3339))
		for _, reason := range v.Result.Reasons {
			r.text(fmt.Sprintf("• [%s] %s: %s", reason.Check, reason.Code, reason.Message))
		}
	}
	if v.Review != nil {
		r.field("Manual decision", fmt.Sprintf("%s by %s at %s", v.Review.Decision, v.Review.ReviewedBy, v.Review.ReviewedAt.Format(time.RFC3339)))
		r.field("Reviewer's reason", v.Review.Reason)
	}
	if v.Result != nil {
		r.heading("Checks, evidence and versions")
		for _, ch := range v.Result.Checks {
			r.checkOutcome(ch)
		}
	}
	if len(rc.Decisions) > 0 || len(rc.Comments) > 0 {
		r.heading("Review")
		for _, dec := range rc.Decisions {
			line := fmt.Sprintf("%s — %s by %s", dec.CreatedAt.Format(time.RFC3339), dec.Decision, dec.Reviewer)
			if len(dec.ReasonCodes) > 0 {
				line += " (" + strings.Join(dec.ReasonCodes, ", ") + ")"
			}
			if len(dec.Checks) > 0 {
				line += "; asked again: " + strings.Join(dec.Checks, ", ")
			}
			r.text(line)
		}
		for _, cm := range rc.Comments {
			r.text(fmt.Sprintf("%s — comment by %s: %s", cm.CreatedAt.Format(time.RFC3339), cm.Author, cm.Body))
		}
	}
	r.heading("Timeline")
	for _, e := range evs {
		data := map[string]any{}
		_ = json.Unmarshal([]byte(e.Data), &data)
		extra := ""
		if s, ok := data["status"].(string); ok {
			extra = " → " + s
		}
		if s, ok := data["decision"].(string); ok {
			extra += " (" + s + ")"
		}
		r.text(fmt.Sprintf("%d. %s  %s%s", e.Seq, e.CreatedAt.UTC().Format(time.RFC3339), e.Type, extra))
	}
}

func (r *reportPDF) checkOutcome(ch models.CheckOutcome) {
	r.pdf.SetFont("Helvetica", "B", 10)
	score := ""
	if ch.Score != nil {
		score = fmt.Sprintf(", score %.3f", *ch.Score)
	}
	r.pdf.CellFormat(0, 6, r.tr(fmt.Sprintf("%s: %s%s", ch.Check, ch.Outcome, score)), "", 1, "L", false, 0, "")
	for _, reason := range ch.Reasons {
		r.text("• " + reason.Code + ": " + reason.Message)
	}
	if hits, ok := ch.Details["hits"].([]any); ok {
		for _, h := range hits {
			r.text("  Hit: " + describeHit(h))
		}
	}
	keys := make([]string, 0, len(ch.Details))
	for k := range ch.Details {
		if k != "hits" {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	for _, k := range keys {
		b, _ := json.Marshal(ch.Details[k])
		s := string(b)
		if len(s) > 300 {
			s = s[:300] + "…"
		}
		r.field("  "+k, s)
	}
	vk := make([]string, 0, len(ch.Versions))
	for k := range ch.Versions {
		vk = append(vk, k)
	}
	sort.Strings(vk)
	for _, k := range vk {
		r.field("  version "+k, ch.Versions[k])
	}
	r.pdf.Ln(1)
}

// describeHit is one screening hit in a line: list, entity, score against threshold, the
// explanation's matched tokens and the analyst's verdict.
func describeHit(h any) string {
	m, ok := h.(map[string]any)
	if !ok {
		return fmt.Sprint(h)
	}
	s := fmt.Sprintf("%v %v %q (matched %q), score %v / threshold %v", m["source"], m["source_id"], m["entity_name"], m["matched_name"], m["score"], m["threshold"])
	if ex, ok := m["explanation"].(map[string]any); ok {
		if matched, ok := ex["matched"].([]any); ok && len(matched) > 0 {
			s += fmt.Sprintf("; matched tokens %v", matched)
		}
	}
	if dec, ok := m["decision"].(map[string]any); ok {
		s += fmt.Sprintf("; verdict %v", dec["verdict"])
	} else {
		s += "; no verdict yet"
	}
	return s
}

// reportKinds are the images a report shows, in order: enough to see who and what was checked
// (liveness frames stay in the dashboard).
var reportKinds = []string{string(models.ArtifactDocumentFront), string(models.ArtifactDocumentBack), string(models.ArtifactDocumentPortrait), string(models.ArtifactSelfie)}

func (r *reportPDF) images(ctx context.Context, d *Deps, c Caller, imgs []CaseImage) {
	shown := false
	for _, kind := range reportKinds {
		var latest *CaseImage
		for i := range imgs {
			if imgs[i].Kind == kind && imgs[i].PurgedAt == nil {
				latest = &imgs[i]
			}
		}
		if latest == nil {
			continue
		}
		a, err := d.Store.GetArtifact(ctx, c.scope(), latest.ID)
		if err != nil {
			continue
		}
		b, err := d.Store.ArtifactImage(a)
		if err != nil {
			continue
		}
		typ := ""
		switch imaging.Sniff(b) {
		case "image/jpeg":
			typ = "JPG"
		case "image/png":
			typ = "PNG"
		default:
			continue // WebP: fpdf cannot embed it; the dashboard shows it
		}
		if !shown {
			r.pdf.AddPage()
			r.heading("Images")
			shown = true
		}
		opt := fpdf.ImageOptions{ImageType: typ, ReadDpi: false}
		info := r.pdf.RegisterImageOptionsReader(latest.ID, opt, bytes.NewReader(b))
		if info == nil || r.pdf.Err() {
			r.pdf.ClearError()
			continue
		}
		w, h := info.Width(), info.Height()
		maxW, maxH := 90.0, 70.0
		scale := min(maxW/w, maxH/h)
		if r.pdf.GetY()+h*scale+10 > 280 {
			r.pdf.AddPage()
		}
		r.pdf.SetFont("Helvetica", "B", 9)
		r.pdf.CellFormat(0, 5, r.tr(fmt.Sprintf("%s (%s, uploaded %s)", kind, latest.ID, latest.CreatedAt.Format(time.RFC3339))), "", 1, "L", false, 0, "")
		r.pdf.ImageOptions(latest.ID, r.pdf.GetX(), r.pdf.GetY(), w*scale, h*scale, true, opt, 0, "")
		r.pdf.Ln(3)
	}
}
