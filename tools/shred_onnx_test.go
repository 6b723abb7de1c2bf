//go:build onnx

package tools_test

import (
	"bytes"
	"context"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/uptrace/bun"

	"github.com/kycd/kycd/checks/document/synth"
	"github.com/kycd/kycd/checks/otp"
	"github.com/kycd/kycd/db"
	"github.com/kycd/kycd/db/dbtest"
	"github.com/kycd/kycd/internal/tooltest"
	"github.com/kycd/kycd/jobs"
	"github.com/kycd/kycd/models"
	"github.com/kycd/kycd/tools"
	"github.com/kycd/kycd/verify"
)

// everyCheckEnv is a registry with every check this test machine can run for real: the
// document reader, face match, liveness and age on the ONNX engine, screening on the OFAC list,
// email (over an in-test DNS server) and phone checks with codes sent to a log.
func everyCheckEnv(t *testing.T, s *db.Store) *tooltest.Env {
	t.Helper()
	ctx := context.Background()
	docs, err := verify.NewDocuments(s, verify.DocumentsConfig{}, nil)
	require.NoError(t, err)
	bio, err := verify.NewBiometrics(s, faceEngine(t), verify.BiometricsConfig{}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	require.NoError(t, err)
	scr := verify.NewScreening(s, verify.ScreeningPolicy{}, nil)
	_, err = scr.Store(ctx, sdn2024List(t))
	require.NoError(t, err)
	require.NoError(t, scr.Sync(ctx))
	checks := bio.Runners()
	checks[models.CheckDocument] = docs
	checks[models.CheckScreening] = scr
	e := tooltest.New(t, s, checks, localHooks(nil), func(_ *jobs.Options, d *tools.Deps) {
		d.Biometrics, d.Screening = bio, scr
	})
	e.Reg.Deps().Contact = verify.NewContact(e.Verify, verify.ContactOptions{Email: testChecker(t),
		Dev: otp.LogSender{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}})
	return e
}

// rawDump is every byte of the database as an attacker with a copy would see it: on SQLite
// the database file, its -wal and -shm files read raw; on PostgreSQL the pg_dump of the test
// schema (when pg_dump is installed) and every row of every table of the schema, bytea
// columns as their raw bytes (pg_dump prints them in hex, which a grep would not see).
func rawDump(t *testing.T, s *db.Store) []byte {
	t.Helper()
	var out bytes.Buffer
	if s.Dialect == db.SQLite {
		for _, suffix := range []string{"", "-wal", "-shm"} {
			b, err := os.ReadFile(s.Location() + suffix)
			if suffix != "" && os.IsNotExist(err) {
				continue
			}
			require.NoError(t, err)
			out.Write(b)
		}
		return out.Bytes()
	}
	if _, err := exec.LookPath("pg_dump"); err == nil {
		b, err := exec.Command("pg_dump", "--schema="+s.Schema, "--no-owner", dbtest.URL()).Output()
		require.NoError(t, err)
		out.Write(b)
	} else {
		t.Log("pg_dump not installed: the row dump alone")
	}
	ctx := context.Background()
	var tables []string
	require.NoError(t, s.DB.NewRaw("SELECT table_name FROM information_schema.tables WHERE table_schema = ? AND table_type = 'BASE TABLE'", s.Schema).Scan(ctx, &tables))
	require.Contains(t, tables, "verifications")
	for _, table := range tables {
		dbtest.Rows(t, s, fmt.Sprintf("%q.%q", s.Schema, table), func(_ []string, vals []any) {
			for _, v := range vals {
				if b, ok := v.([]byte); ok {
					out.Write(b)
				} else {
					fmt.Fprint(&out, v)
				}
				out.WriteByte(0)
			}
		})
	}
	return out.Bytes()
}

// found lists the markers that occur in dump: as text in any letter case, or hex-encoded
// (pg_dump's form of bytea).
func found(dump []byte, markers []string) []string {
	lower := make([]byte, len(dump)) // ASCII only: bytes.ToLower would change the length of non-UTF-8 bytes
	for i, c := range dump {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		lower[i] = c
	}
	var hits []string
	for _, m := range markers {
		if i := bytes.Index(lower, []byte(strings.ToLower(m))); i >= 0 {
			hits = append(hits, fmt.Sprintf("%s in %q", m, dump[max(0, i-80):min(len(dump), i+len(m)+40)]))
			continue
		}
		for _, form := range []string{m, strings.ToUpper(m), strings.ToLower(m)} {
			if bytes.Contains(lower, []byte(hex.EncodeToString([]byte(form)))) {
				hits = append(hits, m+" (hex)")
				break
			}
		}
	}
	return hits
}

// TestNoPlaintextPIIAtRest (issue #17): after a full verification with every check (a
// screening hit, a document, a selfie with liveness and age), a review, a cancellation and an
// idempotent replay, no input value is readable in either database — file, WAL or dump —
// and after delete_applicant none is there at all, while what was sealed before the erasure
// can no longer be opened: its data keys are gone.
func TestNoPlaintextPIIAtRest(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, s *db.Store) {
		ctx := context.Background()
		e := everyCheckEnv(t, s)
		hooks := newSink(t)
		createEndpoint(t, e, e.Test, hooks.srv.URL)
		sc := db.Scope{AccountID: e.Test.AccountID, Mode: e.Test.Mode}

		const (
			name    = "Ayman al Zawahiri" // listed (OFAC SDN 2676): a screening hit
			dob     = "1951-06-19"
			email   = "ayman.quokkafeather@example.com"
			phone   = "+49 151 98765432"
			docNo   = "QK7Z31942"
			ref     = "cust-quokka-5521"
			review  = "phoned Ayman al Zawahiri: a namesake, born elsewhere"
			cancel  = "duplicate file of Ayman al Zawahiri"
			analyst = "this Ayman al Zawahiri lives in Leeds, not the listed man"
			idemKey = "onboard-quokka-5521"
		)
		// The values as they are typed and as documents and engines write them (upper-case
		// names, the MRZ's "AL<ZAWAHIRI"); the reference and the idempotency key are plain by
		// design until the erasure. (The MRZ form of the date of birth, six digits, occurs by
		// chance in hashes and hex: the document number stands for the MRZ instead.)
		names := []string{"Zawahiri", "Ayman", "quokkafeather", docNo}
		markers := append(names, dob, email, review, cancel, analyst, "15198765432")

		passport := synth.Identity{Kind: synth.TD3, DocumentCode: "P", IssuingState: "FRA", Surname: "AL ZAWAHIRI", GivenNames: "AYMAN",
			DocumentNumber: docNo, Nationality: "FRA", DateOfBirth: dob, Sex: "M", ExpiryDate: "2034-10-31"}
		front, _ := render(t, passport)
		applicant := map[string]any{"name": name, "dob": dob, "email": email, "country": "EG"}
		create := map[string]any{"checks": []string{"document", "face_match", "liveness", "age", "screening"}, "document_type": "passport",
			"applicant": applicant, "external_ref": ref, "idempotency_key": idemKey}
		var v tools.Verification
		require.Nil(t, e.Call(t, e.Test, "create_verification", create, &v))
		var replay tools.Verification
		require.Nil(t, e.Call(t, e.Test, "create_verification", create, &replay))
		require.Equal(t, v.ID, replay.ID, "the idempotent reply is stored (sealed) and replayed")
		require.Equal(t, name, replay.Applicant.Name)

		var ec tools.EmailCheck
		require.Nil(t, e.Call(t, e.Test, "verify_email", map[string]any{"email": email, "send_code": true, "verification_id": v.ID}, &ec))
		require.Equal(t, "log", ec.Delivery)
		var pc tools.PhoneCheck
		require.Nil(t, e.Call(t, e.Test, "verify_phone", map[string]any{"phone": phone, "send_code": true, "verification_id": v.ID}, &pc))
		require.Equal(t, "+4915198765432", pc.E164)

		var dr tools.DocumentResult
		require.Nil(t, e.Call(t, e.Test, "submit_document", map[string]any{"id": v.ID, "image": front, "country": "fra"}, &dr))
		require.True(t, dr.Accepted, dr.Reason)
		require.Equal(t, "AL ZAWAHIRI", dr.Surname)
		// The face on the synthetic passport is drawn; a real photo's portrait stands in for it.
		storePortrait(t, s, e.Test, v.ID, documentPortrait(t, photo(t, "examples", "obama-720p.jpg")))
		var sr tools.SelfieResult
		require.Nil(t, e.Call(t, e.Test, "submit_selfie", map[string]any{"id": v.ID, "image": dataURL(photo(t, "tests", "test_images", "obama.jpg"))}, &sr))
		require.True(t, sr.Accepted, "%+v", sr.Quality)
		require.Nil(t, e.Call(t, e.Test, "submit_verification", map[string]any{"id": v.ID}, nil))
		v = waitStatus(t, e, e.Test, v.ID, "approved", "needs_review", "rejected")
		require.Equal(t, "needs_review", v.Status, "%+v", v.Result)
		require.Len(t, v.Result.Checks, 5)
		require.Contains(t, fmt.Sprint(v.Result), "ZAWAHIRI", "the API reads the sealed result in the clear")
		require.Equal(t, models.OutcomeReview, checkOutcome(t, v, "screening").Outcome)

		var reviewed tools.Verification
		require.Nil(t, e.Call(t, e.Test, "review_verification", map[string]any{"id": v.ID, "decision": "approve", "reason": review}, &reviewed))
		require.Equal(t, review, reviewed.Review.Reason)
		require.Nil(t, e.Call(t, e.Test, "resolve_screening_hit", map[string]any{"subject_ref": ref, "source": "ofac_sdn",
			"source_id": zawahiriID, "verdict": "false_positive", "reason": analyst}, nil))
		var cancelled, open tools.Verification
		require.Nil(t, e.Call(t, e.Test, "create_verification", map[string]any{"checks": []string{"screening"}, "applicant": applicant, "external_ref": ref}, &cancelled))
		require.Nil(t, e.Call(t, e.Test, "cancel_verification", map[string]any{"id": cancelled.ID, "reason": cancel}, nil))
		require.Nil(t, e.Call(t, e.Test, "create_verification", map[string]any{"checks": []string{"screening"}, "applicant": applicant, "external_ref": ref}, &open))

		// API readers and webhooks get the plaintext; the stored copies are sealed.
		var evText strings.Builder
		for _, ev := range e.Events(t, e.Test, cancelled.ID) {
			fmt.Fprint(&evText, ev.Data)
		}
		require.Contains(t, evText.String(), cancel)
		waitFor(t, "the verification.completed webhook", func() bool {
			for _, h := range hooks.hits() {
				if h.Event == verify.EventCompleted && bytes.Contains(h.Body, []byte("ZAWAHIRI")) {
					return true
				}
			}
			return false
		})

		require.Empty(t, found(rawDump(t, s), markers), "no input value in the clear before the erasure")

		// What an attacker would keep: the sealed copies as they are now (as in a backup or
		// the WAL), and the wrapped data keys.
		row, err := s.GetVerification(ctx, sc, v.ID)
		require.NoError(t, err)
		require.NotNil(t, row.Result)
		require.True(t, db.IsSealedText(*row.Result), "the result is stored sealed")
		app, err := s.GetApplicant(ctx, sc, v.ApplicantID)
		require.NoError(t, err)
		sealed := map[string][]byte{"applicant data": app.PII, "verification applicant data": row.ApplicantPII, "review reason": row.ReviewReason}
		var rawEvents []models.Event
		require.NoError(t, s.DB.NewSelect().Model(&rawEvents).Where("object_id IN (?)", bun.List([]string{v.ID, cancelled.ID})).Scan(ctx))
		require.NotEmpty(t, rawEvents)
		for _, ev := range rawEvents {
			require.True(t, db.IsSealedText(ev.Data), "event %s is stored sealed: %s", ev.Type, ev.Data)
		}
		arts, err := s.ListArtifacts(ctx, sc, v.ID)
		require.NoError(t, err)
		require.NotEmpty(t, arts)
		art, err := s.GetArtifact(ctx, sc, arts[0].ID)
		require.NoError(t, err)
		sealed["image"] = art.Data
		var decision models.ScreeningDecision
		require.NoError(t, s.DB.NewSelect().Model(&decision).Where("subject_ref = ?", ref).Scan(ctx))
		sealed["analyst's reason"] = decision.ReasonSealed
		for what, ct := range sealed {
			_, err := s.Keyring().Open(ct)
			require.NoError(t, err, "%s opens before the erasure", what)
		}
		var keys []models.DataKey
		require.NoError(t, s.DB.NewSelect().Model(&keys).Where("owner_id IN (?)", bun.List([]string{v.ApplicantID, v.ID, cancelled.ID, open.ID})).Scan(ctx))
		require.Len(t, keys, 4, "one data key for the applicant, one per verification")

		var receipt tools.DeletedApplicant
		require.Nil(t, e.Call(t, e.Test, "delete_applicant", map[string]any{"external_ref": ref, "reason": "erasure request #77"}, &receipt))
		require.Equal(t, []string{open.ID}, receipt.CancelledVerifications)
		require.Equal(t, 4, receipt.Erased.DataKeys)

		dump := rawDump(t, s)
		require.Empty(t, found(dump, append(markers, ref, idemKey)), "nothing of the applicant is left in the clear")
		if s.Dialect == db.SQLite {
			for _, k := range keys {
				require.False(t, bytes.Contains(dump, k.Wrapped), "the wrapped data key of %s is gone from the file and the WAL", k.OwnerID)
			}
		}
		for what, ct := range sealed {
			_, err := s.Keyring().Open(ct)
			require.ErrorIs(t, err, db.ErrShredded, "%s cannot be opened after the erasure", what)
		}
		_, err = s.Keyring().OpenText(*row.Result)
		require.ErrorIs(t, err, db.ErrShredded, "nor can the result")
		for _, ev := range rawEvents {
			_, err := s.Keyring().OpenText(ev.Data)
			require.ErrorIs(t, err, db.ErrShredded, "nor event %s", ev.Type)
		}

		// The API still shows the decision, the review (without its reason) and the timeline.
		var got tools.Verification
		require.Nil(t, e.Call(t, e.Test, "get_verification", map[string]any{"id": v.ID}, &got))
		require.Equal(t, "approved", got.Status)
		require.Nil(t, got.Applicant)
		require.Empty(t, got.Review.Reason)
		require.NotContains(t, strings.ToLower(fmt.Sprint(got.Result)), "zawahiri")
		require.NotEmpty(t, e.Events(t, e.Test, v.ID))
		te := e.Call(t, e.Test, "create_verification", create, nil)
		require.NotNil(t, te, "a replay of the erased creation is refused, not run anew")
	})
}
