package tools_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kycd/kycd/db"
	"github.com/kycd/kycd/db/dbtest"
	"github.com/kycd/kycd/internal/tooltest"
	"github.com/kycd/kycd/models"
	"github.com/kycd/kycd/tools"
	"github.com/kycd/kycd/verify"
)

// flowEngines pass every check a flow can run, so a flow's verification is decided by its
// policy.
func flowEngines() map[models.Check]verify.CheckRunner {
	m := map[models.Check]verify.CheckRunner{}
	for _, c := range models.AllChecks {
		m[c] = tooltest.Check{Outcome: models.OutcomePass}
	}
	return m
}

func TestValidateFlow(t *testing.T) {
	t.Parallel()
	e := tooltest.New(t, dbtest.SQLite(t), flowEngines())
	require.Nil(t, e.Call(t, e.Test, "create_questionnaire", map[string]any{"name": "sof", "definition": rawJSON(fundsV1)}, nil))
	doc := map[string]any{"type": "document"}
	cases := []struct {
		name string
		in   map[string]any
		want []tools.FlowProblem // paths and message fragments, in order
	}{
		{"valid", map[string]any{"name": "kyc", "steps": []any{map[string]any{"type": "consent"}, doc, map[string]any{"type": "selfie_with_document"}, map[string]any{"type": "selfie"},
			map[string]any{"type": "liveness", "liveness_mode": "active", "challenges": 2}}, "policy": map[string]any{"thresholds": map[string]any{"face_match": 0.6}}}, nil},
		{"no steps", map[string]any{"steps": []any{}}, []tools.FlowProblem{{Path: "steps", Message: "at least one step"}}},
		{"unknown type", map[string]any{"steps": []any{map[string]any{"type": "retina"}}}, []tools.FlowProblem{{Path: "steps[0].type", Message: `"retina" is not a step type`}}},
		{"selfie_with_document needs document", map[string]any{"steps": []any{map[string]any{"type": "selfie_with_document"}, doc}},
			[]tools.FlowProblem{{Path: "steps[0]", Message: "selfie_with_document needs document"}}},
		{"selfie needs document", map[string]any{"steps": []any{map[string]any{"type": "selfie"}}}, []tools.FlowProblem{{Path: "steps[0]", Message: "selfie needs document"}}},
		{"liveness needs selfie", map[string]any{"steps": []any{doc, map[string]any{"type": "selfie_with_document"}, map[string]any{"type": "liveness"}}}, []tools.FlowProblem{{Path: "steps[2]", Message: "liveness needs a selfie"}}},
		{"nfc needs document", map[string]any{"steps": []any{map[string]any{"type": "nfc"}}}, []tools.FlowProblem{{Path: "steps[0]", Message: "nfc needs document"}}},
		{"consent first", map[string]any{"steps": []any{doc, map[string]any{"type": "consent"}}}, []tools.FlowProblem{{Path: "steps[1].type", Message: "consent must be the first step"}}},
		{"duplicate", map[string]any{"steps": []any{doc, doc}}, []tools.FlowProblem{{Path: "steps[1].type", Message: "already step 0"}}},
		{"unknown country and type", map[string]any{"steps": []any{map[string]any{"type": "document", "countries": []any{"DE", "XX"}, "document_types": []any{"visa"}}}},
			[]tools.FlowProblem{{Path: "steps[0].document_types[0]", Message: `"visa" is not one of`}, {Path: "steps[0].countries[1]", Message: `unknown country code "XX"`}}},
		{"setting on wrong step", map[string]any{"steps": []any{map[string]any{"type": "email", "countries": []any{"DE"}}}},
			[]tools.FlowProblem{{Path: "steps[0].countries", Message: "applies to document steps only"}}},
		{"liveness settings", map[string]any{"steps": []any{doc, map[string]any{"type": "selfie"}, map[string]any{"type": "liveness", "liveness_mode": "passive", "challenges": 3}}},
			[]tools.FlowProblem{{Path: "steps[2].challenges", Message: "passive liveness step has no challenges"}}},
		{"questionnaire without name", map[string]any{"steps": []any{map[string]any{"type": "questionnaire"}}},
			[]tools.FlowProblem{{Path: "steps[0].questionnaire", Message: "required"}}},
		{"additional document without label", map[string]any{"steps": []any{map[string]any{"type": "additional_document", "label": "  "}}},
			[]tools.FlowProblem{{Path: "steps[0].label", Message: "required"}}},
		{"thresholds", map[string]any{"steps": []any{doc, map[string]any{"type": "selfie"}}, "policy": map[string]any{"thresholds": map[string]any{"face_match": 1.5, "liveness": 0.5, "document": 0.5}}},
			[]tools.FlowProblem{{Path: "policy.thresholds.document", Message: "thresholds apply to face_match, liveness, screening"},
				{Path: "policy.thresholds.face_match", Message: "threshold 1.5 is outside 0..1"},
				{Path: "policy.thresholds.liveness", Message: "no step that runs the liveness check"}}},
		{"on_failure", map[string]any{"steps": []any{doc}, "policy": map[string]any{"on_failure": map[string]any{"document": "ignore", "screening": "review"}}},
			[]tools.FlowProblem{{Path: "policy.on_failure.document", Message: `"ignore": use reject or review`},
				{Path: "policy.on_failure.screening", Message: "no step that runs the screening check"}}},
		{"answer rules need questionnaire", map[string]any{"steps": []any{doc}, "policy": map[string]any{"answer_rules": []any{map[string]any{"question": "source_of_funds", "equals": "other", "outcome": "review"}}}},
			[]tools.FlowProblem{{Path: "policy.answer_rules[0]", Message: "need a questionnaire step"}}},
		{"answer rules valid", map[string]any{"steps": []any{map[string]any{"type": "questionnaire", "questionnaire": "sof"}}, "policy": map[string]any{"answer_rules": []any{
			map[string]any{"question": "source_of_funds", "equals": "other", "outcome": "review"}, map[string]any{"question": "pep_self_declared", "equals": true, "outcome": "review"}}}}, nil},
		{"session", map[string]any{"steps": []any{doc}, "session": map[string]any{"session_length": 30, "expires_in": 10}},
			[]tools.FlowProblem{{Path: "session.expires_in", Message: "outside 60 to 2592000"}, {Path: "session.session_length", Message: "outside 60 to 3600"}}},
		{"branding", map[string]any{"steps": []any{doc}, "branding": map[string]any{"logo_url": "http://example.com/logo.png", "primary_color": "blue", "locales": []any{"en", "not a tag"}, "support_email": "nope", "support_url": "ftp://x"}},
			[]tools.FlowProblem{{Path: "branding.logo_url", Message: "https"}, {Path: "branding.primary_color", Message: "#rrggbb"}, {Path: "branding.locales[1]", Message: "BCP 47"},
				{Path: "branding.support_email", Message: "not an email"}, {Path: "branding.support_url", Message: "http(s)"}}},
		{"bad name", map[string]any{"name": "Onboarding EU", "steps": []any{doc}}, []tools.FlowProblem{{Path: "name", Message: "lower-case"}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var out tools.FlowValidation
			require.Nil(t, e.Call(t, e.Test, "validate_flow", tc.in, &out))
			require.Equal(t, len(tc.want) == 0, out.Valid, "%+v", out.Problems)
			require.Len(t, out.Problems, len(tc.want), "%+v", out.Problems)
			for i, w := range tc.want {
				require.Equal(t, w.Path, out.Problems[i].Path)
				require.Contains(t, out.Problems[i].Message, w.Message)
			}
		})
	}
}

