package document

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"image"
	"image/png"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kycd/kycd/checks/document/synth"
)

var testNow = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

var (
	engOnce sync.Once
	engine  *Engine
	engErr  error
)

func testEngine(t *testing.T) *Engine {
	t.Helper()
	engOnce.Do(func() {
		engine, engErr = NewEngine(Config{OCR: OCRClassifier, Now: func() time.Time { return testNow }})
	})
	require.NoError(t, engErr)
	return engine
}

// renderDoc draws a lightly degraded document for a fixed identity.
func renderDoc(t *testing.T, id synth.Identity, seed uint64) *synth.Document {
	t.Helper()
	r := rand.New(rand.NewPCG(seed, 3))
	doc, err := synth.Render(id, synth.Options{Rotation: 1.5, Blur: 0.6, Noise: 4, JPEGQuality: 85, Perspective: 0.01}, r)
	require.NoError(t, err)
	return doc
}

func baseIdentity(kind synth.Kind) synth.Identity {
	id := synth.Identity{
		Kind: kind, DocumentCode: "P", IssuingState: "NLD", Nationality: "NLD",
		Surname: "DE JONG", GivenNames: "WILLEMIJN ANNA", DocumentNumber: "NXC4R2T81",
		DateOfBirth: "1990-03-14", Sex: "F", ExpiryDate: "2031-07-30",
	}
	if kind == synth.TD1 {
		id.DocumentCode = "ID"
	}
	return id
}

func TestAnalyzeRules(t *testing.T) {
	t.Parallel()
	e := testEngine(t)
	passport := renderDoc(t, baseIdentity(synth.TD3), 1)
	expiredID := baseIdentity(synth.TD3)
	expiredID.ExpiryDate = "2025-06-30"
	expired := renderDoc(t, expiredID, 2)
	card := renderDoc(t, baseIdentity(synth.TD1), 3)

	pp := []Image{{Bytes: passport.Front}}
	for _, tc := range []struct {
		name    string
		images  []Image
		policy  Policy
		verdict Verdict
		reasons []string
	}{
		{"clean passport passes", pp, Policy{}, VerdictPass, []string{}},
		{"expired fails", []Image{{Bytes: expired.Front}}, Policy{}, VerdictFail, []string{ReasonExpired}},
		{"country not allowed", pp, Policy{AllowedCountries: []string{"DEU", "BEL"}}, VerdictFail, []string{ReasonCountry}},
		{"country allowed", pp, Policy{AllowedCountries: []string{"nld"}}, VerdictPass, []string{}},
		{"doc type not allowed", pp, Policy{AllowedDocTypes: []string{DocIDCard}}, VerdictFail, []string{ReasonDocType}},
		{"too young", pp, Policy{MinAge: 40}, VerdictFail, []string{ReasonAgeBelow}},
		{"too old", pp, Policy{MaxAge: 30}, VerdictFail, []string{ReasonAgeAbove}},
		{"age in range", pp, Policy{MinAge: 18, MaxAge: 40}, VerdictPass, []string{}},
		{"prefill matches", pp, Policy{Prefill: Prefill{Name: "Willemijn Anna de Jong", DOB: "1990-03-14", DocNumber: "nxc4r2t81", Nationality: "NLD"}}, VerdictPass, []string{}},
		{"prefill name mismatch", pp, Policy{Prefill: Prefill{Name: "Johan Cruijff"}}, VerdictReview, []string{ReasonPrefillMismatch}},
		{"prefill dob mismatch", pp, Policy{Prefill: Prefill{DOB: "1990-03-15"}}, VerdictReview, []string{ReasonPrefillMismatch}},
		{"prefill number mismatch", pp, Policy{Prefill: Prefill{DocNumber: "NXC4R2T80"}}, VerdictReview, []string{ReasonPrefillMismatch}},
		{"hard rule beats review", pp, Policy{MinAge: 40, Prefill: Prefill{Nationality: "BEL"}}, VerdictFail, []string{ReasonAgeBelow, ReasonPrefillMismatch}},
		{"id card front and back", []Image{{Side: SideFront, Bytes: card.Front}, {Side: SideBack, Bytes: card.Back}}, Policy{AllowedDocTypes: []string{DocIDCard}}, VerdictPass, []string{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			res, err := e.Analyze(context.Background(), tc.images, tc.policy)
			require.NoError(t, err)
			require.Equal(t, tc.verdict, res.Verdict, "reasons %v errors %+v", res.Reasons, res.ValidationErrors)
			require.ElementsMatch(t, tc.reasons, res.Reasons)
			require.True(t, res.MRZValid)
		})
	}
}

