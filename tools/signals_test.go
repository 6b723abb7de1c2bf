package tools_test

import (
	"context"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kycd/kycd/checks/signals"
	"github.com/kycd/kycd/checks/signals/signalstest"
	"github.com/kycd/kycd/db"
	"github.com/kycd/kycd/db/dbtest"
	"github.com/kycd/kycd/internal/tooltest"
	"github.com/kycd/kycd/jobs"
	"github.com/kycd/kycd/models"
	"github.com/kycd/kycd/tools"
)

const iPhoneUA = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"

// signalEnv is a registry behind a trusted proxy at 10.0.0.0/8 with the test GeoIP databases.
func signalEnv(t *testing.T, s *db.Store) *tooltest.Env {
	t.Helper()
	proxies, err := signals.ParseProxies("10.0.0.0/8")
	require.NoError(t, err)
	country, asn := signalstest.MMDB(t)
	geo, err := signals.OpenGeo(country, asn)
	require.NoError(t, err)
	t.Cleanup(func() { geo.Close() })
	return tooltest.New(t, s, engines(), func(_ *jobs.Options, d *tools.Deps) {
		d.Signals = &tools.SignalSource{Proxies: proxies, Geo: geo}
	})
}

// sessionRequest records a request of v's applicant, made from client through the proxy.
func sessionRequest(t *testing.T, e *tooltest.Env, v tools.Verification, client, ua string) {
	t.Helper()
	ctx := context.Background()
	c, err := tools.AuthenticateSession(ctx, e.Reg.Deps(), sessionToken(t, v))
	require.NoError(t, err)
	r := httptest.NewRequest("GET", "/verify/x", nil)
	r.RemoteAddr = "10.0.0.2:41000"
	r.Header.Set("X-Forwarded-For", "6.6.6.6, "+client) // the left entry is the client's own claim
	r.Header.Set("User-Agent", ua)
	require.NoError(t, tools.RecordSessionSignals(ctx, e.Reg.Deps(), c, r))
}

func signalCodes(rs []models.Reason) []string {
	out := []string{}
	for _, r := range rs {
		out = append(out, r.Code)
	}
	return out
}

func TestSignalsRecordedAndShown(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, s *db.Store) {
		e := signalEnv(t, s)
		var v tools.Verification
		require.Nil(t, e.Call(t, e.Test, "create_verification", map[string]any{"checks": []string{"screening"},
			"applicant": map[string]any{"name": "Ana Silva", "country": "FR"}, "external_ref": "cust-sig"}, &v))
		require.Nil(t, v.Signals, "no request yet")

		sessionRequest(t, e, v, "203.0.113.5", iPhoneUA) // US, AWS
		var got tools.Verification
		require.Nil(t, e.Call(t, e.Test, "get_verification", map[string]any{"id": v.ID}, &got))
		require.NotNil(t, got.Signals)
		sig := got.Signals
		require.Equal(t, "203.0.113.5", sig.IP)
		require.Equal(t, "US", sig.Country)
		require.EqualValues(t, 16509, sig.ASN)
		require.Equal(t, "AMAZON-02", sig.ASOrg)
		require.True(t, sig.Hosting)
		require.Equal(t, models.SignalUserAgent{Browser: "Safari 17", OS: "iOS 17", Device: "mobile"}, sig.UserAgent)
		require.Empty(t, sig.Lookup)
		require.NotNil(t, sig.First)
		require.Equal(t, "203.0.113.5", sig.First.IP)
		require.ElementsMatch(t, []string{models.ReasonIPCountryMismatch, models.ReasonHostingASN}, signalCodes(sig.Reasons))

		// A later request from elsewhere is the latest; the first stays.
		sessionRequest(t, e, v, "2001:db8::77", "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:127.0) Gecko/20100101 Firefox/127.0")
		require.Nil(t, e.Call(t, e.Test, "get_verification", map[string]any{"id": v.ID}, &got))
		require.Equal(t, "2001:db8::77", got.Signals.IP)
		require.Equal(t, "FR", got.Signals.Country)
		require.False(t, got.Signals.Hosting)
		require.Equal(t, "desktop", got.Signals.UserAgent.Device)
		require.Equal(t, "203.0.113.5", got.Signals.First.IP)

		// The reasons are on the timeline once.
		flagged := 0
		for _, ev := range e.Events(t, e.Test, v.ID) {
			if ev.Type == "verification.signals_flagged" {
				flagged++
				require.NotContains(t, ev.Data, "ip", "the timeline names reasons, not the IP")
			}
		}
		require.Equal(t, 1, flagged)

		// The applicant's own read does not show the fraud signals.
		c, err := tools.AuthenticateSession(context.Background(), e.Reg.Deps(), sessionToken(t, v))
		require.NoError(t, err)
		var mine tools.Verification
		require.Nil(t, e.Call(t, c, "get_verification", map[string]any{"id": v.ID}, &mine))
		require.Nil(t, mine.Signals)

		// Sealed at rest: the IP is not in the row in clear.
		row, err := e.Store.GetVerification(context.Background(), db0(e.Test), v.ID)
		require.NoError(t, err)
		require.NotContains(t, string(row.SignalsLatest), "2001:db8::77")
		require.NotContains(t, string(row.SignalsFirst), "203.0.113.5")

		// delete_applicant erases them.
		require.Nil(t, e.Call(t, e.Test, "delete_applicant", map[string]any{"id": v.ApplicantID}, nil))
		require.Nil(t, e.Call(t, e.Test, "get_verification", map[string]any{"id": v.ID}, &got))
		require.Nil(t, got.Signals)
		n, err := e.Store.DB.NewSelect().TableExpr("signal_ips").Where("verification_id = ?", v.ID).Count(context.Background())
		require.NoError(t, err)
		require.Zero(t, n, "the IP hashes went with the applicant")
		sessionRequest(t, e, v, "203.0.113.5", iPhoneUA) // the grace period still authenticates; nothing is recorded
		require.Nil(t, e.Call(t, e.Test, "get_verification", map[string]any{"id": v.ID}, &got))
		require.Nil(t, got.Signals)
	})
}