func TestFlowVersioning(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, s *db.Store) {
		e := tooltest.New(t, s, flowEngines())
		var f tools.Flow
		require.Nil(t, e.Call(t, e.Test, "create_flow", map[string]any{"name": "basic", "steps": []any{
			map[string]any{"type": "document", "countries": []any{"DE", "FRA"}}, map[string]any{"type": "screening"}}}, &f))
		require.Equal(t, 1, f.Version)
		require.Equal(t, []string{"D", "FRA"}, f.Steps[0].Countries) // normalised to ICAO
		require.Equal(t, []string{"document", "screening"}, f.Checks)

		// The same name again is a conflict; a bad flow lists its problems.
		te := e.Call(t, e.Test, "create_flow", map[string]any{"name": "basic", "steps": []any{map[string]any{"type": "email"}}}, nil)
		require.Equal(t, tools.CodeConflict, te.Code)
		te = e.Call(t, e.Test, "create_flow", map[string]any{"name": "bad", "steps": []any{map[string]any{"type": "selfie"}, map[string]any{"type": "nfc"}}}, nil)
		require.Equal(t, tools.CodeInvalidArgument, te.Code)
		require.Equal(t, "steps[0]", te.Field)
		require.Contains(t, te.Message, "2 problem(s)")

		var v1 tools.CreatedVerification
		require.Nil(t, e.Call(t, e.Test, "create_verification", map[string]any{"flow": "basic", "applicant": map[string]any{"name": "Erika Mustermann"}}, &v1))
		require.Equal(t, &tools.FlowRef{ID: f.ID, Name: "basic", Version: 1}, v1.Flow)
		require.Equal(t, []string{"document", "screening"}, v1.Checks)
		require.Equal(t, []string{"D", "FRA"}, v1.AllowedCountries)

		var f2 tools.Flow
		require.Nil(t, e.Call(t, e.Test, "update_flow", map[string]any{"id": "basic", "steps": []any{map[string]any{"type": "email"}}}, &f2))
		require.Equal(t, 2, f2.Version)
		require.Equal(t, f.ID, f2.ID)

		// The running verification keeps version 1; a new one runs 2; name@1 still runs 1.
		var got tools.Verification
		require.Nil(t, e.Call(t, e.Test, "get_verification", map[string]any{"id": v1.ID}, &got))
		require.Equal(t, 1, got.Flow.Version)
		require.Equal(t, []string{"document", "screening"}, got.Checks)
		var v2, v3 tools.CreatedVerification
		require.Nil(t, e.Call(t, e.Test, "create_verification", map[string]any{"flow": f.ID}, &v2))
		require.Equal(t, 2, v2.Flow.Version)
		require.Equal(t, []string{"email"}, v2.Checks)
		require.Nil(t, e.Call(t, e.Test, "create_verification", map[string]any{"flow": "basic@1"}, &v3))
		require.Equal(t, 1, v3.Flow.Version)
		te = e.Call(t, e.Test, "create_verification", map[string]any{"flow": "basic@3"}, nil)
		require.Equal(t, tools.CodeNotFound, te.Code)
		te = e.Call(t, e.Test, "create_verification", map[string]any{"flow": "basic", "checks": []string{"document"}}, nil)
		require.Equal(t, "checks", te.Field)

		var old tools.Flow
		require.Nil(t, e.Call(t, e.Test, "get_flow", map[string]any{"id": "basic@1"}, &old))
		require.Equal(t, 1, old.Version)
		require.Equal(t, 2, old.Latest)
		require.Len(t, old.Steps, 2)

		// Flows are per account and mode.
		require.Equal(t, tools.CodeNotFound, e.Call(t, e.Live, "get_flow", map[string]any{"id": "basic"}, nil).Code)
		require.Equal(t, tools.CodeNotFound, e.Call(t, e.OtherAccount, "create_verification", map[string]any{"flow": "basic"}, nil).Code)

		var list tools.FlowList
		require.Nil(t, e.Call(t, e.Test, "create_flow", map[string]any{"name": "another", "steps": []any{map[string]any{"type": "phone"}}}, nil))
		require.Nil(t, e.Call(t, e.Test, "list_flows", map[string]any{"limit": 1}, &list))
		require.Equal(t, "another", list.Data[0].Name)
		require.True(t, list.HasMore)
		require.Nil(t, e.Call(t, e.Test, "list_flows", map[string]any{"cursor": *list.NextCursor}, &list))
		require.Equal(t, "basic", list.Data[0].Name)
		require.Equal(t, 2, list.Data[0].Version)

		// Archived: no new verifications, no new versions; the old ones stay readable.
		var arch tools.Flow
		require.Nil(t, e.Call(t, e.Test, "archive_flow", map[string]any{"id": "basic"}, &arch))
		require.Equal(t, "archived", arch.Status)
		require.Equal(t, "flow", e.Call(t, e.Test, "create_verification", map[string]any{"flow": "basic"}, nil).Field)
		require.Equal(t, tools.CodeConflict, e.Call(t, e.Test, "update_flow", map[string]any{"id": "basic", "steps": []any{map[string]any{"type": "phone"}}}, nil).Code)
		require.Nil(t, e.Call(t, e.Test, "list_flows", map[string]any{}, &list))
		require.Len(t, list.Data, 1)
		require.Nil(t, e.Call(t, e.Test, "get_verification", map[string]any{"id": v1.ID}, &got))
		require.Equal(t, 1, got.Flow.Version)
	})
}

