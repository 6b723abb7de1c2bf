package flow

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"slices"
	"strings"

	"github.com/kycd/kycd/tools"
)

// The proof-of-address step (#23): after the document step, the applicant types the address
// they live at and uploads a recent bill, statement or letter — a PDF or a photo, from the
// camera or the file picker — which check_address's job reads while the page waits. A document that cannot be
// accepted (too old, someone else's, another address) is explained and may be replaced; the
// latest one is the evidence the verification's decision uses.

// addressWait is how long the upload waits for the address.read job (seconds): a photo
// takes 1–5 s of CPU, more behind other documents.
const addressWait = 60

// addressCountries are the countries the address parser knows, offered in the form.
var addressCountries = []string{"AT", "BE", "BR", "CA", "CH", "DE", "ES", "FR", "GB", "IE", "IT", "NL", "PL", "PT", "US"}

// addressForm is what the applicant typed, kept to show the form again.
type addressForm struct {
	Name, Line1, Line2, City, PostalCode, Country string
	Countries                                     []string
}

func (h *Handler) addressStep(w http.ResponseWriter, r *http.Request, s *session, p *page) {
	f := &addressForm{Countries: addressCountries}
	if a := s.v.Applicant; a != nil {
		f.Name, f.Country = a.Name, strings.ToUpper(a.Country)
	}
	p.AddressForm = f
	h.render(w, r, "address", http.StatusOK, p)
}

// addressPost reads the form and the uploaded document and calls check_address.
func (h *Handler) addressPost(w http.ResponseWriter, r *http.Request, s *session) {
	r.Body = http.MaxBytesReader(w, r.Body, h.opts.UploadLimit)
	if err := r.ParseMultipartForm(1 << 20); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			h.renderError(w, r, s.cat, http.StatusRequestEntityTooLarge, "error.title", "address.too_large")
			return
		}
		h.renderError(w, r, s.cat, http.StatusBadRequest, "error.title", "error.generic")
		return
	}
	defer func() { _ = r.MultipartForm.RemoveAll() }()
	if !h.guardPost(w, r, s, r.PostFormValue("csrf")) {
		return
	}
	if !s.open(h.now()) {
		http.Redirect(w, r, s.stepURL(stepResult), http.StatusSeeOther)
		return
	}
	if !slices.Contains(s.steps, stepAddress) {
		h.renderError(w, r, s.cat, http.StatusNotFound, "error.invalid_link.title", "error.invalid_link.text")
		return
	}
	p := h.newPage(r, s, stepAddress)
	p.Next = s.stepURL(s.next(stepAddress))
	val := func(k string, n int) string {
		v := strings.TrimSpace(r.PostFormValue(k))
		if len(v) > n {
			v = v[:n]
		}
		return v
	}
	f := &addressForm{Countries: addressCountries, Name: val("name", 200), Line1: val("line1", 200), Line2: val("line2", 200),
		City: val("city", 200), PostalCode: val("postal_code", 20), Country: strings.ToUpper(val("country", 2))}
	p.AddressForm = f
	fail := func(code int, key, on string) {
		p.Error, p.ErrorOn = key, on
		h.render(w, r, "address", code, p)
	}
	switch {
	case f.Name == "":
		fail(http.StatusUnprocessableEntity, "address.name.required", "name")
		return
	case f.Line1 == "" || f.City == "" || f.Country == "":
		fail(http.StatusUnprocessableEntity, "address.fields.required", "line1")
		return
	}
	var document string
	if sample := r.PostFormValue("sample"); sample != "" && s.testMode() {
		// Test mode: a sample bill made out to what was typed (or to someone else).
		bill, err := tools.SampleBill(r.Context(), h.reg.Deps(), s.caller, f.Name,
			tools.SampleAddress{Line1: f.Line1, Line2: f.Line2, City: f.City, PostalCode: f.PostalCode, Country: f.Country}, sample == "bill-other")
		if err != nil {
			fail(http.StatusUnprocessableEntity, "error.generic", "")
			return
		}
		document = bill
	} else {
		file, _, err := r.FormFile("document")
		if err != nil {
			fail(http.StatusUnprocessableEntity, "address.document.required", "document")
			return
		}
		doc, err := io.ReadAll(io.LimitReader(file, h.opts.UploadLimit+1))
		_ = file.Close()
		if err != nil || len(doc) == 0 {
			fail(http.StatusUnprocessableEntity, "address.document.required", "document")
			return
		}
		document = base64.StdEncoding.EncodeToString(doc)
	}
	// A job reads the document; the page waits for its decision, so a rejection can be
	// explained at once. One still processing after the wait is decided at submission.
	args, _ := json.Marshal(map[string]any{"verification_id": s.caller.VerificationID, "declared_name": f.Name,
		"document": document, tools.FieldWaitSeconds: addressWait,
		"declared_address": map[string]any{"line1": f.Line1, "line2": f.Line2, "city": f.City, "postal_code": f.PostalCode, "country": f.Country}})
	out, err := h.reg.Call(r.Context(), s.caller, toolAddress, args)
	if err != nil {
		te := tools.AsError(err)
		switch {
		case te == nil:
			h.log.ErrorContext(r.Context(), "flow: address step", "verification", s.caller.VerificationID, "err", err)
			fail(http.StatusInternalServerError, "error.generic", "")
		case te.Code == tools.CodeConflict && strings.HasPrefix(te.Message, tools.ConsentRequired):
			http.Redirect(w, r, s.stepURL(stepIntro), http.StatusSeeOther)
		case te.Code == tools.CodeConflict:
			http.Redirect(w, r, s.stepURL(stepResult), http.StatusSeeOther)
		case te.Code == tools.CodeTooLarge:
			fail(http.StatusRequestEntityTooLarge, "address.too_large", "document")
		case te.Code == tools.CodeUnavailable || te.Code == tools.CodeRateLimited:
			fail(http.StatusServiceUnavailable, "error.unavailable", "")
		case strings.HasPrefix(te.Field, "declared_address"):
			fail(http.StatusUnprocessableEntity, "address.fields.invalid", "line1")
		case te.Field == "document":
			fail(http.StatusUnprocessableEntity, "address.document.unreadable", "document")
		default:
			fail(http.StatusUnprocessableEntity, "error.generic", "")
		}
		return
	}
	res, _ := out.(tools.AddressCheck)
	if res.Status == "rejected" {
		// Say why in the applicant's words, and let them send another document.
		key := "address.rejected"
		for _, rs := range res.Reasons {
			if rs.Effect == "reject" && s.cat.Has("address.reason."+rs.Code) {
				key = "address.reason." + rs.Code
				break
			}
		}
		fail(http.StatusUnprocessableEntity, key, "document")
		return
	}
	http.Redirect(w, r, p.Next, http.StatusSeeOther)
}
