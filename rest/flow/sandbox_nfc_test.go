package flow_test

import (
	"encoding/base64"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kycd/kycd/checks/nfc/nfctest"
	"github.com/kycd/kycd/db/dbtest"
	"github.com/kycd/kycd/models"
	"github.com/kycd/kycd/rest/flow"
	"github.com/kycd/kycd/tools"
	"github.com/kycd/kycd/verify"
)

// The chip step of a test-mode session offers a sample chip and a tampered one (#27): both are
// read by the real passive authentication. The sample's DSC chains to the sandbox CSCA, which
// only test mode trusts, so it is authentic and the nfc check passes; the tampered one's DG1
// no longer hashes to the SOD, so the check fails. A live key's session has neither button and
// gets 404, and the same sample read with a live key is not trusted.
func TestSampleChip(t *testing.T) {
	t.Parallel()
	s := dbtest.SQLite(t)
	n, err := verify.NewNFC(s, verify.NFCConfig{}, nil)
	require.NoError(t, err)
	e := newEnv(t, s, flow.Options{}, engine{models.CheckNFC, n.Runner(), func(d *tools.Deps) { d.NFC = n }})

	open := func(t *testing.T, caller tools.Caller) (v tools.Verification, base, csrf, page string) {
		require.Nil(t, e.Call(t, caller, "create_verification", map[string]any{"checks": []string{"nfc"},
			"applicant": map[string]any{"name": "Erika Mustermann", "dob": "1964-08-12", "country": "DE"}}, &v))
		base = pathOf(t, v.HostedURL)
		intro := e.do(t, "GET", base, nil, nil)
		csrf = csrfOf(t, intro.body)
		e.do(t, "POST", base+"/consent", url.Values{"csrf": {csrf}, "consent": {"yes"}}, nil)
		p := e.do(t, "GET", base+"/step/nfc", nil, nil)
		require.Equal(t, http.StatusOK, p.code)
		return v, base, csrf, p.body
	}
	for _, c := range []struct {
		sample    string
		authentic bool
		outcome   models.Outcome
		decision  models.Status
		reason    *regexp.Regexp
	}{
		{"chip", true, models.OutcomePass, models.StatusApproved, nil},
		{"chip-tampered", false, models.OutcomeFail, models.StatusRejected, regexp.MustCompile(`^nfc_dg_hash`)},
	} {
		t.Run(c.sample, func(t *testing.T) {
			v, base, csrf, page := open(t, e.Test)
			require.Contains(t, page, `id="sample-chip"`)
			r := e.do(t, "POST", base+"/nfc-sample", url.Values{"csrf": {csrf}, "sample": {c.sample}}, nil)
			require.Equal(t, http.StatusSeeOther, r.code, r.body)
			require.Equal(t, base+"/step/confirm", r.hdr.Get("Location"), "the read is attached: the flow moves on")
			var scans tools.NFCScanList
			require.Nil(t, e.Call(t, e.Test, "list_nfc_scans", map[string]any{"verification_id": v.ID}, &scans))
			require.Len(t, scans.Data, 1)
			scan := scans.Data[0]
			require.Equal(t, c.authentic, scan.ChipAuthentic, "%+v", scan.Reasons)
			require.True(t, scan.SODSignatureValid, "the SOD is signed by the sandbox DSC either way")
			require.True(t, scan.DSCTrusted, "the sandbox CSCA is trusted in test mode")
			require.Equal(t, c.authentic, scan.DGHashesValid)
			require.Equal(t, verify.TrustStoreSandbox, scan.TrustStore)
			if c.authentic {
				require.NotNil(t, scan.MRZ)
				require.Equal(t, "MUSTERMANN", scan.MRZ.Surname, "the chip carries the applicant's MRZ")
			} else {
				require.Nil(t, scan.MRZ, "a DG1 that does not hash to the SOD is not read")
			}

			sub := e.do(t, "POST", base+"/submit", url.Values{"csrf": {csrf}}, nil)
			require.Equal(t, http.StatusSeeOther, sub.code, sub.body)
			e.waitFinal(t, base)
			var got tools.Verification
			require.Nil(t, e.Call(t, e.Test, "get_verification", map[string]any{"id": v.ID}, &got))
			require.Equal(t, c.decision, got.Result.Decision, "%+v", got.Result.Reasons)
			require.Len(t, got.Result.Checks, 1)
			require.Equal(t, c.outcome, got.Result.Checks[0].Outcome, "%+v", got.Result.Checks[0].Reasons)
			if c.reason != nil {
				var codes []string
				for _, r := range got.Result.Checks[0].Reasons {
					codes = append(codes, r.Code)
				}
				require.True(t, strings.Contains(strings.Join(codes, " "), "nfc_dg_hash"), "%v", codes)
			}
		})
	}
	t.Run("live key", func(t *testing.T) {
		_, base, csrf, page := open(t, e.Live)
		require.NotContains(t, page, `id="sample-chip"`)
		r := e.do(t, "POST", base+"/nfc-sample", url.Values{"csrf": {csrf}, "sample": {"chip"}}, nil)
		require.Equal(t, http.StatusNotFound, r.code)

		// The same chip sent by a live key's app: the sandbox CSCA is not trusted there.
		sod, dgs, err := verify.SandboxChip(nfctest.SpecimenMRZ, nfctest.FaceJPEG(), nfctest.FaceWidth, nfctest.FaceHeight, false)
		require.NoError(t, err)
		args := map[string]any{"sod": base64.StdEncoding.EncodeToString(sod), "data_groups": map[string]any{
			"1": base64.StdEncoding.EncodeToString(dgs[1]), "2": base64.StdEncoding.EncodeToString(dgs[2])}}
		for _, k := range []struct {
			caller  tools.Caller
			trusted bool
		}{{e.Live, false}, {e.Test, true}} {
			var scan tools.NFCScan
			require.Nil(t, e.Call(t, k.caller, "verify_nfc", args, &scan))
			require.Equal(t, k.trusted, scan.DSCTrusted, "%s", k.caller.Mode)
			require.Equal(t, k.trusted, scan.ChipAuthentic, "%s", k.caller.Mode)
			require.True(t, scan.SODSignatureValid && scan.DGHashesValid, "only the trust differs")
		}
	})
}
