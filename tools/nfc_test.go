package tools_test

import (
	"context"
	"crypto"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kycd/kycd/checks/nfc/nfctest"
	"github.com/kycd/kycd/db"
	"github.com/kycd/kycd/db/dbtest"
	"github.com/kycd/kycd/internal/tooltest"
	"github.com/kycd/kycd/jobs"
	"github.com/kycd/kycd/models"
	"github.com/kycd/kycd/tools"
	"github.com/kycd/kycd/verify"
)

// testChip is a passport of the test PKI: a P-256 CSCA of Utopia, its DSC, the specimen MRZ
// in DG1, a JPEG portrait in DG2, and an RSA Active Authentication key in DG15.
type testChip struct {
	csca *nfctest.Cert
	dsc  *nfctest.Cert
	aa   *nfctest.Key
	dgs  map[int][]byte
	sod  []byte
}

func newTestChip(t testing.TB, jp2 bool) *testChip { return buildChip(t, "tools", jp2) }

// buildChip derives a chip, and the CSCA and DSC of its own state, from name.
func buildChip(t testing.TB, name string, jp2 bool) *testChip {
	t.Helper()
	at := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	subject := func(cn string) pkix.Name { return pkix.Name{Country: []string{"UT"}, CommonName: cn + " " + name} }
	csca := nfctest.SelfSigned(nfctest.ECKey(name+"-csca", "P-256", false), nfctest.ECDSAWithSHA256,
		nfctest.CertSpec{Subject: subject("CSCA Utopia"), Serial: 1, NotBefore: at, NotAfter: at.AddDate(15, 0, 0), CA: true})
	dsc := csca.Issue(nfctest.ECKey(name+"-dsc", "P-256", false), nfctest.ECDSAWithSHA256,
		nfctest.CertSpec{Subject: subject("DS Utopia"), Serial: 2, NotBefore: at, NotAfter: at.AddDate(10, 0, 0)})
	aa := nfctest.RSAKey(name+"-aa", 1024)
	portrait := nfctest.FaceJPEG()
	if jp2 {
		portrait = nfctest.FaceJP2
	}
	dgs := map[int][]byte{
		1:  nfctest.DG1(nfctest.SpecimenMRZ...),
		2:  nfctest.DG2(portrait, jp2, nfctest.FaceWidth, nfctest.FaceHeight),
		15: nfctest.DG15(aa),
	}
	return &testChip{csca: csca, dsc: dsc, aa: aa, dgs: dgs, sod: dsc.SignSOD(nfctest.SODSpec{DataGroups: dgs, SigningTime: at.AddDate(0, 1, 0)})}
}

// args is the verify_nfc input for the chip, with dgs overriding its data groups.
func (c *testChip) args(dgs map[int][]byte) map[string]any {
	b64 := base64.StdEncoding.EncodeToString
	groups := map[string]any{}
	for n, b := range c.dgs {
		groups[strconv.Itoa(n)] = b64(b)
	}
	for n, b := range dgs {
		groups[strconv.Itoa(n)] = b64(b)
	}
	return map[string]any{"sod": b64(c.sod), "data_groups": groups}
}

// nfcEnv is a registry whose nfc engine trusts the chip's CSCA (imported into the database).
func nfcEnv(t *testing.T, s *db.Store, chip *testChip, cfg verify.NFCConfig) (*tooltest.Env, *verify.NFC) {
	t.Helper()
	n, err := verify.NewNFC(s, cfg, nil)
	require.NoError(t, err)
	if chip != nil {
		_, added, err := n.ImportCSCA(context.Background(), chip.csca.DER, "utopia-csca.cer")
		require.NoError(t, err)
		require.Equal(t, 1, added)
	}
	checks := map[models.Check]verify.CheckRunner{models.CheckNFC: n.Runner(),
		models.CheckScreening: tooltest.Check{Outcome: models.OutcomePass}}
	e := tooltest.New(t, s, checks, func(_ *jobs.Options, d *tools.Deps) { d.NFC = n })
	return e, n
}

