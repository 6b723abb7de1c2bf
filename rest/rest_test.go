package rest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"
	"github.com/stretchr/testify/require"

	"github.com/kycd/kycd/db"
	"github.com/kycd/kycd/db/dbtest"
	"github.com/kycd/kycd/internal/tooltest"
	"github.com/kycd/kycd/models"
	"github.com/kycd/kycd/rest"
	"github.com/kycd/kycd/tools"
	"github.com/kycd/kycd/verify"
)

func engines() map[models.Check]verify.CheckRunner {
	return map[models.Check]verify.CheckRunner{
		models.CheckScreening: tooltest.Check{Outcome: models.OutcomePass},
		models.CheckDocument:  tooltest.Check{Outcome: models.OutcomeReview},
	}
}

// loadSpec parses and validates the served OpenAPI document with kin-openapi.
func loadSpec(t *testing.T, raw []byte) (*openapi3.T, routers.Router) {
	t.Helper()
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(raw)
	require.NoError(t, err)
	require.Equal(t, "3.1.0", doc.OpenAPI)
	require.NoError(t, doc.Validate(context.Background(), openapi3.EnableExamplesValidation()))
	require.NotEmpty(t, doc.Servers)
	doc.Servers = nil // route on paths alone: the test server's URL is not the document's
	router, err := legacy.NewRouter(doc)
	require.NoError(t, err)
	return doc, router
}

// env is a REST server over a real store, with a client that checks every exchange
// against the OpenAPI document.
type env struct {
	*tooltest.Env
	srv    *httptest.Server
	router routers.Router
	keys   map[string]string // name → secret
}

func newEnv(t *testing.T, s *db.Store, opts rest.Options) *env {
	t.Helper()
	te := tooltest.New(t, s, engines())
	te.Reg.SetRateLimiter(tools.NewRateLimiter(1000, 1))
	opts.WaitInterval = 50 * time.Millisecond
	h, err := rest.New(te.Reg, opts)
	require.NoError(t, err)
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	_, router := loadSpec(t, h.SpecJSON())
	e := &env{Env: te, srv: srv, router: router, keys: map[string]string{}}
	for name, k := range map[string]db.NewKey{
		"test":     {AccountID: "acct_a", Name: "t", Mode: models.ModeTest, Scopes: mustScopes(t, "")},
		"live":     {AccountID: "acct_a", Name: "l", Mode: models.ModeLive, Scopes: mustScopes(t, "")},
		"readonly": {AccountID: "acct_a", Name: "r", Mode: models.ModeTest, Scopes: mustScopes(t, "verifications:read")},
		"slow":     {AccountID: "acct_a", Name: "s", Mode: models.ModeTest, Scopes: mustScopes(t, ""), RateLimit: 3},
	} {
		secret, _, err := s.CreateAPIKey(context.Background(), k)
		require.NoError(t, err)
		e.keys[name] = secret
	}
	return e
}

func mustScopes(t *testing.T, s string) []string {
	sc, err := tools.ParseScopes(s)
	require.NoError(t, err)
	return sc
}

type resp struct {
	status int
	header http.Header
	body   []byte
}

func (r resp) json(t *testing.T) map[string]any {
	t.Helper()
	var v map[string]any
	require.NoError(t, json.Unmarshal(r.body, &v), string(r.body))
	return v
}

func (r resp) errCode(t *testing.T) (string, string) {
	t.Helper()
	e, ok := r.json(t)["error"].(map[string]any)
	require.True(t, ok, "not an error body: %s", r.body)
	field, _ := e["field"].(string)
	return e["code"].(string), field
}

