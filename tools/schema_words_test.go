package tools_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kycd/kycd/db/dbtest"
	"github.com/kycd/kycd/internal/tooltest"
	"github.com/kycd/kycd/tools"
)

// A refused input says the rule in words, taken from the schema, and names the field (#20).
func TestSchemaErrorsInWords(t *testing.T) {
	t.Parallel()
	e := tooltest.New(t, dbtest.SQLite(t), engines())
	cases := []struct{ tool, args, field, message string }{
		{"list_verifications", `{"limit":200}`, "limit", "must be at most 100"},
		{"list_verifications", `{"limit":0}`, "limit", "must be at least 1"},
		{"list_verifications", `{"limit":"ten"}`, "limit", "must be an integer, not a string"},
		{"list_verifications", `{"status":["done"]}`, "status[]", "must be one of pending, in_progress, processing, approved, needs_review, rejected, expired, cancelled"},
		{"review_verification", `{"id":"ver_01j00000000000000000000000","decision":"maybe","reason":"x"}`, "decision", "must be one of approve, reject, request_resubmission"},
		{"get_applicant", `{"id":"app_` + string(make([]byte, 0)) + `0123456789012345678901234567890123456789012345678901234567890123"}`, "id", "must be at most 64 characters long"},
		{"list_verifications", `{"created_after":"yesterday"}`, "created_after", `must be a date-time (RFC 3339) such as 2026-12-01T00:00:00Z; got "yesterday"`},
		{"list_verifications", `{"created_before":""}`, "created_before", `must be a date-time (RFC 3339) such as 2026-12-01T00:00:00Z; got ""`},
		{"list_events", `{"since":"last week"}`, "since", `must be a date-time (RFC 3339) such as 2026-12-01T00:00:00Z; got "last week"`},
		{"get_verification", `{"id":null}`, "id", "required"},
	}
	for _, tc := range cases {
		te := e.Call(t, e.Test, tc.tool, tc.args, nil)
		require.NotNil(t, te, "%s accepted %s", tc.tool, tc.args)
		require.Equal(t, tools.CodeInvalidArgument, te.Code, "%s %s: %s", tc.tool, tc.args, te.Message)
		require.Equal(t, tc.field, te.Field, "%s %s: %s", tc.tool, tc.args, te.Message)
		require.Equal(t, tc.message, te.Message, "%s %s", tc.tool, tc.args)
	}
	// A null input is an absent one: the schemas have no nullable inputs, yet agents that
	// send null for what they leave out are not refused.
	var list tools.VerificationList
	require.Nil(t, e.Call(t, e.Test, "list_verifications", `{"status":null,"created_after":null,"limit":null}`, &list))
}

// No input schema has a ["null", X] type: an optional input is simply optional, since some
// agent platforms refuse union types (#20). Time inputs say they are date-times.
func TestInputSchemasHaveNoNullableTypes(t *testing.T) {
	t.Parallel()
	reg, err := tools.NewRegistry(nil, tools.All()...)
	require.NoError(t, err)
	var walk func(tool, path string, s map[string]any)
	walk = func(tool, path string, s map[string]any) {
		_, isList := s["type"].([]any)
		require.False(t, isList, "%s: input %s has a union type %v", tool, path, s["type"])
		if props, ok := s["properties"].(map[string]any); ok {
			for name, p := range props {
				walk(tool, path+"."+name, p.(map[string]any))
			}
		}
		if items, ok := s["items"].(map[string]any); ok {
			walk(tool, path+"[]", items)
		}
	}
	for _, info := range reg.Tools() {
		var in map[string]any
		require.NoError(t, json.Unmarshal(info.InputSchema, &in))
		walk(info.Name, "", in)
		if info.Name == "list_verifications" {
			props := in["properties"].(map[string]any)
			require.Equal(t, "date-time", props["created_after"].(map[string]any)["format"])
		}
	}
}

