package tools_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"image"
	"image/color"
	"image/png"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kycd/kycd/checks/document/synth"
	"github.com/kycd/kycd/checks/mrz"
	"github.com/kycd/kycd/db"
	"github.com/kycd/kycd/db/dbtest"
	"github.com/kycd/kycd/internal/tooltest"
	"github.com/kycd/kycd/models"
	"github.com/kycd/kycd/tools"
	"github.com/kycd/kycd/verify"
)

var erika = synth.Identity{Kind: synth.TD3, DocumentCode: "P", IssuingState: "FRA", Surname: "MUSTERMANN", GivenNames: "ERIKA",
	DocumentNumber: "C01X00T47", Nationality: "FRA", DateOfBirth: "1964-08-12", Sex: "F", ExpiryDate: "2034-10-31"}

// render draws a synthetic document photo (JPEG) and returns it as a data URL per side.
func render(t *testing.T, id synth.Identity) (front, back string) {
	t.Helper()
	doc, err := synth.Render(id, synth.Options{JPEGQuality: 92}, rand.New(rand.NewPCG(7, 1)))
	require.NoError(t, err)
	front = "data:image/jpeg;base64," + base64.StdEncoding.EncodeToString(doc.Front)
	if doc.Back != nil {
		back = "data:image/jpeg;base64," + base64.StdEncoding.EncodeToString(doc.Back)
	}
	return front, back
}

func documentEnv(t *testing.T, s *db.Store) *tooltest.Env {
	t.Helper()
	docs, err := verify.NewDocuments(s, verify.DocumentsConfig{}, nil)
	require.NoError(t, err)
	return tooltest.New(t, s, map[models.Check]verify.CheckRunner{models.CheckDocument: docs, models.CheckScreening: tooltest.Check{Outcome: models.OutcomePass}})
}

// A passport photo is read in the document.analyze job; the answer carries the extraction,
// the verification is approved by the document check, and its result keeps names and the
// full number out.
func TestSubmitDocumentPassport(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, s *db.Store) {
		e := documentEnv(t, s)
		front, _ := render(t, erika)
		var v tools.Verification
		require.Nil(t, e.Call(t, e.Test, "create_verification", map[string]any{"checks": []string{"document"}, "document_type": "passport",
			"applicant": map[string]any{"name": "Erika Mustermann", "dob": "1964-08-12"}}, &v))

		var r tools.DocumentResult
		require.Nil(t, e.Call(t, e.Test, "submit_document", map[string]any{"id": v.ID, "image": front, "country": "fra"}, &r))
		require.Equal(t, "done", r.AnalysisStatus)
		require.True(t, r.Accepted, r.Reason)
		require.Equal(t, "in_progress", r.Status)
		require.Equal(t, "passport", r.DocumentType)
		require.Equal(t, "FRA", r.IssuingCountry)
		require.Equal(t, "MUSTERMANN", r.Surname)
		require.Equal(t, "ERIKA", r.GivenNames)
		require.Equal(t, "1964-08-12", r.DateOfBirth)
		require.Equal(t, "2034-10-31", r.ExpiryDate)
		require.Equal(t, "F", r.Sex)
		require.NotContains(t, r.DocumentNumberMasked, "C01X00T4", "masked")
		require.True(t, strings.HasSuffix(r.DocumentNumberMasked, "47") || strings.HasSuffix(r.DocumentNumberMasked, "7"), r.DocumentNumberMasked)
		require.True(t, r.MRZValid)
		require.True(t, r.IsValid)
		require.Equal(t, "pass", r.Verdict, "%+v", r.ValidationErrors)
		require.True(t, r.PortraitFound)
		require.Empty(t, r.NextSide)

		require.Nil(t, e.Call(t, e.Test, "submit_verification", map[string]any{"id": v.ID}, nil))
		require.Nil(t, e.Call(t, e.Test, "get_verification", map[string]any{"id": v.ID, "wait_seconds": 30}, &v))
		require.Equal(t, "approved", v.Status, "%+v", v.Result)
		var doc *models.CheckOutcome
		for i := range v.Result.Checks {
			if v.Result.Checks[i].Check == "document" {
				doc = &v.Result.Checks[i]
			}
		}
		require.NotNil(t, doc)
		require.Equal(t, models.OutcomePass, doc.Outcome)
		require.Equal(t, "FRA", doc.Details["issuing_country"])
		require.Equal(t, true, doc.Details["portrait_found"])
		require.NotEmpty(t, doc.Versions["document_engine"])
		b, err := json.Marshal(v.Result)
		require.NoError(t, err)
		require.NotContains(t, string(b), "MUSTERMANN", "names stay out of the stored result")
		require.NotContains(t, string(b), "C01X00T47", "the full number stays out of the stored result")

		// The timeline has the upload; the portrait was stored for the face match.
		var types []string
		for _, ev := range e.Events(t, e.Test, v.ID) {
			types = append(types, ev.Type)
		}
		require.Contains(t, types, verify.EventDocumentUploaded)
		sc := db.Scope{AccountID: e.Test.AccountID, Mode: e.Test.Mode}
		p, err := s.LatestArtifact(t.Context(), sc, v.ID, models.ArtifactDocumentPortrait)
		require.NoError(t, err)
		require.Equal(t, "image/jpeg", p.ContentType)
	})
}