func TestNFCTools(t *testing.T) {
	t.Parallel()
	chip := newTestChip(t, false)
	dbtest.Each(t, func(t *testing.T, s *db.Store) {
		e, _ := nfcEnv(t, s, chip, verify.NFCConfig{})

		// An authentic chip, with Active Authentication over an issued challenge.
		var ch tools.NFCChallenge
		require.Nil(t, e.Call(t, e.Test, "get_nfc_challenge", map[string]any{}, &ch))
		require.Regexp(t, `^nch_`, ch.ChallengeID)
		require.Nil(t, ch.VerificationID)
		nonce, err := hex.DecodeString(ch.Challenge)
		require.NoError(t, err)
		require.Len(t, nonce, 8)
		args := chip.args(nil)
		args["challenge_id"] = ch.ChallengeID
		args["aa_signature"] = base64.StdEncoding.EncodeToString(chip.aa.SignAA(crypto.SHA256, nonce))
		var scan tools.NFCScan
		require.Nil(t, e.Call(t, e.Test, "verify_nfc", args, &scan))
		require.Regexp(t, `^nfc_`, scan.ID)
		require.True(t, scan.ChipAuthentic, "%+v", scan.Reasons)
		require.True(t, scan.DGHashesValid)
		require.True(t, scan.SODSignatureValid)
		require.True(t, scan.DSCTrusted)
		require.Equal(t, verify.TrustStoreDatabase, scan.TrustStore)
		require.Equal(t, "passed", scan.ActiveAuth.Status)
		require.Equal(t, ch.ChallengeID, scan.ActiveAuth.ChallengeID)
		require.Len(t, scan.Chain, 2)
		require.Equal(t, "utopia-csca.cer", scan.Chain[1].Source)
		require.Equal(t, "ERIKSSON", scan.MRZ.Surname)
		require.Equal(t, "L898902C3", scan.MRZ.DocumentNumber)
		require.Equal(t, "image/jpeg", scan.Face.Stored)
		require.Nil(t, scan.FaceMatch, "standalone: no selfie")

		// The challenge answers once.
		te := e.Call(t, e.Test, "verify_nfc", args, nil)
		require.NotNil(t, te)
		require.Equal(t, tools.CodeConflict, te.Code)
		require.Equal(t, "challenge_id", te.Field)
		require.Contains(t, te.Message, "already answered")

		// A signature over another nonce fails Active Authentication: forged or cloned.
		var ch2 tools.NFCChallenge
		require.Nil(t, e.Call(t, e.Test, "get_nfc_challenge", map[string]any{}, &ch2))
		args["challenge_id"] = ch2.ChallengeID
		var cloned tools.NFCScan
		require.Nil(t, e.Call(t, e.Test, "verify_nfc", args, &cloned))
		require.False(t, cloned.ChipAuthentic)
		require.Equal(t, "failed", cloned.ActiveAuth.Status)
		require.True(t, hasNFCReason(cloned, "aa_failed"))

		// A tampered data group.
		tampered := append([]byte(nil), chip.dgs[1]...)
		tampered[len(tampered)-3] = 'X'
		var bad tools.NFCScan
		require.Nil(t, e.Call(t, e.Test, "verify_nfc", chip.args(map[int][]byte{1: tampered}), &bad))
		require.False(t, bad.ChipAuthentic)
		require.False(t, bad.DGHashesValid)
		require.True(t, bad.SODSignatureValid)
		require.True(t, hasNFCReason(bad, "dg_hash_mismatch"))
		require.Nil(t, bad.MRZ, "a data group that does not hash to the SOD is never parsed")
		require.Equal(t, "not_performed", bad.ActiveAuth.Status)

		// Reads: another account or mode is not found; lists are per account and mode.
		var got tools.NFCScan
		require.Nil(t, e.Call(t, e.Test, "get_nfc_scan", map[string]any{"id": scan.ID}, &got))
		require.Equal(t, scan.MRZ.Surname, got.MRZ.Surname)
		require.True(t, got.ChipAuthentic)
		for _, c := range []tools.Caller{e.OtherAccount, e.Live} {
			te := e.Call(t, c, "get_nfc_scan", map[string]any{"id": scan.ID}, nil)
			require.NotNil(t, te)
			require.Equal(t, tools.CodeNotFound, te.Code)
		}
		var page tools.NFCScanList
		require.Nil(t, e.Call(t, e.Test, "list_nfc_scans", map[string]any{"limit": 2}, &page))
		require.Len(t, page.Data, 2)
		require.True(t, page.HasMore)
		require.Equal(t, bad.ID, page.Data[0].ID, "newest first")
		var rest tools.NFCScanList
		require.Nil(t, e.Call(t, e.Test, "list_nfc_scans", map[string]any{"limit": 2, "cursor": *page.NextCursor}, &rest))
		require.Len(t, rest.Data, 1)
		require.Equal(t, scan.ID, rest.Data[0].ID)
		require.Nil(t, e.Call(t, e.OtherAccount, "list_nfc_scans", map[string]any{}, &page))
		require.Empty(t, page.Data)
		// A challenge of another account is not found.
		var other tools.NFCChallenge
		require.Nil(t, e.Call(t, e.OtherAccount, "get_nfc_challenge", map[string]any{}, &other))
		args["challenge_id"] = other.ChallengeID
		te = e.Call(t, e.Test, "verify_nfc", args, nil)
		require.NotNil(t, te)
		require.Equal(t, tools.CodeNotFound, te.Code)

		// Bounds, each naming its field.
		for _, tc := range []struct {
			args  map[string]any
			field string
		}{
			{map[string]any{"sod": base64.StdEncoding.EncodeToString(make([]byte, tools.MaxSODBytes+1)), "data_groups": map[string]any{}}, "sod"},
			{map[string]any{"sod": "AAAA", "data_groups": map[string]any{"2": base64.StdEncoding.EncodeToString(make([]byte, tools.MaxDataGroupBytes+1))}}, "data_groups.2"},
			{map[string]any{"sod": "AAAA", "data_groups": map[string]any{"0": "AAAA"}}, "data_groups.0"},
			{map[string]any{"sod": "AAAA", "data_groups": map[string]any{"1": "not base64!"}}, "data_groups.1"},
			{map[string]any{"sod": "AAAA", "data_groups": map[string]any{}, "aa_signature": "AAAA"}, "challenge_id"},
			{map[string]any{"sod": "AAAA", "data_groups": map[string]any{}, "verification_id": "ver_nope"}, "verification_id"},
		} {
			te := e.Call(t, e.Test, "verify_nfc", tc.args, nil)
			require.NotNil(t, te, tc.field)
			require.Contains(t, []tools.Code{tools.CodeInvalidArgument, tools.CodeNotFound}, te.Code, tc.field)
			require.Equal(t, tc.field, te.Field, te.Message)
		}
		te = e.Call(t, e.Test, "verify_nfc", map[string]any{"sod": base64.StdEncoding.EncodeToString(make([]byte, tools.MaxSODBytes+1)), "data_groups": map[string]any{}}, nil)
		require.Equal(t, 422, te.Code.HTTPStatus())

		// The trust store as list_csca shows it.
		var l tools.CSCAList
		require.Nil(t, e.Call(t, e.ReadOnly, "list_csca", map[string]any{}, &l))
		require.Equal(t, verify.TrustStoreDatabase, l.TrustStore)
		require.Equal(t, 1, l.Total)
		require.Equal(t, "UT", l.Certificates[0].Country)
		require.Equal(t, "utopia-csca.cer", l.Certificates[0].Source)
		require.Nil(t, e.Call(t, e.ReadOnly, "list_csca", map[string]any{"country": "DE"}, &l))
		require.Zero(t, l.Total)
	})
}

