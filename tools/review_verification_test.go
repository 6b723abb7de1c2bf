package tools_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kycd/kycd/db"
	"github.com/kycd/kycd/db/dbtest"
	"github.com/kycd/kycd/internal/tooltest"
	"github.com/kycd/kycd/models"
	"github.com/kycd/kycd/tools"
)

// inReview creates a verification whose screening check asks for a person (engines()) and
// waits for the pipeline to put it in needs_review.
func inReview(t *testing.T, e *tooltest.Env, c tools.Caller) tools.Verification {
	t.Helper()
	return inReviewWith(t, e, c, nil)
}

// inReviewWith is inReview for a verification created with this applicant data.
func inReviewWith(t *testing.T, e *tooltest.Env, c tools.Caller, applicant map[string]any) tools.Verification {
	t.Helper()
	args := map[string]any{"checks": []string{"screening"}}
	if applicant != nil {
		args["applicant"] = applicant
	}
	var v tools.Verification
	require.Nil(t, e.Call(t, c, "create_verification", args, &v))
	require.Nil(t, e.Call(t, c, "submit_verification", map[string]any{"id": v.ID}, nil))
	return waitStatus(t, e, c, v.ID, "needs_review")
}

func queueIDs(t *testing.T, e *tooltest.Env, c tools.Caller) []string {
	t.Helper()
	var page tools.VerificationList
	require.Nil(t, e.Call(t, c, "list_verifications", map[string]any{"status": []string{"needs_review"}}, &page))
	ids := []string{}
	for _, v := range page.Data {
		require.Equal(t, "needs_review", v.Status)
		ids = append(ids, v.ID)
	}
	return ids
}

