package tools_test

import (
	"encoding/base64"
	"math/rand/v2"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kycd/kycd/checks/address"
	"github.com/kycd/kycd/checks/address/synth"
	"github.com/kycd/kycd/db"
	"github.com/kycd/kycd/db/dbtest"
	"github.com/kycd/kycd/internal/tooltest"
	"github.com/kycd/kycd/jobs"
	"github.com/kycd/kycd/models"
	"github.com/kycd/kycd/tools"
	"github.com/kycd/kycd/verify"
)

func newAddressEnv(t *testing.T, s *db.Store) *tooltest.Env {
	t.Helper()
	if _, err := exec.LookPath("pdftotext"); err != nil {
		t.Skip("poppler-utils not installed (scripts/setup/address.sh)")
	}
	eng, err := address.NewEngine(address.Config{})
	require.NoError(t, err)
	svc := verify.NewAddress(s, eng, verify.AddressOptions{})
	return tooltest.New(t, s, map[models.Check]verify.CheckRunner{models.CheckProofOfAddress: svc.Runner()},
		func(_ *jobs.Options, d *tools.Deps) { d.Address = svc })
}

// addressPDF renders a text-layer utility bill for a GB applicant, dated issue.
func addressPDF(seed uint64, name string, addr synth.Addr, issue time.Time) string {
	r := rand.New(rand.NewPCG(seed, 1))
	p := synth.Compose(r, synth.Content{Layout: synth.LayoutUtility, Lang: "en", Country: "GB",
		Person: synth.Person{Declared: name, Printed: "Mr " + name}, Addr: addr, Issue: issue})
	return "data:application/pdf;base64," + base64.StdEncoding.EncodeToString(synth.WritePDF([]synth.PageContent{{Page: p}}))
}

func gbAddr(number, street, city, pc string) synth.Addr {
	return synth.Addr{Country: "GB", Printed: []string{number + " " + street, city, pc}, Line1: number + " " + street, City: city, PostalCode: pc}
}