func hasNFCReason(s tools.NFCScan, code string) bool {
	for _, r := range s.Reasons {
		if r.Code == code {
			return true
		}
	}
	return false
}

func TestNFCCheck(t *testing.T) {
	t.Parallel()
	chip := newTestChip(t, false)
	dbtest.Each(t, func(t *testing.T, s *db.Store) {
		e, _ := nfcEnv(t, s, chip, verify.NFCConfig{})

		// The nfc check is opt-in: not among the defaults.
		var def tools.Verification
		require.Nil(t, e.Call(t, e.Test, "create_verification", map[string]any{}, &def))
		require.NotContains(t, def.Checks, "nfc")

		var v tools.Verification
		require.Nil(t, e.Call(t, e.Test, "create_verification", map[string]any{"checks": []string{"nfc"}}, &v))
		te := e.Call(t, e.Test, "submit_verification", map[string]any{"id": v.ID}, nil)
		require.NotNil(t, te)
		require.Equal(t, tools.CodeConflict, te.Code)
		require.Contains(t, te.Message, "nfc: an NFC read")

		// A standalone read, then attached with submit_nfc.
		var scan tools.NFCScan
		require.Nil(t, e.Call(t, e.Test, "verify_nfc", chip.args(nil), &scan))
		require.True(t, scan.ChipAuthentic)
		require.Nil(t, scan.VerificationID)
		te = e.Call(t, e.OtherAccount, "submit_nfc", map[string]any{"id": v.ID, "scan_id": scan.ID}, nil)
		require.Equal(t, tools.CodeNotFound, te.Code, "another account's verification")
		var sub tools.SubmitNFCResult
		require.Nil(t, e.Call(t, e.Test, "submit_nfc", map[string]any{"id": v.ID, "scan_id": scan.ID}, &sub))
		require.Equal(t, "in_progress", sub.Status)
		require.Equal(t, v.ID, *sub.Scan.VerificationID)
		var events []string
		for _, ev := range e.Events(t, e.Test, v.ID) {
			events = append(events, ev.Type)
			if ev.Type == verify.EventNFCCompleted {
				require.Equal(t, scan.ID, ev.Data["scan_id"])
				require.Equal(t, true, ev.Data["chip_authentic"])
			}
		}
		require.Contains(t, events, verify.EventNFCCompleted)
		require.Nil(t, e.Call(t, e.Test, "submit_verification", map[string]any{"id": v.ID}, nil))
		done := waitStatus(t, e, e.Test, v.ID, "approved", "needs_review", "rejected")
		require.Equal(t, "approved", done.Status, "%+v", done.Result)

		// A read bound to a verification through its challenge and verification_id; the
		// data group was tampered with: the check fails.
		var v2 tools.Verification
		require.Nil(t, e.Call(t, e.Test, "create_verification", map[string]any{"checks": []string{"nfc"}}, &v2))
		var ch tools.NFCChallenge
		require.Nil(t, e.Call(t, e.Test, "get_nfc_challenge", map[string]any{"verification_id": v2.ID}, &ch))
		require.Equal(t, v2.ID, *ch.VerificationID)
		nonce, _ := hex.DecodeString(ch.Challenge)
		tampered := append([]byte(nil), chip.dgs[2]...)
		tampered[len(tampered)-10] ^= 0xFF
		args := chip.args(map[int][]byte{2: tampered})
		args["challenge_id"] = ch.ChallengeID
		args["aa_signature"] = base64.StdEncoding.EncodeToString(chip.aa.SignAA(crypto.SHA256, nonce))
		te = e.Call(t, e.Test, "verify_nfc", args, nil)
		require.NotNil(t, te, "a bound challenge needs its verification")
		require.Equal(t, "challenge_id", te.Field)
		args["verification_id"] = v2.ID
		var forged tools.NFCScan
		require.Nil(t, e.Call(t, e.Test, "verify_nfc", args, &forged))
		require.False(t, forged.ChipAuthentic)
		require.Equal(t, "passed", forged.ActiveAuth.Status, "the chip is real; its DG2 was swapped")
		require.Equal(t, v2.ID, *forged.VerificationID)
		te = e.Call(t, e.Test, "submit_nfc", map[string]any{"id": v.ID, "scan_id": forged.ID}, nil)
		require.NotNil(t, te)
		require.Equal(t, tools.CodeConflict, te.Code)
		require.Nil(t, e.Call(t, e.Test, "submit_verification", map[string]any{"id": v2.ID}, nil))
		done = waitStatus(t, e, e.Test, v2.ID, "approved", "needs_review", "rejected")
		require.Equal(t, "rejected", done.Status)
		require.Equal(t, "nfc_dg_hash_mismatch", done.Result.Reasons[0].Code)

		// A DSC the trust store does not know: review, not fail.
		stranger := buildChip(t, "stranger", false) // its CSCA is in no trust store
		var v3 tools.Verification
		require.Nil(t, e.Call(t, e.Test, "create_verification", map[string]any{"checks": []string{"nfc"}}, &v3))
		a := stranger.args(nil)
		a["verification_id"] = v3.ID
		var unknown tools.NFCScan
		require.Nil(t, e.Call(t, e.Test, "verify_nfc", a, &unknown))
		require.False(t, unknown.DSCTrusted)
		require.True(t, unknown.DGHashesValid)
		require.Nil(t, e.Call(t, e.Test, "submit_verification", map[string]any{"id": v3.ID}, nil))
		done = waitStatus(t, e, e.Test, v3.ID, "approved", "needs_review", "rejected")
		require.Equal(t, "needs_review", done.Status)
		require.Equal(t, "nfc_dsc_not_trusted", done.Result.Reasons[0].Code)

		// Erasing the applicant clears the chip's personal data; the verdict stays.
		require.Nil(t, e.Call(t, e.Test, "delete_applicant", map[string]any{"id": v.ApplicantID}, nil))
		var erased tools.NFCScan
		require.Nil(t, e.Call(t, e.Test, "get_nfc_scan", map[string]any{"id": scan.ID}, &erased))
		require.Nil(t, erased.MRZ)
		require.Nil(t, erased.Face)
		require.True(t, erased.ChipAuthentic)
	})
}

