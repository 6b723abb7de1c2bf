//go:build onnx

package tools_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"image"
	"image/jpeg"
	"image/png"
	"io"
	"log/slog"
	"math"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kycd/kycd/checks/face"
	"github.com/kycd/kycd/checks/face/imaging"
	"github.com/kycd/kycd/checks/liveness"
	"github.com/kycd/kycd/db"
	"github.com/kycd/kycd/db/dbtest"
	"github.com/kycd/kycd/internal/testfiles"
	"github.com/kycd/kycd/internal/tooltest"
	"github.com/kycd/kycd/jobs"
	"github.com/kycd/kycd/models"
	"github.com/kycd/kycd/tools"
	"github.com/kycd/kycd/verify"
)

var (
	faceOnce sync.Once
	faceEng  *face.Engine
	faceErr  error
)

// faceEngine loads the ONNX engine once for every test of the package (≈1 s, ~100 MB).
func faceEngine(t *testing.T) *face.Engine {
	t.Helper()
	faceOnce.Do(func() { faceEng, faceErr = face.New(face.Config{}) })
	require.NoError(t, faceErr, "run scripts/setup/onnx.sh first")
	return faceEng
}

// bioEnv is a registry whose face_match, liveness and age checks run on the real engine.
func bioEnv(t *testing.T, s *db.Store, cfg verify.BiometricsConfig) (*tooltest.Env, *verify.Biometrics) {
	t.Helper()
	b, err := verify.NewBiometrics(s, faceEngine(t), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	require.NoError(t, err)
	e := tooltest.New(t, s, b.Runners(), func(_ *jobs.Options, d *tools.Deps) { d.Biometrics = b })
	return e, b
}

func photo(t *testing.T, elem ...string) []byte {
	t.Helper()
	b, err := os.ReadFile(testfiles.Path(t, append([]string{"faces", "face_recognition"}, elem...)...))
	require.NoError(t, err)
	return b
}

func dataURL(b []byte) string {
	return "data:image/jpeg;base64," + base64.StdEncoding.EncodeToString(b)
}

func encodeJPEG(t *testing.T, m *imaging.RGB, quality int) []byte {
	t.Helper()
	var buf bytes.Buffer
	require.NoError(t, jpeg.Encode(&buf, m.ToImage(), &jpeg.Options{Quality: quality}))
	return buf.Bytes()
}

// documentPortrait mimics the portrait printed on an ID document: the face cropped with a
// margin to ~90 px, grey, JPEG quality 50 — what the document upload will extract.
func documentPortrait(t *testing.T, src []byte) []byte {
	t.Helper()
	img, err := imaging.Decode(src)
	require.NoError(t, err)
	boxes, err := faceEngine(t).Detect(img)
	require.NoError(t, err)
	require.NotEmpty(t, boxes)
	b := boxes[0]
	side := b.Side()
	cx, cy := (b.X1+b.X2)/2, (b.Y1+b.Y2)/2
	crop := imaging.CropResize(img, imaging.Rect{X: cx - 0.8*side, Y: cy - side, W: 1.6 * side, H: 2 * side}, 144, 180, [3]uint8{230, 230, 230})
	for i, v := range crop.Gray() {
		crop.Pix[3*i], crop.Pix[3*i+1], crop.Pix[3*i+2] = v, v, v
	}
	return encodeJPEG(t, crop, 50)
}

// storePortrait puts a document portrait on a verification directly through the store,
// standing in for the document upload tool.
func storePortrait(t *testing.T, s *db.Store, c tools.Caller, id string, img []byte) {
	t.Helper()
	require.NoError(t, s.InTx(context.Background(), func(ctx context.Context, tx *db.Tx) error {
		return tx.InsertArtifact(ctx, &models.Artifact{AccountID: c.AccountID, Mode: c.Mode, VerificationID: id,
			Kind: models.ArtifactDocumentPortrait, ContentType: "image/jpeg"}, img, nil)
	}))
}

func eventTypes(t *testing.T, e *tooltest.Env, c tools.Caller, id string) ([]string, []tools.Event) {
	t.Helper()
	var events tools.EventList
	require.Nil(t, e.Call(t, c, "list_verification_events", map[string]any{"id": id}, &events))
	var types []string
	for _, ev := range events.Data {
		types = append(types, ev.Type)
	}
	return types, events.Data
}

func checkOutcome(t *testing.T, v tools.Verification, check string) models.CheckOutcome {
	t.Helper()
	require.NotNil(t, v.Result)
	for _, c := range v.Result.Checks {
		if c.Check == check {
			return c
		}
	}
	t.Fatalf("no %s outcome in %+v", check, v.Result.Checks)
	return models.CheckOutcome{}
}

// TestBiometricFlow is the whole product path on real photos: selfie quality feedback,
// face match against a document portrait, the pipeline's decision, the reusable identity,
// re-verification, revocation and duplicate detection across applicants.
func TestBiometricFlow(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, s *db.Store) {
		e, _ := bioEnv(t, s, verify.BiometricsConfig{})
		obama, obama2, obama3 := photo(t, "tests", "test_images", "obama.jpg"), photo(t, "tests", "test_images", "obama2.jpg"), photo(t, "tests", "test_images", "obama3.jpg")
		portrait := documentPortrait(t, photo(t, "examples", "obama-720p.jpg"))

		var v tools.Verification
		require.Nil(t, e.Call(t, e.Test, "create_verification", map[string]any{"checks": []string{"face_match", "liveness", "age"},
			"external_ref": "obama", "applicant": map[string]any{"name": "Barack Obama"}}, &v))

		// Nothing uploaded: submit names both images.
		te := e.Call(t, e.Test, "submit_verification", map[string]any{"id": v.ID}, nil)
		require.NotNil(t, te)
		require.Contains(t, te.Message, "face_match: a selfie (submit_selfie)")
		require.Contains(t, te.Message, "face_match: the document portrait")
		require.Contains(t, te.Message, "liveness: a selfie")

		// A photo of two people is refused with the reason, not stored, and starts nothing.
		var sr tools.SelfieResult
		require.Nil(t, e.Call(t, e.Test, "submit_selfie", map[string]any{"id": v.ID, "image": dataURL(photo(t, "examples", "two_people.jpg"))}, &sr))
		require.False(t, sr.Accepted)
		require.True(t, sr.FaceFound)
		require.Equal(t, face.ReasonMultipleFaces, sr.Quality.Reason)
		require.NotEmpty(t, sr.Quality.Message)
		require.Nil(t, sr.ArtifactID)
		require.Equal(t, "pending", sr.Status)

		// A good selfie: stored, in_progress, live; no portrait yet, so no match.
		require.Nil(t, e.Call(t, e.Test, "submit_selfie", map[string]any{"id": v.ID, "image": base64.StdEncoding.EncodeToString(obama)}, &sr))
		require.True(t, sr.Accepted, "%+v", sr.Quality)
		require.Equal(t, "in_progress", sr.Status)
		require.NotNil(t, sr.ArtifactID)
		require.True(t, sr.Liveness.Passed, "liveness %.3f", sr.Liveness.Score)
		require.Nil(t, sr.Match)
		require.NotNil(t, sr.Box)

		// With the portrait the next selfie reports the match.
		storePortrait(t, s, e.Test, v.ID, portrait)
		require.Nil(t, e.Call(t, e.Test, "submit_selfie", map[string]any{"id": v.ID, "image": dataURL(obama)}, &sr))
		require.NotNil(t, sr.Match)
		require.Equal(t, "document_portrait", sr.Match.Against)
		require.True(t, sr.Match.Passed, "score %.3f", sr.Match.Score)
		require.Equal(t, face.DefaultMatchThreshold, sr.Match.Threshold)

		// Other accounts and modes cannot upload to it.
		for _, c := range []tools.Caller{e.Live, e.OtherAccount} {
			te := e.Call(t, c, "submit_selfie", map[string]any{"id": v.ID, "image": dataURL(obama)}, nil)
			require.Equal(t, tools.CodeNotFound, te.Code)
		}

		require.Nil(t, e.Call(t, e.Test, "submit_verification", map[string]any{"id": v.ID}, nil))
		done := waitStatus(t, e, e.Test, v.ID, "approved", "needs_review", "rejected")
		require.Equal(t, "approved", done.Status, "%+v", done.Result)
		require.Equal(t, models.OutcomePass, checkOutcome(t, done, "face_match").Outcome)
		require.Equal(t, models.OutcomePass, checkOutcome(t, done, "liveness").Outcome)
		require.Equal(t, models.OutcomePass, checkOutcome(t, done, "age").Outcome, "%+v", checkOutcome(t, done, "age"))
		require.NotNil(t, done.IdentityToken, "an approved face-matched verification issues a reusable identity")
		require.Regexp(t, `^rid_`, *done.IdentityToken)
		types, _ := eventTypes(t, e, e.Test, v.ID)
		require.Equal(t, []string{"verification.created", "verification.started", "verification.processing", "verification.completed"}, types)

		// Re-verification: a new photo of the same man, no document.
		var rv tools.Verification
		require.Nil(t, e.Call(t, e.Test, "reverify", map[string]any{"identity_token": *done.IdentityToken, "selfie": dataURL(obama3)}, &rv))
		require.Equal(t, v.ID, *rv.ReusedFrom)
		require.Equal(t, v.ApplicantID, rv.ApplicantID)
		require.Equal(t, "Barack Obama", rv.Applicant.Name)
		require.ElementsMatch(t, []string{"face_match", "liveness"}, rv.Checks, "no screening engine in this test")
		rdone := waitStatus(t, e, e.Test, rv.ID, "approved", "needs_review", "rejected")
		require.Equal(t, "approved", rdone.Status, "%+v", rdone.Result)
		require.Equal(t, "identity_token", checkOutcome(t, rdone, "face_match").Details["reference"])
		rm := checkOutcome(t, rdone, "face_match").Details["match"].(map[string]any)
		require.InDelta(t, face.DefaultMatchThreshold+verify.DefaultReverifyMargin, rm["threshold"], 1e-3, "a re-verification is stricter")
		require.Equal(t, verify.BandAccept, rm["band"])

		// Someone else with the token is rejected by the face match.
		var imp tools.Verification
		require.Nil(t, e.Call(t, e.Test, "reverify", map[string]any{"identity_token": *done.IdentityToken, "selfie": dataURL(photo(t, "tests", "test_images", "biden.jpg"))}, &imp))
		idone := waitStatus(t, e, e.Test, imp.ID, "approved", "needs_review", "rejected")
		require.Equal(t, "rejected", idone.Status)
		require.Equal(t, "face_mismatch", checkOutcome(t, idone, "face_match").Reasons[0].Code)

		// An unusable selfie creates nothing.
		te = e.Call(t, e.Test, "reverify", map[string]any{"identity_token": *done.IdentityToken, "selfie": dataURL(photo(t, "examples", "two_people.jpg"))}, nil)
		require.Equal(t, tools.CodeInvalidArgument, te.Code)
		require.Equal(t, "selfie", te.Field)
		te = e.Call(t, e.OtherAccount, "reverify", map[string]any{"identity_token": *done.IdentityToken, "selfie": dataURL(obama3)}, nil)
		require.Equal(t, tools.CodeNotFound, te.Code)

		// Revocation ends it, and the token disappears from the verification.
		var rev tools.RevokedIdentity
		require.Nil(t, e.Call(t, e.Test, "revoke_identity_token", map[string]any{"identity_token": *done.IdentityToken}, &rev))
		require.Equal(t, v.ID, rev.VerificationID)
		te = e.Call(t, e.Test, "reverify", map[string]any{"identity_token": *done.IdentityToken, "selfie": dataURL(obama3)}, nil)
		require.Equal(t, tools.CodeConflict, te.Code)
		var after tools.Verification
		require.Nil(t, e.Call(t, e.Test, "get_verification", map[string]any{"id": v.ID}, &after))
		require.Nil(t, after.IdentityToken)

		// The same face under another applicant: approved checks, but needs_review with a
		// fraud.duplicate event naming an earlier verification of the other applicant.
		var v2 tools.Verification
		require.Nil(t, e.Call(t, e.Test, "create_verification", map[string]any{"checks": []string{"face_match"}, "external_ref": "not-obama"}, &v2))
		require.Nil(t, e.Call(t, e.Test, "submit_selfie", map[string]any{"id": v2.ID, "image": dataURL(obama2)}, &sr))
		require.True(t, sr.Accepted)
		storePortrait(t, s, e.Test, v2.ID, portrait)
		require.Nil(t, e.Call(t, e.Test, "submit_verification", map[string]any{"id": v2.ID}, nil))
		d2 := waitStatus(t, e, e.Test, v2.ID, "approved", "needs_review", "rejected")
		require.Equal(t, "needs_review", d2.Status, "%+v", d2.Result)
		fm := checkOutcome(t, d2, "face_match")
		require.Equal(t, "duplicate_face", fm.Reasons[0].Code)
		require.Nil(t, d2.IdentityToken)
		types, evs := eventTypes(t, e, e.Test, v2.ID)
		require.Contains(t, types, verify.EventFraudDuplicate)
		for _, ev := range evs {
			if ev.Type == verify.EventFraudDuplicate {
				other := ev.Data["other_verification_id"]
				require.Contains(t, []any{v.ID, rv.ID}, other, "names an earlier verification of the other applicant")
				require.Equal(t, "face", ev.Data["kind"])
			}
		}

		// Duplicates never cross accounts: the same face in account B is clean.
		var vb tools.Verification
		require.Nil(t, e.Call(t, e.OtherAccount, "create_verification", map[string]any{"checks": []string{"face_match"}}, &vb))
		require.Nil(t, e.Call(t, e.OtherAccount, "submit_selfie", map[string]any{"id": vb.ID, "image": dataURL(obama2)}, nil))
		storePortrait(t, s, e.OtherAccount, vb.ID, portrait)
		require.Nil(t, e.Call(t, e.OtherAccount, "submit_verification", map[string]any{"id": vb.ID}, nil))
		require.Equal(t, "approved", waitStatus(t, e, e.OtherAccount, vb.ID, "approved", "needs_review", "rejected").Status)
	})
}