// TestFlowStepTypes runs a flow of each step type end to end through the tools: created,
// its verification carries the step's check, submitted and decided.
func TestFlowStepTypes(t *testing.T) {
	t.Parallel()
	e := tooltest.New(t, dbtest.SQLite(t), flowEngines())
	require.Nil(t, e.Call(t, e.Test, "create_questionnaire", map[string]any{"name": "source-of-funds", "definition": rawJSON(fundsV1)}, nil))
	doc := map[string]any{"type": "document"}
	cases := map[string]struct {
		steps  []any
		checks []string
		want   string
	}{
		"consent":  {[]any{map[string]any{"type": "consent"}, doc}, []string{"document"}, "approved"},
		"document": {[]any{doc}, []string{"document"}, "approved"},
		"selfie":   {[]any{doc, map[string]any{"type": "selfie"}}, []string{"document", "face_match"}, "approved"},
		// No picture of the applicant holding the document was taken: a person looks.
		"selfie_with_document": {[]any{doc, map[string]any{"type": "selfie_with_document"}}, []string{"document"}, "needs_review"},
		"liveness":             {[]any{doc, map[string]any{"type": "selfie"}, map[string]any{"type": "liveness"}}, []string{"document", "face_match", "liveness"}, "approved"},
		"email":                {[]any{map[string]any{"type": "email"}}, []string{"email"}, "approved"},
		"phone":                {[]any{map[string]any{"type": "phone"}}, []string{"phone"}, "approved"},
		"proof_of_address":     {[]any{map[string]any{"type": "proof_of_address"}}, []string{"proof_of_address"}, "approved"},
		"nfc":                  {[]any{doc, map[string]any{"type": "nfc"}}, []string{"document", "nfc"}, "approved"},
		"screening":            {[]any{map[string]any{"type": "screening"}}, []string{"screening"}, "approved"},
		// A questionnaire is decided by its answer rules (none fire here); extra documents
		// alone are no check: the flow's verification goes to a person.
		"questionnaire":       {[]any{map[string]any{"type": "questionnaire", "questionnaire": "source-of-funds"}}, []string{}, "approved"},
		"additional_document": {[]any{map[string]any{"type": "additional_document", "label": "bank card", "ocr": true}}, []string{}, "needs_review"},
	}
	for name, tc := range cases {
		var f tools.Flow
		require.Nil(t, e.Call(t, e.Test, "create_flow", map[string]any{"name": strings.ReplaceAll(name, "_", "-"), "steps": tc.steps}, &f), name)
		var v tools.CreatedVerification
		require.Nil(t, e.Call(t, e.Test, "create_verification", map[string]any{"flow": f.Name}, &v), name)
		require.Equal(t, tc.checks, v.Checks, name)
		var vf tools.VerificationFlow
		require.Nil(t, e.Call(t, e.Test, "get_verification_flow", map[string]any{"id": v.ID}, &vf), name)
		require.Len(t, vf.Steps, len(tc.steps), name)
		require.True(t, slices.ContainsFunc(vf.Steps, func(s models.FlowStep) bool { return s.Type == models.StepType(name) }), name)
		if v.Questionnaire != nil { // the flow's questionnaire is answered first
			require.Nil(t, e.Call(t, e.Test, "submit_questionnaire_answers", map[string]any{"verification_id": v.ID,
				"answers": map[string]any{"source_of_funds": "salary", "pep_self_declared": false}}, nil), name)
		}
		require.Nil(t, e.Call(t, e.Test, "submit_verification", map[string]any{"id": v.ID}, nil), name)
		got := waitStatus(t, e, e.Test, v.ID, "approved", "needs_review", "rejected")
		require.Equal(t, tc.want, got.Status, name)
	}
}