// What the applicant typed at creation must agree with the document; a contradiction sends
// the verification to review, and a declared country that differs is reported.
func TestSubmitDocumentMismatch(t *testing.T) {
	t.Parallel()
	e := documentEnv(t, dbtest.SQLite(t))
	front, _ := render(t, erika)
	var v tools.Verification
	require.Nil(t, e.Call(t, e.Test, "create_verification", map[string]any{"checks": []string{"document"},
		"applicant": map[string]any{"name": "Hans Schmidt", "dob": "1980-01-01"}}, &v))
	var r tools.DocumentResult
	require.Nil(t, e.Call(t, e.Test, "submit_document", map[string]any{"id": v.ID, "image": front, "country": "DEU"}, &r))
	require.Equal(t, "done", r.AnalysisStatus)
	require.True(t, r.MRZValid)
	require.NotEqual(t, "pass", r.Verdict)
	codes := map[string]bool{}
	for _, ve := range r.ValidationErrors {
		codes[ve.Code] = true
	}
	require.True(t, codes["prefill_mismatch"], "%+v", r.ValidationErrors)
	require.True(t, codes["country_mismatch"], "%+v", r.ValidationErrors)

	require.Nil(t, e.Call(t, e.Test, "submit_verification", map[string]any{"id": v.ID}, nil))
	require.Nil(t, e.Call(t, e.Test, "get_verification", map[string]any{"id": v.ID, "wait_seconds": 30}, &v))
	require.Equal(t, "needs_review", v.Status)
	var reasons []string
	for _, rs := range v.Result.Reasons {
		reasons = append(reasons, rs.Code)
	}
	require.Contains(t, reasons, "prefill_mismatch")
}

// An ID card: the front has no MRZ, so the answer asks for the back; the back's MRZ is read
// together with the front, where the portrait is.
func TestSubmitDocumentIDCardSides(t *testing.T) {
	t.Parallel()
	e := documentEnv(t, dbtest.SQLite(t))
	card := erika
	card.Kind, card.DocumentCode, card.DocumentNumber = synth.TD1, "ID", "X4RTBPFW4"
	front, back := render(t, card)
	require.NotEmpty(t, back)
	var v tools.Verification
	require.Nil(t, e.Call(t, e.Test, "create_verification", map[string]any{"checks": []string{"document"}, "document_type": "id_card"}, &v))

	var r tools.DocumentResult
	require.Nil(t, e.Call(t, e.Test, "submit_document", map[string]any{"id": v.ID, "image": front, "side": "front"}, &r))
	require.Equal(t, "done", r.AnalysisStatus)
	require.True(t, r.Accepted)
	require.Equal(t, "back", r.NextSide)
	require.Empty(t, r.DocumentType)

	r = tools.DocumentResult{}
	require.Nil(t, e.Call(t, e.Test, "submit_document", map[string]any{"id": v.ID, "image": back, "side": "back"}, &r))
	require.True(t, r.Accepted, r.Reason)
	require.Equal(t, "id_card", r.DocumentType)
	require.True(t, r.MRZValid)
	require.Empty(t, r.NextSide)
	require.True(t, r.PortraitFound, "the portrait is cut from the front")

	// A blank photo of the back is refused with a reason to retake.
	r = tools.DocumentResult{}
	require.Nil(t, e.Call(t, e.Test, "submit_document", map[string]any{"id": v.ID, "image": blankPNG(t), "side": "back"}, &r))
	require.False(t, r.Accepted)
	require.Equal(t, "mrz_unreadable", r.Reason)
}