// TestFaceMatchAgainstAnotherPerson: the ICAO specimen passport's portrait is not Obama.
func TestFaceMatchAgainstAnotherPerson(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, s *db.Store) {
		e, _ := bioEnv(t, s, verify.BiometricsConfig{})
		specimen, err := os.ReadFile(testfiles.Path(t, "mrz", "images", "passporteye", "passport-td3.jpg"))
		require.NoError(t, err)
		var v tools.Verification
		require.Nil(t, e.Call(t, e.Test, "create_verification", map[string]any{"checks": []string{"face_match"}}, &v))
		storePortrait(t, s, e.Test, v.ID, specimen)
		var sr tools.SelfieResult
		require.Nil(t, e.Call(t, e.Test, "submit_selfie", map[string]any{"id": v.ID, "image": dataURL(photo(t, "tests", "test_images", "obama.jpg"))}, &sr))
		require.NotNil(t, sr.Match)
		require.Empty(t, sr.Match.Reason, "the specimen's portrait is usable")
		require.False(t, sr.Match.Passed, "score %.3f", sr.Match.Score)
		require.Nil(t, e.Call(t, e.Test, "submit_verification", map[string]any{"id": v.ID}, nil))
		d := waitStatus(t, e, e.Test, v.ID, "approved", "needs_review", "rejected")
		require.Equal(t, "rejected", d.Status, "%+v", d.Result)
	})
}

