package flow_test

import (
	"bytes"
	"math/rand/v2"
	"mime/multipart"
	"net/http"
	"net/url"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kycd/kycd/checks/address"
	"github.com/kycd/kycd/checks/address/synth"
	"github.com/kycd/kycd/db/dbtest"
	"github.com/kycd/kycd/models"
	"github.com/kycd/kycd/rest/flow"
	"github.com/kycd/kycd/tools"
	"github.com/kycd/kycd/verify"
)

// postAddress sends the proof-of-address form with a document, as a browser does.
func (e *env) postAddress(t *testing.T, path, csrf string, fields map[string]string, doc []byte) resp {
	t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	require.NoError(t, mw.WriteField("csrf", csrf))
	for k, v := range fields {
		require.NoError(t, mw.WriteField(k, v))
	}
	fw, err := mw.CreateFormFile("document", "bill.pdf")
	require.NoError(t, err)
	_, _ = fw.Write(doc)
	require.NoError(t, mw.Close())
	req, err := http.NewRequest("POST", e.srv.URL+path, &b)
	require.NoError(t, err)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Origin", e.srv.URL)
	res, err := noRedirect.Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	var body bytes.Buffer
	_, _ = body.ReadFrom(res.Body)
	return resp{res.StatusCode, body.String(), res.Header}
}

// The proof-of-address step (#23): a verification asking for proof_of_address shows an upload
// step after the document; another person's bill is refused with the reason and may be
// replaced; the applicant's own bill moves on, and the check joins the verification.
func TestAddressStep(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("pdftotext"); err != nil {
		t.Skip("poppler-utils not installed")
	}
	s := dbtest.SQLite(t)
	eng, err := address.NewEngine(address.Config{})
	require.NoError(t, err)
	svc := verify.NewAddress(s, eng, verify.AddressOptions{})
	e := newEnv(t, s, flow.Options{}, engine{models.CheckProofOfAddress, svc.Runner(), func(d *tools.Deps) { d.Address = svc }})

	v := e.create(t, map[string]any{"checks": []string{"proof_of_address"}, "applicant": map[string]any{"name": "John Smith", "country": "GB"}})
	base := pathOf(t, v.HostedURL)
	intro := e.do(t, "GET", base, nil, nil)
	require.Contains(t, intro.body, "bill, bank statement or official letter")
	r := e.do(t, "POST", base+"/consent", url.Values{"csrf": {csrfOf(t, intro.body)}, "consent": {"yes"}}, nil)
	require.Equal(t, base+"/step/proof_of_address", r.hdr.Get("Location"))
	page := e.do(t, "GET", base+"/step/proof_of_address", nil, nil)
	require.Equal(t, http.StatusOK, page.code)
	require.Contains(t, page.body, `accept="application/pdf`)
	require.Contains(t, page.body, `value="John Smith"`, "the name is prefilled from the applicant data")
	csrf := csrfOf(t, page.body)

	now := s.Now()
	bill := func(seed uint64, printed string) []byte {
		rr := rand.New(rand.NewPCG(seed, 2))
		p := synth.Compose(rr, synth.Content{Layout: synth.LayoutBank, Lang: "en", Country: "GB", Person: synth.Person{Printed: printed},
			Addr: synth.Addr{Printed: []string{"12 High Street", "London", "SW4 7AB"}}, Issue: now.AddDate(0, 0, -7)})
		return synth.WritePDF([]synth.PageContent{{Page: p}})
	}
	fields := map[string]string{"name": "John Smith", "line1": "12 High St", "city": "London", "postal_code": "SW4 7AB", "country": "GB"}
	path := base + "/step/proof_of_address"

	missing := e.postAddress(t, path, csrf, map[string]string{"name": "John Smith", "country": "GB"}, bill(1, "Mr John Smith"))
	require.Equal(t, http.StatusUnprocessableEntity, missing.code)
	require.Contains(t, missing.body, "Enter your street, town and country.")

	someoneElse := e.postAddress(t, path, csrf, fields, bill(2, "Ms Maria Garcia"))
	require.Equal(t, http.StatusUnprocessableEntity, someoneElse.code)
	require.Contains(t, someoneElse.body, "addressed to someone else")

	garbage := e.postAddress(t, path, csrf, fields, []byte("not a document"))
	require.Equal(t, http.StatusUnprocessableEntity, garbage.code)
	require.Contains(t, garbage.body, "could not read this file")

	ok := e.postAddress(t, path, csrf, fields, bill(3, "Mr John Smith"))
	require.Equal(t, http.StatusSeeOther, ok.code, ok.body)
	require.Equal(t, base+"/step/confirm", ok.hdr.Get("Location"))

	// The latest check is the verification's evidence: submitting it now decides on it.
	var list tools.AddressCheckList
	require.Nil(t, e.Call(t, e.Test, "list_address_checks", map[string]any{"verification_id": v.ID}, &list))
	require.Len(t, list.Data, 2)
	require.NotEqual(t, "rejected", list.Data[0].Status)
	var sub tools.Verification
	require.Nil(t, e.Call(t, e.Test, "submit_verification", map[string]any{"id": v.ID}, &sub))
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) && !strings.Contains("approved needs_review rejected", string(sub.Status)) {
		time.Sleep(100 * time.Millisecond)
		require.Nil(t, e.Call(t, e.Test, "get_verification", map[string]any{"id": v.ID}, &sub))
	}
	require.Contains(t, []string{"approved", "needs_review"}, string(sub.Status))
	require.NotNil(t, sub.Result)
	found := false
	for _, c := range sub.Result.Checks {
		if c.Check == "proof_of_address" {
			found = true
			require.Equal(t, "pass", string(c.Outcome), "%+v", c)
			require.Equal(t, list.Data[0].ID, c.Details["address_check_id"])
		}
	}
	require.True(t, found, "the check is in the verification's result")
}

