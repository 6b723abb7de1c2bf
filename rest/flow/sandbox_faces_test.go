//go:build onnx && tesseract

package flow_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kycd/kycd/checks/face"
	"github.com/kycd/kycd/db/dbtest"
	"github.com/kycd/kycd/models"
	"github.com/kycd/kycd/rest/flow"
	"github.com/kycd/kycd/tools"
	"github.com/kycd/kycd/verify"
)

// The sample selfies of a test-mode hosted flow go through the real pipeline (#27): the sample
// passport is read by the real document engine (its portrait is the sample applicant), the
// sample selfie by the real face engine. The applicant's selfie is approved, the other
// person's is rejected by face match, the printed one by passive liveness; a live key's
// session has no buttons and gets 404.
func TestSampleSelfiesThroughThePipeline(t *testing.T) {
	eng, err := face.New(face.Config{})
	require.NoError(t, err, "the face engine must load under -tags onnx: run scripts/setup/onnx.sh")
	t.Cleanup(func() { _ = eng.Close() })
	var bio *verify.Biometrics
	setDeps := func(d *tools.Deps) { d.Biometrics = bio }
	s := dbtest.SQLite(t)
	bio, err = verify.NewBiometrics(s, eng, verify.BiometricsConfig{}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	require.NoError(t, err)
	runners := bio.Runners()
	e := newEnv(t, s, flow.Options{},
		engine{check: models.CheckFaceMatch, runner: runners[models.CheckFaceMatch], deps: setDeps},
		engine{check: models.CheckLiveness, runner: runners[models.CheckLiveness]})
	for _, key := range []*tools.Caller{&e.Test, &e.Live} {
		require.Nil(t, e.Call(t, *key, "create_flow", map[string]any{"name": "samples", "steps": []any{
			map[string]any{"type": "document"}, map[string]any{"type": "selfie"},
			map[string]any{"type": "liveness", "liveness_mode": "passive"}}}, nil))
	}

	run := func(t *testing.T, caller tools.Caller, op string) (tools.Verification, int, map[string]any) {
		var v tools.CreatedVerification
		// One applicant (external_ref) throughout: the sample face in another applicant's
		// verification would be a duplicate_face for review, as with any reused face.
		require.Nil(t, e.Call(t, caller, "create_verification", map[string]any{"flow": "samples", "document_type": "passport", "external_ref": "sandbox-erika",
			"applicant": map[string]any{"name": "Erika Mustermann", "dob": "1964-08-12", "country": "DE"}}, &v))
		base := pathOf(t, v.HostedURL)
		intro := e.do(t, "GET", base, nil, nil)
		csrf := csrfOf(t, intro.body)
		e.do(t, "POST", base+"/consent", url.Values{"csrf": {csrf}, "consent": {"yes"}}, nil)
		page := e.do(t, "GET", base+"/step/selfie", nil, nil)
		require.Equal(t, caller.Mode == models.ModeTest, strings.Contains(page.body, `data-op="sample-selfie-spoof"`), "sample selfie buttons in %s mode", caller.Mode)
		if caller.Mode != models.ModeTest {
			code, out := e.capture(t, base, csrf, op, `{}`)
			return tools.Verification{}, code, out
		}
		code, out := e.capture(t, base, csrf, "sample-document", `{}`)
		require.Equal(t, http.StatusOK, code, "%v", out)
		require.Equal(t, true, out["ok"], "%v", out)
		code, out = e.capture(t, base, csrf, op, `{}`)
		require.Equal(t, http.StatusOK, code, "%v", out)
		require.Equal(t, true, out["ok"], "every sample is a usable selfie: the checks, not the capture, judge it: %v", out)
		// The passport is read in the background and its portrait (what face match needs) is
		// cut out by that reading: a submit right after the upload waits for it rather than
		// calling the portrait missing.
		sub := e.do(t, "POST", base+"/submit", url.Values{"csrf": {csrf}}, nil)
		require.Equal(t, http.StatusSeeOther, sub.code, "submitted at once, the reading awaited: %s", sub.body)
		e.waitFinal(t, base)
		var got tools.Verification
		require.Nil(t, e.Call(t, caller, "get_verification", map[string]any{"id": v.ID}, &got))
		require.NotNil(t, got.Result)
		return got, code, out
	}
	outcome := func(v tools.Verification, c models.Check) (models.Outcome, []string) {
		for _, co := range v.Result.Checks {
			if co.Check == string(c) {
				var codes []string
				for _, r := range co.Reasons {
					codes = append(codes, r.Code)
				}
				return co.Outcome, codes
			}
		}
		t.Fatalf("no %s outcome in %+v", c, v.Result.Checks)
		return "", nil
	}

	t.Run("applicant approved", func(t *testing.T) {
		v, _, _ := run(t, e.Test, "sample-selfie")
		fm, reasons := outcome(v, models.CheckFaceMatch)
		require.Equal(t, models.OutcomePass, fm, "%v", reasons)
		lv, reasons := outcome(v, models.CheckLiveness)
		require.Equal(t, models.OutcomePass, lv, "%v", reasons)
		require.Equal(t, models.StatusApproved, v.Result.Decision, "%+v", v.Result.Reasons)
		require.False(t, v.Result.Forced, "nothing forced: the real engines decided")
	})
	t.Run("other person rejected by face match", func(t *testing.T) {
		v, _, _ := run(t, e.Test, "sample-selfie-other")
		fm, reasons := outcome(v, models.CheckFaceMatch)
		require.Equal(t, models.OutcomeFail, fm, "%v", reasons)
		lv, _ := outcome(v, models.CheckLiveness)
		require.Equal(t, models.OutcomePass, lv, "a live selfie, only of someone else")
		require.Equal(t, models.StatusRejected, v.Result.Decision)
	})
	t.Run("printed photo flagged by liveness", func(t *testing.T) {
		v, _, _ := run(t, e.Test, "sample-selfie-spoof")
		lv, lreasons := outcome(v, models.CheckLiveness)
		require.Equal(t, models.OutcomeFail, lv, "%v", lreasons)
		require.Contains(t, lreasons, "spoof_suspected")
		fm, reasons := outcome(v, models.CheckFaceMatch)
		require.Equal(t, models.OutcomePass, fm, "the print shows the right person (%v): liveness is what catches it", reasons)
		require.Equal(t, models.StatusRejected, v.Result.Decision)
	})
	t.Run("still photo at the active liveness step is refused", func(t *testing.T) {
		var v tools.CreatedVerification
		require.Nil(t, e.Call(t, e.Test, "create_verification", map[string]any{"checks": []string{"liveness"}, "external_ref": "sandbox-erika"}, &v))
		base := pathOf(t, v.HostedURL)
		intro := e.do(t, "GET", base, nil, nil)
		csrf := csrfOf(t, intro.body)
		e.do(t, "POST", base+"/consent", url.Values{"csrf": {csrf}, "consent": {"yes"}}, nil)
		page := e.do(t, "GET", base+"/step/liveness", nil, nil)
		require.Contains(t, page.body, `data-op="sample-liveness-still"`)
		code, out := e.capture(t, base, csrf, "sample-selfie", `{}`)
		require.Equal(t, http.StatusOK, code, "%v", out)
		code, out = e.capture(t, base, csrf, "sample-liveness-still", `{}`)
		require.Equal(t, http.StatusOK, code, "%v", out)
		require.Equal(t, false, out["ok"], "a still photo does not pass the head movements: %v", out)
		require.Equal(t, "static_frames", out["reason"], "%v", out)
		require.NotEmpty(t, out["message"], "the applicant reads why: %v", out)
	})
	t.Run("simulated challenge: a camera-less run through active liveness", func(t *testing.T) {
		var v tools.CreatedVerification
		require.Nil(t, e.Call(t, e.Test, "create_verification", map[string]any{"checks": []string{"liveness"}, "external_ref": "sandbox-max"}, &v))
		base := pathOf(t, v.HostedURL)
		intro := e.do(t, "GET", base, nil, nil)
		csrf := csrfOf(t, intro.body)
		e.do(t, "POST", base+"/consent", url.Values{"csrf": {csrf}, "consent": {"yes"}}, nil)
		page := e.do(t, "GET", base+"/step/liveness", nil, nil)
		require.Contains(t, page.body, `data-op="sample-liveness-pass"`)
		code, out := e.capture(t, base, csrf, "sample-selfie", `{}`)
		require.Equal(t, http.StatusOK, code, "%v", out)
		code, out = e.capture(t, base, csrf, "sample-liveness-pass", `{}`)
		require.Equal(t, http.StatusOK, code, "%v", out)
		require.Equal(t, true, out["ok"], "%v", out)
		sub := e.do(t, "POST", base+"/submit", url.Values{"csrf": {csrf}}, nil)
		require.Equal(t, http.StatusSeeOther, sub.code, "no active capture is asked for: %s", sub.body)
		e.waitFinal(t, base)
		var got tools.Verification
		require.Nil(t, e.Call(t, e.Test, "get_verification", map[string]any{"id": v.ID}, &got))
		require.Equal(t, models.StatusApproved, got.Result.Decision)
		require.True(t, got.Result.Forced)
		require.Equal(t, verify.SimulatedBy, got.Result.ForcedBy)
		lv, _ := outcome(got, models.CheckLiveness)
		require.Equal(t, models.OutcomePass, lv)
	})
	t.Run("live key: no samples", func(t *testing.T) {
		for _, op := range []string{"sample-selfie", "sample-selfie-other", "sample-selfie-spoof", "sample-liveness-still", "sample-liveness-pass"} {
			_, code, _ := run(t, e.Live, op)
			require.Equal(t, http.StatusNotFound, code, op)
		}
	})
}