func TestCompareFaces(t *testing.T) {
	t.Parallel()
	e, _ := bioEnv(t, dbtest.SQLite(t), verify.BiometricsConfig{})
	obama, obama2 := dataURL(photo(t, "tests", "test_images", "obama.jpg")), dataURL(photo(t, "tests", "test_images", "obama2.jpg"))
	biden := dataURL(photo(t, "tests", "test_images", "biden.jpg"))
	two := dataURL(photo(t, "examples", "two_people.jpg"))

	var r tools.CompareFacesResult
	require.Nil(t, e.Call(t, e.ReadOnly, "compare_faces", map[string]any{"image_a": obama, "image_b": obama2}, &r))
	require.True(t, r.Match, "score %v", r.Score)
	require.Greater(t, *r.Score, r.Threshold)
	require.NotNil(t, r.FaceA.Box)
	require.True(t, r.FaceA.Quality.OK)
	require.Regexp(t, `^faceapi-recognition@[0-9a-f]{64}$`, r.Model)

	require.Nil(t, e.Call(t, e.ReadOnly, "compare_faces", map[string]any{"image_a": obama, "image_b": biden, "kind_b": "selfie"}, &r))
	require.False(t, r.Match)
	require.Less(t, *r.Score, r.Threshold)

	require.Nil(t, e.Call(t, e.ReadOnly, "compare_faces", map[string]any{"image_a": two, "image_b": obama}, &r))
	require.Nil(t, r.Score, "an unusable photo gets a reason, not a low score")
	require.Equal(t, "a:multiple_faces", r.Reason)
	require.False(t, r.Match)

	te := e.Call(t, e.ReadOnly, "compare_faces", map[string]any{"image_a": obama, "image_b": "bm90IGFuIGltYWdl"}, nil)
	require.Equal(t, tools.CodeInvalidArgument, te.Code)
	require.Equal(t, "image_b", te.Field)
	te = e.Call(t, e.ReadOnly, "compare_faces", map[string]any{"image_a": obama, "image_b": obama, "kind_a": "passport"}, nil)
	require.Equal(t, tools.CodeInvalidArgument, te.Code)
}