func TestCheckAddress(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, s *db.Store) {
		e := newAddressEnv(t, s)
		now := s.Now()
		home := gbAddr("12", "High Street", "London", "SW4 7AB")
		doc := addressPDF(1, "John Smith", home, now.AddDate(0, 0, -10))
		declared := map[string]any{"line1": "12 High St", "city": "London", "postal_code": "sw47ab", "country": "GB"}

		var ok tools.AddressCheck
		te := e.Call(t, e.Test, "check_address", map[string]any{"wait_seconds": 30, "document": doc, "declared_name": "John Michael Smith",
			"declared_address": declared, "external_ref": "cust-9"}, &ok)
		require.Nil(t, te)
		require.True(t, strings.HasPrefix(ok.ID, "adr_"), ok.ID)
		require.Equal(t, "approved", ok.Status, "%+v", ok.Reasons)
		require.Equal(t, "utility_bill", ok.DocumentKind)
		require.True(t, ok.NameMatch.Matched)
		require.True(t, ok.AddressMatch.Matched)
		require.Equal(t, "SW4 7AB", ok.ExtractedAddress.PostalCode)
		require.Equal(t, now.AddDate(0, 0, -10).Format("2006-01-02"), ok.DocumentDate)
		require.True(t, ok.IsRecent)
		require.Equal(t, 90, ok.MaxAgeDays)

		// The same as a one-line address.
		var one tools.AddressCheck
		require.Nil(t, e.Call(t, e.Test, "check_address", map[string]any{"wait_seconds": 30, "document": doc, "declared_name": "Smith John",
			"declared_address": "12 High Street, London SW4 7AB, United Kingdom"}, &one))
		require.Equal(t, "approved", one.Status, "%+v", one.Reasons)

		// Another person's bill, another address, an old bill: rejected, never approved.
		var other tools.AddressCheck
		require.Nil(t, e.Call(t, e.Test, "check_address", map[string]any{"wait_seconds": 30, "document": addressPDF(2, "Maria Garcia", home, now.AddDate(0, 0, -5)),
			"declared_name": "John Smith", "declared_address": declared}, &other))
		require.Equal(t, "rejected", other.Status, "%+v", other.Reasons)
		require.Equal(t, "name_mismatch", other.Reasons[0].Code)
		var moved tools.AddressCheck
		require.Nil(t, e.Call(t, e.Test, "check_address", map[string]any{"wait_seconds": 30, "document": addressPDF(3, "John Smith", gbAddr("7", "Church Road", "Leeds", "LS6 2QT"), now.AddDate(0, 0, -5)),
			"declared_name": "John Smith", "declared_address": declared}, &moved))
		require.Equal(t, "rejected", moved.Status, "%+v", moved.Reasons)
		var old tools.AddressCheck
		require.Nil(t, e.Call(t, e.Test, "check_address", map[string]any{"wait_seconds": 30, "document": addressPDF(4, "John Smith", home, now.AddDate(0, 0, -200)),
			"declared_name": "John Smith", "declared_address": declared, "max_age_days": 90}, &old))
		require.Equal(t, "rejected", old.Status, "%+v", old.Reasons)
		require.False(t, old.IsRecent)

		// Read back, list, scoping.
		var got tools.AddressCheck
		require.Nil(t, e.Call(t, e.Test, "get_address_check", map[string]any{"id": ok.ID}, &got))
		require.Equal(t, ok.Status, got.Status)
		require.Equal(t, "SW4 7AB", got.Declared.PostalCode)
		te = e.Call(t, e.OtherAccount, "get_address_check", map[string]any{"id": ok.ID}, nil)
		require.NotNil(t, te)
		require.Equal(t, tools.CodeNotFound, te.Code)
		var list tools.AddressCheckList
		require.Nil(t, e.Call(t, e.Test, "list_address_checks", map[string]any{"status": []string{"rejected"}}, &list))
		require.Len(t, list.Data, 3)
		require.Nil(t, e.Call(t, e.Test, "list_address_checks", map[string]any{"external_ref": "cust-9"}, &list))
		require.Len(t, list.Data, 1)

		// The event names no one.
		evs, _, err := s.ListEvents(t.Context(), db.EventFilter{Scope: db.Scope{AccountID: "acct_a", Mode: models.ModeTest}, Types: []string{verify.EventAddressCheckCompleted}, Limit: 10})
		require.NoError(t, err)
		require.Len(t, evs, 5)
		require.NotContains(t, evs[0].Data, "Smith")
		require.NotContains(t, evs[0].Data, "SW4")
	})
}

func TestCheckAddressBadInput(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, s *db.Store) {
		e := newAddressEnv(t, s)
		doc := addressPDF(1, "John Smith", gbAddr("12", "High Street", "London", "SW4 7AB"), s.Now())
		good := map[string]any{"line1": "12 High St", "city": "London", "postal_code": "SW4 7AB", "country": "GB"}
		cases := []struct {
			args  map[string]any
			field string
		}{
			{map[string]any{"document": doc, "declared_name": " ", "declared_address": good}, "declared_name"},
			{map[string]any{"document": doc, "declared_name": "J S", "declared_address": map[string]any{"line1": "1 A St", "city": "X", "postal_code": "123", "country": "GB"}}, "declared_address.postal_code"},
			{map[string]any{"document": doc, "declared_name": "J S", "declared_address": map[string]any{"line1": "1 A St", "city": "Tokyo", "postal_code": "100-0001", "country": "JP"}}, "declared_address.country"},
			{map[string]any{"document": doc, "declared_name": "J S", "declared_address": map[string]any{"line1": "1 A St", "city": "X", "zip": "1", "country": "GB"}}, "declared_address"},
			{map[string]any{"document": doc, "declared_name": "J S", "declared_address": "Hauptstraße 5, 10115 Berlin"}, "declared_address"},
			{map[string]any{"document": doc, "declared_name": "J S", "declared_address": 42}, "declared_address"},
			{map[string]any{"document": "not base64!", "declared_name": "J S", "declared_address": good}, "document"},
			{map[string]any{"document": base64.StdEncoding.EncodeToString([]byte("hello, I am a text file")), "declared_name": "J S", "declared_address": good}, "document"},
			{map[string]any{"document": base64.StdEncoding.EncodeToString([]byte("%PDF-1.4\n1 0 obj garbage")), "declared_name": "J S", "declared_address": good}, "document"},
			{map[string]any{"document": base64.StdEncoding.EncodeToString(append([]byte("\x00\x00\x00\x18ftypheic"), make([]byte, 64)...)), "declared_name": "J S", "declared_address": good}, "document"},
			{map[string]any{"document": doc, "declared_name": "J S", "declared_address": good, "verification_id": "ver_nope"}, "verification_id"},
		}
		for i, c := range cases {
			te := e.Call(t, e.Test, "check_address", c.args, nil)
			require.NotNil(t, te, "case %d", i)
			require.Equal(t, c.field, te.Field, "case %d: %v", i, te)
			require.NotEqual(t, tools.CodeInternal, te.Code, "case %d: %v", i, te)
		}
	})
}

