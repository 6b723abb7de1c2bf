package dashboard_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"image"
	"image/color"
	"image/png"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/pquerna/otp/totp"
	"github.com/stretchr/testify/require"
	xdraw "golang.org/x/image/draw"

	"github.com/kycd/kycd/db"
	"github.com/kycd/kycd/db/dbtest"
	"github.com/kycd/kycd/internal/tooltest"
	"github.com/kycd/kycd/models"
	"github.com/kycd/kycd/rest/dashboard"
	"github.com/kycd/kycd/tools"
	"github.com/kycd/kycd/verify"
)

// TestOperatorsInBrowser drives the dashboard with the real operator sign-in in headless
// Chromium: an admin sets up their account with TOTP and signs in with a code, a session
// cookie planted before the sign-in is worthless after it; the admin adds a viewer (one-time
// setup link), disables, enables and resets them; works a flow in the JSON editor (invalid
// JSON, validate_flow's problems listed, valid, saved, a new version, an old version viewed,
// archived); sets the retention policy and a legal hold; opens the monitoring page. The viewer
// then sees the case with its personal data masked — in the page, the CSV, and no image or
// PDF — until an audited reveal, which lasts a few minutes for their session only.
func TestOperatorsInBrowser(t *testing.T) {
	exe := chromium(t)
	ctx := context.Background()
	s := dbtest.SQLite(t)
	checks := map[models.Check]verify.CheckRunner{
		models.CheckDocument: tooltest.Check{Outcome: models.OutcomePass},
		models.CheckScreening: tooltest.Check{Outcome: models.OutcomeReview, Reasons: []models.Reason{{Code: "screening_weak_hit",
			Message: `"Anna Schmidt" matches ofac_sdn entry 1234 "SCHMIDT, Anna" (score 0.91, threshold 0.88)`}}},
	}
	e := tooltest.New(t, s, checks)
	clk := &clock{t: time.Now().UTC()}
	auth, err := dashboard.NewAuth(e.Reg, dashboard.AuthOptions{InsecureCookie: true, Operators: tools.OperatorOptions{
		Password: verify.PasswordParams{Time: 1, Memory: 1024, Threads: 1}, Now: clk.Now}})
	require.NoError(t, err)
	mux := http.NewServeMux()
	auth.Routes(mux)
	mux.Handle(dashboard.Prefix, dashboard.New(e.Reg, auth, dashboard.Options{Now: clk.Now, RevealFor: 5 * time.Minute}))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)

	// A live case with personal data and images, made with an API key as an integrator would.
	secret, _, err := s.CreateAPIKey(ctx, db.NewKey{AccountID: "acct_a", Name: "integration", Mode: models.ModeLive,
		Scopes: append([]string{"flows:read", "flows:write"}, roleScopes["admin"]...)})
	require.NoError(t, err)
	key, err := tools.Authenticate(ctx, e.Reg.Deps(), secret)
	require.NoError(t, err)
	anna := seedCase(t, e, s, key, map[string]any{"name": "Anna Schmidt", "dob": "1988-04-12", "country": "DE", "email": "anna.schmidt@example.org"})
	var rc tools.ReviewCase
	require.Nil(t, e.Call(t, key, tools.GetReview.Name, map[string]any{"id": anna.ID}, &rc))
	require.NotEmpty(t, rc.Images)
	imageURL := "/dashboard/cases/" + anna.ID + "/images/" + rc.Images[0].ID

	x := newBrowser(t, exe, srv.URL)

	// The admin's setup link: a password and TOTP.
	_, link, err := tools.CreateOperator(ctx, e.Reg.Deps(), "acct_a", "admin@example.com", verify.RoleAdmin)
	require.NoError(t, err)
	x.run(chromedp.Navigate(srv.URL+setupPath(link)), chromedp.WaitVisible(chromedp.CSS(`#password`)))
	totpSecret := get(x, chromedp.Value(chromedp.CSS(`input[name=totp_secret]`)))
	code, err := totp.GenerateCode(totpSecret, clk.Now())
	require.NoError(t, err)
	x.run(chromedp.SendKeys(chromedp.CSS(`#password`), "a long enough passphrase"), chromedp.SendKeys(chromedp.CSS(`#password_again`), "a long enough passphrase"),
		chromedp.SendKeys(chromedp.CSS(`#code`), code), chromedp.Submit(chromedp.CSS(`#password`)), chromedp.WaitVisible(chromedp.CSS(`li code`)))

	// Session fixation: a cookie planted before the sign-in (as a script or a sibling site
	// could) is replaced at sign-in and signs nobody in.
	x.run(chromedp.Navigate(srv.URL+"/dashboard/login"), chromedp.WaitVisible(chromedp.CSS(`#email`)))
	get(x, chromedp.Evaluate[any](`document.cookie = '`+dashboard.InsecureSessionCookie+`=planted-by-attacker; path=/'`))
	require.Contains(t, get(x, chromedp.Evaluate[string](`document.cookie`)), "planted-by-attacker")
	x.run(chromedp.SendKeys(chromedp.CSS(`#email`), "admin@example.com"), chromedp.SendKeys(chromedp.CSS(`#password`), "a long enough passphrase"),
		chromedp.Submit(chromedp.CSS(`#password`)), chromedp.WaitVisible(chromedp.CSS(`#code`)))
	clk.Add(30 * time.Second) // the next TOTP window: a code is good once
	code, err = totp.GenerateCode(totpSecret, clk.Now())
	require.NoError(t, err)
	x.run(chromedp.SendKeys(chromedp.CSS(`#code`), code), chromedp.Submit(chromedp.CSS(`#code`)), chromedp.WaitVisible(chromedp.CSS(`header.top .who`)))
	require.Contains(t, x.text(`.who`), "admin@example.com")
	require.NotContains(t, get(x, chromedp.Evaluate[string](`document.cookie`)), "planted-by-attacker", "the planted cookie was replaced by an HttpOnly one")
	require.Equal(t, http.StatusSeeOther, statusWithCookie(t, srv.URL+"/dashboard/queue", "planted-by-attacker"), "the planted id signs nobody in")
	// A form posted without the session's CSRF token is refused.
	status, _ := x.fetch("/dashboard/cases/"+anna.ID+"/reveal", "POST", "")
	require.Equal(t, http.StatusForbidden, status)

	// An admin is not masked.
	x.run(chromedp.Navigate(srv.URL+"/dashboard/cases/"+anna.ID), chromedp.WaitVisible(chromedp.CSS(`#h-applicant`)))
	require.Contains(t, x.text(`main`), "Anna Schmidt")
	require.Zero(t, get(x, chromedp.Evaluate[int](`document.querySelectorAll('#reveal').length`)))

	// Operators: add a viewer (setup link shown once), disable, enable, reset.
	x.run(chromedp.Navigate(srv.URL+"/dashboard/settings/users"), chromedp.WaitVisible(chromedp.CSS(`#create-user`)))
	x.run(chromedp.SendKeys(chromedp.CSS(`#user-email`), "viewer@example.com"), chromedp.SetValue(chromedp.CSS(`#user-role`), "viewer"),
		chromedp.Submit(chromedp.CSS(`#create-user`)), chromedp.WaitVisible(chromedp.CSS(`#setup-url`)))
	first := x.text(`#setup-url`)
	require.Contains(t, first, tools.SetupPath)
	require.Contains(t, x.text(`#users`), "viewer@example.com")
	x.shot("users")
	viewerRow := get(x, chromedp.Evaluate[string](`Array.from(document.querySelectorAll('#users tbody tr')).find(r => r.textContent.includes('viewer@example.com')).id`))
	x.run(chromedp.Navigate(srv.URL+"/dashboard/settings/users"), chromedp.WaitVisible(chromedp.CSS(`#users`)))
	require.NotContains(t, x.text(`main`), first, "the setup link is shown once")
	x.clearFlash()
	x.run(chromedp.Click(chromedp.CSS(`#`+viewerRow+` button[value=disable]`)), chromedp.WaitVisible(chromedp.CSS(`.notice`)))
	require.Contains(t, x.text(`#`+viewerRow+` .status`), "disabled")
	x.clearFlash()
	x.run(chromedp.Click(chromedp.CSS(`#`+viewerRow+` button[value=enable]`)), chromedp.WaitVisible(chromedp.CSS(`.notice`)))
	require.Contains(t, x.text(`#`+viewerRow+` .status`), "invited")
	x.clearFlash()
	x.run(chromedp.SetValue(chromedp.CSS(`#`+viewerRow+` select`), "reviewer"), chromedp.Click(chromedp.CSS(`#`+viewerRow+` button.role-change`)),
		chromedp.WaitVisible(chromedp.CSS(`.notice`)))
	require.Contains(t, x.text(`.notice`), "reviewer")
	x.clearFlash()
	x.run(chromedp.SetValue(chromedp.CSS(`#`+viewerRow+` select`), "viewer"), chromedp.Click(chromedp.CSS(`#`+viewerRow+` button.role-change`)),
		chromedp.WaitVisible(chromedp.CSS(`.notice`)))
	require.Contains(t, x.text(`.notice`), "viewer")
	x.run(chromedp.Click(chromedp.CSS(`#`+viewerRow+` button[value=reset]`)), chromedp.WaitVisible(chromedp.CSS(`#setup-url`)))
	viewerLink := x.text(`#setup-url`)
	require.NotEqual(t, first, viewerLink, "a reset issues a new link")

	// Flows: the JSON editor with validate_flow's answer.
	x.run(chromedp.Navigate(srv.URL+"/dashboard/settings/flows"), chromedp.WaitVisible(chromedp.CSS(`#flow-form`)))
	x.run(chromedp.SendKeys(chromedp.CSS(`#flow-name`), "onboarding-eu"), chromedp.SetValue(chromedp.CSS(`#flow-definition`), "{\"steps\": [\n  {\"type\": \"selfie\"},"),
		chromedp.Click(chromedp.CSS(`#flow-validate`)), chromedp.WaitVisible(chromedp.CSS(`#flow-error`)))
	require.Contains(t, x.text(`#flow-error`), "definition: not valid JSON at line 2")
	x.run(chromedp.SetValue(chromedp.CSS(`#flow-definition`), `{"steps":[{"type":"selfie_with_document"},{"type":"document","countries":["XX"]}],"policy":{"thresholds":{"face_match":1.5}}}`),
		chromedp.Click(chromedp.CSS(`#flow-validate`)), chromedp.WaitVisible(chromedp.CSS(`#flow-problems`)))
	problems := x.text(`#flow-problems`)
	require.Contains(t, problems, "policy.thresholds.face_match")
	require.Contains(t, problems, "steps[1].countries[0]")
	require.Equal(t, "onboarding-eu", get(x, chromedp.Value(chromedp.CSS(`#flow-name`))), "the form keeps what was typed")
	x.shot("flows")
	x.clear(`#flow-problems,#flow-error,#flow-valid,.notice,.error`)
	x.run(chromedp.Click(chromedp.CSS(`#flow-save`)), chromedp.WaitVisible(chromedp.CSS(`#flow-problems`)))
	var fl tools.FlowList
	require.Nil(t, e.Call(t, key, tools.ListFlows.Name, map[string]any{}, &fl))
	require.Empty(t, fl.Data, "a flow with problems is not saved")
	v1 := `{"steps":[{"type":"consent"},{"type":"document","document_types":["passport","id_card"]},{"type":"selfie"},{"type":"screening"}],"policy":{"review_on_failure":true}}`
	x.clear(`#flow-problems,#flow-error,#flow-valid,.notice,.error`)
	x.run(chromedp.SetValue(chromedp.CSS(`#flow-definition`), v1), chromedp.Click(chromedp.CSS(`#flow-validate`)), chromedp.WaitVisible(chromedp.CSS(`#flow-valid`)))
	require.Contains(t, x.text(`#flow-valid`), "screening")
	x.clearFlash()
	x.clear(`#flow-problems,#flow-error,#flow-valid,.notice,.error`)
	x.run(chromedp.Click(chromedp.CSS(`#flow-save`)), chromedp.WaitVisible(chromedp.CSS(`#flow-json`)))
	require.Contains(t, x.text(`.notice`), "version 1")
	v2 := strings.Replace(v1, `{"type":"selfie"}`, `{"type":"selfie"},{"type":"liveness","liveness_mode":"active","challenges":2}`, 1)
	x.clearFlash()
	x.clear(`#flow-problems,#flow-error,#flow-valid,.notice,.error`)
	x.run(chromedp.SetValue(chromedp.CSS(`#flow-definition`), v2), chromedp.Click(chromedp.CSS(`#flow-save`)), chromedp.WaitVisible(chromedp.CSS(`.notice`)))
	require.Contains(t, x.text(`.notice`), "version 2")
	require.Contains(t, x.text(`#flow-json`), "liveness")
	x.shot("flow")
	x.clear(`#flow-problems,#flow-error,#flow-valid,.notice,.error`)
	x.run(chromedp.SetValue(chromedp.CSS(`#flow-definition`), `{"name":"renamed",`+v2[1:]), chromedp.Click(chromedp.CSS(`#flow-save`)), chromedp.WaitVisible(chromedp.CSS(`#flow-error`)))
	require.Contains(t, x.text(`#flow-error`), "definition.name")
	loc := get(x, chromedp.Location())
	x.run(chromedp.Navigate(strings.Split(loc, "?")[0]+"?version=1"), chromedp.WaitVisible(chromedp.CSS(`#flow-json`)))
	require.NotContains(t, x.text(`#flow-json`), "liveness", "version 1 as it was")
	get(x, chromedp.Evaluate[any](`window.confirm = () => true`))
	x.clearFlash()
	x.run(chromedp.Submit(chromedp.CSS(`#archive-flow`)), chromedp.WaitVisible(chromedp.CSS(`.notice`)))
	require.Equal(t, "archived", x.text(`#flow-status`))
	var f tools.Flow
	require.Nil(t, e.Call(t, key, tools.GetFlow.Name, map[string]any{"id": "onboarding-eu"}, &f))
	require.Equal(t, 2, f.Latest)
	require.Equal(t, "archived", f.Status)

	// Retention: a bad number is refused naming the field; the policy and a legal hold are set.
	x.run(chromedp.Navigate(srv.URL+"/dashboard/settings/retention"), chromedp.WaitVisible(chromedp.CSS(`#retention-form`)))
	x.run(chromedp.SetValue(chromedp.CSS(`#ret-days`), "ninety"), chromedp.Click(chromedp.CSS(`#ret-save`)), chromedp.WaitVisible(chromedp.CSS(`#page-error`)))
	require.Contains(t, x.text(`#page-error`), "delete_after_days")
	x.run(chromedp.SetValue(chromedp.CSS(`#ret-days`), "1825"), chromedp.Click(chromedp.CSS(`#ret-hold`)), chromedp.Click(chromedp.CSS(`#ret-save`)),
		chromedp.WaitVisible(chromedp.CSS(`.notice`)))
	require.Contains(t, x.text(`.notice`), "1825 day(s)")
	require.Contains(t, x.text(`#legal-hold`), "on")
	x.shot("retention")
	var pol tools.RetentionPolicy
	require.Nil(t, e.Call(t, key, tools.GetRetentionPolicy.Name, map[string]any{}, &pol))
	require.Equal(t, tools.RetentionPolicy{Mode: "live", DeleteAfterDays: 1825, LegalHold: true}, tools.RetentionPolicy{Mode: pol.Mode, DeleteAfterDays: pol.DeleteAfterDays, LegalHold: pol.LegalHold})

	// Monitoring: what ongoing screening raised (nothing in this account yet).
	x.run(chromedp.Navigate(srv.URL+"/dashboard/monitoring"), chromedp.WaitVisible(chromedp.CSS(`#export-csv`)))
	require.Contains(t, x.text(`main`), "ongoing screening")
	status, _ = x.fetch("/dashboard/monitoring?days=zero", "GET", "")
	require.Equal(t, http.StatusUnprocessableEntity, status)
	// The runs (list_monitoring_runs): one of this account and mode, one of another account.
	now := time.Now().UTC()
	require.NoError(t, s.InsertMonitoringRuns(ctx, []models.MonitoringRun{
		{RunID: "run_1", AccountID: "acct_a", Mode: models.ModeLive, Cause: "lists_changed", Lists: `{"ofac_sdn":"0123456789abcdef"}`,
			StartedAt: now.Add(-1500 * time.Millisecond), FinishedAt: now, Subjects: 41, WithHits: 3, NewHits: 2, Flagged: 2, Moved: 1, BusinessesChecked: 5},
		{RunID: "run_1", AccountID: "acct_z", Mode: models.ModeLive, Cause: "lists_changed", Lists: `{}`, StartedAt: now, FinishedAt: now, Subjects: 977}}))
	x.run(chromedp.Navigate(srv.URL+"/dashboard/monitoring/runs"), chromedp.WaitVisible(chromedp.CSS(`#export-csv`)))
	runs := x.text(`main`)
	require.Contains(t, runs, "ofac_sdn 0123456789ab")
	require.Contains(t, runs, "41")
	require.Contains(t, runs, "1.5s")
	require.NotContains(t, runs, "977", "another account's run")

	// Sign out; the viewer sets a password (no TOTP) and signs in.
	x.signOut()
	x.run(chromedp.Navigate(srv.URL+setupPath(viewerLink)), chromedp.WaitVisible(chromedp.CSS(`#password`)))
	x.run(chromedp.SendKeys(chromedp.CSS(`#password`), "another long passphrase"), chromedp.SendKeys(chromedp.CSS(`#password_again`), "another long passphrase"),
		chromedp.Submit(chromedp.CSS(`#password`)), chromedp.WaitVisible(chromedp.CSS(`p.notice`)))
	require.Contains(t, x.text(`p.notice`), "Your password is set")
	x.signIn("viewer@example.com", "another long passphrase")

	// The viewer's queue, case, CSV: masked on the server, no image, no report.
	x.run(chromedp.Navigate(srv.URL+"/dashboard/queue"), chromedp.WaitVisible(chromedp.CSS(`table`)))
	require.NotContains(t, x.text(`main`), "Schmidt")
	require.Contains(t, x.text(`table tbody`), "A••• S••••••")
	status, body := x.fetch("/dashboard/queue?format=csv", "GET", "")
	require.Equal(t, 200, status)
	recs, err := csv.NewReader(bytes.NewReader(body)).ReadAll()
	require.NoError(t, err)
	require.Len(t, recs, 2)
	require.Equal(t, "A••• S••••••", recs[1][1])
	x.run(chromedp.Navigate(srv.URL+"/dashboard/cases/"+anna.ID), chromedp.WaitVisible(chromedp.CSS(`#reveal`)))
	html := get(x, chromedp.Evaluate[string](`document.documentElement.outerHTML`))
	for _, pii := range []string{"Anna", "Schmidt", "1988-04-12", "anna.schmidt@example.org", "/images/"} {
		require.NotContains(t, html, pii, "the page source of a masked case")
	}
	require.Contains(t, x.text(`main`), "screening_weak_hit", "the evidence is there, masked")
	require.Zero(t, get(x, chromedp.Evaluate[int](`document.querySelectorAll('main img').length`)))
	require.Zero(t, get(x, chromedp.Evaluate[int](`document.querySelectorAll('#report-pdf').length`)), "no report link while masked")
	x.shot("case-masked")
	status, _ = x.fetch(imageURL, "GET", "")
	require.Equal(t, http.StatusForbidden, status, "no image before a reveal")
	status, _ = x.fetch("/dashboard/cases/"+anna.ID+"/report.pdf", "GET", "")
	require.Equal(t, http.StatusForbidden, status, "no report before a reveal")

	// The reveal: audited first, then the case unmasked for this session.
	audits := func() []models.AuditEvent {
		rows, _, err := s.ListAudit(ctx, db.AuditFilter{AccountID: "acct_a", Action: "reveal", Limit: 10})
		require.NoError(t, err)
		return rows
	}
	require.Empty(t, audits())
	x.clearFlash()
	x.run(chromedp.Click(chromedp.CSS(`#reveal`)), chromedp.WaitVisible(chromedp.CSS(`.notice`)))
	require.Contains(t, x.text(`.notice`), "audit trail")
	main := x.text(`main`)
	require.Contains(t, main, "Anna Schmidt")
	require.Contains(t, main, "1988-04-12")
	require.Contains(t, x.text(`#revealed-note`), "Revealed until")
	loaded := get(x, chromedp.Poll[bool](`Array.from(document.querySelectorAll('main img')).every(i => i.complete && i.naturalWidth > 0) && document.querySelectorAll('main img').length >= 2`, chromedp.WithPollingTimeout(10*time.Second)))
	require.True(t, loaded, "the images load after the reveal")
	status, _ = x.fetch(imageURL, "GET", "")
	require.Equal(t, http.StatusOK, status)
	rows := audits()
	require.Len(t, rows, 1)
	require.Equal(t, anna.ID, rows[0].ObjectID)
	require.Equal(t, "verification", rows[0].ObjectType)
	require.Equal(t, verify.ActorUser, rows[0].ActorType)
	require.Equal(t, "viewer@example.com", rows[0].ActorEmail)
	// The reveal is this session's: the same viewer signed in elsewhere still sees it masked.
	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	other := &http.Client{Jar: jar}
	res, err := other.PostForm(srv.URL+"/dashboard/login", url.Values{"email": {"viewer@example.com"}, "password": {"another long passphrase"}})
	require.NoError(t, err)
	res.Body.Close()
	res, err = other.Get(srv.URL + "/dashboard/cases/" + anna.ID)
	require.NoError(t, err)
	page, err := io.ReadAll(res.Body)
	res.Body.Close()
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, res.StatusCode)
	require.Contains(t, string(page), `id="reveal"`, "signed in")
	require.NotContains(t, string(page), "Schmidt")
	res, err = other.Get(srv.URL + imageURL)
	require.NoError(t, err)
	res.Body.Close()
	require.Equal(t, http.StatusForbidden, res.StatusCode)

	// Lists stay masked: a reveal is of one case.
	x.run(chromedp.Navigate(srv.URL+"/dashboard/queue"), chromedp.WaitVisible(chromedp.CSS(`table`)))
	require.NotContains(t, x.text(`main`), "Schmidt")

	// A viewer still cannot decide.
	x.run(chromedp.Navigate(srv.URL+"/dashboard/cases/"+anna.ID), chromedp.WaitVisible(chromedp.CSS(`#review-form`)))
	x.clearFlash()
	x.run(chromedp.Click(chromedp.CSS(`#review-form input[value=approve]`)), chromedp.SendKeys(chromedp.CSS(`#reason`), "looks fine"),
		chromedp.Click(chromedp.CSS(`#review-submit`)), chromedp.WaitVisible(chromedp.CSS(`#page-error`)))
	require.Contains(t, x.text(`#page-error`), `"review" scope`)

	// The settings a viewer may read, and the one they may not; on a tablet the new pages fit
	// the width and every control has a label.
	status, _ = x.fetch("/dashboard/settings/users", "GET", "")
	require.Equal(t, http.StatusForbidden, status, "operators are for admins")
	x.run(chromedp.EmulateViewport(768, 1024, chromedp.EmulateTouch))
	for _, p := range []string{"settings/flows", "settings/retention", "monitoring", "cases/" + anna.ID} {
		x.run(chromedp.Navigate(srv.URL+"/dashboard/"+p), chromedp.WaitVisible(chromedp.CSS(`main`)))
		require.True(t, get(x, chromedp.Evaluate[bool](`document.documentElement.scrollWidth <= window.innerWidth + 1`)), "%s is wider than a tablet", p)
		unlabelled := get(x, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll('input:not([type=hidden]), select, textarea'))
		  .filter(e => !(e.labels && e.labels.length) && !e.getAttribute('aria-label')).map(e => e.outerHTML)`))
		require.Empty(t, unlabelled, p)
	}
	require.Contains(t, x.text(`main`), "Anna Schmidt", "still revealed")

	// The reveal ends after its time: masked again.
	clk.Add(6 * time.Minute)
	x.run(chromedp.Navigate(srv.URL+"/dashboard/cases/"+anna.ID), chromedp.WaitVisible(chromedp.CSS(`#reveal`)))
	require.NotContains(t, x.text(`main`), "Schmidt")
	status, _ = x.fetch(imageURL, "GET", "")
	require.Equal(t, http.StatusForbidden, status)
}

