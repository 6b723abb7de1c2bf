package tools_test

import (
	"context"
	"encoding/base64"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kycd/kycd/db"
	"github.com/kycd/kycd/db/dbtest"
	"github.com/kycd/kycd/internal/tooltest"
	"github.com/kycd/kycd/models"
	"github.com/kycd/kycd/tools"
	"github.com/kycd/kycd/verify"
)

// The review desk end to end on the tools: the queue with its filters, assignment, comments,
// search by blind index, a resubmission request and its second round, the reviewers' reason
// codes in analytics, and the PDF report rendered by poppler.
func TestReviewDesk(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, s *db.Store) {
		checks := map[models.Check]verify.CheckRunner{
			models.CheckDocument:  tooltest.Check{Outcome: models.OutcomePass},
			models.CheckScreening: tooltest.Check{Outcome: models.OutcomeReview},
		}
		e := tooltest.New(t, s, checks)
		reviewer := e.Key(t, "acct_a", models.ModeTest, "review,verifications:read")
		var v tools.Verification
		require.Nil(t, e.Call(t, e.Test, "create_verification", map[string]any{"checks": []string{"document", "screening"},
			"applicant": map[string]any{"name": "José Müller-Lüdenscheidt", "country": "DE"}, "external_ref": "crm-77"}, &v))
		require.Nil(t, e.Call(t, e.Test, "submit_verification", map[string]any{"id": v.ID}, nil))
		v = waitStatus(t, e, e.Test, v.ID, "needs_review")
		other := inReview(t, e, e.Test) // no applicant data: no country, no name

		queue := func(args map[string]any) []string {
			t.Helper()
			var q tools.ReviewQueue
			require.Nil(t, e.Call(t, reviewer, "list_review_queue", args, &q))
			ids := []string{}
			for _, c := range q.Data {
				ids = append(ids, c.ID)
			}
			return ids
		}
		require.Equal(t, []string{v.ID, other.ID}, queue(map[string]any{}), "oldest first")
		require.Equal(t, []string{v.ID}, queue(map[string]any{"country": "DEU"}))
		require.Empty(t, queue(map[string]any{"country": "FR"}))
		require.Empty(t, queue(map[string]any{"failed_check": "document"}))
		require.Len(t, queue(map[string]any{"failed_check": "screening"}), 2)
		require.Empty(t, queue(map[string]any{"min_age_hours": 1}))
		require.Len(t, queue(map[string]any{"max_age_hours": 1}), 2)
		var page tools.ReviewQueue
		require.Nil(t, e.Call(t, reviewer, "list_review_queue", map[string]any{"limit": 1}, &page))
		require.True(t, page.HasMore)
		require.Equal(t, []string{"screening"}, page.Data[0].FailedChecks)
		require.Equal(t, "DE", *page.Data[0].Country)
		require.Equal(t, "José Müller-Lüdenscheidt", *page.Data[0].ApplicantName)
		require.Equal(t, []string{other.ID}, queue(map[string]any{"limit": 1, "cursor": *page.NextCursor}))
		te := e.Call(t, reviewer, "list_review_queue", map[string]any{"cursor": "nonsense"}, nil)
		require.Equal(t, "cursor", te.Field)

		// Assignment and comments.
		var as tools.ReviewAssignment
		require.Nil(t, e.Call(t, reviewer, "assign_review", map[string]any{"id": v.ID, "assignee": "me"}, &as))
		require.Equal(t, reviewer.KeyID, *as.Assignee)
		require.Equal(t, []string{v.ID}, queue(map[string]any{"assignee": "me"}))
		require.Equal(t, []string{other.ID}, queue(map[string]any{"assignee": "-"}))
		require.Nil(t, e.Call(t, reviewer, "add_review_comment", map[string]any{"id": v.ID, "body": "asked the customer for a sharper photo"}, nil))
		te = e.Call(t, e.ReadOnly, "add_review_comment", map[string]any{"id": v.ID, "body": "x"}, nil)
		require.Equal(t, tools.CodePermissionDenied, te.Code)
		te = e.Call(t, e.OtherAccount, "get_review", map[string]any{"id": v.ID}, nil)
		require.Equal(t, tools.CodeNotFound, te.Code)

		// Search: reference, external_ref, the whole name or one word, accents and case ignored.
		search := func(q string) []string {
			t.Helper()
			var r tools.SearchResult
			require.Nil(t, e.Call(t, e.ReadOnly, "search_verifications", map[string]any{"query": q}, &r))
			ids := []string{}
			for _, m := range r.Data {
				ids = append(ids, m.ID)
			}
			return ids
		}
		for _, q := range []string{v.Reference, strings.ToLower(v.Reference), "crm-77", "muller", "JOSE", "josé müller lüdenscheidt", v.ID} {
			require.Equal(t, []string{v.ID}, search(q), q)
		}
		require.Empty(t, search("mull"))
		require.Empty(t, search("Schmidt"))

		// request_resubmission: pending again, only the checks that did not pass, a fresh link.
		var again tools.Verification
		te = e.Call(t, reviewer, "review_verification", map[string]any{"id": v.ID, "decision": "request_resubmission", "reason": "blurred", "reason_codes": []string{"nonsense"}}, nil)
		require.Equal(t, tools.CodeInvalidArgument, te.Code)
		te = e.Call(t, reviewer, "review_verification", map[string]any{"id": v.ID, "decision": "approve", "reason": "x", "checks": []string{"screening"}}, nil)
		require.Equal(t, "checks", te.Field)
		te = e.Call(t, reviewer, "review_verification", map[string]any{"id": v.ID, "decision": "request_resubmission", "reason": "x", "checks": []string{"nfc"}}, nil)
		require.Equal(t, "checks", te.Field, te.Message)
		require.Nil(t, e.Call(t, reviewer, "review_verification", map[string]any{"id": v.ID, "decision": "request_resubmission",
			"reason": "the name on the list needs a clearer document", "reason_codes": []string{"image_quality"}}, &again))
		require.Equal(t, "pending", again.Status)
		require.Equal(t, []string{"screening"}, again.Checks)
		require.NotEqual(t, v.HostedURL, again.HostedURL, "a fresh link")
		require.Nil(t, again.Result)
		require.Equal(t, "request_resubmission", again.Review.Decision)
		var evs tools.EventList
		require.Nil(t, e.Call(t, e.Test, "list_verification_events", map[string]any{"id": v.ID}, &evs))
		last := evs.Data[len(evs.Data)-1]
		require.Equal(t, verify.EventResubmissionRequested, last.Type)
		require.Equal(t, []any{"screening"}, last.Data["checks"])
		require.Equal(t, []any{"image_quality"}, last.Data["reason_codes"])
		// The old link no longer opens the session; the new one does.
		_, err := s.GetVerificationByToken(context.Background(), v.HostedURL[strings.LastIndex(v.HostedURL, "/")+1:])
		require.ErrorIs(t, err, db.ErrNotFound)
		got, err := s.GetVerificationByToken(context.Background(), again.HostedURL[strings.LastIndex(again.HostedURL, "/")+1:])
		require.NoError(t, err)
		require.Equal(t, v.ID, got.ID)
		require.Equal(t, []string{other.ID}, queue(map[string]any{}), "out of the queue while the applicant acts")
		te = e.Call(t, reviewer, "review_verification", map[string]any{"id": v.ID, "decision": "request_resubmission", "reason": "again"}, nil)
		require.Equal(t, tools.CodeConflict, te.Code)

		// The second round runs only screening, lands in review again, and is rejected with codes.
		require.Nil(t, e.Call(t, e.Test, "submit_verification", map[string]any{"id": v.ID}, nil))
		waitStatus(t, e, e.Test, v.ID, "needs_review")
		require.Nil(t, e.Call(t, reviewer, "review_verification", map[string]any{"id": v.ID, "decision": "reject",
			"reason": "confirmed listed person", "reason_codes": []string{"screening_true_match"}}, nil))
		var rc tools.ReviewCase
		require.Nil(t, e.Call(t, reviewer, "get_review", map[string]any{"id": v.ID}, &rc))
		require.Len(t, rc.Comments, 1)
		require.Equal(t, "asked the customer for a sharper photo", rc.Comments[0].Body)
		require.Len(t, rc.Decisions, 2)
		require.Equal(t, "request_resubmission", rc.Decisions[0].Decision)
		require.Equal(t, []string{"document", "screening"}, rc.Decisions[0].PreviousChecks)
		require.NotNil(t, rc.Decisions[0].PreviousResult)
		require.Len(t, rc.Decisions[0].PreviousResult.Checks, 2)
		require.Equal(t, []string{"screening_true_match"}, rc.Decisions[1].ReasonCodes)

		// Analytics count what happened, in the database.
		var a tools.Analytics
		require.Nil(t, e.Call(t, e.ReadOnly, "get_analytics", map[string]any{"days": 7}, &a))
		require.Len(t, a.PerDay, 7)
		today := a.PerDay[6]
		require.Equal(t, 2, today.Total)
		require.Equal(t, 1, today.ByStatus["rejected"])
		require.Equal(t, 1, today.ByStatus["needs_review"])
		require.Equal(t, 1, a.Backlog)
		require.Equal(t, 1, a.BacklogAges[0].Count)
		require.Equal(t, 1, a.Decided)
		require.NotNil(t, a.MedianDecisionSeconds)
		require.GreaterOrEqual(t, *a.MedianDecisionSeconds, 0.0)
		require.Equal(t, []tools.AnalyticsCount{{Code: "screening_true_match", Count: 1}}, a.ReviewerRejections)
		require.Equal(t, []tools.AnalyticsCount{{Code: "test_review", Count: 1}}, a.RejectionReasons)
		require.Equal(t, []tools.AnalyticsCheck{{Check: "screening", Review: 2}}, a.Checks)

		// The report: a PDF poppler renders page by page.
		var rep tools.Report
		require.Nil(t, e.Call(t, e.ReadOnly, "get_report", map[string]any{"id": v.ID}, &rep))
		pdf, err := base64.StdEncoding.DecodeString(rep.Data)
		require.NoError(t, err)
		require.True(t, strings.HasPrefix(string(pdf), "%PDF-"))
		require.Equal(t, "kycd-"+v.Reference+".pdf", rep.Filename)
		requirePDFPages(t, pdf, rep.Pages)
	})
}

