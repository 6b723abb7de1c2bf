package db_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/uptrace/bun"

	"github.com/kycd/kycd/db"
	"github.com/kycd/kycd/db/dbtest"
	"github.com/kycd/kycd/models"
)

// person is one applicant with a piece of every kind of personal data kycd stores.
type person struct {
	applicant *models.Applicant
	decided   *models.Verification // approved: result, token, enrolled face, documents, liveness
	open      *models.Verification // pending
	token     string
	// markers are plaintext strings of this person that must not survive an erasure anywhere.
	markers []string
}

func seedPerson(t *testing.T, s *db.Store, sc db.Scope, name, ref string) *person {
	t.Helper()
	ctx := context.Background()
	p := &person{markers: []string{name, ref}}
	pii := models.ApplicantData{Name: name, Email: strings.ToLower(strings.ReplaceAll(name, " ", ".")) + "@example.com", DOB: "1964-08-12", Country: "DE"}
	p.markers = append(p.markers, pii.Email)
	require.NoError(t, s.InTx(ctx, func(ctx context.Context, tx *db.Tx) error {
		var err error
		if p.applicant, err = tx.FindOrCreateApplicant(ctx, sc, &ref, pii); err != nil {
			return err
		}
		if err := tx.UpdateApplicantProfile(ctx, p.applicant.ID, pii); err != nil {
			return err
		}
		sealed, err := s.Keyring().SealJSON(pii)
		if err != nil {
			return err
		}
		for _, dst := range []**models.Verification{&p.decided, &p.open} {
			v := newVerification(s, sc, p.applicant.ID)
			v.ExternalRef, v.ApplicantPII, v.Metadata = &ref, sealed, fmt.Sprintf(`{"customer":%q}`, name)
			if err := tx.InsertVerification(ctx, v); err != nil {
				return err
			}
			*dst = v
		}
		return nil
	}))
	v := p.decided
	result := models.VerificationResult{Decision: models.StatusApproved, DecidedAt: s.Now(),
		Reasons: []models.Reason{{Code: "screening_weak_hit", Check: "screening", Message: fmt.Sprintf("%q matches us_ofac entry 123 %q", name, name)}},
		Checks: []models.CheckOutcome{
			{Check: "document", Outcome: models.OutcomePass, Details: map[string]any{"mrz_valid": true, "nationality": "DEU", "document_number_masked": "C01X•••••", "age": 61}},
			{Check: "screening", Outcome: models.OutcomeReview, Reasons: []models.Reason{{Code: "screening_weak_hit", Message: name + " matches"}},
				Details: map[string]any{"hits": []any{map[string]any{"source": "us_ofac", "source_id": "123", "entity_name": name, "score": 0.9,
					"explanation": map[string]any{"query": strings.ToLower(name)}}}, "query": map[string]any{"name": name, "dob": "1964-08-12"}}},
		}}
	raw, err := json.Marshal(result)
	require.NoError(t, err)
	res := string(raw)
	review, err := s.Keyring().Seal([]byte("checked with " + name + " on the phone"))
	require.NoError(t, err)
	_, err = s.DB.NewUpdate().Model((*models.Verification)(nil)).Set("status = ?", models.StatusApproved).Set("result = ?", res).
		Set("reviewed_at = ?", s.Now()).Set("reviewed_by = 'key_x'").Set("review_decision = 'approve'").Set("review_reason_sealed = ?", review).
		Where("id = ?", v.ID).Exec(ctx)
	require.NoError(t, err)
	v.Status, v.Result = models.StatusApproved, &res

	var challenge models.LivenessChallenge
	require.NoError(t, s.InTx(ctx, func(ctx context.Context, tx *db.Tx) error {
		for _, kind := range []models.ArtifactKind{models.ArtifactSelfie, models.ArtifactDocumentFront, models.ArtifactLivenessFrame} {
			art := models.Artifact{AccountID: sc.AccountID, Mode: sc.Mode, VerificationID: v.ID, Kind: kind, ContentType: "image/jpeg"}
			if err := tx.InsertArtifact(ctx, &art, []byte("image of "+name+" "+string(kind)), map[string]any{"full_name": name, "embedding": []float32{0.1, 0.2}}); err != nil {
				return err
			}
		}
		if _, err := tx.EnrollFace(ctx, &models.FaceEnrollment{AccountID: sc.AccountID, Mode: sc.Mode, VerificationID: v.ID,
			ApplicantID: v.ApplicantID, Model: "m1"}, []byte("face of "+name)); err != nil {
			return err
		}
		var err error
		p.token, _, err = tx.IssueIdentityToken(ctx, v, db.IdentityFace{Model: "m1", Embedding: []byte("face of " + name), CrossCheckModel: "c1", CrossCheck: []byte("cross of " + name)})
		if err != nil {
			return err
		}
		for i, ev := range []map[string]any{
			{"verification_id": v.ID, "status": "approved", "decision": "approved", "reasons": result.Reasons},
			{"verification_id": v.ID, "cause": "schedule", "hits": result.Checks[1].Details["hits"], "lists": map[string]string{"us_ofac": "abc"}},
			{"verification_id": v.ID, "reason": "called " + name + " back", "note": name},
		} {
			b, _ := json.Marshal(ev)
			if err := tx.AppendEvent(ctx, &models.Event{AccountID: sc.AccountID, Mode: sc.Mode, ObjectType: "verification",
				ObjectID: v.ID, Type: []string{"verification.completed", "screening.match", "verification.cancelled"}[i], Data: string(b)}); err != nil {
				return err
			}
		}
		return nil
	}))
	challenge = models.LivenessChallenge{AccountID: sc.AccountID, Mode: sc.Mode, VerificationID: v.ID, Steps: `["left"]`, ExpiresAt: s.Now().Add(time.Minute)}
	require.NoError(t, s.InsertChallenge(ctx, &challenge, "nonce-"+ref))
	require.NoError(t, s.InTx(ctx, func(ctx context.Context, tx *db.Tx) error { return tx.UseChallenge(ctx, sc, challenge.ID, s.Now()) }))
	require.NoError(t, s.SetChallengeResult(ctx, sc, challenge.ID, true, map[string]any{"passed": true, "subject": name}))
	_, err = s.RecordDocumentUse(ctx, &models.DocumentUse{AccountID: sc.AccountID, Mode: sc.Mode, NumberHash: "num-" + ref,
		IdentityHash: "id-" + ref, VerificationID: v.ID, ApplicantID: v.ApplicantID})
	require.NoError(t, err)
	for _, subject := range []string{ref, p.applicant.ID} {
		require.NoError(t, s.InsertScreeningDecision(ctx, &models.ScreeningDecision{AccountID: sc.AccountID, Mode: sc.Mode, SubjectRef: subject,
			Source: "us_ofac", SourceID: "123", Fingerprint: "fp", Verdict: models.VerdictFalsePositive, EntityName: name, DecidedBy: "key_x"},
			"spoke to "+name))
	}
	_, err = s.ClaimIdempotencyKey(ctx, sc, "idem-"+ref, "h", time.Hour, time.Minute)
	require.NoError(t, err)
	require.NoError(t, s.CompleteIdempotencyKey(ctx, sc, "idem-"+ref,
		fmt.Sprintf(`{"id":%q,"applicant_id":%q,"applicant":{"name":%q}}`, p.open.ID, p.applicant.ID, name)))
	return p
}