// do sends a request and validates the response against the spec (and the request too
// when validReq says it is a valid one).
func (e *env) do(t *testing.T, key, method, path string, body any, hdr map[string]string, validReq bool) resp {
	t.Helper()
	var rd io.Reader
	var raw []byte
	switch b := body.(type) {
	case nil:
	case string:
		raw = []byte(b)
	case []byte:
		raw = b
	default:
		raw, _ = json.Marshal(b)
	}
	if raw != nil {
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, e.srv.URL+path, rd)
	require.NoError(t, err)
	if raw != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+e.keys[key])
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	out, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	r := resp{status: res.StatusCode, header: res.Header, body: out}
	require.Equal(t, "application/json", res.Header.Get("Content-Type"), "%s %s", method, path)

	// Validate against the OpenAPI document, as a client generated from it would see it.
	vreq, _ := http.NewRequest(method, "http://localhost"+path, bytes.NewReader(raw))
	vreq.Header = req.Header.Clone()
	route, params, err := e.router.FindRoute(vreq)
	if err != nil {
		require.True(t, res.StatusCode == 404 || res.StatusCode == 405, "route %s %s not in the spec: %v", method, path, err)
		return r
	}
	in := &openapi3filter.RequestValidationInput{Request: vreq, PathParams: params, Route: route,
		Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc}}
	if validReq {
		require.NoError(t, openapi3filter.ValidateRequest(context.Background(), in), "request %s %s", method, path)
	}
	err = openapi3filter.ValidateResponse(context.Background(), &openapi3filter.ResponseValidationInput{
		RequestValidationInput: in, Status: res.StatusCode, Header: res.Header, Body: io.NopCloser(bytes.NewReader(out)),
		Options: &openapi3filter.Options{IncludeResponseStatus: true},
	})
	require.NoError(t, err, "response to %s %s (%d): %s", method, path, res.StatusCode, out)
	return r
}

func TestVerificationsOverREST(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, s *db.Store) {
		e := newEnv(t, s, rest.Options{})
		create := map[string]any{"checks": []string{"screening"}, "applicant": map[string]any{"name": "Ada Lovelace", "country": "GB"}, "external_ref": "cust-1"}

		r := e.do(t, "test", "POST", "/api/v1/verifications", create, nil, true)
		require.Equal(t, 201, r.status, string(r.body))
		v := r.json(t)
		id := v["id"].(string)
		require.Equal(t, "pending", v["status"])
		for _, h := range []string{"X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset"} {
			_, err := strconv.Atoi(r.header.Get(h))
			require.NoError(t, err, h)
		}

		r = e.do(t, "test", "GET", "/api/v1/verifications/"+id, nil, nil, true)
		require.Equal(t, 200, r.status)
		require.Equal(t, id, r.json(t)["id"])

		// Another mode does not see it: 404, not 403.
		r = e.do(t, "live", "GET", "/api/v1/verifications/"+id, nil, nil, true)
		require.Equal(t, 404, r.status)
		code, field := r.errCode(t)
		require.Equal(t, "not_found", code)
		require.Equal(t, "id", field)

		// List with filters and paging from the query string.
		for range 2 {
			require.Equal(t, 201, e.do(t, "test", "POST", "/api/v1/verifications", map[string]any{"checks": []string{"screening"}}, nil, true).status)
		}
		r = e.do(t, "test", "GET", "/api/v1/verifications?status=pending&status=approved&limit=2", nil, nil, true)
		require.Equal(t, 200, r.status)
		page := r.json(t)
		require.Len(t, page["data"], 2)
		require.Equal(t, true, page["has_more"])
		cursor := page["next_cursor"].(string)
		r = e.do(t, "test", "GET", "/api/v1/verifications?limit=2&cursor="+cursor, nil, nil, true)
		require.Len(t, r.json(t)["data"], 1)
		// Comma-separated lists are accepted too (an extension the document does not describe).
		r = e.do(t, "test", "GET", "/api/v1/verifications?external_ref=cust-1&status=pending,cancelled", nil, nil, false)
		require.Len(t, r.json(t)["data"], 1)

		// Query strings are typed by the schema and checked like any input.
		for _, q := range []struct{ query, field string }{
			{"limit=abc", "limit"}, {"limit=0", "limit"}, {"status=nope", "status[]"}, {"colour=red", "colour"},
			{"created_after=yesterday", "created_after"}, {"limit=1&limit=2", "limit"},
		} {
			r = e.do(t, "test", "GET", "/api/v1/verifications?"+q.query, nil, nil, false)
			require.Equal(t, 422, r.status, q.query)
			_, field := r.errCode(t)
			require.Equal(t, q.field, field, q.query)
		}

		// Events, cancel, then cancelling again is a state conflict.
		r = e.do(t, "test", "GET", "/api/v1/verifications/"+id+"/events", nil, nil, true)
		require.Equal(t, 200, r.status)
		require.NotEmpty(t, r.json(t)["data"])
		r = e.do(t, "test", "POST", "/api/v1/verifications/"+id+"/cancel", map[string]any{"reason": "customer left"}, nil, true)
		require.Equal(t, 200, r.status, string(r.body))
		require.Equal(t, "cancelled", r.json(t)["status"])
		r = e.do(t, "test", "POST", "/api/v1/verifications/"+id+"/cancel", nil, nil, true)
		require.Equal(t, 409, r.status)

		// A path field repeated in the body is refused.
		r = e.do(t, "test", "POST", "/api/v1/verifications/"+id+"/cancel", map[string]any{"id": "ver_other"}, nil, false)
		require.Equal(t, 422, r.status)

		// wait_seconds from the query: a final verification answers at once.
		r = e.do(t, "test", "GET", "/api/v1/verifications/"+id+"?wait_seconds=30", nil, nil, true)
		require.Equal(t, "cancelled", r.json(t)["status"])

		// Applicants.
		r = e.do(t, "test", "GET", "/api/v1/applicants/lookup?external_ref=cust-1", nil, nil, true)
		require.Equal(t, 200, r.status, string(r.body))
		r = e.do(t, "test", "GET", "/api/v1/applicants?limit=5", nil, nil, true)
		require.Equal(t, 200, r.status)
	})
}