func TestNFCJPEG2000Portrait(t *testing.T) {
	t.Parallel()
	chip := newTestChip(t, true)
	dbtest.Each(t, func(t *testing.T, s *db.Store) {
		// Without a converter: the read verifies and says why the portrait was not compared.
		e, _ := nfcEnv(t, s, chip, verify.NFCConfig{})
		var scan tools.NFCScan
		require.Nil(t, e.Call(t, e.Test, "verify_nfc", chip.args(nil), &scan))
		require.True(t, scan.ChipAuthentic)
		require.Equal(t, "JPEG2000", scan.Face.ImageType)
		require.Equal(t, "image/jp2", scan.Face.Stored)
		require.True(t, hasNFCReason(scan, verify.CodeFaceJPEG2000Unconverted))

		if o, err := verify.FindOpenJPEG(); err == nil {
			n, err := verify.NewNFC(s, verify.NFCConfig{JPEG2000: o}, nil)
			require.NoError(t, err)
			d := *e.Reg.Deps()
			d.NFC = n
			reg, err := tools.NewRegistry(&d, tools.All()...)
			require.NoError(t, err)
			raw := chip.args(nil)
			body, err := json.Marshal(raw)
			require.NoError(t, err)
			out, err := reg.Call(context.Background(), e.Test, "verify_nfc", body)
			require.NoError(t, err)
			conv := out.(tools.NFCScan)
			require.Equal(t, "image/jpeg", conv.Face.Stored)
			require.False(t, hasNFCReason(conv, verify.CodeFaceJPEG2000Unconverted))
		}
	})
}