func TestAnalyzeFields(t *testing.T) {
	t.Parallel()
	e := testEngine(t)
	doc := renderDoc(t, baseIdentity(synth.TD3), 4)
	res, err := e.Analyze(context.Background(), []Image{{Bytes: doc.Front}}, Policy{})
	require.NoError(t, err)
	require.Equal(t, DocPassport, res.DocumentType)
	require.Equal(t, "NLD", res.IssuingCountry)
	require.Equal(t, "Netherlands", res.IssuingCountryName[:len("Netherlands")])
	require.Equal(t, "DE JONG", res.Surname)
	require.Equal(t, "WILLEMIJN ANNA", res.GivenNames)
	require.Equal(t, "WILLEMIJN ANNA DE JONG", res.FullName)
	require.Equal(t, "1990-03-14", res.DateOfBirth)
	require.NotNil(t, res.Age)
	require.Equal(t, 35, *res.Age)
	require.Equal(t, "F", res.Sex)
	require.Equal(t, "*****2T81", res.DocumentNumberMasked)
	require.Equal(t, "2031-07-30", res.ExpiryDate)
	require.True(t, res.IsValid)
	require.Greater(t, res.ExtractionConfidence, 0.8)
	require.Equal(t, OCRClassifier, res.Engine.OCR)
	require.NotEmpty(t, res.Engine.Model)
	// The portrait box must cover most of the real portrait.
	require.NotNil(t, res.PortraitBox)
	got := image.Rect(res.PortraitBox.X, res.PortraitBox.Y, res.PortraitBox.X+res.PortraitBox.Width, res.PortraitBox.Y+res.PortraitBox.Height)
	inter := got.Intersect(doc.PortraitBox)
	require.Greater(t, float64(inter.Dx()*inter.Dy()), 0.8*float64(doc.PortraitBox.Dx()*doc.PortraitBox.Dy()), "box %v, portrait %v", got, doc.PortraitBox)
	require.Less(t, float64(got.Dx()*got.Dy()), 2.5*float64(doc.PortraitBox.Dx()*doc.PortraitBox.Dy()))
	// JSON uses snake_case and never the raw document number at top level.
	b, err := json.Marshal(res)
	require.NoError(t, err)
	require.Contains(t, string(b), `"document_number_masked":"*****2T81"`)
	require.Contains(t, string(b), `"extraction_confidence"`)
}

func TestAnalyzeTD1Portrait(t *testing.T) {
	t.Parallel()
	e := testEngine(t)
	doc := renderDoc(t, baseIdentity(synth.TD1), 5)
	res, err := e.Analyze(context.Background(), []Image{{Bytes: doc.Back}, {Bytes: doc.Front}}, Policy{})
	require.NoError(t, err)
	require.Equal(t, VerdictPass, res.Verdict, "%v", res.ValidationErrors)
	require.Equal(t, DocIDCard, res.DocumentType)
	require.NotNil(t, res.PortraitBox)
	require.Equal(t, 1, res.PortraitBox.Image, "portrait is on the front, the second image")
	got := image.Rect(res.PortraitBox.X, res.PortraitBox.Y, res.PortraitBox.X+res.PortraitBox.Width, res.PortraitBox.Y+res.PortraitBox.Height)
	inter := got.Intersect(doc.PortraitBox)
	require.Greater(t, float64(inter.Dx()*inter.Dy()), 0.7*float64(doc.PortraitBox.Dx()*doc.PortraitBox.Dy()), "box %v, portrait %v", got, doc.PortraitBox)
}