func TestRESTErrors(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, s *db.Store) {
		e := newEnv(t, s, rest.Options{BodyLimit: 4096})
		ok := map[string]any{"checks": []string{"screening"}}
		cases := []struct {
			name        string
			key, method string
			path        string
			body        any
			hdr         map[string]string
			status      int
			code, field string
		}{
			{"no key", "", "POST", "/api/v1/verifications", ok, nil, 401, "unauthenticated", ""},
			{"scope", "readonly", "POST", "/api/v1/verifications", ok, nil, 403, "permission_denied", ""},
			{"malformed", "test", "POST", "/api/v1/verifications", `{"checks": [`, nil, 400, "malformed", ""},
			{"not an object", "test", "POST", "/api/v1/verifications", `[1,2]`, nil, 400, "malformed", ""},
			{"null body", "test", "POST", "/api/v1/verifications", `null`, nil, 400, "malformed", ""},
			{"trailing junk", "test", "POST", "/api/v1/verifications", `{"checks":["screening"]} x`, nil, 400, "malformed", ""},
			{"trailing junk with a path id", "test", "POST", "/api/v1/verifications/ver_00000000000000000000000000/cancel", `{} {}`, nil, 400, "malformed", ""},
			{"invalid UTF-8", "test", "POST", "/api/v1/verifications", "{\"external_ref\":\"a\xff\"}", nil, 400, "malformed", ""},
			{"NUL in a field", "test", "POST", "/api/v1/verifications", `{"checks":["screening"],"external_ref":"a\u0000"}`, nil, 422, "invalid_argument", "external_ref"},
			{"not json", "test", "POST", "/api/v1/verifications", `{}`, map[string]string{"Content-Type": "text/plain"}, 415, "unsupported_media_type", ""},
			{"too large", "test", "POST", "/api/v1/verifications", `{"metadata":{"x":"` + strings.Repeat("a", 5000) + `"}}`, nil, 413, "too_large", ""},
			{"invalid field", "test", "POST", "/api/v1/verifications", map[string]any{"applicant": map[string]any{"email": "nope"}}, nil, 422, "invalid_argument", "applicant.email"},
			{"unknown field", "test", "POST", "/api/v1/verifications", map[string]any{"colour": "red"}, nil, 422, "invalid_argument", "colour"},
			{"schema type", "test", "POST", "/api/v1/verifications", map[string]any{"expires_in": "soon"}, nil, 422, "invalid_argument", "expires_in"},
			{"query on POST", "test", "POST", "/api/v1/verifications?checks=screening", ok, nil, 422, "invalid_argument", "checks"},
			{"bad id", "test", "GET", "/api/v1/verifications/nope", nil, nil, 422, "invalid_argument", "id"},
			{"unknown id", "test", "GET", "/api/v1/verifications/ver_00000000000000000000000000", nil, nil, 404, "not_found", "id"},
			{"no route", "test", "GET", "/api/v1/nope", nil, nil, 404, "not_found", ""},
			{"method", "test", "DELETE", "/api/v1/verifications", nil, nil, 405, "method_not_allowed", ""},
		}
		for _, tc := range cases {
			r := e.do(t, tc.key, tc.method, tc.path, tc.body, tc.hdr, false)
			require.Equal(t, tc.status, r.status, "%s: %s", tc.name, r.body)
			code, field := r.errCode(t)
			require.Equal(t, tc.code, code, tc.name)
			require.Equal(t, tc.field, field, tc.name)
			require.NotContains(t, string(r.body), "sql", tc.name)
		}
		// A chunked body over the limit is cut off while it is read, not after.
		req, _ := http.NewRequest("POST", e.srv.URL+"/api/v1/verifications", io.MultiReader(strings.NewReader(`{"metadata":{"x":"`), strings.NewReader(strings.Repeat("a", 1<<20))))
		req.ContentLength = -1
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+e.keys["test"])
		res, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		res.Body.Close()
		require.Equal(t, 413, res.StatusCode)
		// 401 names the scheme.
		r := e.do(t, "", "GET", "/api/v1/verifications", nil, nil, false)
		require.Equal(t, `Bearer realm="kycd"`, r.header.Get("WWW-Authenticate"))
	})
}