// A check attached to a verification is sealed with the verification's data key: erasing the
// applicant clears it and destroys the key, so a copy of the row taken before (a backup) can
// no longer be opened.
func TestAddressCheckShreddedWithApplicant(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, s *db.Store) {
		e := newAddressEnv(t, s)
		now := s.Now()
		home := gbAddr("12", "High Street", "London", "SW4 7AB")
		var v tools.Verification
		require.Nil(t, e.Call(t, e.Test, "create_verification", map[string]any{"checks": []string{"proof_of_address"},
			"applicant": map[string]any{"name": "John Smith", "country": "GB"}, "external_ref": "shred-adr"}, &v))
		var chk tools.AddressCheck
		require.Nil(t, e.Call(t, e.Test, "check_address", map[string]any{"wait_seconds": 30, "document": addressPDF(5, "John Smith", home, now.AddDate(0, 0, -3)),
			"declared_name": "John Smith", "declared_address": "12 High Street, London SW4 7AB", "verification_id": v.ID}, &chk))
		sc := db.Scope{AccountID: "acct_a", Mode: models.ModeTest}
		before, err := s.GetAddressCheck(t.Context(), sc, chk.ID)
		require.NoError(t, err)
		require.True(t, strings.HasPrefix(string(before.Input), "d1:"+v.ID+":"), "sealed with the verification's data key")
		require.True(t, strings.HasPrefix(string(before.Result), "d1:"+v.ID+":"))

		require.Nil(t, e.Call(t, e.Test, "delete_applicant", map[string]any{"external_ref": "shred-adr"}, nil))
		var in verify.AddressInput
		require.Error(t, s.Keyring().OpenJSON(before.Input, &in), "the backup copy cannot be opened after the erasure")
		var got tools.AddressCheck
		require.Nil(t, e.Call(t, e.Test, "get_address_check", map[string]any{"id": chk.ID}, &got))
		require.Empty(t, got.AddresseeName)
	})
}