// piiTables are every table, with the columns that link a row to an applicant.
var piiTables = []string{"applicants", "verifications", "events", "artifacts", "liveness_challenges", "face_enrollments",
	"identity_tokens", "document_uses", "screening_decisions", "screening_alerts", "idempotency_keys", "handoffs", "webhook_deliveries"}

// plaintextRows returns, per table, the rows (as text) that contain one of the markers.
func plaintextRows(t *testing.T, s *db.Store, markers []string) []string {
	t.Helper()
	var found []string
	for _, table := range piiTables {
		dbtest.Rows(t, s, table, func(cols []string, vals []any) {
			var text strings.Builder
			for i, v := range vals {
				if b, ok := v.([]byte); ok {
					v = string(b) // sealed bytes never contain the plaintext; JSON and text columns do
				}
				fmt.Fprintf(&text, "%s=%v ", cols[i], v)
			}
			for _, m := range markers {
				if strings.Contains(strings.ToLower(text.String()), strings.ToLower(m)) {
					found = append(found, table+": "+m)
				}
			}
		})
	}
	return found
}

func TestEraseApplicant(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, s *db.Store) {
		ctx := context.Background()
		require.NoError(t, s.EnsureAccount(ctx, "acct_a", "A"))
		require.NoError(t, s.EnsureAccount(ctx, "acct_b", "B"))
		sc := db.Scope{AccountID: "acct_a", Mode: models.ModeTest}
		erika := seedPerson(t, s, sc, "Erika Mustermann", "cust-erika")
		jane := seedPerson(t, s, sc, "Jane Roe", "cust-jane")
		require.NotEmpty(t, plaintextRows(t, s, erika.markers), "the seed stores plaintext markers (result, events, idempotency)")

		erase := func(sc db.Scope, id, ref string) (*models.Applicant, *db.Erasure, error) {
			var (
				a  *models.Applicant
				er *db.Erasure
			)
			err := s.InTx(ctx, func(ctx context.Context, tx *db.Tx) error {
				var err error
				if a, _, err = tx.LockApplicantForErasure(ctx, sc, id, ref); err != nil {
					return err
				}
				er, err = tx.EraseApplicant(ctx, sc, a)
				return err
			})
			return a, er, err
		}

		// Another account or mode: not found, and nothing is touched.
		for _, other := range []db.Scope{{AccountID: "acct_b", Mode: models.ModeTest}, {AccountID: "acct_a", Mode: models.ModeLive}} {
			_, _, err := erase(other, erika.applicant.ID, "")
			require.ErrorIs(t, err, db.ErrNotFound)
			_, _, err = erase(other, "", "cust-erika")
			require.ErrorIs(t, err, db.ErrNotFound)
		}

		// The dashboard's name search finds both people before; after the erasure it finds
		// Erika no more, at once, without the index being brought up to date first.
		_, err := s.IndexVerifications(ctx, sc)
		require.NoError(t, err)
		found, err := s.FindByName(ctx, sc, "Mustermann", 10)
		require.NoError(t, err)
		require.Len(t, found, 2)

		a, er, err := erase(sc, "", "cust-erika")
		require.NoError(t, err)
		require.Equal(t, erika.applicant.ID, a.ID)
		found, err = s.FindByName(ctx, sc, "Mustermann", 10)
		require.NoError(t, err)
		require.Empty(t, found, "the name's blind index goes with the erasure")
		found, err = s.FindByName(ctx, sc, "Jane Roe", 10)
		require.NoError(t, err)
		require.Len(t, found, 2, "others stay findable")
		require.Equal(t, db.Erasure{Verifications: 2, Artifacts: 3, LivenessChallenges: 1, FaceEnrollments: 1, IdentityTokens: 1,
			DocumentUses: 1, ScreeningDecisions: 2, Events: 3, IdempotentResponses: 1, DataKeys: 1}, *er)

		// The stored reply is gone, and so is the hash of the request; the key stays, refusing replays.
		claim, err := s.ClaimIdempotencyKey(ctx, sc, "idem-cust-erika", "h", time.Hour, time.Minute)
		require.NoError(t, err)
		require.False(t, claim.Claimed)
		require.Equal(t, db.IdempotencyErased, claim.Existing.Response)
		require.Equal(t, db.IdempotencyErased, claim.Existing.RequestHash)

		// No plaintext of Erika anywhere; Jane's data is all still there.
		require.Empty(t, plaintextRows(t, s, erika.markers))
		require.NotEmpty(t, plaintextRows(t, s, jane.markers))

		// The sealed columns, table by table.
		got, err := s.GetApplicant(ctx, sc, erika.applicant.ID)
		require.NoError(t, err)
		require.Nil(t, got.PII)
		require.Nil(t, got.Profile)
		require.Nil(t, got.ExternalRef)
		require.NotNil(t, got.DeletedAt)
		_, err = s.GetApplicantByRef(ctx, sc, "cust-erika")
		require.ErrorIs(t, err, db.ErrNotFound)
		for _, v := range []*models.Verification{erika.decided, erika.open} {
			row, err := s.GetVerification(ctx, sc, v.ID)
			require.NoError(t, err)
			require.Nil(t, row.ApplicantPII)
			require.Nil(t, row.ExternalRef)
			require.Nil(t, row.IdentityToken)
			require.Equal(t, "{}", row.Metadata)
			require.NotNil(t, row.DeletedAt)
			require.Equal(t, v.Status, row.Status, "the status stays")
			arts, err := s.ListArtifacts(ctx, sc, v.ID)
			require.NoError(t, err)
			for _, art := range arts {
				full, err := s.GetArtifact(ctx, sc, art.ID)
				require.NoError(t, err)
				require.Nil(t, full.Data)
				require.Nil(t, full.Analysis)
				require.Empty(t, full.SHA256)
				require.NotNil(t, full.PurgedAt)
				require.ErrorIs(t, s.SetArtifactAnalysis(ctx, sc, art.ID, map[string]any{"late": "reading"}), db.ErrNotFound,
					"a job that read the image before the erasure cannot write its reading back")
			}
		}
		row, err := s.GetVerification(ctx, sc, erika.decided.ID)
		require.NoError(t, err)
		var res models.VerificationResult
		require.NoError(t, json.Unmarshal([]byte(*row.Result), &res))
		require.Equal(t, models.StatusApproved, res.Decision, "the decision stays")
		require.Equal(t, "screening_weak_hit", res.Reasons[0].Code, "reason codes stay")
		require.Equal(t, db.ErasedNote, res.Reasons[0].Message)
		require.Equal(t, map[string]any{"mrz_valid": true}, res.Checks[0].Details)
		require.Equal(t, []any{map[string]any{"source": "us_ofac", "source_id": "123", "score": 0.9}}, res.Checks[1].Details["hits"])

		require.NotNil(t, row.ReviewedAt, "the manual review stays")
		require.Equal(t, "approve", row.ReviewDecision)
		reason, err := s.Keyring().Open(row.ReviewReason)
		require.NoError(t, err)
		require.Empty(t, reason, "its reason does not")
		open, err := s.GetVerification(ctx, sc, erika.open.ID)
		require.NoError(t, err)
		require.Nil(t, open.ReviewReason)
		jrow, err := s.GetVerification(ctx, sc, jane.decided.ID)
		require.NoError(t, err)
		jreason, err := s.Keyring().Open(jrow.ReviewReason)
		require.NoError(t, err)
		require.Contains(t, string(jreason), "Jane Roe")

		var challenge models.LivenessChallenge
		require.NoError(t, s.DB.NewSelect().Model(&challenge).Where("verification_id = ?", erika.decided.ID).Scan(ctx))
		require.Nil(t, challenge.Result)
		require.True(t, *challenge.Passed, "the verdict stays, its detail goes")

		_, _, err = s.LookupIdentityToken(ctx, sc, erika.token)
		require.ErrorIs(t, err, db.ErrConflict, "the reusable identity is revoked")
		var tok models.IdentityToken
		require.NoError(t, s.DB.NewSelect().Model(&tok).Where("verification_id = ?", erika.decided.ID).Scan(ctx))
		require.Empty(t, tok.Embedding)
		require.Empty(t, tok.CrossCheck)
		jtok, jemb, err := s.LookupIdentityToken(ctx, sc, jane.token)
		require.NoError(t, err)
		require.Equal(t, "face of Jane Roe", string(jemb))
		require.Equal(t, "cross of Jane Roe", string(jtok.CrossCheckOpen))

		// Duplicate-face search: Erika's face is gone, Jane's stays.
		faces := map[string]string{}
		_, err = s.FaceEnrollments(ctx, &sc, "m1", "", func(e *models.FaceEnrollment, emb []byte) error {
			faces[e.ApplicantID] = string(emb)
			return nil
		})
		require.NoError(t, err)
		require.Equal(t, map[string]string{jane.applicant.ID: "face of Jane Roe"}, faces)
		enrolled, err := s.FaceEnrolled(ctx, sc, erika.decided.ID)
		require.NoError(t, err)
		require.False(t, enrolled)
		enrolled, err = s.FaceEnrolled(ctx, sc, jane.decided.ID)
		require.NoError(t, err)
		require.True(t, enrolled)

		// Verdicts stay, named by the applicant id, without reason or name.
		var decisions []models.ScreeningDecision
		require.NoError(t, s.DB.NewSelect().Model(&decisions).Where("subject_ref IN (?)", bun.List([]string{erika.applicant.ID, "cust-erika"})).Scan(ctx))
		require.Len(t, decisions, 2)
		for _, d := range decisions {
			require.Equal(t, erika.applicant.ID, d.SubjectRef)
			require.Equal(t, models.VerdictFalsePositive, d.Verdict)
			require.Empty(t, d.EntityName)
			reason, err := s.OpenDecisionReason(&d)
			require.NoError(t, err)
			require.Empty(t, reason)
		}

		// Events stay with their ids, types and non-personal data.
		evs, _, err := s.ListEvents(ctx, db.EventFilter{Scope: sc, ObjectID: erika.decided.ID, Ascending: true, Limit: 10})
		require.NoError(t, err)
		require.Len(t, evs, 3)
		require.JSONEq(t, fmt.Sprintf(`{"verification_id":%q,"status":"approved","decision":"approved",
			"reasons":[{"code":"screening_weak_hit","check":"screening","message":%q}]}`, erika.decided.ID, db.ErasedNote), evs[0].Data)
		require.JSONEq(t, fmt.Sprintf(`{"verification_id":%q,"cause":"schedule","lists":{"us_ofac":"abc"},
			"hits":[{"source":"us_ofac","source_id":"123","score":0.9}]}`, erika.decided.ID), evs[1].Data)
		require.JSONEq(t, fmt.Sprintf(`{"verification_id":%q}`, erika.decided.ID), evs[2].Data)

		// Ongoing monitoring no longer covers the erased applicant.
		monitored, _, err := s.MonitoredVerifications(ctx, "", 100)
		require.NoError(t, err)
		for _, v := range monitored {
			require.NotEqual(t, erika.applicant.ID, v.ApplicantID)
		}

		// Twice: a conflict by id (the erased applicant stays), not found by the gone reference.
		a2, _, err := erase(sc, erika.applicant.ID, "")
		require.ErrorIs(t, err, db.ErrConflict)
		require.NotNil(t, a2.DeletedAt)
		_, _, err = erase(sc, "", "cust-erika")
		require.ErrorIs(t, err, db.ErrNotFound)

		// The same external reference starts a fresh applicant (PostgreSQL: the one-statement path).
		nv := newVerification(s, sc, "")
		ref := "cust-erika"
		nv.ExternalRef = &ref
		require.NoError(t, s.InTx(ctx, func(ctx context.Context, tx *db.Tx) error {
			_, err := createOne(ctx, tx, models.ApplicantData{Name: "Erika Neu"}, nv)
			return err
		}))
		require.NotEqual(t, erika.applicant.ID, nv.ApplicantID)
		fresh, err := s.GetApplicantByRef(ctx, sc, ref)
		require.NoError(t, err)
		require.Equal(t, nv.ApplicantID, fresh.ID)
		require.Nil(t, fresh.DeletedAt)
		old, err := s.GetApplicant(ctx, sc, erika.applicant.ID)
		require.NoError(t, err)
		require.Nil(t, old.PII, "the erased applicant is not revived")

		// Jane is untouched.
		jv, err := s.GetVerification(ctx, sc, jane.decided.ID)
		require.NoError(t, err)
		require.NotNil(t, jv.ApplicantPII)
		require.Nil(t, jv.DeletedAt)
		require.Contains(t, *jv.Result, "Jane Roe")
		ja, err := s.GetApplicantByRef(ctx, sc, "cust-jane")
		require.NoError(t, err)
		require.NotNil(t, ja.PII)
		require.NotNil(t, ja.Profile)
	})
}

func TestScrubEventDataKeepsOnlyListedKeys(t *testing.T) {
	t.Parallel()
	got := db.ScrubEventData(map[string]any{"verification_id": "ver_1", "reason": "asked by Erika", "note": "x",
		"reasons": []any{map[string]any{"code": "c", "message": "Erika"}}, "hits": []any{map[string]any{"source_id": "9", "matched_name": "Erika"}}})
	require.Equal(t, map[string]any{"verification_id": "ver_1", "reasons": []any{map[string]any{"code": "c", "message": db.ErasedNote}},
		"hits": []any{map[string]any{"source_id": "9"}}}, got)
}
