//go:build onnx

package tools_test

import (
	"context"
	"io"
	"log/slog"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kycd/kycd/checks/face/imaging"
	"github.com/kycd/kycd/db"
	"github.com/kycd/kycd/db/dbtest"
	"github.com/kycd/kycd/internal/tooltest"
	"github.com/kycd/kycd/jobs"
	"github.com/kycd/kycd/models"
	"github.com/kycd/kycd/tools"
	"github.com/kycd/kycd/verify"
)

// approvedIdentity runs a first verification of Obama to approval and returns its reusable
// identity token and the selfie it was enrolled with.
func approvedIdentity(t *testing.T, e *tooltest.Env, s *db.Store) (string, []byte) {
	t.Helper()
	selfie := photo(t, "tests", "test_images", "obama.jpg")
	var v tools.Verification
	require.Nil(t, e.Call(t, e.Test, "create_verification", map[string]any{"checks": []string{"face_match", "liveness"},
		"applicant": map[string]any{"name": "Barack Obama"}}, &v))
	require.Nil(t, e.Call(t, e.Test, "submit_selfie", map[string]any{"id": v.ID, "image": dataURL(selfie)}, nil))
	storePortrait(t, s, e.Test, v.ID, documentPortrait(t, photo(t, "examples", "obama-720p.jpg")))
	require.Nil(t, e.Call(t, e.Test, "submit_verification", map[string]any{"id": v.ID}, nil))
	done := waitStatus(t, e, e.Test, v.ID, "approved", "needs_review", "rejected")
	require.Equal(t, "approved", done.Status, "%+v", done.Result)
	require.NotNil(t, done.IdentityToken)
	// The identity keeps the cross-check model's vector too, so a re-verification's selfie
	// must satisfy both models.
	tok, _, err := s.LookupIdentityToken(t.Context(), db.Scope{AccountID: "acct_a", Mode: models.ModeTest}, *done.IdentityToken)
	require.NoError(t, err)
	require.Len(t, tok.CrossCheckModel, 64)
	require.NotEmpty(t, tok.CrossCheckOpen)
	return *done.IdentityToken, selfie
}

// keyCaller makes another key of account A's test mode with the given settings.
func keyCaller(t *testing.T, e *tooltest.Env, s *db.Store, nk db.NewKey) tools.Caller {
	t.Helper()
	nk.AccountID, nk.Name, nk.Mode = "acct_a", "reverify", models.ModeTest
	sc, err := tools.ParseScopes("") // every scope a key gets by default
	require.NoError(t, err)
	nk.Scopes = sc
	secret, _, err := s.CreateAPIKey(context.Background(), nk)
	require.NoError(t, err)
	c, err := tools.Authenticate(context.Background(), e.Reg.Deps(), secret)
	require.NoError(t, err)
	return c
}

func outcomeCodes(o models.CheckOutcome) []string {
	var out []string
	for _, r := range o.Reasons {
		out = append(out, r.Code)
	}
	return out
}