// check_address answers at once with the check processing; the address.read job decides it,
// get_address_check waits for the decision, and address_check.completed fires once, then.
func TestCheckAddressJob(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, s *db.Store) {
		e := newAddressEnv(t, s)
		now := s.Now()
		home := gbAddr("12", "High Street", "London", "SW4 7AB")
		args := map[string]any{"document": addressPDF(7, "John Smith", home, now.AddDate(0, 0, -10)),
			"declared_name": "John Smith", "declared_address": "12 High Street, London SW4 7AB, GB"}
		var first tools.AddressCheck
		require.Nil(t, e.Call(t, e.Test, "check_address", args, &first))
		require.True(t, strings.HasPrefix(first.ID, "adr_"))
		require.Contains(t, []string{"processing", "approved"}, first.Status, "the job may already have run")
		if first.Status == "processing" {
			require.Empty(t, first.Reasons)
			require.False(t, first.Erased)
		}
		var got tools.AddressCheck
		require.Nil(t, e.Call(t, e.Test, "get_address_check", map[string]any{"id": first.ID, "wait_seconds": 60}, &got))
		require.Equal(t, "approved", got.Status, "%+v", got.Reasons)
		require.Equal(t, "SW4 7AB", got.ExtractedAddress.PostalCode)

		var list tools.AddressCheckList
		require.Nil(t, e.Call(t, e.Test, "list_address_checks", map[string]any{"status": []string{"processing"}}, &list))
		require.Empty(t, list.Data, "nothing left processing")
		row, err := s.GetAddressCheck(t.Context(), db.Scope{AccountID: "acct_a", Mode: models.ModeTest}, first.ID)
		require.NoError(t, err)
		require.NotNil(t, row.DecidedAt)
		doc, err := s.AddressCheckDocument(t.Context(), db.Scope{AccountID: "acct_a", Mode: models.ModeTest}, first.ID)
		require.NoError(t, err)
		require.Empty(t, doc, "the document is not kept once read")

		evs, _, err := s.ListEvents(t.Context(), db.EventFilter{Scope: db.Scope{AccountID: "acct_a", Mode: models.ModeTest}, Types: []string{verify.EventAddressCheckCompleted}, Limit: 10})
		require.NoError(t, err)
		require.Len(t, evs, 1)
		require.Contains(t, evs[0].Data, `"status":"approved"`)

		// A document the engine refuses once reading starts (a PDF poppler cannot open) goes
		// to a person with document_unreadable, rather than staying processing.
		bad := map[string]any{"wait_seconds": 60, "document": "data:application/pdf;base64," + base64.StdEncoding.EncodeToString([]byte("%PDF-1.4\n%\xe2\xe3\n1 0 obj << >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")),
			"declared_name": "John Smith", "declared_address": "12 High Street, London SW4 7AB, GB"}
		var unread tools.AddressCheck
		te := e.Call(t, e.Test, "check_address", bad, &unread)
		if te == nil { // refused in the call or decided by the job: either way, never approved
			require.Equal(t, "needs_review", unread.Status, "%+v", unread.Reasons)
			require.Equal(t, verify.ReasonDocumentUnreadable, unread.Reasons[0].Code)
		} else {
			require.Equal(t, "document", te.Field)
		}
	})
}

// A verification submitted while its proof of address is still processing is decided on
// the document: the pipeline reads it when the job has not.
func TestAddressCheckProcessingAtSubmission(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, s *db.Store) {
		e := newAddressEnv(t, s)
		now := s.Now()
		home := gbAddr("12", "High Street", "London", "SW4 7AB")
		var v tools.Verification
		require.Nil(t, e.Call(t, e.Test, "create_verification", map[string]any{"checks": []string{"proof_of_address"},
			"applicant": map[string]any{"name": "John Smith", "country": "GB"}}, &v))
		var chk tools.AddressCheck
		require.Nil(t, e.Call(t, e.Test, "check_address", map[string]any{"document": addressPDF(8, "John Smith", home, now.AddDate(0, 0, -3)),
			"declared_name": "John Smith", "declared_address": "12 High Street, London SW4 7AB", "verification_id": v.ID}, &chk))
		var done tools.Verification
		require.Nil(t, e.Call(t, e.Test, "submit_verification", map[string]any{"id": v.ID}, nil))
		require.Nil(t, e.Call(t, e.Test, "get_verification", map[string]any{"id": v.ID, "wait_seconds": 60}, &done))
		require.Equal(t, "approved", string(done.Status), "%+v", done)
		var got tools.AddressCheck
		require.Nil(t, e.Call(t, e.Test, "get_address_check", map[string]any{"id": chk.ID}, &got))
		require.Equal(t, "approved", got.Status)
		evs, _, err := s.ListEvents(t.Context(), db.EventFilter{Scope: db.Scope{AccountID: "acct_a", Mode: models.ModeTest}, Types: []string{verify.EventAddressCheckCompleted}, Limit: 10})
		require.NoError(t, err)
		require.Len(t, evs, 1, "decided once, by whichever read it first")
	})
}
