package flow_test

import (
	"encoding/base64"
	"encoding/json"
	"math/rand/v2"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kycd/kycd/checks/document/synth"
	"github.com/kycd/kycd/db/dbtest"
	"github.com/kycd/kycd/rest/flow"
	"github.com/kycd/kycd/tools"
)

var nextRE = regexp.MustCompile(`data-next="([^"]+)"`)

func nextOf(t *testing.T, page string) string {
	t.Helper()
	m := nextRE.FindStringSubmatch(page)
	require.NotNil(t, m, "no data-next in the page")
	return m[1]
}

// A flow with a document step offering two types, a picture holding the document and
// additional documents (the flow's and the session's) shows a page for each, in the flow's
// order, in every language; an extra document's upload goes through
// submit_additional_document and marks its step done; the applicant's document type choice
// is limited to the offered types.
func TestExtraStepPages(t *testing.T) {
	t.Parallel()
	e := newEnv(t, dbtest.SQLite(t), flow.Options{})
	require.Nil(t, e.Call(t, e.Test, "create_flow", map[string]any{"name": "extras", "steps": []any{
		map[string]any{"type": "consent"},
		map[string]any{"type": "document", "document_types": []string{"passport", "id_card"}},
		map[string]any{"type": "selfie_with_document"},
		map[string]any{"type": "additional_document", "label": "bank card"},
		map[string]any{"type": "additional_document", "label": "proof of income", "optional": true},
	}}, nil))
	var v tools.CreatedVerification
	require.Nil(t, e.Call(t, e.Test, "create_verification", map[string]any{"flow": "extras",
		"additional_steps": []any{map[string]any{"label": "residence permit back"}}}, &v))
	require.Nil(t, v.DocumentType, "two types: the applicant chooses")
	base := pathOf(t, v.HostedURL)
	intro := e.do(t, "GET", base, nil, nil)
	require.Equal(t, http.StatusOK, intro.code, intro.body)
	require.Contains(t, intro.body, "holding your identity document next to your face")
	require.Equal(t, 1, strings.Count(intro.body, "extra documents we ask for"), "one item for all extra documents")
	csrf := csrfOf(t, intro.body)
	r := e.do(t, "POST", base+"/consent", url.Values{"csrf": {csrf}, "consent": {"yes"}}, nil)
	require.Equal(t, base+"/step/document", r.hdr.Get("Location"))

	doc := e.do(t, "GET", base+"/step/document", nil, nil)
	require.Equal(t, http.StatusOK, doc.code, doc.body)
	require.Contains(t, doc.body, `<legend>Which document will you use?</legend>`)
	require.Contains(t, doc.body, `value="passport" checked> Passport`)
	require.Contains(t, doc.body, `value="id_card"> Identity card`)
	require.NotContains(t, doc.body, `value="drivers_license"`, "only the flow's types")
	require.Contains(t, doc.body, `data-sides="front"`, "the preselected passport has one side")
	require.Equal(t, base+"/step/selfie_with_document", nextOf(t, doc.body))
	// A type the flow does not offer is refused before any tool runs.
	code, out := e.capture(t, base, csrf, "document", `{"image":"x","side":"front","document_type":"drivers_license"}`)
	require.Equal(t, http.StatusBadRequest, code)
	require.Equal(t, "document_type_not_allowed", out["reason"])

	sd := e.do(t, "GET", base+"/step/selfie_with_document", nil, nil)
	require.Equal(t, http.StatusOK, sd.code, sd.body)
	require.Contains(t, sd.body, "Take a photo holding your document")
	require.Contains(t, sd.body, `data-capture="selfie_with_document"`)
	require.Contains(t, sd.body, `capture="user"`)
	require.Equal(t, base+"/step/additional_document_1", nextOf(t, sd.body))

	want := []struct{ label, next string }{
		{"bank card", base + "/step/additional_document_2"},
		{"proof of income", base + "/step/additional_document_3"},
		{"residence permit back", base + "/step/confirm"},
	}
	for i, w := range want {
		p := e.do(t, "GET", base+"/step/additional_document_"+string(rune('1'+i)), nil, nil)
		require.Equal(t, http.StatusOK, p.code, p.body)
		require.Contains(t, p.body, "Upload: "+w.label)
		require.Contains(t, p.body, `capture="environment"`)
		require.Equal(t, w.next, nextOf(t, p.body))
		require.Equal(t, w.label == "proof of income", strings.Contains(p.body, `id="skip"`), "only the optional one can be skipped")
		require.NotContains(t, p.body, "⟦missing:")
	}
	require.Equal(t, http.StatusNotFound, e.do(t, "GET", base+"/step/additional_document_4", nil, nil).code)

	// The upload: one tool call, kept as evidence; the page may add pages.
	img, _ := json.Marshal(map[string]string{"image": blankDocument(t)})
	code, out = e.capture(t, base, csrf, "additional_document_1", string(img))
	require.Equal(t, http.StatusOK, code, "%v", out)
	require.Equal(t, true, out["ok"])
	require.EqualValues(t, 1, out["pages"])
	require.Equal(t, base+"/step/additional_document_2", out["next"])
	_, out = e.capture(t, base, csrf, "additional_document_1", string(img))
	require.EqualValues(t, 2, out["pages"])
	code, _ = e.capture(t, base, csrf, "additional_document_7", string(img))
	require.Equal(t, http.StatusNotFound, code)
	// The progress bar: the bank card is done, the optional document is not.
	p := e.do(t, "GET", base+"/step/additional_document_2", nil, nil)
	require.Regexp(t, `<li class="done">Extra document</li><li aria-current="step" class="current">Extra document</li><li>Extra document</li>`, p.body)
	require.Regexp(t, `<li>Selfie with document</li>`, p.body, "not taken yet")

	// Every page in every language.
	for _, lang := range []string{"de", "pt", "pt-BR"} {
		for _, st := range []string{"", "/step/document", "/step/selfie_with_document", "/step/additional_document_2"} {
			r := e.do(t, "GET", base+st+"?lang="+lang, nil, map[string]string{"Accept-Language": lang})
			require.Equal(t, http.StatusOK, r.code)
			require.NotContains(t, r.body, "⟦missing:", "%s %s", lang, st)
		}
	}
}