// requirePDFPages renders a PDF with poppler's pdftoppm and checks it gives want pages.
func requirePDFPages(t *testing.T, pdf []byte, want int) {
	t.Helper()
	if _, err := exec.LookPath("pdftoppm"); err != nil {
		t.Fatal("pdftoppm is missing: install poppler-utils (scripts/setup/address.sh)")
	}
	dir := t.TempDir()
	in := filepath.Join(dir, "r.pdf")
	require.NoError(t, os.WriteFile(in, pdf, 0o600))
	out, err := exec.Command("pdftoppm", "-r", "30", "-png", in, filepath.Join(dir, "page")).CombinedOutput()
	require.NoError(t, err, string(out))
	pages, err := filepath.Glob(filepath.Join(dir, "page-*.png"))
	require.NoError(t, err)
	require.Len(t, pages, want)
	require.GreaterOrEqual(t, want, 1)
	for _, p := range pages {
		st, err := os.Stat(p)
		require.NoError(t, err)
		require.Greater(t, st.Size(), int64(500), "page %s is empty", p)
	}
}

// API keys from a caller holding keys:write: the secret is shown once and works, a key never
// gets a scope its creator lacks, the list never shows secrets, and a revoked key stops working.
func TestAPIKeyTools(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, s *db.Store) {
		e := tooltest.New(t, s, engines())
		admin := e.KeyWith(t, "acct_a", models.ModeTest, tools.ScopeKeysRead, tools.ScopeKeysWrite, tools.ScopeVerificationsRead)
		var created tools.CreatedAPIKey
		require.Nil(t, e.Call(t, admin, "create_api_key", map[string]any{"name": "shop", "scopes": []string{"verifications:read"}, "rate_limit": 60}, &created))
		require.True(t, strings.HasPrefix(created.Secret, "sk_test_"))
		c, err := tools.Authenticate(context.Background(), e.Reg.Deps(), created.Secret)
		require.NoError(t, err)
		require.Equal(t, []tools.Scope{tools.ScopeVerificationsRead}, c.Scopes)
		require.Equal(t, "acct_a", c.AccountID)

		te := e.Call(t, admin, "create_api_key", map[string]any{"name": "x", "scopes": []string{"review"}}, nil)
		require.Equal(t, tools.CodePermissionDenied, te.Code)
		require.Equal(t, "scopes", te.Field)
		te = e.Call(t, admin, "create_api_key", map[string]any{"name": "x", "scopes": []string{"root"}}, nil)
		require.Equal(t, tools.CodeInvalidArgument, te.Code)
		te = e.Call(t, e.Test, "create_api_key", map[string]any{"name": "x"}, nil)
		require.Equal(t, tools.CodePermissionDenied, te.Code, "keys:write is not among the default scopes")

		var list tools.APIKeyList
		require.Nil(t, e.Call(t, admin, "list_api_keys", map[string]any{}, &list))
		found := false
		for _, k := range list.Data {
			require.Equal(t, "test", k.Mode)
			require.NotContains(t, k.Prefix, created.Secret)
			found = found || k.ID == created.Key.ID
		}
		require.True(t, found)

		te = e.Call(t, e.KeyWith(t, "acct_b", models.ModeTest, tools.ScopeKeysWrite), "revoke_api_key", map[string]any{"id": created.Key.ID}, nil)
		require.Equal(t, tools.CodeNotFound, te.Code, "another account's key")
		var revoked tools.APIKey
		require.Nil(t, e.Call(t, admin, "revoke_api_key", map[string]any{"id": created.Key.ID}, &revoked))
		require.NotNil(t, revoked.RevokedAt)
		_, err = tools.Authenticate(context.Background(), e.Reg.Deps(), created.Secret)
		require.Error(t, err)
		require.Nil(t, e.Call(t, admin, "list_api_keys", map[string]any{}, &list))
		for _, k := range list.Data {
			require.NotEqual(t, created.Key.ID, k.ID, "revoked keys are hidden unless asked for")
		}
	})
}