// Photos of 1×1 … 7×7 pixels (or 7 pixels on one side) are the caller's mistake: a 422
// naming the field, not the detector's internal error.
func TestFaceToolsRefuseTinyImages(t *testing.T) {
	t.Parallel()
	e, _ := bioEnv(t, dbtest.SQLite(t), verify.BiometricsConfig{})
	obama := dataURL(photo(t, "tests", "test_images", "obama.jpg"))
	tiny := func(w, h int) string {
		var b bytes.Buffer
		require.NoError(t, png.Encode(&b, image.NewGray(image.Rect(0, 0, w, h))))
		return "data:image/png;base64," + base64.StdEncoding.EncodeToString(b.Bytes())
	}
	for side := 1; side < imaging.MinSide; side++ {
		for _, img := range []string{tiny(side, side), tiny(side, 300), tiny(300, side)} {
			te := e.Call(t, e.ReadOnly, "compare_faces", map[string]any{"image_a": obama, "image_b": img}, nil)
			require.NotNil(t, te, "%d px", side)
			require.Equal(t, tools.CodeInvalidArgument, te.Code, te.Message)
			require.Equal(t, "image_b", te.Field)
			require.Contains(t, te.Message, "at least 8×8")
		}
	}
}

// yawWarp simulates a head turn of theta degrees on a still photo (the face as a vertical
// cylinder), as in checks/liveness; jitter shifts the axis so frames differ like a
// hand-held capture.
func yawWarp(src *imaging.RGB, cx, r, thetaDeg float64) *imaging.RGB {
	theta := thetaDeg * math.Pi / 180
	out := imaging.NewRGB(src.W, src.H)
	for x := 0; x < src.W; x++ {
		u := (float64(x) - cx) / r
		sx := float64(x)
		if math.Abs(u) < 1 {
			phi := math.Max(-math.Pi/2, math.Min(math.Pi/2, math.Asin(u)-theta))
			sx = cx + r*math.Sin(phi)
		}
		xi := max(0, min(src.W-1, int(math.Round(sx))))
		for y := 0; y < src.H; y++ {
			si, di := 3*(y*src.W+xi), 3*(y*src.W+x)
			out.Pix[di], out.Pix[di+1], out.Pix[di+2] = src.Pix[si], src.Pix[si+1], src.Pix[si+2]
		}
	}
	return out
}

// performs renders frames of a person performing steps (turns and looking straight);
// take varies the JPEG encoding, as a new capture would differ from an earlier one.
func performs(t *testing.T, src []byte, steps []string, take int) []string {
	t.Helper()
	img, err := imaging.Decode(src)
	require.NoError(t, err)
	// Work at ~480 px wide: frames from a camera stream are small, and it keeps the test fast.
	scale := 480 / float64(img.W)
	img = imaging.CropResize(img, imaging.Rect{W: float64(img.W), H: float64(img.H)}, 480, int(float64(img.H)*scale), [3]uint8{})
	boxes, err := faceEngine(t).Detect(img)
	require.NoError(t, err)
	b := boxes[0]
	// The pose model reads a 40–45° cylinder warp as ~20–25° (face.md): enough for a turn.
	angles := map[string][]float64{"turn_left": {40, 45}, "turn_right": {-40, -45}, "look_straight": {}}
	var out []string
	i := 0
	for _, s := range steps {
		for _, th := range append(angles[s], 0) {
			w := yawWarp(img, (b.X1+b.X2)/2+float64(i%2), 0.6*b.W(), th)
			out = append(out, dataURL(encodeJPEG(t, w, 90-take)))
			i++
		}
	}
	for len(out) < liveness.MinFrames {
		out = append(out, dataURL(encodeJPEG(t, yawWarp(img, (b.X1+b.X2)/2+float64(len(out)%3), 0.6*b.W(), 0), 80-take+len(out))))
	}
	return out
}

// withComment inserts a JPEG comment after the SOI marker: new bytes, the same picture, as
// an attacker replaying frames with new metadata would send.
func withComment(t *testing.T, frame string) string {
	t.Helper()
	const prefix = "data:image/jpeg;base64,"
	b, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(frame, prefix))
	require.NoError(t, err)
	require.Equal(t, []byte{0xFF, 0xD8}, b[:2])
	c := []byte("replayed " + t.Name())
	seg := append([]byte{0xFF, 0xFE, byte((len(c) + 2) >> 8), byte(len(c) + 2)}, c...)
	out := append(append(append([]byte(nil), b[:2]...), seg...), b[2:]...)
	return prefix + base64.StdEncoding.EncodeToString(out)
}