func TestRESTIdempotencyAndRateLimit(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, s *db.Store) {
		e := newEnv(t, s, rest.Options{})
		body := map[string]any{"checks": []string{"screening"}, "applicant": map[string]any{"name": "Ada Lovelace"}}
		hdr := map[string]string{"Idempotency-Key": "order-42"}
		first := e.do(t, "test", "POST", "/api/v1/verifications", body, hdr, true)
		require.Equal(t, 201, first.status)
		require.Empty(t, first.header.Get("Idempotent-Replayed"))
		again := e.do(t, "test", "POST", "/api/v1/verifications", body, hdr, true)
		require.Equal(t, 201, again.status)
		require.Equal(t, "true", again.header.Get("Idempotent-Replayed"))
		require.JSONEq(t, string(first.body), string(again.body))
		other := e.do(t, "test", "POST", "/api/v1/verifications", map[string]any{"checks": []string{"document"}}, hdr, true)
		require.Equal(t, 409, other.status)
		code, field := other.errCode(t)
		require.Equal(t, "conflict", code)
		require.Equal(t, "idempotency_key", field)

		// The slow key has 3 requests a minute: the 4th is a 429 with Retry-After.
		for i := range 3 {
			r := e.do(t, "slow", "GET", "/api/v1/verifications", nil, nil, true)
			require.Equal(t, 200, r.status)
			require.Equal(t, "3", r.header.Get("X-RateLimit-Limit"))
			require.Equal(t, strconv.Itoa(2-i), r.header.Get("X-RateLimit-Remaining"))
		}
		r := e.do(t, "slow", "GET", "/api/v1/verifications", nil, nil, true)
		require.Equal(t, 429, r.status)
		retry, err := strconv.Atoi(r.header.Get("Retry-After"))
		require.NoError(t, err)
		require.InDelta(t, 20, retry, 1)
		require.Equal(t, "0", r.header.Get("X-RateLimit-Remaining"))
		code, _ = r.errCode(t)
		require.Equal(t, "rate_limited", code)
		// Other keys are not affected.
		require.Equal(t, 200, e.do(t, "test", "GET", "/api/v1/verifications", nil, nil, true).status)
	})
}