func TestSignalsIPVelocity(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, s *db.Store) {
		e := signalEnv(t, s)
		create := func(c tools.Caller) tools.Verification {
			var v tools.Verification
			require.Nil(t, e.Call(t, c, "create_verification", map[string]any{"checks": []string{"screening"}}, &v))
			return v
		}
		codes := func(c tools.Caller, v tools.Verification) []string {
			var got tools.Verification
			require.Nil(t, e.Call(t, c, "get_verification", map[string]any{"id": v.ID}, &got))
			require.NotNil(t, got.Signals)
			return signalCodes(got.Signals.Reasons)
		}
		// Another account's verifications from the same IP do not count.
		other := create(e.OtherAccount)
		sessionRequest(t, e, other, "198.51.100.9", iPhoneUA)
		var vs []tools.Verification
		for i := 0; i < 6; i++ {
			v := create(e.Test)
			sessionRequest(t, e, v, "198.51.100.9", iPhoneUA)
			sessionRequest(t, e, v, "198.51.100.9", iPhoneUA) // a repeat is one verification
			vs = append(vs, v)
		}
		for _, v := range vs[:5] {
			require.NotContains(t, codes(e.Test, v), models.ReasonIPVelocity)
		}
		require.Contains(t, codes(e.Test, vs[5]), models.ReasonIPVelocity, "the 6th verification from one IP within an hour")
		require.NotContains(t, codes(e.OtherAccount, other), models.ReasonIPVelocity)
		// The IP is counted by a keyed hash, never in clear.
		n, err := e.Store.DB.NewSelect().TableExpr("signal_ips").Where("ip_hash = ?", "198.51.100.9").Count(context.Background())
		require.NoError(t, err)
		require.Zero(t, n)
	})
}

func TestSignalsWithoutGeoIP(t *testing.T) {
	t.Parallel()
	e := tooltest.New(t, dbtest.SQLite(t), engines()) // no Signals: the peer is the client, no databases
	var v tools.Verification
	require.Nil(t, e.Call(t, e.Test, "create_verification", map[string]any{"checks": []string{"screening"}, "applicant": map[string]any{"country": "FR"}}, &v))
	c, err := tools.AuthenticateSession(context.Background(), e.Reg.Deps(), sessionToken(t, v))
	require.NoError(t, err)
	r := httptest.NewRequest("GET", "/verify/x", nil)
	r.RemoteAddr = "[2001:db8::5]:443"
	r.Header.Set("X-Forwarded-For", "203.0.113.5") // not from a trusted proxy: ignored
	require.NoError(t, tools.RecordSessionSignals(context.Background(), e.Reg.Deps(), c, r))
	var got tools.Verification
	require.Nil(t, e.Call(t, e.Test, "get_verification", map[string]any{"id": v.ID}, &got))
	require.Equal(t, "2001:db8::5", got.Signals.IP)
	require.Empty(t, got.Signals.Country)
	require.Zero(t, got.Signals.ASN)
	require.Contains(t, got.Signals.Lookup, "no country or ASN database configured")
	require.Empty(t, got.Signals.Reasons)
}

func db0(c tools.Caller) db.Scope { return db.Scope{AccountID: c.AccountID, Mode: c.Mode} }
