package tools_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kycd/kycd/db"
	"github.com/kycd/kycd/db/dbtest"
	"github.com/kycd/kycd/tools"
	"github.com/kycd/kycd/webhook"
)

// Dynamic registrations and metadata-document fetches are budgeted per client IP and in total,
// in the database (every process shares the budget), with a Retry-After that says when the
// oldest counted event leaves the window.
func TestOAuthRegistrationLimits(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, s *db.Store) {
		ctx := context.Background()
		clock := time.Now()
		s.SetClock(func() time.Time { return clock })
		e, o := oauthEnv(t, s)
		d := e.Reg.Deps()
		o.Limits = tools.RegistrationLimits{PerIP: 2, Global: 3, Window: time.Hour}
		body := []byte(`{"client_name":"x","redirect_uris":["https://app.example/cb"]}`)

		for range 2 {
			_, oerr := o.RegisterClient(ctx, d, body, "198.51.100.7")
			require.Nil(t, oerr)
		}
		clock = clock.Add(10 * time.Minute)
		_, oerr := o.RegisterClient(ctx, d, body, "198.51.100.7")
		require.NotNil(t, oerr)
		require.Equal(t, http.StatusTooManyRequests, oerr.Status)
		require.Equal(t, "temporarily_unavailable", oerr.Code)
		require.Contains(t, oerr.Description, "from your address")
		require.Equal(t, 50*60, oerr.RetryAfter) // the first registration leaves the window in 50 minutes
		// Refused attempts are not counted: another address still has the global budget's last one.
		_, oerr = o.RegisterClient(ctx, d, body, "198.51.100.8")
		require.Nil(t, oerr)
		_, oerr = o.RegisterClient(ctx, d, body, "198.51.100.9")
		require.NotNil(t, oerr)
		require.Equal(t, http.StatusTooManyRequests, oerr.Status)
		require.Contains(t, oerr.Description, "on this server")
		// An invalid registration is refused for what it is, before any budget.
		_, oerr = o.RegisterClient(ctx, d, []byte(`{"redirect_uris":[]}`), "198.51.100.9")
		require.Equal(t, "invalid_redirect_uri", oerr.Code)
		// IPv6 addresses are counted by their /64: a host cannot rotate through its prefix.
		clock = clock.Add(time.Hour)
		for _, ip := range []string{"2001:db8:1:2::1", "2001:db8:1:2::ffff"} {
			_, oerr = o.RegisterClient(ctx, d, body, ip)
			require.Nil(t, oerr, ip)
		}
		_, oerr = o.RegisterClient(ctx, d, body, "2001:db8:1:2:abcd::9")
		require.NotNil(t, oerr)
		require.Contains(t, oerr.Description, "from your address")
		// After the window, registrations are allowed again.
		clock = clock.Add(time.Hour)
		_, oerr = o.RegisterClient(ctx, d, body, "198.51.100.7")
		require.Nil(t, oerr)

		// Metadata documents: a fetch counts, a cached document does not; a budget of its own.
		var srvURL string
		fetches := 0
		srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			fetches++
			_ = json.NewEncoder(w).Encode(map[string]any{"client_id": srvURL + r.URL.Path, "client_name": "Hosted agent",
				"redirect_uris": []string{"https://agent.example/callback"}})
		}))
		defer srv.Close()
		srvURL = srv.URL
		o2 := &tools.OAuth{Mode: tools.OAuthBuiltin, PublicURL: oauthPublicURL, ClientMetadataDocuments: true,
			FetchPolicy: webhook.Policy{AllowPrivate: true}, FetchClient: srv.Client(),
			Limits: tools.RegistrationLimits{PerIP: 2, Global: 10, Window: time.Minute}}
		for i := range 2 {
			_, oerr := o2.ClientFrom(ctx, d, srv.URL+"/c"+strconv.Itoa(i)+".json", "203.0.113.5")
			require.Nil(t, oerr)
		}
		_, oerr = o2.ClientFrom(ctx, d, srv.URL+"/c0.json", "203.0.113.5") // cached: no fetch, no count
		require.Nil(t, oerr)
		require.Equal(t, 2, fetches)
		_, oerr = o2.ClientFrom(ctx, d, srv.URL+"/c9.json", "203.0.113.5")
		require.NotNil(t, oerr)
		require.Equal(t, http.StatusTooManyRequests, oerr.Status)
		require.Equal(t, 60, oerr.RetryAfter)
		require.Contains(t, oerr.Description, "metadata document fetches")
		require.Equal(t, 2, fetches) // refused before the fetch
		// The authorization request carries the requester's address to the budget.
		_, _, oerr = o2.CheckAuthorize(ctx, d, tools.AuthorizeRequest{ClientID: srv.URL + "/c8.json", IP: "203.0.113.5"})
		require.Equal(t, http.StatusTooManyRequests, oerr.Status)
		_, _, oerr = o2.CheckAuthorize(ctx, d, tools.AuthorizeRequest{ClientID: srv.URL + "/c8.json", IP: "203.0.113.6"})
		require.NotEqual(t, http.StatusTooManyRequests, oerr.Status) // fetched; the request itself is incomplete
		require.Equal(t, 3, fetches)
	})
}