// A needs_review verification is approved or rejected by a reviewer; the decision is on the
// verification, in its timeline and delivered to the endpoints subscribed to it.
func TestReviewVerification(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, s *db.Store) {
		e := tooltest.New(t, s, engines(), localHooks(nil))
		reviews := newSink(t)
		ep := createEndpoint(t, e, e.Test, reviews.srv.URL+"/reviews", "verification.reviewed")
		reviewer := e.Key(t, "acct_a", models.ModeTest, "review")
		writer := e.Key(t, "acct_a", models.ModeTest, "verifications:write,verifications:read")

		a, b := inReview(t, e, e.Test), inReview(t, e, e.Test)
		var pending tools.Verification
		require.Nil(t, e.Call(t, e.Test, "create_verification", map[string]any{"checks": []string{"screening"}}, &pending))

		// The review queue: list_verifications filtered by status, newest first.
		require.Equal(t, []string{b.ID, a.ID}, queueIDs(t, e, e.Test))

		// Another account or mode does not see it; an unknown id is not found; the write scope is not enough.
		for _, c := range []tools.Caller{e.OtherAccount, e.Live} {
			te := e.Call(t, c, "review_verification", map[string]any{"id": a.ID, "decision": "approve", "reason": "looks fine"}, nil)
			require.NotNil(t, te)
			require.Equal(t, tools.CodeNotFound, te.Code, te.Message)
			require.Equal(t, "id", te.Field)
		}
		te := e.Call(t, reviewer, "review_verification", map[string]any{"id": "ver_00000000000000000000000000", "decision": "approve", "reason": "x"}, nil)
		require.Equal(t, tools.CodeNotFound, te.Code, te.Message)
		te = e.Call(t, writer, "review_verification", map[string]any{"id": a.ID, "decision": "approve", "reason": "x"}, nil)
		require.Equal(t, tools.CodePermissionDenied, te.Code, te.Message)
		require.Contains(t, te.Message, `"review"`)

		// Approve a.
		before := time.Now().Add(-time.Second)
		var got tools.Verification
		require.Nil(t, e.Call(t, reviewer, "review_verification", map[string]any{"id": a.ID, "decision": "approve",
			"reason": "  screening hit is a namesake: date of birth 1990 vs listed 1951 "}, &got))
		require.Equal(t, "approved", got.Status)
		require.NotNil(t, got.Review)
		require.Equal(t, "approve", got.Review.Decision)
		require.Equal(t, "screening hit is a namesake: date of birth 1990 vs listed 1951", got.Review.Reason)
		require.Equal(t, reviewer.KeyID, got.Review.ReviewedBy)
		require.WithinDuration(t, time.Now(), got.Review.ReviewedAt, time.Minute)
		require.True(t, got.Review.ReviewedAt.After(before))
		require.Equal(t, models.StatusNeedsReview, got.Result.Decision, "the result keeps the checks' own decision")
		var read tools.Verification
		require.Nil(t, e.Call(t, e.Test, "get_verification", map[string]any{"id": a.ID}, &read))
		require.Equal(t, "approved", read.Status)
		require.Equal(t, got.Review.Reason, read.Review.Reason)
		require.Equal(t, got.Review.ReviewedBy, read.Review.ReviewedBy)
		require.True(t, got.Review.ReviewedAt.Equal(read.Review.ReviewedAt), "%v vs %v", got.Review.ReviewedAt, read.Review.ReviewedAt)
		require.Equal(t, []string{b.ID}, queueIDs(t, e, e.Test), "a decided verification leaves the queue")

		// The timeline: the review follows the completion, with the decision and who made it.
		var events tools.EventList
		require.Nil(t, e.Call(t, e.Test, "list_verification_events", map[string]any{"id": a.ID}, &events))
		var types []string
		for i, ev := range events.Data {
			types = append(types, ev.Type)
			require.EqualValues(t, i+1, ev.Seq)
		}
		require.Equal(t, []string{"verification.created", "verification.processing", "verification.completed", "verification.reviewed"}, types)
		rev := events.Data[3].Data
		require.Equal(t, "approve", rev["decision"])
		require.Equal(t, got.Review.Reason, rev["reason"])
		require.Equal(t, reviewer.KeyID, rev["reviewer"])
		require.Equal(t, "needs_review", rev["previous_status"])
		require.Equal(t, "approved", rev["status"])

		// Reject b.
		require.Nil(t, e.Call(t, reviewer, "review_verification", map[string]any{"id": b.ID, "decision": "reject", "reason": "true match on the listed entity"}, &got))
		require.Equal(t, "rejected", got.Status)
		require.Equal(t, "reject", got.Review.Decision)
		require.Empty(t, queueIDs(t, e, e.Test))
		evs := e.Events(t, e.Test, b.ID)
		require.Equal(t, "verification.reviewed", evs[len(evs)-1].Type)
		require.Equal(t, "reject", evs[len(evs)-1].Data["decision"])
		require.Equal(t, "rejected", evs[len(evs)-1].Data["status"])

		// Only needs_review can be reviewed: a decided or a pending verification is a conflict naming its status.
		for _, tc := range []struct{ id, status string }{{a.ID, "approved"}, {b.ID, "rejected"}, {pending.ID, "pending"}} {
			te := e.Call(t, reviewer, "review_verification", map[string]any{"id": tc.id, "decision": "reject", "reason": "second thoughts"}, nil)
			require.NotNil(t, te, tc.status)
			require.Equal(t, tools.CodeConflict, te.Code, te.Message)
			require.Equal(t, "id", te.Field)
			require.Contains(t, te.Message, tc.id)
			require.Contains(t, te.Message, tc.status)
		}
		require.Len(t, e.Events(t, e.Test, a.ID), 4, "a refused review writes nothing")
		var unchanged tools.Verification
		require.Nil(t, e.Call(t, e.Test, "get_verification", map[string]any{"id": pending.ID}, &unchanged))
		require.Equal(t, "pending", unchanged.Status)
		require.Nil(t, unchanged.Review)

		// The subscribed endpoint gets both reviews, signed, and nothing else.
		waitFor(t, "2 reviews at the endpoint", func() bool { return len(reviews.hits()) == 2 })
		byObject := map[string]hit{}
		for _, h := range reviews.hits() {
			require.Equal(t, "verification.reviewed", h.Event)
			require.Equal(t, h.Event, h.Payload.Type)
			require.EqualValues(t, 4, h.Payload.Seq)
			byObject[h.Payload.ObjectID] = h
		}
		var data map[string]any
		require.NoError(t, json.Unmarshal(byObject[a.ID].Payload.Data, &data))
		require.Equal(t, "approve", data["decision"])
		require.Equal(t, reviewer.KeyID, data["reviewer"])
		require.Equal(t, "needs_review", data["previous_status"])
		require.NoError(t, json.Unmarshal(byObject[b.ID].Payload.Data, &data))
		require.Equal(t, "reject", data["decision"])
		// The delivery log is written after the receiver answers.
		waitFor(t, "both deliveries logged as delivered", func() bool {
			n := 0
			for _, d := range deliveries(t, e, e.Test, map[string]any{"endpoint_id": ep.ID}) {
				require.Equal(t, "verification.reviewed", d.EventType)
				if d.Status == "delivered" {
					n++
				}
			}
			return n == 2
		})
		time.Sleep(200 * time.Millisecond)
		require.Len(t, reviews.all(), 2, "only the subscribed event type is delivered")
	})
}