// A test-mode session's address step offers sample bills made out to what the applicant typed,
// read by the real check: "someone else's bill" is refused as such, the sample bill moves on.
// A live session shows no sample buttons, and a sample request there is an upload without a
// document (#27).
func TestAddressStepSampleBills(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("pdftotext"); err != nil {
		t.Skip("poppler-utils not installed")
	}
	s := dbtest.SQLite(t)
	eng, err := address.NewEngine(address.Config{})
	require.NoError(t, err)
	svc := verify.NewAddress(s, eng, verify.AddressOptions{})
	e := newEnv(t, s, flow.Options{}, engine{models.CheckProofOfAddress, svc.Runner(), func(d *tools.Deps) { d.Address = svc }})
	fields := map[string]string{"name": "Erika Mustermann", "line1": "Heidestraße 17", "city": "Köln", "postal_code": "51147", "country": "DE"}
	for _, live := range []bool{false, true} {
		caller := e.Test
		if live {
			caller = e.Live
		}
		var v tools.Verification
		require.Nil(t, e.Call(t, caller, "create_verification", map[string]any{"checks": []string{"proof_of_address"},
			"applicant": map[string]any{"name": "Erika Mustermann", "country": "DE"}}, &v))
		base := pathOf(t, v.HostedURL)
		intro := e.do(t, "GET", base, nil, nil)
		e.do(t, "POST", base+"/consent", url.Values{"csrf": {csrfOf(t, intro.body)}, "consent": {"yes"}}, nil)
		path := base + "/step/proof_of_address"
		page := e.do(t, "GET", path, nil, nil)
		require.Equal(t, !live, strings.Contains(page.body, `id="sample-bill"`), "sample buttons, live=%v", live)
		csrf := csrfOf(t, page.body)
		with := func(sample string) map[string]string {
			f := map[string]string{"sample": sample}
			for k, v := range fields {
				f[k] = v
			}
			return f
		}
		if live {
			r := e.postAddress(t, path, csrf, with("bill"), nil)
			require.Equal(t, http.StatusUnprocessableEntity, r.code, "never a sample for a live key")
			continue
		}
		other := e.postAddress(t, path, csrf, with("bill-other"), nil)
		require.Equal(t, http.StatusUnprocessableEntity, other.code)
		require.Contains(t, other.body, "addressed to someone else")
		own := e.postAddress(t, path, csrf, with("bill"), nil)
		require.Equal(t, http.StatusSeeOther, own.code, own.body)
		var list tools.AddressCheckList
		require.Nil(t, e.Call(t, e.Test, "list_address_checks", map[string]any{"verification_id": v.ID}, &list))
		require.Len(t, list.Data, 2)
		require.Equal(t, "approved", list.Data[0].Status, "%+v", list.Data[0].Reasons)
	}
}
