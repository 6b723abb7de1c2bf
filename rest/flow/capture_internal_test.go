package flow

import (
	"testing"

	"github.com/kycd/kycd/checks/document"
	"github.com/kycd/kycd/tools"
)

// A document the applicant can replace is refused at capture, in their words; otherwise the
// page follows the side the server asks for, and falls back to its own list only while the
// upload is unread.
func TestDocumentOutcomeAtCapture(t *testing.T) {
	cats, err := loadCatalogs()
	if err != nil {
		t.Fatal(err)
	}
	s := &session{cat: cats["en"], steps: []string{stepIntro, stepDocument, stepConfirm, stepResult}}
	h := &Handler{}
	for _, c := range []struct {
		name   string
		in     tools.DocumentResult
		ok     bool
		reason string
		side   string
		pend   bool
	}{
		{"expired", tools.DocumentResult{Accepted: true, ValidationErrors: []document.ValidationError{{Code: "document_expired"}}}, false, "document_expired", "", false},
		{"wrong type", tools.DocumentResult{Accepted: true, ValidationErrors: []document.ValidationError{{Code: "low_confidence"}, {Code: "document_type_not_allowed"}}}, false, "document_type_not_allowed", "", false},
		{"country", tools.DocumentResult{Accepted: true, ValidationErrors: []document.ValidationError{{Code: "country_not_allowed"}}}, false, "country_not_allowed", "", false},
		{"unreadable", tools.DocumentResult{Accepted: false, Reason: "mrz_unreadable"}, false, "mrz_unreadable", "", false},
		{"passport read", tools.DocumentResult{Accepted: true, AnalysisStatus: "done"}, true, "", "", false},
		{"card front", tools.DocumentResult{Accepted: true, AnalysisStatus: "done", NextSide: "back"}, true, "", "back", false},
		{"not read yet", tools.DocumentResult{Accepted: true, AnalysisStatus: "pending"}, true, "", "", true},
		{"review only", tools.DocumentResult{Accepted: true, AnalysisStatus: "done", ValidationErrors: []document.ValidationError{{Code: "low_confidence"}}}, true, "", "", false},
	} {
		got := h.apiOutcome(s, stepDocument, c.in)
		if got.OK != c.ok || got.Reason != c.reason || got.NextSide != c.side || got.Pending != c.pend {
			t.Errorf("%s: %+v", c.name, got)
		}
		if !c.ok && (got.Message == "" || s.cat.T("capture.reason.generic") == got.Message) {
			t.Errorf("%s: no specific message: %q", c.name, got.Message)
		}
	}
}
