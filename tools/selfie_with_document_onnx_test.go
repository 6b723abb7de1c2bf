//go:build onnx

package tools_test

import (
	"bytes"
	"image/png"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kycd/kycd/checks/face/imaging"
	"github.com/kycd/kycd/db/dbtest"
	"github.com/kycd/kycd/internal/tooltest"
	"github.com/kycd/kycd/jobs"
	"github.com/kycd/kycd/models"
	"github.com/kycd/kycd/tools"
	"github.com/kycd/kycd/verify"
)

// holding is selfie with card (a document portrait) held beside the face: the selfie 600
// pixels high on the left, the card on the right, on grey.
func holding(t *testing.T, selfie, card []byte) []byte {
	t.Helper()
	s, err := imaging.Decode(selfie)
	require.NoError(t, err)
	c, err := imaging.Decode(card)
	require.NoError(t, err)
	// An arm's-length selfie: the face fills much of the frame.
	boxes, err := faceEngine(t).Detect(s)
	require.NoError(t, err)
	require.NotEmpty(t, boxes)
	fb := boxes[0]
	side := fb.Side()
	frame := imaging.Rect{X: (fb.X1+fb.X2)/2 - 1.2*side, Y: (fb.Y1+fb.Y2)/2 - 1.3*side, W: 2.4 * side, H: 3 * side}
	sh := 600
	sw := 480
	cw, ch := 200, 250
	out := imaging.NewRGB(sw+cw+60, sh)
	for i := range out.Pix {
		out.Pix[i] = 120
	}
	blit := func(src *imaging.RGB, x0, y0 int) {
		for y := 0; y < src.H; y++ {
			copy(out.Pix[3*((y0+y)*out.W+x0):3*((y0+y)*out.W+x0+src.W)], src.Pix[3*y*src.W:3*(y+1)*src.W])
		}
	}
	blit(imaging.CropResize(s, frame, sw, sh, [3]uint8{120, 120, 120}), 0, 0)
	blit(imaging.CropResize(c, imaging.Rect{W: float64(c.W), H: float64(c.H)}, cw, ch, [3]uint8{}), sw+30, sh-ch-60)
	if dir := os.Getenv("SELFIEDOC_SAVE"); dir != "" {
		var buf bytes.Buffer
		require.NoError(t, png.Encode(&buf, out.ToImage()))
		require.NoError(t, os.WriteFile(filepath.Join(dir, "tools-holding.png"), buf.Bytes(), 0o644))
	}
	return encodeJPEG(t, out, 90)
}

// TestSelfieWithDocumentFlow runs a selfie_with_document flow end to end through the tools on
// the real face engine: the applicant holding their own document is approved, someone else
// holding it is rejected.
func TestSelfieWithDocumentFlow(t *testing.T) {
	t.Parallel()
	s := dbtest.SQLite(t)
	b, err := verify.NewBiometrics(s, faceEngine(t), verify.BiometricsConfig{}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	require.NoError(t, err)
	checks := b.Runners()
	checks[models.CheckDocument] = tooltest.Check{Outcome: models.OutcomePass}
	e := tooltest.New(t, s, checks, func(_ *jobs.Options, d *tools.Deps) { d.Biometrics = b })
	require.Nil(t, e.Call(t, e.Test, "create_flow", map[string]any{"name": "held", "steps": []any{
		map[string]any{"type": "document"}, map[string]any{"type": "selfie_with_document"}}}, nil))
	card := documentPortrait(t, photo(t, "tests", "test_images", "obama2.jpg"))

	run := func(selfie []byte) (tools.SelfieWithDocumentResult, tools.Verification) {
		var v tools.CreatedVerification
		require.Nil(t, e.Call(t, e.Test, "create_verification", map[string]any{"flow": "held"}, &v))
		storePortrait(t, s, e.Test, v.ID, card)
		var r tools.SelfieWithDocumentResult
		require.Nil(t, e.Call(t, e.Test, "submit_selfie_with_document", map[string]any{"id": v.ID, "image": dataURL(holding(t, selfie, card))}, &r))
		require.Nil(t, e.Call(t, e.Test, "submit_verification", map[string]any{"id": v.ID}, nil))
		return r, waitStatus(t, e, e.Test, v.ID, "approved", "needs_review", "rejected")
	}
	r, v := run(photo(t, "tests", "test_images", "obama.jpg"))
	require.True(t, r.Accepted && r.FaceFound && r.HeldFound, "%+v", r)
	require.True(t, r.Passed, "%+v", r)
	require.Equal(t, "approved", v.Status)
	require.Equal(t, models.OutcomePass, checkOutcome(t, v, "selfie_with_document").Outcome)

	r, v = run(photo(t, "tests", "test_images", "biden.jpg"))
	require.True(t, r.HeldFound, "%+v", r)
	require.False(t, r.Passed)
	require.Equal(t, "held_document_mismatch", r.Reason)
	require.Equal(t, "rejected", v.Status)

	// A picture without the document is not stored: retake.
	var v2 tools.CreatedVerification
	require.Nil(t, e.Call(t, e.Test, "create_verification", map[string]any{"flow": "held"}, &v2))
	require.Nil(t, e.Call(t, e.Test, "submit_selfie_with_document", map[string]any{"id": v2.ID, "image": dataURL(photo(t, "tests", "test_images", "obama.jpg"))}, &r))
	require.False(t, r.Accepted)
	require.Equal(t, "held_portrait_not_found", r.Reason)
}