// Bad input names the field; nothing is stored for it.
func TestSubmitDocumentBadInput(t *testing.T) {
	t.Parallel()
	e := documentEnv(t, dbtest.SQLite(t))
	var v, scr tools.Verification
	require.Nil(t, e.Call(t, e.Test, "create_verification", map[string]any{"checks": []string{"document"}}, &v))
	require.Nil(t, e.Call(t, e.Test, "create_verification", map[string]any{"checks": []string{"screening"}, "applicant": map[string]any{"name": "A B"}}, &scr))
	front, _ := render(t, erika)
	for _, c := range []struct {
		args  map[string]any
		code  tools.Code
		field string
	}{
		{map[string]any{"id": v.ID, "image": "bm90IGFuIGltYWdl"}, tools.CodeInvalidArgument, "image"},
		{map[string]any{"id": v.ID, "image": front, "side": "middle"}, tools.CodeInvalidArgument, "side"},
		{map[string]any{"id": v.ID, "image": front, "country": "ZZZ"}, tools.CodeInvalidArgument, "country"},
		{map[string]any{"id": v.ID, "image": front, "document_type": "library_card"}, tools.CodeInvalidArgument, "document_type"},
		{map[string]any{"id": "ver_nope", "image": front}, tools.CodeNotFound, "id"},
		{map[string]any{"id": scr.ID, "image": front}, tools.CodeConflict, "id"},
		{map[string]any{"id": v.ID, "image": front, "extra": 1}, tools.CodeInvalidArgument, "extra"},
	} {
		te := e.Call(t, e.Test, "submit_document", c.args, nil)
		require.NotNil(t, te, "%v", c.args)
		require.Equal(t, c.code, te.Code, "%v: %s", c.args, te.Message)
		require.Equal(t, c.field, te.Field, "%v: %s", c.args, te.Message)
	}
	arts, err := e.Store.ListArtifacts(t.Context(), db.Scope{AccountID: e.Test.AccountID, Mode: e.Test.Mode}, v.ID)
	require.NoError(t, err)
	require.Empty(t, arts)
	te := e.Call(t, e.OtherAccount, "submit_document", map[string]any{"id": v.ID, "image": front}, nil)
	require.Equal(t, tools.CodeNotFound, te.Code, "another account's verification does not exist for it")
}

// read_mrz reads a photo as well as text; exactly one of them.
func TestReadMRZImage(t *testing.T) {
	t.Parallel()
	e := documentEnv(t, dbtest.SQLite(t))
	front, _ := render(t, erika)
	var r mrz.Result
	require.Nil(t, e.Call(t, e.Test, "read_mrz", map[string]any{"image": front}, &r))
	require.True(t, r.Valid)
	require.Equal(t, "MUSTERMANN", r.Surname)
	require.Equal(t, "C01X00T47", r.DocumentNumber)

	te := e.Call(t, e.Test, "read_mrz", map[string]any{"image": front, "text": "P<FRA"}, nil)
	require.Equal(t, "image", te.Field)
	te = e.Call(t, e.Test, "read_mrz", map[string]any{"image": blankPNG(t)}, nil)
	require.Equal(t, tools.CodeInvalidArgument, te.Code)
	require.Contains(t, te.Message, "no machine-readable zone")
	te = e.Call(t, e.Test, "read_mrz", map[string]any{}, nil)
	require.Equal(t, "text", te.Field)

	// Without the document engine, text still works and images are unavailable.
	plain := tooltest.New(t, dbtest.SQLite(t), nil)
	te = plain.Call(t, plain.Test, "read_mrz", map[string]any{"image": front}, nil)
	require.Equal(t, tools.CodeUnavailable, te.Code)
}

func blankPNG(t *testing.T) string {
	t.Helper()
	img := image.NewGray(image.Rect(0, 0, 800, 500))
	for i := range img.Pix {
		img.Pix[i] = 230
	}
	img.Set(10, 10, color.Gray{Y: 0})
	var buf bytes.Buffer
	require.NoError(t, png.Encode(&buf, img))
	return "data:image/png;base64," + base64.StdEncoding.EncodeToString(buf.Bytes())
}