func TestFlowPolicy(t *testing.T) {
	t.Parallel()
	checks := flowEngines()
	checks[models.CheckScreening] = tooltest.Check{Outcome: models.OutcomeFail}
	e := tooltest.New(t, dbtest.SQLite(t), checks)
	decide := func(policy map[string]any, extra map[string]any) tools.Verification {
		t.Helper()
		name := "p" + strings.ToLower(strings.ReplaceAll(time.Now().Format("150405.000000000"), ".", ""))
		require.Nil(t, e.Call(t, e.Test, "create_flow", map[string]any{"name": name, "steps": []any{map[string]any{"type": "document"}, map[string]any{"type": "screening"}},
			"policy": policy}, nil))
		in := map[string]any{"flow": name}
		for k, v := range extra {
			in[k] = v
		}
		var v tools.CreatedVerification
		require.Nil(t, e.Call(t, e.Test, "create_verification", in, &v))
		require.Nil(t, e.Call(t, e.Test, "submit_verification", map[string]any{"id": v.ID}, nil))
		return waitStatus(t, e, e.Test, v.ID, "approved", "needs_review", "rejected")
	}
	codes := func(v tools.Verification) []string {
		var out []string
		for _, r := range v.Result.Reasons {
			out = append(out, r.Code)
		}
		return out
	}
	require.Equal(t, "rejected", decide(nil, nil).Status)
	v := decide(map[string]any{"on_failure": map[string]any{"screening": "review"}}, nil)
	require.Equal(t, "needs_review", v.Status)
	require.Contains(t, codes(v), "flow_failure_to_review")
	v = decide(map[string]any{"review_on_failure": true}, nil)
	require.Equal(t, "needs_review", v.Status)
	require.Contains(t, codes(v), verify.ReasonFlowReviewOnFail)

	checks[models.CheckScreening] = tooltest.Check{Outcome: models.OutcomePass}
	e = tooltest.New(t, dbtest.SQLite(t), checks)
	require.Equal(t, "approved", decide(nil, nil).Status)
	v = decide(map[string]any{"review_on_success": true}, nil)
	require.Equal(t, "needs_review", v.Status)
	require.Contains(t, codes(v), verify.ReasonFlowReviewOnSucc)
	require.Equal(t, "needs_review", decide(map[string]any{"auto_approve": false}, nil).Status)
	// Compare data with no document read: a mismatch reason, review (reject when asked).
	v = decide(nil, map[string]any{"compare": map[string]any{"name": "Erika Mustermann", "document_number": "C01X00T47"}})
	require.Equal(t, "needs_review", v.Status)
	require.Contains(t, codes(v), verify.ReasonDataMismatch)
	require.Equal(t, []string{"name", "document_number"}, v.Session.CompareFields)
	require.Equal(t, "rejected", decide(nil, map[string]any{"compare": map[string]any{"name": "Erika Mustermann", "on_mismatch": "reject"}}).Status)
}

