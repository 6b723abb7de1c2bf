package flow_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kycd/kycd/db/dbtest"
	"github.com/kycd/kycd/models"
	"github.com/kycd/kycd/rest/flow"
	"github.com/kycd/kycd/tools"
)

// Every hosted-flow request of the applicant records its signals (#28); the integrator sees
// them with get_verification, the applicant's pages do not.
func TestFlowRequestRecordsSignals(t *testing.T) {
	t.Parallel()
	e := newEnv(t, dbtest.SQLite(t), flow.Options{})
	v := e.create(t, map[string]any{"checks": []string{"screening"}, "applicant": map[string]any{"name": "Erika Mustermann", "country": "DE"}})
	base := pathOf(t, v.HostedURL)
	ua := "Mozilla/5.0 (Linux; Android 14; SAMSUNG SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/25.0 Chrome/121.0.0.0 Mobile Safari/537.36"
	// No trusted proxies: the X-Forwarded-For the client wrote is not believed.
	r := e.do(t, "GET", base, nil, map[string]string{"User-Agent": ua, "X-Forwarded-For": "203.0.113.5"})
	require.Equal(t, http.StatusOK, r.code, r.body)
	require.NotContains(t, r.body, "Samsung Internet", "the applicant's page does not show the signals")

	var got tools.Verification
	require.Nil(t, e.Call(t, e.Test, "get_verification", map[string]any{"id": v.ID}, &got))
	require.NotNil(t, got.Signals)
	require.Equal(t, "127.0.0.1", got.Signals.IP)
	require.Equal(t, models.SignalUserAgent{Browser: "Samsung Internet 25", OS: "Android 14", Device: "mobile"}, got.Signals.UserAgent)
	require.NotEmpty(t, got.Signals.Lookup, "without GeoIP databases the result says what is absent")
	require.Equal(t, "127.0.0.1", got.Signals.First.IP)
	require.Empty(t, got.Signals.Reasons)

	// A later request (a status poll) with another browser becomes the latest.
	r = e.do(t, "GET", base+"/status", nil, map[string]string{"User-Agent": "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:127.0) Gecko/20100101 Firefox/127.0"})
	require.Equal(t, http.StatusOK, r.code, r.body)
	require.Nil(t, e.Call(t, e.Test, "get_verification", map[string]any{"id": v.ID}, &got))
	require.Equal(t, "Firefox 127", got.Signals.UserAgent.Browser)
	require.Equal(t, "Samsung Internet 25", got.Signals.First.UserAgent.Browser)
}