// seedCase creates a verification with applicant data, a selfie and a document portrait, and
// waits until it is in review.
func seedCase(t *testing.T, e *tooltest.Env, s *db.Store, c tools.Caller, applicant map[string]any) tools.Verification {
	t.Helper()
	ctx := context.Background()
	var v tools.Verification
	require.Nil(t, e.Call(t, c, tools.CreateVerification.Name, map[string]any{"checks": []string{"document", "screening"}, "applicant": applicant}, &v))
	row, err := s.GetVerification(ctx, db.Scope{AccountID: c.AccountID, Mode: c.Mode}, v.ID)
	require.NoError(t, err)
	require.NoError(t, s.InTx(ctx, func(ctx context.Context, tx *db.Tx) error {
		for _, a := range []struct {
			kind models.ArtifactKind
			skin color.RGBA
		}{{models.ArtifactDocumentPortrait, color.RGBA{224, 180, 150, 255}}, {models.ArtifactSelfie, color.RGBA{214, 170, 140, 255}}} {
			art := &models.Artifact{AccountID: row.AccountID, Mode: row.Mode, VerificationID: v.ID, Kind: a.kind, ContentType: "image/png"}
			if err := tx.InsertArtifact(ctx, art, avatar(t, a.skin), nil); err != nil {
				return err
			}
		}
		return nil
	}))
	require.Nil(t, e.Call(t, c, tools.SubmitVerification.Name, map[string]any{"id": v.ID}, nil))
	deadline := time.Now().Add(30 * time.Second)
	for v.Status != "needs_review" {
		require.True(t, time.Now().Before(deadline), "verification stayed %s", v.Status)
		time.Sleep(50 * time.Millisecond)
		require.Nil(t, e.Call(t, c, tools.GetVerification.Name, map[string]any{"id": v.ID}, &v))
	}
	return v
}