// TestReverifyLiveness: a re-verification replaces a document check with one selfie, so it
// never passes without liveness — the passive score always, a passed active challenge when
// the key or the server requires one — and the enrolment selfie sent again is not a capture.
func TestReverifyLiveness(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, s *db.Store) {
		e, _ := bioEnv(t, s, verify.BiometricsConfig{})
		token, enrolled := approvedIdentity(t, e, s)
		obama3 := photo(t, "tests", "test_images", "obama3.jpg")

		// A key that requires active liveness: the re-verification waits in_progress for the
		// capture, asking to submit at once is refused naming the field, and submitting
		// without a passed challenge names what is missing.
		active := keyCaller(t, e, s, db.NewKey{LivenessRequireActive: true})
		te := e.Call(t, active, "reverify", map[string]any{"identity_token": token, "selfie": dataURL(obama3), "submit": true}, nil)
		require.NotNil(t, te)
		require.Equal(t, tools.CodeInvalidArgument, te.Code)
		require.Equal(t, "submit", te.Field)
		require.Contains(t, te.Message, "active liveness")
		var rv tools.Verification
		require.Nil(t, e.Call(t, active, "reverify", map[string]any{"identity_token": token, "selfie": dataURL(obama3)}, &rv))
		require.Equal(t, "in_progress", rv.Status)
		te = e.Call(t, active, "submit_verification", map[string]any{"id": rv.ID}, nil)
		require.NotNil(t, te)
		require.Contains(t, te.Message, "liveness: a passed active liveness capture")

		// The key's setting is its own: the main key's re-verification is submitted at once
		// and decided on the passive score.
		var plain tools.Verification
		require.Nil(t, e.Call(t, e.Test, "reverify", map[string]any{"identity_token": token, "selfie": dataURL(obama3)}, &plain))
		pd := waitStatus(t, e, e.Test, plain.ID, "approved", "needs_review", "rejected")
		require.Equal(t, "approved", pd.Status, "%+v", pd.Result)
		require.Equal(t, models.OutcomePass, checkOutcome(t, pd, "liveness").Outcome)

		// A selfie the passive check does not call live (here: a key whose liveness threshold
		// no photo reaches) is never approved, however well the face matches.
		strict := keyCaller(t, e, s, db.NewKey{LivenessThreshold: 0.999})
		var sv tools.Verification
		require.Nil(t, e.Call(t, strict, "reverify", map[string]any{"identity_token": token, "selfie": dataURL(obama3)}, &sv))
		sd := waitStatus(t, e, strict, sv.ID, "approved", "needs_review", "rejected")
		require.NotEqual(t, "approved", sd.Status, "%+v", sd.Result)
		require.NotEqual(t, models.OutcomePass, checkOutcome(t, sd, "liveness").Outcome)
		require.Nil(t, sd.IdentityToken)

		// The enrolment selfie again, re-encoded so its bytes are new: a copy, not a capture.
		img, err := imaging.Decode(enrolled)
		require.NoError(t, err)
		var cp tools.Verification
		require.Nil(t, e.Call(t, e.Test, "reverify", map[string]any{"identity_token": token, "selfie": dataURL(encodeJPEG(t, img, 70))}, &cp))
		cd := waitStatus(t, e, e.Test, cp.ID, "approved", "needs_review", "rejected")
		require.Equal(t, "needs_review", cd.Status, "%+v", cd.Result)
		fm := checkOutcome(t, cd, "face_match")
		require.Contains(t, outcomeCodes(fm), "selfie_replayed")
		require.Nil(t, cd.IdentityToken)
	})
}

// TestReverifyServerRequiresActive: the server's --liveness-require-active holds re-verifications too.
func TestReverifyServerRequiresActive(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, s *db.Store) {
		e, _ := bioEnv(t, s, verify.BiometricsConfig{})
		token, _ := approvedIdentity(t, e, s)
		ea, _ := bioEnv(t, s, verify.BiometricsConfig{RequireActive: true})
		te := ea.Call(t, e.Test, "reverify", map[string]any{"identity_token": token, "selfie": dataURL(photo(t, "tests", "test_images", "obama3.jpg")), "submit": true}, nil)
		require.NotNil(t, te)
		require.Equal(t, "submit", te.Field)
	})
}

// A flow whose liveness step is passive, used with a key that requires active liveness: the
// stricter rule wins in the verification's copy of the steps, so the hosted flow shows the
// challenge the liveness check waits for (else the applicant could never submit).
func TestKeyRequiringActiveLivenessOverridesPassiveFlow(t *testing.T) {
	t.Parallel()
	s := dbtest.SQLite(t)
	b, err := verify.NewBiometrics(s, faceEngine(t), verify.BiometricsConfig{}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	require.NoError(t, err)
	runners := b.Runners()
	runners[models.CheckDocument] = tooltest.Check{Outcome: models.OutcomePass} // the flow's document step; not read here
	e := tooltest.New(t, s, runners, func(_ *jobs.Options, d *tools.Deps) { d.Biometrics = b })
	require.Nil(t, e.Call(t, e.Test, "create_flow", map[string]any{"name": "quick", "steps": []any{
		map[string]any{"type": "document"}, map[string]any{"type": "selfie"}, map[string]any{"type": "liveness", "liveness_mode": "passive"}}}, nil))
	mode := func(c tools.Caller) string {
		var v tools.Verification
		require.Nil(t, e.Call(t, c, "create_verification", map[string]any{"flow": "quick"}, &v))
		var f tools.VerificationFlow
		require.Nil(t, e.Call(t, c, "get_verification_flow", map[string]any{"id": v.ID}, &f))
		for _, st := range f.Steps {
			if st.Type == models.StepLiveness {
				return st.LivenessMode
			}
		}
		return "none"
	}
	require.Equal(t, "passive", mode(e.Test), "an ordinary key runs the flow as written")
	require.Equal(t, "active", mode(keyCaller(t, e, s, db.NewKey{LivenessRequireActive: true})))
}