// Bad input is refused with the field at fault, before anything changes.
func TestReviewVerificationRejectsBadInput(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, s *db.Store) {
		e := tooltest.New(t, s, engines())
		v := inReview(t, e, e.Test)
		id, _ := json.Marshal(v.ID)
		long, _ := json.Marshal(strings.Repeat("r", 2001))
		for _, tc := range []struct{ name, args, field string }{
			{"bad decision", `{"id":` + string(id) + `,"decision":"maybe","reason":"x"}`, "decision"},
			{"missing decision", `{"id":` + string(id) + `,"reason":"x"}`, "decision"},
			{"missing reason", `{"id":` + string(id) + `,"decision":"approve"}`, "reason"},
			{"empty reason", `{"id":` + string(id) + `,"decision":"approve","reason":""}`, "reason"},
			{"blank reason", `{"id":` + string(id) + `,"decision":"approve","reason":"   "}`, "reason"},
			{"reason too long", `{"id":` + string(id) + `,"decision":"approve","reason":` + string(long) + `}`, "reason"},
			{"missing id", `{"decision":"approve","reason":"x"}`, "id"},
			{"not a verification id", `{"id":"app_123","decision":"approve","reason":"x"}`, "id"},
			{"unknown field", `{"id":` + string(id) + `,"decision":"approve","reason":"x","verdict":"ok"}`, "verdict"},
		} {
			te := e.Call(t, e.Test, "review_verification", tc.args, nil)
			require.NotNil(t, te, "%s accepted", tc.name)
			require.Equal(t, tools.CodeInvalidArgument, te.Code, "%s: %s", tc.name, te.Message)
			require.Equal(t, tc.field, te.Field, "%s: %s", tc.name, te.Message)
			require.NotEmpty(t, te.Message)
		}
		var got tools.Verification
		require.Nil(t, e.Call(t, e.Test, "get_verification", map[string]any{"id": v.ID}, &got))
		require.Equal(t, "needs_review", got.Status)
		require.Nil(t, got.Review)
		require.Len(t, e.Events(t, e.Test, v.ID), 3, "no event for a refused call")
	})
}

// An approval by a reviewer makes the applicant's data their verified profile, as an approval
// by the pipeline does; a rejection leaves the profile empty.
func TestReviewApprovalVerifiesTheProfile(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, s *db.Store) {
		e := tooltest.New(t, s, engines())
		reviewer := e.Key(t, "acct_a", models.ModeTest, "review")
		profile := func(v tools.Verification) *models.ApplicantData {
			var a tools.Applicant
			require.Nil(t, e.Call(t, e.Test, "get_applicant", map[string]any{"id": v.ApplicantID}, &a))
			return a.Profile
		}
		ok := inReviewWith(t, e, e.Test, map[string]any{"name": "Ana Namesake", "dob": "1990-02-01", "country": "PT"})
		no := inReviewWith(t, e, e.Test, map[string]any{"name": "Rui Refused", "country": "PT"})
		require.Nil(t, profile(ok), "no profile while in review")

		require.Nil(t, e.Call(t, reviewer, "review_verification", map[string]any{"id": ok.ID, "decision": "approve", "reason": "namesake"}, nil))
		require.Nil(t, e.Call(t, reviewer, "review_verification", map[string]any{"id": no.ID, "decision": "reject", "reason": "true match"}, nil))
		got := profile(ok)
		require.NotNil(t, got, "approved after review: the profile is verified")
		require.Equal(t, "Ana Namesake", got.Name)
		require.Equal(t, "1990-02-01", got.DOB)
		require.Nil(t, profile(no), "rejected: no profile")
	})
}
