package rest_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kycd/kycd/db"
	"github.com/kycd/kycd/db/dbtest"
	"github.com/kycd/kycd/rest"
)

// TestDeleteApplicantOverREST: DELETE /applicants/{id} (reason in the query) answers 200 with
// the receipt, next to GET /applicants/lookup on the overlapping path.
func TestDeleteApplicantOverREST(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, s *db.Store) {
		e := newEnv(t, s, rest.Options{})
		r := e.do(t, "test", "POST", "/api/v1/verifications", map[string]any{"checks": []string{"screening"},
			"applicant": map[string]any{"name": "Ada Lovelace"}, "external_ref": "cust-erase"}, nil, true)
		require.Equal(t, 201, r.status, string(r.body))
		app := r.json(t)["applicant_id"].(string)

		r = e.do(t, "live", "DELETE", "/api/v1/applicants/"+app, nil, nil, true)
		require.Equal(t, 404, r.status, string(r.body))

		r = e.do(t, "test", "DELETE", "/api/v1/applicants/"+app+"?reason="+url.QueryEscape("erasure request"), nil, nil, true)
		require.Equal(t, 200, r.status, string(r.body))
		receipt := r.json(t)
		require.Equal(t, app, receipt["id"])
		require.NotEmpty(t, receipt["deleted_at"])
		require.Len(t, receipt["cancelled_verifications"], 1)
		require.EqualValues(t, 1, receipt["erased"].(map[string]any)["verifications"])

		r = e.do(t, "test", "GET", "/api/v1/applicants/lookup?id="+app, nil, nil, true)
		require.Equal(t, 200, r.status, string(r.body))
		got := r.json(t)
		require.NotEmpty(t, got["deleted_at"])
		require.Nil(t, got["data"])
		require.Nil(t, got["external_ref"])

		r = e.do(t, "test", "DELETE", "/api/v1/applicants/"+app, nil, nil, true)
		require.Equal(t, 409, r.status, string(r.body))
		code, field := r.errCode(t)
		require.Equal(t, "conflict", code)
		require.Equal(t, "id", field)

		r = e.do(t, "test", "POST", "/api/v1/applicants/lookup", nil, nil, false)
		require.Equal(t, 405, r.status, string(r.body))
	})
}

// TestDeleteApplicantByExternalRefOverREST: DELETE /applicants?external_ref=… erases by the
// integrator's reference alone (the tool's second route); the query names what is wrong.
func TestDeleteApplicantByExternalRefOverREST(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, s *db.Store) {
		e := newEnv(t, s, rest.Options{})
		r := e.do(t, "test", "POST", "/api/v1/verifications", map[string]any{"checks": []string{"screening"},
			"applicant": map[string]any{"name": "Ada Lovelace"}, "external_ref": "cust/ref 7"}, nil, true)
		require.Equal(t, 201, r.status, string(r.body))
		app := r.json(t)["applicant_id"].(string)

		for _, tc := range []struct{ query, field string }{
			{"", "id"},
			{"?external_ref=x&id=" + app, "external_ref"},
			{"?ref=cust", "ref"},
		} {
			r = e.do(t, "test", "DELETE", "/api/v1/applicants"+tc.query, nil, nil, true)
			require.Equal(t, 422, r.status, "%s: %s", tc.query, r.body)
			_, field := r.errCode(t)
			require.Equal(t, tc.field, field, tc.query)
		}
		r = e.do(t, "live", "DELETE", "/api/v1/applicants?external_ref="+url.QueryEscape("cust/ref 7"), nil, nil, true)
		require.Equal(t, 404, r.status, string(r.body))

		r = e.do(t, "test", "DELETE", "/api/v1/applicants?external_ref="+url.QueryEscape("cust/ref 7")+"&reason=request", nil, nil, true)
		require.Equal(t, 200, r.status, string(r.body))
		require.Equal(t, app, r.json(t)["id"])
		r = e.do(t, "test", "DELETE", "/api/v1/applicants?external_ref="+url.QueryEscape("cust/ref 7"), nil, nil, true)
		require.Equal(t, 404, r.status, "the reference is not kept: %s", r.body)

		// The listing stays on GET /applicants; the OpenAPI document has both routes.
		r = e.do(t, "test", "GET", "/api/v1/applicants", nil, nil, true)
		require.Equal(t, 200, r.status, string(r.body))
		res, err := http.Get(e.srv.URL + rest.SpecPath)
		require.NoError(t, err)
		defer res.Body.Close()
		var spec struct {
			Paths map[string]any `json:"paths"`
		}
		require.NoError(t, json.NewDecoder(res.Body).Decode(&spec))
		paths := spec.Paths
		require.Equal(t, "delete_applicant_by_query", paths["/api/v1/applicants"].(map[string]any)["delete"].(map[string]any)["operationId"])
		require.Equal(t, "delete_applicant", paths["/api/v1/applicants/{id}"].(map[string]any)["delete"].(map[string]any)["operationId"])
	})
}