func TestApplyPolicyThresholds(t *testing.T) {
	t.Parallel()
	score := func(f float64) *float64 { return &f }
	res := func(c models.CheckOutcome) *models.VerificationResult {
		return &models.VerificationResult{Checks: []models.CheckOutcome{c}, Reasons: append([]models.Reason{}, c.Reasons...)}
	}
	pol := func(ch string, th float64) models.SessionOptions {
		return models.SessionOptions{Policy: &models.FlowPolicy{Thresholds: map[string]float64{ch: th}}}
	}
	// A stricter face match threshold fails a pass; a looser one passes a score-only miss.
	r := res(models.CheckOutcome{Check: "face_match", Outcome: models.OutcomePass, Score: score(0.55)})
	verify.ApplyPolicy(r, pol("face_match", 0.6), nil)
	require.Equal(t, models.StatusRejected, r.Decision)
	r = res(models.CheckOutcome{Check: "face_match", Outcome: models.OutcomeReview, Score: score(0.45),
		Reasons: []models.Reason{{Code: "face_match_uncertain", Check: "face_match"}}})
	verify.ApplyPolicy(r, pol("face_match", 0.4), nil)
	require.Equal(t, models.StatusApproved, r.Decision)
	require.Equal(t, "passed_flow_threshold", r.Reasons[0].Code)
	// A failure for another cause stands whatever the threshold.
	r = res(models.CheckOutcome{Check: "face_match", Outcome: models.OutcomeFail, Score: score(0.9),
		Reasons: []models.Reason{{Code: "duplicate_face", Check: "face_match"}}})
	verify.ApplyPolicy(r, pol("face_match", 0.4), nil)
	require.Equal(t, models.StatusRejected, r.Decision)
	// Liveness is only ever made stricter.
	r = res(models.CheckOutcome{Check: "liveness", Outcome: models.OutcomeFail, Score: score(0.5), Reasons: []models.Reason{{Code: "spoof_suspected"}}})
	verify.ApplyPolicy(r, pol("liveness", 0.1), nil)
	require.Equal(t, models.StatusRejected, r.Decision)
	// Screening: a weak hit under the threshold no longer holds the verification.
	r = res(models.CheckOutcome{Check: "screening", Outcome: models.OutcomeReview, Score: score(0.7), Reasons: []models.Reason{{Code: "screening_weak_hit", Check: "screening"}}})
	verify.ApplyPolicy(r, pol("screening", 0.8), nil)
	require.Equal(t, models.StatusApproved, r.Decision)
	// Compare data against what the document says.
	facts := &verify.DocumentFacts{FullName: "MUSTERMANN ERIKA", DateOfBirth: "1964-08-12", Number: "C01X00T47", IssuingCountry: "D", Nationality: "D"}
	r = res(models.CheckOutcome{Check: "document", Outcome: models.OutcomePass})
	verify.ApplyPolicy(r, models.SessionOptions{Compare: map[string]string{"name": "Mustermann, Erika", "document_number": "C01X-00T47", "dob": "1964-08-12"}}, facts)
	require.Equal(t, models.StatusApproved, r.Decision, "%+v", r.Reasons)
	r = res(models.CheckOutcome{Check: "document", Outcome: models.OutcomePass})
	verify.ApplyPolicy(r, models.SessionOptions{Compare: map[string]string{"name": "Max Mustermann"}}, facts)
	require.Equal(t, models.StatusNeedsReview, r.Decision)
}