func TestActiveLivenessTools(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, s *db.Store) {
		e, _ := bioEnv(t, s, verify.BiometricsConfig{MaxChallenges: 3})
		obama := photo(t, "tests", "test_images", "obama.jpg")
		var v tools.Verification
		require.Nil(t, e.Call(t, e.Test, "create_verification", map[string]any{"checks": []string{"liveness"}}, &v))

		var ch tools.LivenessChallenge
		require.Nil(t, e.Call(t, e.Test, "get_liveness_challenge", map[string]any{"id": v.ID}, &ch))
		require.Len(t, ch.Steps, 3)
		require.Len(t, ch.Instructions, 3)
		require.Regexp(t, `^lvn_`, ch.Nonce)
		require.WithinDuration(t, time.Now().Add(2*time.Minute), ch.ExpiresAt, 10*time.Second)
		require.True(t, slices.ContainsFunc(ch.Steps, func(s string) bool { return liveness.NonRigid(liveness.Step(s)) }),
			"every challenge holds a blink or an open mouth: %v", ch.Steps)
		frames := performs(t, obama, ch.Steps, 0)

		// The capture must match a selfie, so the selfie comes first.
		te := e.Call(t, e.Test, "submit_liveness", map[string]any{"id": v.ID, "nonce": ch.Nonce, "frames": frames}, nil)
		require.Equal(t, tools.CodeConflict, te.Code)
		require.Contains(t, te.Message, "selfie")
		require.Nil(t, e.Call(t, e.Test, "submit_selfie", map[string]any{"id": v.ID, "image": dataURL(photo(t, "examples", "obama-720p.jpg"))}, nil))

		// Bad input is refused without spending the nonce.
		te = e.Call(t, e.Test, "submit_liveness", map[string]any{"id": v.ID, "nonce": ch.Nonce, "frames": frames[:3]}, nil)
		require.Equal(t, "frames", te.Field)
		bad := append(append([]string(nil), frames[:4]...), "aGVsbG8=")
		te = e.Call(t, e.Test, "submit_liveness", map[string]any{"id": v.ID, "nonce": ch.Nonce, "frames": bad}, nil)
		require.Equal(t, "frames[4]", te.Field)
		te = e.Call(t, e.Test, "submit_liveness", map[string]any{"id": v.ID, "nonce": ch.Nonce, "frames": frames, "timestamps_ms": []float64{0, 200}}, nil)
		require.Equal(t, tools.CodeInvalidArgument, te.Code)
		require.Equal(t, "timestamps_ms", te.Field)
		times := make([]float64, len(frames))
		times[2] = -5
		te = e.Call(t, e.Test, "submit_liveness", map[string]any{"id": v.ID, "nonce": ch.Nonce, "frames": frames, "timestamps_ms": times}, nil)
		require.Equal(t, "timestamps_ms[2]", te.Field)
		// Small on the wire, 36 MB each decoded: eight of them would hold more than half the
		// decode budget.
		var big bytes.Buffer
		require.NoError(t, png.Encode(&big, image.NewGray(image.Rect(0, 0, 4000, 3000))))
		huge := make([]string, 8)
		for i := range huge {
			huge[i] = base64.StdEncoding.EncodeToString(big.Bytes())
		}
		te = e.Call(t, e.Test, "submit_liveness", map[string]any{"id": v.ID, "nonce": ch.Nonce, "frames": huge}, nil)
		require.Equal(t, tools.CodeInvalidArgument, te.Code, te.Message)
		require.Equal(t, "frames", te.Field)
		require.Contains(t, te.Message, "decoded frames would hold more than")
		te = e.Call(t, e.Test, "submit_liveness", map[string]any{"id": v.ID, "nonce": "lvn_nope", "frames": frames}, nil)
		require.Equal(t, tools.CodeNotFound, te.Code)

		// A challenge is answered only by whoever drew it: here an API key, not the applicant's
		// hosted-flow session.
		sess, err := tools.AuthenticateSession(context.Background(), e.Reg.Deps(), sessionToken(t, v))
		require.NoError(t, err)
		require.Nil(t, e.Call(t, sess, "record_consent", map[string]any{"id": v.ID, "statement": "I agree", "locale": "en"}, nil))
		te = e.Call(t, sess, "submit_liveness", map[string]any{"id": v.ID, "nonce": ch.Nonce, "frames": frames}, nil)
		require.Equal(t, tools.CodeConflict, te.Code)
		require.Equal(t, "nonce", te.Field)
		require.Contains(t, te.Message, "another session or key")

		// Turns made by warping one still photo fail: the blink or open mouth cannot be
		// warped (the warped-still test is off by default; checks/liveness measures it alone).
		times = make([]float64, len(frames))
		for i := range times {
			times[i] = 5000 + 200*float64(i)
		}
		var lr tools.LivenessResult
		require.Nil(t, e.Call(t, e.Test, "submit_liveness", map[string]any{"id": v.ID, "nonce": ch.Nonce, "frames": frames, "timestamps_ms": times}, &lr))
		require.False(t, lr.Passed, "%+v", lr)
		require.Contains(t, []string{"warped_still", "step_not_performed"}, lr.Reason, "%+v", lr)
		require.True(t, lr.Timed)

		// A nonce answers once.
		te = e.Call(t, e.Test, "submit_liveness", map[string]any{"id": v.ID, "nonce": ch.Nonce, "frames": frames}, nil)
		require.Equal(t, tools.CodeConflict, te.Code)
		require.Contains(t, te.Message, "already answered")

		// The same frames replayed for a new nonce with a JPEG comment added (new bytes, new
		// SHA-256) fail as a replay, found by their perceptual hashes.
		replay := make([]string, len(frames))
		for i, f := range frames {
			replay[i] = withComment(t, f)
			require.NotEqual(t, f, replay[i])
		}
		var ch2 tools.LivenessChallenge
		require.Nil(t, e.Call(t, e.Test, "get_liveness_challenge", map[string]any{"id": v.ID}, &ch2))
		require.Nil(t, e.Call(t, e.Test, "submit_liveness", map[string]any{"id": v.ID, "nonce": ch2.Nonce, "frames": replay}, &lr))
		require.False(t, lr.Passed)
		require.Equal(t, "replayed_frames", lr.Reason, "%+v", lr)
		require.Contains(t, lr.Message, "earlier capture")

		// ... and across verifications of the account, re-encoded at another quality.
		var vr tools.Verification
		require.Nil(t, e.Call(t, e.Test, "create_verification", map[string]any{"checks": []string{"liveness"}}, &vr))
		require.Nil(t, e.Call(t, e.Test, "submit_selfie", map[string]any{"id": vr.ID, "image": dataURL(photo(t, "examples", "obama-720p.jpg"))}, nil))
		var chr tools.LivenessChallenge
		require.Nil(t, e.Call(t, e.Test, "get_liveness_challenge", map[string]any{"id": vr.ID}, &chr))
		reencoded := make([]string, len(frames))
		for i, f := range frames {
			img, err := imaging.Decode(mustDataURL(t, f))
			require.NoError(t, err)
			reencoded[i] = dataURL(encodeJPEG(t, img, 70))
		}
		require.Nil(t, e.Call(t, e.Test, "submit_liveness", map[string]any{"id": vr.ID, "nonce": chr.Nonce, "frames": reencoded}, &lr))
		require.Equal(t, "replayed_frames", lr.Reason, "%+v", lr)

		// The redraw limit: three challenges per verification, then none; an attacker cannot
		// ask until a challenge without a blink comes up.
		var ch3 tools.LivenessChallenge
		require.Nil(t, e.Call(t, e.Test, "get_liveness_challenge", map[string]any{"id": v.ID}, &ch3))
		te = e.Call(t, e.Test, "get_liveness_challenge", map[string]any{"id": v.ID}, nil)
		require.NotNil(t, te, "a fourth challenge")
		require.Equal(t, tools.CodeConflict, te.Code)
		require.Equal(t, "id", te.Field)
		require.Contains(t, te.Message, "3 liveness challenges")
		require.True(t, strings.HasPrefix(te.Message, tools.ChallengesSpent))
		te = e.Call(t, sess, "get_liveness_challenge", map[string]any{"id": v.ID}, nil)
		require.NotNil(t, te, "the session is held to the same limit")
		require.Equal(t, tools.CodeConflict, te.Code)

		// A nonce is bound to its verification.
		te = e.Call(t, e.Test, "submit_liveness", map[string]any{"id": v.ID, "nonce": chr.Nonce, "frames": frames}, nil)
		require.Equal(t, tools.CodeNotFound, te.Code)

		// An expired nonce is refused.
		s.SetClock(func() time.Time { return time.Now().Add(3 * time.Minute) })
		te = e.Call(t, e.Test, "submit_liveness", map[string]any{"id": v.ID, "nonce": ch3.Nonce, "frames": frames}, nil)
		s.SetClock(time.Now)
		require.Equal(t, tools.CodeConflict, te.Code)
		require.Contains(t, te.Message, "expired")

		// All challenges spent without a pass: the verification goes to a person.
		require.Nil(t, e.Call(t, e.Test, "submit_verification", map[string]any{"id": v.ID}, nil))
		d := waitStatus(t, e, e.Test, v.ID, "approved", "needs_review", "rejected")
		require.Equal(t, "needs_review", d.Status)
		out := checkOutcome(t, d, "liveness")
		require.Equal(t, models.OutcomeReview, out.Outcome, "%+v", out)
		require.Equal(t, "liveness_attempts_exhausted", out.Reasons[0].Code, "%+v", out.Reasons)

		// Once its active step was started, a verification is not decided on the passive score
		// alone: submitting with no verdict yet is refused as missing (#18), and a hosted-flow
		// session, whose page shows the step as required, needs it even before any challenge.
		var vs tools.Verification
		require.Nil(t, e.Call(t, e.Test, "create_verification", map[string]any{"checks": []string{"liveness"}}, &vs))
		require.Nil(t, e.Call(t, e.Test, "submit_selfie", map[string]any{"id": vs.ID, "image": dataURL(obama)}, nil))
		sessS, err := tools.AuthenticateSession(context.Background(), e.Reg.Deps(), sessionToken(t, vs))
		require.NoError(t, err)
		require.Nil(t, e.Call(t, sessS, "record_consent", map[string]any{"id": vs.ID, "statement": "I agree", "locale": "en"}, nil))
		te = e.Call(t, sessS, "submit_verification", map[string]any{"id": vs.ID}, nil)
		require.NotNil(t, te)
		require.Contains(t, te.Message, "active liveness")
		var chs tools.LivenessChallenge
		require.Nil(t, e.Call(t, sessS, "get_liveness_challenge", map[string]any{"id": vs.ID}, &chs))
		te = e.Call(t, e.Test, "submit_verification", map[string]any{"id": vs.ID}, nil)
		require.NotNil(t, te, "an API key cannot skip a started active step either")
		require.Contains(t, te.Message, "active liveness")
		// The session's challenge is the session's: the API key cannot answer it for the applicant.
		te = e.Call(t, e.Test, "submit_liveness", map[string]any{"id": vs.ID, "nonce": chs.Nonce, "frames": frames}, nil)
		require.Equal(t, tools.CodeConflict, te.Code)
		require.Contains(t, te.Message, "another session or key")
	})
}

