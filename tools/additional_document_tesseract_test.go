//go:build tesseract

package tools_test

import (
	"bytes"
	"encoding/base64"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"testing"

	"github.com/stretchr/testify/require"
	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"

	"github.com/kycd/kycd/db/dbtest"
	"github.com/kycd/kycd/internal/tooltest"
	"github.com/kycd/kycd/models"
	"github.com/kycd/kycd/tools"
	"github.com/kycd/kycd/verify"
)

// printedText renders lines of text as a PNG data URL, like a photographed printed page.
func printedText(t *testing.T, lines ...string) string {
	t.Helper()
	f, err := opentype.Parse(goregular.TTF)
	require.NoError(t, err)
	face, err := opentype.NewFace(f, &opentype.FaceOptions{Size: 28, DPI: 72, Hinting: font.HintingFull})
	require.NoError(t, err)
	img := image.NewGray(image.Rect(0, 0, 900, 80+60*len(lines)))
	draw.Draw(img, img.Bounds(), image.NewUniform(color.White), image.Point{}, draw.Src)
	d := font.Drawer{Dst: img, Src: image.NewUniform(color.Black), Face: face}
	for i, l := range lines {
		d.Dot = fixed.P(40, 70+60*i)
		d.DrawString(l)
	}
	var b bytes.Buffer
	require.NoError(t, png.Encode(&b, img))
	return "data:image/png;base64," + base64.StdEncoding.EncodeToString(b.Bytes())
}

// An additional document whose step sets ocr keeps the text Tesseract reads from it, in the
// tool's answer and in the result's evidence; a step without ocr reads nothing.
func TestSubmitAdditionalDocumentOCR(t *testing.T) {
	t.Parallel()
	s := dbtest.SQLite(t)
	docs, err := verify.NewDocuments(s, verify.DocumentsConfig{}, nil)
	require.NoError(t, err)
	checks := flowEngines()
	checks[models.CheckDocument] = docs
	e := tooltest.New(t, s, checks)
	var v tools.CreatedVerification
	require.Nil(t, e.Call(t, e.Test, "create_verification", map[string]any{"checks": []string{"screening"}, "applicant": map[string]any{"name": "Erika Mustermann"},
		"additional_steps": []any{map[string]any{"label": "bank statement", "ocr": true}, map[string]any{"label": "bank card"}}}, &v))
	img := printedText(t, "Sparkasse Musterstadt", "Account holder Erika Mustermann", "IBAN DE89 3704 0044 0532 0130 00")
	var r tools.AdditionalDocumentResult
	require.Nil(t, e.Call(t, e.Test, "submit_additional_document", map[string]any{"id": v.ID, "label": "bank statement", "image": img}, &r))
	require.Equal(t, verify.OCRRead, r.OCR)
	require.Contains(t, r.Text, "Mustermann")
	require.Contains(t, r.Text, "IBAN")
	r = tools.AdditionalDocumentResult{}
	require.Nil(t, e.Call(t, e.Test, "submit_additional_document", map[string]any{"id": v.ID, "label": "bank card", "image": img}, &r))
	require.Equal(t, verify.OCRNotAsked, r.OCR)
	require.Empty(t, r.Text)

	require.Nil(t, e.Call(t, e.Test, "submit_verification", map[string]any{"id": v.ID}, nil))
	got := waitStatus(t, e, e.Test, v.ID, "approved", "needs_review", "rejected")
	var uploads []any
	for _, c := range got.Result.Checks {
		if c.Check == verify.CheckAdditionalDocument {
			uploads, _ = c.Details["uploads"].([]any)
		}
	}
	require.Len(t, uploads, 2)
	require.Contains(t, uploads[0].(map[string]any)["text"], "Mustermann")
}