func TestSessionCodeAndTimeout(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, s *db.Store) {
		e := tooltest.New(t, s, flowEngines())
		ctx := context.Background()
		var v tools.CreatedVerification
		require.Nil(t, e.Call(t, e.Test, "create_verification", map[string]any{"checks": []string{"document"}, "generate_code": true, "session_length": 120}, &v))
		require.Regexp(t, `^\d{8}$`, v.Code)
		require.True(t, v.Session.HasCode)
		require.Equal(t, 120, v.Session.LengthSeconds)
		require.Nil(t, v.Session.Deadline)

		// The integrator's app exchanges the code; another account cannot.
		var r tools.RedeemedSession
		require.Nil(t, e.Call(t, e.Test, "redeem_session_code", map[string]any{"code": v.Code[:4] + " " + v.Code[4:]}, &r))
		require.Equal(t, v.ID, r.VerificationID)
		require.Equal(t, v.HostedURL, r.HostedURL)
		require.Equal(t, tools.CodeNotFound, e.Call(t, e.OtherAccount, "redeem_session_code", map[string]any{"code": v.Code}, nil).Code)

		// Brute force: 5 wrong codes a minute per client, then even the right one is refused.
		ip := "198.51.100.7"
		wrong := func(i int) string { return strings.Repeat("0", 7) + string(rune('0'+i)) }
		for i := range db.MaxCodeFailures {
			if wrong(i) == v.Code {
				continue
			}
			_, err := tools.RedeemSessionCodeFromPage(ctx, e.Reg.Deps(), wrong(i), ip)
			require.Equal(t, tools.CodeNotFound, tools.AsError(err).Code)
		}
		_, err := tools.RedeemSessionCodeFromPage(ctx, e.Reg.Deps(), v.Code, ip)
		if tools.AsError(err) != nil && tools.AsError(err).Code == tools.CodeRateLimited {
			require.Equal(t, 60, tools.AsError(err).RetryAfterSeconds)
		} else {
			t.Fatalf("6th try after 5 wrong ones: %v, want rate_limited", err)
		}
		tok, err := tools.RedeemSessionCodeFromPage(ctx, e.Reg.Deps(), v.Code, "198.51.100.8") // another IP
		require.NoError(t, err)
		require.True(t, strings.HasSuffix(v.HostedURL, "/"+tok))
		s.SetClock(func() time.Time { return time.Now().Add(61 * time.Second) })
		_, err = tools.RedeemSessionCodeFromPage(ctx, e.Reg.Deps(), v.Code, ip)
		require.NoError(t, err, "the window passed")
		s.SetClock(time.Now)

		// Session timeout: the clock starts with the applicant's consent, and running out
		// expires the verification with reason session_timeout.
		sess, err := tools.AuthenticateSession(ctx, e.Reg.Deps(), tok)
		require.NoError(t, err)
		require.Nil(t, e.Call(t, sess, "record_consent", map[string]any{"id": v.ID, "statement": "I agree", "locale": "en"}, nil))
		var got tools.Verification
		require.Nil(t, e.Call(t, e.Test, "get_verification", map[string]any{"id": v.ID}, &got))
		require.NotNil(t, got.Session.Deadline)
		require.WithinDuration(t, time.Now().Add(120*time.Second), *got.Session.Deadline, 5*time.Second)
		require.Equal(t, got.Session.Deadline.UTC(), got.ExpiresAt.UTC())
		s.SetClock(func() time.Time { return time.Now().Add(121 * time.Second) })
		defer s.SetClock(time.Now)
		n, err := e.Verify.ExpireDue(ctx)
		require.NoError(t, err)
		require.GreaterOrEqual(t, n, 1)
		require.Nil(t, e.Call(t, e.Test, "get_verification", map[string]any{"id": v.ID}, &got))
		require.Equal(t, "expired", got.Status)
		evs := e.Events(t, e.Test, v.ID)
		require.Equal(t, "verification.expired", evs[len(evs)-1].Type)
		require.Equal(t, "session_timeout", evs[len(evs)-1].Data["reason"])
		// The code died with the session.
		require.Equal(t, tools.CodeNotFound, e.Call(t, e.Test, "redeem_session_code", map[string]any{"code": v.Code}, nil).Code)
	})
}

