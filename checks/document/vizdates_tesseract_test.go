//go:build tesseract

package document

import (
	"bytes"
	"context"
	"image"
	"image/draw"
	"image/jpeg"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kycd/kycd/checks/document/synth"
)

// TestPrintedDatesOnGeneratedDocuments renders passports twice from one seed, the second
// with an expiry 20 years later, and pastes the second's MRZ onto the first page: the MRZ
// (check digits valid) then says 20 years later than the page prints, the reported attack.
// Untouched pages must not be flagged. Figures: docs/benchmarks/face-decisions.md.
func TestPrintedDatesOnGeneratedDocuments(t *testing.T) {
	t.Parallel()
	e, err := NewEngine(Config{OCR: OCRClassifier, Now: func() time.Time { return testNow }})
	require.NoError(t, err)
	const n = 8
	flaggedClean, flaggedEdited, confirmed := 0, 0, 0
	for seed := range uint64(n) {
		id := synth.RandomIdentity(rand.New(rand.NewPCG(seed, 5)), synth.TD3)
		id.ExpiryDate = "2012-04-15"
		later := id
		later.ExpiryDate = "2032-04-15"
		opts := synth.Options{Width: 1600, Height: 1600 * 17 / 24, Fill: 0.9, JPEGQuality: 92}
		page, err := synth.Render(id, opts, rand.New(rand.NewPCG(seed, 9)))
		require.NoError(t, err)
		donor, err := synth.Render(later, opts, rand.New(rand.NewPCG(seed, 9)))
		require.NoError(t, err)
		require.Equal(t, page.MRZBox, donor.MRZBox)
		clean, err := e.Analyze(context.Background(), []Image{{Side: SideFront, Bytes: page.Front}}, Policy{})
		require.NoError(t, err)
		require.NotNil(t, clean.PrintedDates)
		if clean.PrintedDates.ExpiryConfirmed {
			confirmed++
		}
		if slices.Contains(clean.Reasons, ReasonPrintedDateMismatch) {
			flaggedClean++
		}
		edited := swapRegion(t, page.Front, donor.Front, page.MRZBox.Inset(-6))
		res, err := e.Analyze(context.Background(), []Image{{Side: SideFront, Bytes: edited}}, Policy{})
		require.NoError(t, err)
		require.Equal(t, "2032-04-15", res.ExpiryDate, "the edited MRZ reads")
		if slices.Contains(res.Reasons, ReasonPrintedDateMismatch) {
			flaggedEdited++
		} else {
			t.Logf("seed %d edited missed: printed %+v", seed, res.PrintedDates)
		}
	}
	t.Logf("printed dates on %d generated passports: MRZ expiry edited flagged %d/%d; untouched flagged %d/%d (printed expiry read on %d)",
		n, flaggedEdited, n, flaggedClean, n, confirmed)
	require.Zero(t, flaggedClean)
	require.GreaterOrEqual(t, flaggedEdited, n/2)
}

// swapRegion copies rectangle r of donor onto page and re-encodes it as JPEG.
func swapRegion(t *testing.T, page, donor []byte, r image.Rectangle) []byte {
	t.Helper()
	p, _, err := image.Decode(bytes.NewReader(page))
	require.NoError(t, err)
	d, _, err := image.Decode(bytes.NewReader(donor))
	require.NoError(t, err)
	out := image.NewRGBA(p.Bounds())
	draw.Draw(out, out.Bounds(), p, image.Point{}, draw.Src)
	draw.Draw(out, r, d, r.Min, draw.Src)
	var b bytes.Buffer
	require.NoError(t, jpeg.Encode(&b, out, &jpeg.Options{Quality: 92}))
	return b.Bytes()
}