// TestOpenAPIDocument checks the document's completeness: every tool has its route, every
// route its errors, the security scheme and examples, and the examples match their schemas.
func TestOpenAPIDocument(t *testing.T) {
	t.Parallel()
	reg, err := tools.NewRegistry(nil, tools.All()...)
	require.NoError(t, err)
	h, err := rest.New(reg, rest.Options{Version: "test"})
	require.NoError(t, err)
	doc, _ := loadSpec(t, h.SpecJSON())
	require.NotNil(t, doc.Components.SecuritySchemes["bearerAuth"])
	ops := 0
	for _, info := range reg.Tools() {
		b := info.REST.OrDefault(info.Name)
		item := doc.Paths.Find(rest.BasePath + b.Path)
		require.NotNil(t, item, "%s: no path %s", info.Name, b.Path)
		op := item.GetOperation(b.Method)
		require.NotNil(t, op, "%s: no %s operation", info.Name, b.Method)
		require.Equal(t, info.Name, op.OperationID)
		ops++
		for _, st := range []int{b.Status, 400, 401, 403, 422, 429, 500} {
			require.NotNil(t, op.Responses.Status(st), "%s: no %d response", info.Name, st)
		}
		// Every operation shows its part of the tool's example input (#20): the body, which
		// must fit its schema, and each path parameter.
		for _, p := range op.Parameters {
			if p.Value.In == "path" {
				require.NotNil(t, p.Value.Example, "%s: no example for path parameter %s", info.Name, p.Value.Name)
			}
		}
		if b.BodyFields() {
			require.NotNil(t, op.RequestBody, info.Name)
			body := op.RequestBody.Value.Content.Get("application/json")
			require.NotNil(t, body.Example, "%s: no request example", info.Name)
			require.NoError(t, body.Schema.Value.VisitJSON(body.Example, openapi3.EnableJSONSchema2020()), info.Name)
			require.NotNil(t, op.Responses.Status(413), info.Name)
			require.NotNil(t, op.Responses.Status(415), info.Name)
		}
	}
	require.Positive(t, ops)
	// Every error response carries an example that matches the Error schema.
	for code, r := range doc.Components.Responses {
		mt := r.Value.Content.Get("application/json")
		require.NotNil(t, mt.Example, code)
		require.NoError(t, mt.Schema.Value.VisitJSON(mt.Example, openapi3.EnableJSONSchema2020()), code)
	}
	// Shared results are components named for what they are, and so are nested inputs (#20).
	okSchema := func(path, method string, status int) string {
		op := doc.Paths.Find(rest.BasePath + path).GetOperation(method)
		return op.Responses.Status(status).Value.Content.Get("application/json").Schema.Ref
	}
	for _, p := range []string{"/verifications/{id}", "/verifications/{id}/cancel", "/verifications/{id}/submit", "/verifications/{id}/review"} {
		method := "POST"
		if p == "/verifications/{id}" {
			method = "GET"
		}
		require.Equal(t, "#/components/schemas/Verification", okSchema(p, method, 200), p)
	}
	require.Equal(t, "#/components/schemas/ScreeningResult", okSchema("/screenings/person", "POST", 200))
	require.Equal(t, "#/components/schemas/ScreeningResult", okSchema("/screenings/entity", "POST", 200))
	require.Equal(t, "#/components/schemas/WebhookEndpoint", okSchema("/webhook_endpoints/{id}", "PATCH", 200))
	require.Equal(t, "#/components/schemas/Applicant", okSchema("/applicants/lookup", "GET", 200))
	createIn := doc.Components.Schemas["CreateVerificationInput"].Value
	require.Equal(t, "#/components/schemas/ApplicantData", createIn.Properties["applicant"].Ref)
	require.NotNil(t, doc.Components.Schemas["ApplicantData"])

	// The create example validates against the create input.
	create := doc.Paths.Find(rest.BasePath + "/verifications").Post.RequestBody.Value.Content.Get("application/json")
	require.NotNil(t, create.Example)
	require.NoError(t, create.Schema.Value.VisitJSON(create.Example, openapi3.EnableJSONSchema2020()))
}