func TestRestartVerification(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, s *db.Store) {
		e := tooltest.New(t, s, flowEngines())
		require.Nil(t, e.Call(t, e.Test, "create_flow", map[string]any{"name": "kyc", "steps": []any{map[string]any{"type": "document"}}, "session": map[string]any{"generate_code": true}}, nil))
		var v tools.CreatedVerification
		require.Nil(t, e.Call(t, e.Test, "create_verification", map[string]any{"flow": "kyc", "external_ref": "cust-9", "applicant": map[string]any{"name": "Erika Mustermann"},
			"compare": map[string]any{"name": "Erika Mustermann"}}, &v))
		require.Regexp(t, `^\d{8}$`, v.Code)
		var r tools.CreatedVerification
		require.Nil(t, e.Call(t, e.Test, "restart_verification", map[string]any{"id": v.ID, "reason": "blurred photo"}, &r))
		require.NotEqual(t, v.ID, r.ID)
		require.Equal(t, v.ApplicantID, r.ApplicantID)
		require.Equal(t, v.ID, *r.RestartedFrom)
		require.Equal(t, v.Flow, r.Flow)
		require.Equal(t, "Erika Mustermann", r.Applicant.Name)
		require.Equal(t, []string{"name"}, r.Session.CompareFields)
		require.Regexp(t, `^\d{8}$`, r.Code)
		require.NotEqual(t, v.HostedURL, r.HostedURL)

		var old tools.Verification
		require.Nil(t, e.Call(t, e.Test, "get_verification", map[string]any{"id": v.ID}, &old))
		require.Equal(t, "cancelled", old.Status)
		evs := e.Events(t, e.Test, v.ID)
		last := evs[len(evs)-1]
		require.Equal(t, verify.EventRestarted, last.Type)
		require.Equal(t, r.ID, last.Data["new_verification_id"])
		require.Equal(t, "blurred photo", last.Data["reason"])
		// The old code died with the old session; the new one works.
		require.Equal(t, tools.CodeNotFound, e.Call(t, e.Test, "redeem_session_code", map[string]any{"code": v.Code}, nil).Code)
		require.Nil(t, e.Call(t, e.Test, "redeem_session_code", map[string]any{"code": r.Code}, nil))
		// A decided verification restarts too; the timeline keeps both.
		require.Nil(t, e.Call(t, e.Test, "submit_verification", map[string]any{"id": r.ID}, nil))
		waitStatus(t, e, e.Test, r.ID, "approved", "needs_review", "rejected")
		var r2 tools.CreatedVerification
		require.Nil(t, e.Call(t, e.Test, "restart_verification", map[string]any{"id": r.ID}, &r2))
		evs = e.Events(t, e.Test, r.ID)
		require.Equal(t, verify.EventRestarted, evs[len(evs)-1].Type)
		require.Equal(t, tools.CodeNotFound, e.Call(t, e.OtherAccount, "restart_verification", map[string]any{"id": r.ID}, nil).Code)
	})
}