// newBrowser starts headless Chromium for a test (screenshots to docs/img with
// KYCD_UPDATE_SCREENSHOTS=1).
func newBrowser(t *testing.T, exe, base string) *env {
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(exe), chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.WindowSize(1280, 900), chromedp.Flag("disable-component-update", true))
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancelAlloc)
	browser, cancelBrowser := chromedp.NewContext(alloc)
	t.Cleanup(cancelBrowser)
	require.NoError(t, chromedp.Do(browser, chromedp.Navigate("about:blank")), "start chromium")
	x := &env{t: t, url: base, browser: browser}
	if os.Getenv("KYCD_UPDATE_SCREENSHOTS") == "1" {
		x.shots = filepath.Join("..", "..", "docs", "img")
		require.NoError(t, os.MkdirAll(x.shots, 0o755))
	}
	return x
}

// clear removes the elements sel matches, so waiting for one waits for the next page.
func (x *env) clear(sel string) {
	x.t.Helper()
	get(x, chromedp.Evaluate[any](`document.querySelectorAll(`+jsString(sel)+`).forEach(e => e.remove())`))
}

// setupPath is the path of a setup link (its host is the configured public URL).
func setupPath(link string) string {
	i := strings.Index(link, tools.SetupPath)
	if i < 0 {
		return link
	}
	return link[i:]
}