func mustDataURL(t *testing.T, s string) []byte {
	t.Helper()
	b, err := base64.StdEncoding.DecodeString(s[strings.IndexByte(s, ',')+1:])
	require.NoError(t, err)
	return b
}

// A key can set its own face-match threshold: the same pair matches for a key on the server's
// calibrated threshold and not for a key that demands 0.99; the answer names the threshold.
func TestPerKeyFaceMatchThreshold(t *testing.T) {
	t.Parallel()
	e, _ := bioEnv(t, dbtest.SQLite(t), verify.BiometricsConfig{})
	obama, obama2 := dataURL(photo(t, "tests", "test_images", "obama.jpg")), dataURL(photo(t, "tests", "test_images", "obama2.jpg"))
	sc, err := tools.ParseScopes("")
	require.NoError(t, err)
	secret, _, err := e.Store.CreateAPIKey(t.Context(), db.NewKey{AccountID: "acct_a", Name: "strict", Mode: models.ModeTest, Scopes: sc, FaceMatchThreshold: 0.99})
	require.NoError(t, err)
	strict, err := tools.Authenticate(t.Context(), e.Reg.Deps(), secret)
	require.NoError(t, err)

	var def, st tools.CompareFacesResult
	require.Nil(t, e.Call(t, e.Test, "compare_faces", map[string]any{"image_a": obama, "image_b": obama2}, &def))
	require.Nil(t, e.Call(t, strict, "compare_faces", map[string]any{"image_a": obama, "image_b": obama2}, &st))
	require.True(t, def.Match)
	require.Equal(t, 0.99, st.Threshold)
	require.Equal(t, *def.Score, *st.Score, "the score does not depend on the key")
	require.False(t, st.Match)

	_, _, err = e.Store.CreateAPIKey(t.Context(), db.NewKey{AccountID: "acct_a", Name: "bad", Mode: models.ModeTest, Scopes: sc, LivenessThreshold: 1.5})
	require.ErrorContains(t, err, "liveness threshold")

	// A key's accept threshold never goes below the server's reject threshold: one stored
	// earlier (set against another embedding model's scale, say) is raised to it, and
	// create_api_key refuses a new one, naming the field.
	secret, _, err = e.Store.CreateAPIKey(t.Context(), db.NewKey{AccountID: "acct_a", Name: "old scale", Mode: models.ModeTest, Scopes: sc, FaceMatchThreshold: 0.5})
	require.NoError(t, err)
	lax, err := tools.Authenticate(t.Context(), e.Reg.Deps(), secret)
	require.NoError(t, err)
	var lx tools.CompareFacesResult
	require.Nil(t, e.Call(t, lax, "compare_faces", map[string]any{"image_a": obama, "image_b": obama2}, &lx))
	require.Equal(t, face.DefaultRejectThreshold, lx.Threshold)
	keyAdmin := e.KeyWith(t, "acct_a", models.ModeTest, tools.ScopeKeysWrite)
	terr := e.Call(t, keyAdmin, "create_api_key", map[string]any{"name": "lax", "face_match_threshold": 0.5}, nil)
	require.NotNil(t, terr)
	require.Equal(t, "face_match_threshold", terr.Field, "%+v", terr)
	require.Contains(t, terr.Message, "reject threshold")
}