// A verification can narrow the issuing states the document check accepts; a code that is
// not ICAO's is refused at creation naming its position.
func TestDocumentAllowedCountries(t *testing.T) {
	t.Parallel()
	e := documentEnv(t, dbtest.SQLite(t))
	front, _ := render(t, erika)
	var v tools.Verification
	require.Nil(t, e.Call(t, e.Test, "create_verification", map[string]any{"checks": []string{"document"},
		"allowed_countries": []string{"deu", "D", "AT"}}, &v))
	// Answered as ICAO codes: deu and D are both Germany's D, the alpha-2 AT is AUT (#20).
	require.Equal(t, []string{"D", "AUT"}, v.AllowedCountries)
	var r tools.DocumentResult
	require.Nil(t, e.Call(t, e.Test, "submit_document", map[string]any{"id": v.ID, "image": front}, &r))
	require.Equal(t, "fail", r.Verdict)
	require.Equal(t, "country_not_allowed", r.ValidationErrors[0].Code, "%+v", r.ValidationErrors)
	require.Nil(t, e.Call(t, e.Test, "submit_verification", map[string]any{"id": v.ID}, nil))
	require.Nil(t, e.Call(t, e.Test, "get_verification", map[string]any{"id": v.ID, "wait_seconds": 30}, &v))
	require.Equal(t, "rejected", v.Status)

	te := e.Call(t, e.Test, "create_verification", map[string]any{"checks": []string{"document"}, "allowed_countries": []string{"FRA", "Narnia"}}, nil)
	require.NotNil(t, te)
	require.Equal(t, "allowed_countries[1]", te.Field)
}

// A key's document policy bounds its verifications: a document type or issuing state outside
// it is refused at creation naming the field; a verification that names no states takes the
// key's (and shows them); a document of a type the key does not accept fails the check.
func TestKeyDocumentPolicy(t *testing.T) {
	t.Parallel()
	e := documentEnv(t, dbtest.SQLite(t))
	countries, types, err := tools.ParseKeyDocumentPolicy("fra, D", "id_card,residence_permit")
	require.NoError(t, err)
	require.Equal(t, []string{"FRA", "D"}, countries)
	sc, err := tools.ParseScopes("")
	require.NoError(t, err)
	secret, _, err := e.Store.CreateAPIKey(t.Context(), db.NewKey{AccountID: "acct_a", Name: "cards", Mode: models.ModeTest, Scopes: sc,
		DocumentCountries: countries, DocumentTypes: types})
	require.NoError(t, err)
	key, err := tools.Authenticate(t.Context(), e.Reg.Deps(), secret)
	require.NoError(t, err)

	te := e.Call(t, key, "create_verification", map[string]any{"checks": []string{"document"}, "document_type": "passport"}, nil)
	require.NotNil(t, te)
	require.Equal(t, "document_type", te.Field, te.Message)
	te = e.Call(t, key, "create_verification", map[string]any{"checks": []string{"document"}, "allowed_countries": []string{"D", "AUT"}}, nil)
	require.NotNil(t, te)
	require.Equal(t, "allowed_countries[1]", te.Field, te.Message)

	var narrowed tools.Verification
	require.Nil(t, e.Call(t, key, "create_verification", map[string]any{"checks": []string{"document"}, "allowed_countries": []string{"fra"}}, &narrowed))
	require.Equal(t, []string{"FRA"}, narrowed.AllowedCountries)

	// No type named: the key's types apply in the check. Erika's French passport is refused.
	var v tools.Verification
	require.Nil(t, e.Call(t, key, "create_verification", map[string]any{"checks": []string{"document"}}, &v))
	require.Equal(t, []string{"FRA", "D"}, v.AllowedCountries, "the key's states, on the verification")
	front, _ := render(t, erika)
	var r tools.DocumentResult
	require.Nil(t, e.Call(t, key, "submit_document", map[string]any{"id": v.ID, "image": front}, &r))
	require.Equal(t, "fail", r.Verdict)
	var codes []string
	for _, ve := range r.ValidationErrors {
		codes = append(codes, ve.Code)
	}
	require.Equal(t, []string{"document_type_not_allowed"}, codes, "French, so only the type is wrong: %+v", r.ValidationErrors)

	_, _, err = tools.ParseKeyDocumentPolicy("FRA,Narnia", "")
	require.ErrorContains(t, err, "document_countries[1]")
	_, _, err = tools.ParseKeyDocumentPolicy("", "passport,visa")
	require.ErrorContains(t, err, "visa")
}