// signIn signs in with a password (operators without TOTP).
func (x *env) signIn(email, password string) {
	x.t.Helper()
	x.run(chromedp.Navigate(x.url+"/dashboard/login"), chromedp.WaitVisible(chromedp.CSS(`#email`)),
		chromedp.SendKeys(chromedp.CSS(`#email`), email), chromedp.SendKeys(chromedp.CSS(`#password`), password),
		chromedp.Submit(chromedp.CSS(`#password`)), chromedp.WaitVisible(chromedp.CSS(`header.top .who`)))
	require.Contains(x.t, x.text(`.who`), email)
}

// signOut posts the sign-out form with the page's CSRF token.
func (x *env) signOut() {
	x.t.Helper()
	x.run(chromedp.Navigate(x.url+"/dashboard/settings/retention"), chromedp.WaitVisible(chromedp.CSS(`main`)))
	csrf := get(x, chromedp.Evaluate[string](`document.querySelector('input[name=csrf]').value`))
	x.fetch(dashboard.LogoutPath, "POST", "csrf="+csrf)
	x.run(chromedp.Navigate(x.url+"/dashboard/queue"), chromedp.WaitVisible(chromedp.CSS(`#email`)))
}

// statusWithCookie GETs url with only the given session cookie, without following redirects.
func statusWithCookie(t *testing.T, url, session string) int {
	req, err := http.NewRequest("GET", url, nil)
	require.NoError(t, err)
	req.AddCookie(&http.Cookie{Name: dashboard.InsecureSessionCookie, Value: session})
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := c.Do(req)
	require.NoError(t, err)
	res.Body.Close()
	return res.StatusCode
}