// Without a flow, create_verification's additional_steps come after the check pages.
func TestAdditionalStepsWithoutFlow(t *testing.T) {
	t.Parallel()
	e := newEnv(t, dbtest.SQLite(t), flow.Options{})
	v := e.create(t, map[string]any{"checks": []string{"screening", "face_match"}, "applicant": map[string]any{"name": "Ana Silva"},
		"additional_steps": []any{map[string]any{"label": "bank card", "ocr": true}}})
	base := pathOf(t, v.HostedURL)
	intro := e.do(t, "GET", base, nil, nil)
	r := e.do(t, "POST", base+"/consent", url.Values{"csrf": {csrfOf(t, intro.body)}, "consent": {"yes"}}, nil)
	require.Equal(t, base+"/step/selfie", r.hdr.Get("Location"))
	sel := e.do(t, "GET", base+"/step/selfie", nil, nil)
	require.Equal(t, base+"/step/additional_document_1", nextOf(t, sel.body))
	add := e.do(t, "GET", base+"/step/additional_document_1", nil, nil)
	require.Contains(t, add.body, "Upload: bank card")
	require.Equal(t, base+"/step/confirm", nextOf(t, add.body))
}

// A document step listing several types narrows the document check to them: a passport,
// read from its MRZ, is refused at once where the flow takes only cards.
func TestDocumentStepNarrowsToTheFlowsTypes(t *testing.T) {
	t.Parallel()
	e := newEnv(t, dbtest.SQLite(t), flow.Options{})
	require.Nil(t, e.Call(t, e.Test, "create_flow", map[string]any{"name": "cards", "steps": []any{
		map[string]any{"type": "document", "document_types": []string{"id_card", "residence_permit"}}}}, nil))
	var v tools.CreatedVerification
	require.Nil(t, e.Call(t, e.Test, "create_verification", map[string]any{"flow": "cards"}, &v))
	base := pathOf(t, v.HostedURL)
	intro := e.do(t, "GET", base, nil, nil)
	csrf := csrfOf(t, intro.body)
	e.do(t, "POST", base+"/consent", url.Values{"csrf": {csrf}, "consent": {"yes"}}, nil)
	page := e.do(t, "GET", base+"/step/document", nil, nil)
	require.Contains(t, page.body, `value="id_card" checked> Identity card`)
	require.Contains(t, page.body, `value="residence_permit"> Residence permit`)
	require.Contains(t, page.body, `data-sides="front back"`)

	body, _ := json.Marshal(map[string]string{"image": synthPassport(t), "side": "front", "document_type": "id_card"})
	code, out := e.capture(t, base, csrf, "document", string(body))
	require.Equal(t, http.StatusOK, code, "%v", out)
	require.NotEqual(t, true, out["ok"], "%v", out)
	require.Equal(t, "document_type_not_allowed", out["reason"])
}

// synthPassport is a rendered passport data page (a TD3 MRZ) as a data URL.
func synthPassport(t *testing.T) string {
	t.Helper()
	doc, err := synth.Render(synth.Identity{Kind: synth.TD3, DocumentCode: "P", IssuingState: "UTO", Surname: "ERIKSSON", GivenNames: "ANNA MARIA",
		DocumentNumber: "L898902C3", Nationality: "UTO", DateOfBirth: "1974-08-12", Sex: "F", ExpiryDate: "2034-04-15"},
		synth.Options{JPEGQuality: 90}, rand.New(rand.NewPCG(3, 1)))
	require.NoError(t, err)
	return "data:image/jpeg;base64," + base64.StdEncoding.EncodeToString(doc.Front)
}