// Two actors dlib's network finds alike (0.944: the closest different-person pair of the
// shared sets) under a key whose accept threshold (0.92) lets dlib alone call them one
// person: the cross-check model disagrees, so there is no match, and the reason says so.
func TestCrossCheckVetoesLookalike(t *testing.T) {
	t.Parallel()
	e, _ := bioEnv(t, dbtest.SQLite(t), verify.BiometricsConfig{})
	deepface := func(name string) string {
		b, err := os.ReadFile(testfiles.Path(t, "faces", "deepface", name))
		require.NoError(t, err)
		return dataURL(b)
	}
	lax := keyCaller(t, e, e.Store, db.NewKey{FaceMatchThreshold: 0.92})
	var r tools.CompareFacesResult
	require.Nil(t, e.Call(t, lax, "compare_faces", map[string]any{"image_a": deepface("img30.jpg"), "image_b": deepface("img35.jpg"), "kind_b": "selfie"}, &r))
	require.NotNil(t, r.Score, "%s: %s", r.Reason, r.Message)
	require.GreaterOrEqual(t, *r.Score, r.Threshold, "dlib alone would accept")
	require.False(t, r.Match)
	require.Equal(t, "models_disagree", r.Reason)
	require.Contains(t, r.Message, "second, independently trained model")
	// The same key, two photos of one person: both models agree.
	var same tools.CompareFacesResult
	require.Nil(t, e.Call(t, lax, "compare_faces", map[string]any{"image_a": deepface("img30.jpg"), "image_b": deepface("img31.jpg"), "kind_b": "selfie"}, &same))
	require.True(t, same.Match, "%v %s", same.Score, same.Message)
	require.Empty(t, same.Reason)
}