func TestKeyDefaultFlow(t *testing.T) {
	t.Parallel()
	s := dbtest.SQLite(t)
	e := tooltest.New(t, s, flowEngines())
	require.Nil(t, e.Call(t, e.Test, "create_flow", map[string]any{"name": "default", "steps": []any{map[string]any{"type": "email"}}}, nil))
	all, err := tools.ParseScopes("")
	require.NoError(t, err)
	secret, _, err := s.CreateAPIKey(context.Background(), db.NewKey{AccountID: "acct_a", Name: "flowkey", Mode: models.ModeTest, Scopes: all, DefaultFlow: "default"})
	require.NoError(t, err)
	c, err := tools.Authenticate(context.Background(), e.Reg.Deps(), secret)
	require.NoError(t, err)
	var v tools.CreatedVerification
	require.Nil(t, e.Call(t, c, "create_verification", map[string]any{}, &v))
	require.Equal(t, "default", v.Flow.Name)
	require.Equal(t, []string{"email"}, v.Checks)
	// Checks given: today's behaviour, no flow.
	require.Nil(t, e.Call(t, c, "create_verification", map[string]any{"checks": []string{"document"}}, &v))
	require.Nil(t, v.Flow)
}

// A flow's questionnaire step and its policy's answer rules attach the questionnaire to the
// flow's verifications (validate_flow knows whether it exists), and the rules route the
// decision on the answers.
func TestFlowQuestionnaire(t *testing.T) {
	t.Parallel()
	e := tooltest.New(t, dbtest.SQLite(t), flowEngines())
	steps := []any{map[string]any{"type": "consent"}, map[string]any{"type": "screening"},
		map[string]any{"type": "questionnaire", "questionnaire": "funds"}}
	policy := map[string]any{"answer_rules": []any{map[string]any{"question": "source_of_funds", "equals": "other", "outcome": "review"}}}
	var val tools.FlowValidation
	require.Nil(t, e.Call(t, e.Test, "validate_flow", map[string]any{"steps": steps, "policy": policy}, &val))
	require.False(t, val.Valid, "the questionnaire does not exist yet")
	require.Nil(t, e.Call(t, e.Test, "create_questionnaire", map[string]any{"name": "funds", "definition": rawJSON(fundsV1)}, nil))
	require.Nil(t, e.Call(t, e.Test, "validate_flow", map[string]any{"steps": steps, "policy": policy}, &val))
	require.True(t, val.Valid, "%+v", val.Problems)
	require.Nil(t, e.Call(t, e.Test, "create_flow", map[string]any{"name": "kyc-funds", "steps": steps, "policy": policy}, nil))

	var v tools.CreatedVerification
	require.Nil(t, e.Call(t, e.Test, "create_verification", map[string]any{"flow": "kyc-funds"}, &v))
	require.NotNil(t, v.Questionnaire, "the flow's questionnaire is attached")
	require.Len(t, v.Questionnaire.AnswerRules, 1, "with the flow's answer rules")
	require.Nil(t, e.Call(t, e.Test, "submit_questionnaire_answers", map[string]any{"verification_id": v.ID,
		"answers": map[string]any{"source_of_funds": "other", "source_details": "an inheritance", "pep_self_declared": false}}, nil))
	require.Nil(t, e.Call(t, e.Test, "submit_verification", map[string]any{"id": v.ID}, nil))
	got := waitStatus(t, e, e.Test, v.ID, "approved", "needs_review", "rejected")
	require.Equal(t, "needs_review", got.Status, "the flow's rule sends source_of_funds=other to review")
}