func TestAnalyzeNoMRZ(t *testing.T) {
	t.Parallel()
	e := testEngine(t)
	img := image.NewGray(image.Rect(0, 0, 800, 600))
	for i := range img.Pix {
		img.Pix[i] = uint8(180 + i%50)
	}
	var b bytes.Buffer
	require.NoError(t, png.Encode(&b, img))
	res, err := e.Analyze(context.Background(), []Image{{Bytes: b.Bytes()}}, Policy{})
	require.NoError(t, err)
	require.Equal(t, VerdictReview, res.Verdict)
	require.Equal(t, []string{ReasonMRZMissing}, res.Reasons)
	require.False(t, res.MRZValid)
	require.Nil(t, res.MRZ)
}

func TestAnalyzeBadInput(t *testing.T) {
	t.Parallel()
	e := testEngine(t)
	var ok bytes.Buffer
	require.NoError(t, png.Encode(&ok, image.NewGray(image.Rect(0, 0, 10, 10))))
	for _, tc := range []struct {
		name   string
		images []Image
		policy Policy
		code   string
		field  string
	}{
		{"no images", nil, Policy{}, ErrCodeNoImages, "images"},
		{"too many", make([]Image, 5), Policy{}, ErrCodeTooManyImgs, "images"},
		{"bad side", []Image{{Side: "top", Bytes: ok.Bytes()}}, Policy{}, ErrCodeBadSide, "images[0].side"},
		{"second image corrupt", []Image{{Bytes: ok.Bytes()}, {Bytes: []byte("not an image")}}, Policy{}, ErrCodeBadFormat, "images[1].bytes"},
		{"bad prefill dob", []Image{{Bytes: ok.Bytes()}}, Policy{Prefill: Prefill{DOB: "14/03/1990"}}, ErrCodeBadPolicy, "policy.prefill.dob"},
		{"negative age", []Image{{Bytes: ok.Bytes()}}, Policy{MinAge: -1}, ErrCodeBadPolicy, "policy.min_age"},
		{"min above max", []Image{{Bytes: ok.Bytes()}}, Policy{MinAge: 30, MaxAge: 20}, ErrCodeBadPolicy, "policy.max_age"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := e.Analyze(context.Background(), tc.images, tc.policy)
			var ie *InputError
			require.True(t, errors.As(err, &ie), "want *InputError, got %v", err)
			require.Equal(t, tc.code, ie.Code)
			require.Equal(t, tc.field, ie.Field)
		})
	}
}

func TestAnalyzeCancelled(t *testing.T) {
	t.Parallel()
	e := testEngine(t)
	doc := renderDoc(t, baseIdentity(synth.TD3), 6)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := e.Analyze(ctx, []Image{{Bytes: doc.Front}}, Policy{})
	require.ErrorIs(t, err, context.Canceled)
}

func TestMaskNumberAndAge(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"L898902C3": "*****02C3", "99003853": "*****853", "AB1": "***", "": "", "X12<<<": "***",
	} {
		require.Equal(t, want, MaskNumber(in), in)
	}
	dob := time.Date(2008, 2, 29, 0, 0, 0, 0, time.UTC)
	require.Equal(t, 17, AgeOn(dob, time.Date(2026, 2, 28, 0, 0, 0, 0, time.UTC)))
	require.Equal(t, 18, AgeOn(dob, time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)))
	require.Equal(t, DocPassport, DocTypeOf("PD"))
	require.Equal(t, DocIDCard, DocTypeOf("ID"))
	require.Equal(t, DocVisa, DocTypeOf("V"))
	require.Equal(t, DocOther, DocTypeOf("X"))
}

func TestNewEngineConfig(t *testing.T) {
	t.Parallel()
	_, err := NewEngine(Config{OCR: "abbyy"})
	require.ErrorContains(t, err, "unknown OCR back-end")
	_, err = NewEngine(Config{MaxBytes: -1})
	require.Error(t, err)
	_, err = NewEngine(Config{MinConfidence: 2})
	require.Error(t, err)
	if !TesseractAvailable {
		_, err = NewEngine(Config{OCR: OCRTesseract})
		require.ErrorIs(t, err, ErrNoTesseract)
	}
	e, err := NewEngine(Config{})
	require.NoError(t, err)
	require.NoError(t, e.Available())
}