// halftone is the photo printed with a dot screen (a 5-pixel cell at 30°) and photographed:
// what a printed-photo attack leaves, generated here.
func halftone(t *testing.T, src []byte) []byte {
	t.Helper()
	img, err := imaging.Decode(src)
	require.NoError(t, err)
	out := imaging.NewRGB(img.W, img.H)
	s, c := math.Sin(math.Pi/6), math.Cos(math.Pi/6)
	for y := range img.H {
		for x := range img.W {
			u, v := c*float64(x)+s*float64(y), -s*float64(x)+c*float64(y)
			th := 0.5 + 0.25*(math.Cos(2*math.Pi*u/5)+math.Cos(2*math.Pi*v/5))
			for ch := range 3 {
				i := 3*(y*img.W+x) + ch
				out.Pix[i] = 240
				if float64(img.Pix[i])/255 < th {
					out.Pix[i] = uint8(0.15 * float64(img.Pix[i]))
				}
			}
		}
	}
	return encodeJPEG(t, out, 88)
}

// A printed photo the model may score live is never approved on the model's word: the
// periodicity cue disagrees, and the check goes to a person (liveness_conflict) or fails
// when both say spoof.
func TestPassiveCuesOverruleApproval(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, s *db.Store) {
		e, _ := bioEnv(t, s, verify.BiometricsConfig{})
		var v tools.Verification
		require.Nil(t, e.Call(t, e.Test, "create_verification", map[string]any{"checks": []string{"liveness"}}, &v))
		var sr tools.SelfieResult
		require.Nil(t, e.Call(t, e.Test, "submit_selfie", map[string]any{"id": v.ID, "image": dataURL(halftone(t, photo(t, "tests", "test_images", "biden.jpg")))}, &sr))
		require.True(t, sr.Accepted, "%+v", sr.Quality)
		require.Nil(t, e.Call(t, e.Test, "submit_verification", map[string]any{"id": v.ID}, nil))
		done := waitStatus(t, e, e.Test, v.ID, "approved", "needs_review", "rejected")
		require.NotEqual(t, "approved", done.Status)
		out := checkOutcome(t, done, "liveness")
		require.NotEqual(t, models.OutcomePass, out.Outcome)
		require.Contains(t, []string{"liveness_conflict", "spoof_suspected"}, out.Reasons[0].Code, "%+v", out)
		if out.Reasons[0].Code == "liveness_conflict" {
			require.Equal(t, models.OutcomeReview, out.Outcome)
		}
		passive, _ := json.Marshal(out.Details["passive"])
		t.Logf("%s: %s", out.Reasons[0].Code, passive)
		require.Contains(t, string(passive), `"spoof":true`)
		require.Contains(t, string(passive), "periodic_pattern")
	})
}

// A score in a key's review band goes to a person with both photos named, and such a
// verification never yields a reusable identity: here the key demands 0.99 to accept and
// rejects only below 0.30, so a genuine pair lands in the band.
func TestFaceMatchReviewBand(t *testing.T) {
	t.Parallel()
	s := dbtest.SQLite(t)
	e, _ := bioEnv(t, s, verify.BiometricsConfig{})
	sc, err := tools.ParseScopes("")
	require.NoError(t, err)
	secret, _, err := e.Store.CreateAPIKey(t.Context(), db.NewKey{AccountID: "acct_a", Name: "banded", Mode: models.ModeTest, Scopes: sc,
		FaceMatchThreshold: 0.99, FaceMatchRejectThreshold: 0.30})
	require.NoError(t, err)
	banded, err := tools.Authenticate(t.Context(), e.Reg.Deps(), secret)
	require.NoError(t, err)
	_, _, err = e.Store.CreateAPIKey(t.Context(), db.NewKey{AccountID: "acct_a", Name: "bad", Mode: models.ModeTest, Scopes: sc, FaceMatchRejectThreshold: 1})
	require.ErrorContains(t, err, "face match reject threshold")

	var v tools.Verification
	require.Nil(t, e.Call(t, banded, "create_verification", map[string]any{"checks": []string{"face_match", "liveness"}}, &v))
	var sr tools.SelfieResult
	require.Nil(t, e.Call(t, banded, "submit_selfie", map[string]any{"id": v.ID, "image": dataURL(photo(t, "tests", "test_images", "obama.jpg"))}, &sr))
	require.True(t, sr.Accepted, "%+v", sr.Quality)
	// obama2.jpg, not obama-720p.jpg: that one is obama.jpg resampled (a copy, 0.998).
	storePortrait(t, s, banded, v.ID, documentPortrait(t, photo(t, "tests", "test_images", "obama2.jpg")))
	require.Nil(t, e.Call(t, banded, "submit_verification", map[string]any{"id": v.ID}, nil))
	done := waitStatus(t, e, banded, v.ID, "approved", "needs_review", "rejected")
	require.Equal(t, "needs_review", done.Status, "%+v", done.Result)
	fm := checkOutcome(t, done, "face_match")
	require.Equal(t, models.OutcomeReview, fm.Outcome)
	require.Equal(t, "face_match_uncertain", fm.Reasons[0].Code)
	m := fm.Details["match"].(map[string]any)
	require.Equal(t, verify.BandReview, m["band"])
	require.Equal(t, 0.99, m["threshold"])
	require.Equal(t, 0.3, m["reject_threshold"])
	ev := fm.Details["evidence"].(map[string]any)
	require.Equal(t, *sr.ArtifactID, ev["selfie_artifact_id"])
	require.Regexp(t, `^art_`, ev["reference_artifact_id"])
	require.Equal(t, string(models.ArtifactDocumentPortrait), ev["reference_kind"])

	// Even approved by a person, a band verification issues no reusable identity.
	require.Nil(t, e.Call(t, banded, "review_verification", map[string]any{"id": v.ID, "decision": "approve", "reason": "same man on both photos"}, nil))
	var after tools.Verification
	require.Nil(t, e.Call(t, banded, "get_verification", map[string]any{"id": v.ID}, &after))
	require.Nil(t, after.IdentityToken)
}