// maxScreenshot is the size a screenshot in docs/img may have.
const maxScreenshot = 150 << 10

// compactPNG makes a screenshot small enough for the README: a palette of the page's 256
// most frequent colours (the pages are flat colours; photos get posterised a little), halved
// in size when that is not enough.
func compactPNG(t *testing.T, b []byte) []byte {
	t.Helper()
	src, err := png.Decode(bytes.NewReader(b))
	require.NoError(t, err)
	for scale := 1; ; scale *= 2 {
		img := src
		if scale > 1 {
			bnd := src.Bounds()
			dst := image.NewRGBA(image.Rect(0, 0, bnd.Dx()/scale, bnd.Dy()/scale))
			xdraw.CatmullRom.Scale(dst, dst.Bounds(), src, bnd, xdraw.Src, nil)
			img = dst
		}
		out := paletted(img)
		var buf bytes.Buffer
		require.NoError(t, (&png.Encoder{CompressionLevel: png.BestCompression}).Encode(&buf, out))
		if buf.Len() <= maxScreenshot || scale >= 8 {
			require.LessOrEqual(t, buf.Len(), maxScreenshot, "screenshot too large even at 1/%d", scale)
			return buf.Bytes()
		}
	}
}

func paletted(img image.Image) *image.Paletted {
	bnd := img.Bounds()
	count := map[color.RGBA]int{}
	for y := bnd.Min.Y; y < bnd.Max.Y; y++ {
		for x := bnd.Min.X; x < bnd.Max.X; x++ {
			count[color.RGBAModel.Convert(img.At(x, y)).(color.RGBA)]++
		}
	}
	cols := make([]color.RGBA, 0, len(count))
	for c := range count {
		cols = append(cols, c)
	}
	sort.Slice(cols, func(i, j int) bool {
		if count[cols[i]] != count[cols[j]] {
			return count[cols[i]] > count[cols[j]]
		}
		a, b := cols[i], cols[j]
		return uint32(a.R)<<16|uint32(a.G)<<8|uint32(a.B) < uint32(b.R)<<16|uint32(b.G)<<8|uint32(b.B)
	})
	if len(cols) > 256 {
		cols = cols[:256]
	}
	pal := make(color.Palette, len(cols))
	for i, c := range cols {
		pal[i] = c
	}
	out := image.NewPaletted(bnd, pal)
	nearest := map[color.RGBA]uint8{}
	for y := bnd.Min.Y; y < bnd.Max.Y; y++ {
		for x := bnd.Min.X; x < bnd.Max.X; x++ {
			c := color.RGBAModel.Convert(img.At(x, y)).(color.RGBA)
			i, ok := nearest[c]
			if !ok {
				i = uint8(pal.Index(c))
				nearest[c] = i
			}
			out.SetColorIndex(x, y, i)
		}
	}
	return out
}