// The X-or-Y inputs are said in the schema (if/then/else at the root, since some agent
// platforms refuse a top-level anyOf/oneOf) and refused by it with the handler's words (#20).
func TestNeedInSchema(t *testing.T) {
	t.Parallel()
	e := tooltest.New(t, dbtest.SQLite(t), engines())
	reg := e.Reg
	for _, tc := range []struct{ tool, args, field, message string }{
		{"get_applicant", `{}`, "id", "give id or external_ref"},
		{"get_applicant", `{"id":"app_01kbx4r7c8d9e0f1g2h3j4k5m6","external_ref":"x"}`, "external_ref", "give id or external_ref, not both"},
		{"delete_applicant", `{"reason":"x"}`, "id", "give id or external_ref"},
		{"read_mrz", `{"repair":true}`, "text", "give text or image"},
		{"read_mrz", `{"text":"P<UTO","image":"iVBOR"}`, "image", "give text or image, not both"},
		{"screen_entity", `{"country":"CU"}`, "name", "give name, lei, imo, registration_numbers or crypto_addresses"},
		{"screen_transaction", `{"chain":"ETH"}`, "address", "give address or tx_hash"},
	} {
		te := e.Call(t, e.Test, tc.tool, tc.args, nil)
		require.NotNil(t, te, "%s accepted %s", tc.tool, tc.args)
		require.Equal(t, tools.CodeInvalidArgument, te.Code, "%s %s: %s", tc.tool, tc.args, te.Message)
		require.Equal(t, tc.field, te.Field, "%s %s: %s", tc.tool, tc.args, te.Message)
		require.Equal(t, tc.message, te.Message, "%s %s", tc.tool, tc.args)
	}
	for _, info := range reg.Tools() {
		if info.Name != "get_applicant" {
			continue
		}
		var in map[string]any
		require.NoError(t, json.Unmarshal(info.InputSchema, &in))
		require.Equal(t, map[string]any{"required": []any{"id"}}, in["if"])
		require.Equal(t, map[string]any{"not": map[string]any{"required": []any{"external_ref"}}}, in["then"])
		require.Equal(t, map[string]any{"required": []any{"external_ref"}}, in["else"])
	}
}

// applicant.country takes alpha-3 and answers alpha-2; allowed_countries takes alpha-2 and
// answers ICAO codes; a code that is neither is refused naming the field (#20).
func TestCountryConventions(t *testing.T) {
	t.Parallel()
	e := tooltest.New(t, dbtest.SQLite(t), engines())
	var v struct {
		Applicant        struct{ Country string } `json:"applicant"`
		AllowedCountries []string                 `json:"allowed_countries"`
	}
	require.Nil(t, e.Call(t, e.Test, "create_verification", `{"applicant":{"name":"Erika Mustermann","country":"DEU"},"allowed_countries":["DE","NL","DEU","FRA","usa"]}`, &v))
	require.Equal(t, "DE", v.Applicant.Country)
	require.Equal(t, []string{"D", "NLD", "FRA", "USA"}, v.AllowedCountries)
	for _, tc := range []struct{ args, field string }{
		{`{"applicant":{"country":"XY"}}`, "applicant.country"},
		{`{"applicant":{"country":"DEUT"}}`, "applicant.country"},
		{`{"allowed_countries":["DE","XY"]}`, "allowed_countries[1]"},
	} {
		te := e.Call(t, e.Test, "create_verification", tc.args, nil)
		require.NotNil(t, te, tc.args)
		require.Equal(t, tools.CodeInvalidArgument, te.Code, te.Message)
		require.Equal(t, tc.field, te.Field, te.Message)
	}
}

// create_webhook_endpoint's url is required unless kind is callback, and refused then (#20).
func TestNeedUnless(t *testing.T) {
	t.Parallel()
	e := tooltest.New(t, dbtest.SQLite(t), engines())
	for _, tc := range []struct{ args, message string }{
		{`{"events":["verification.completed"]}`, "required unless kind is callback"},
		{`{"kind":"endpoint"}`, "required unless kind is callback"},
		{`{"kind":"callback","url":"https://example.com/hook"}`, "give no url when kind is callback"},
	} {
		te := e.Call(t, e.Test, "create_webhook_endpoint", tc.args, nil)
		require.NotNil(t, te, tc.args)
		require.Equal(t, tools.CodeInvalidArgument, te.Code, te.Message)
		require.Equal(t, "url", te.Field, te.Message)
		require.Equal(t, tc.message, te.Message, tc.args)
	}
	require.Nil(t, e.Call(t, e.Test, "create_webhook_endpoint", `{"kind":"callback","description":"signs callback_url deliveries"}`, nil))
}

// A null in the caller's own data (metadata) is kept, with or without the surface inputs that
// make the registry re-encode the arguments.
func TestNullsInMetadataKept(t *testing.T) {
	t.Parallel()
	e := tooltest.New(t, dbtest.SQLite(t), engines())
	for _, args := range []string{`{"metadata":{"plan":null,"tier":"gold"}}`, `{"metadata":{"plan":null,"tier":"gold"},"idempotency_key":"k-1"}`} {
		var v struct{ Metadata map[string]any }
		require.Nil(t, e.Call(t, e.Test, "create_verification", args, &v))
		require.Contains(t, v.Metadata, "plan", args)
		require.Nil(t, v.Metadata["plan"], args)
	}
}
