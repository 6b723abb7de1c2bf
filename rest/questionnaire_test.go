package rest_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kycd/kycd/db/dbtest"
	"github.com/kycd/kycd/rest"
)

// Questionnaires over REST, every response checked against the OpenAPI document: create (201),
// a new version with PUT, read by name@version and through the verification, and answers
// refused with every problem in error.problems.
func TestQuestionnairesOverREST(t *testing.T) {
	t.Parallel()
	e := newEnv(t, dbtest.SQLite(t), rest.Options{})
	def := json.RawMessage(`{"sections":[{"title":"Funds","questions":[
		{"id":"source_of_funds","type":"single_choice","required":true,"label":"Source","options":[{"value":"salary"},{"value":"other"}]},
		{"id":"income","type":"number","required":true,"label":{"en":"Income","de":"Einkommen","pt":"Rendimento"},"validation":{"min":0}}]}]}`)
	r := e.do(t, "test", "POST", "/api/v1/questionnaires", map[string]any{"name": "funds", "definition": def}, nil, true)
	require.Equal(t, http.StatusCreated, r.status, string(r.body))
	r = e.do(t, "test", "PUT", "/api/v1/questionnaires/funds", map[string]any{"definition": def}, nil, true)
	require.Equal(t, http.StatusOK, r.status, string(r.body))
	require.EqualValues(t, 2, r.json(t)["version"])
	r = e.do(t, "test", "GET", "/api/v1/questionnaires/funds@1", nil, nil, true)
	require.Equal(t, http.StatusOK, r.status, string(r.body))
	require.EqualValues(t, 1, r.json(t)["version"])

	r = e.do(t, "test", "POST", "/api/v1/verifications", map[string]any{"checks": []string{"screening"}, "questionnaire": "funds@1",
		"applicant": map[string]any{"name": "Ana Lima"}}, nil, true)
	require.Equal(t, http.StatusCreated, r.status, string(r.body))
	id := r.json(t)["id"].(string)
	r = e.do(t, "test", "GET", "/api/v1/verifications/"+id+"/questionnaire", nil, nil, true)
	require.Equal(t, http.StatusOK, r.status, string(r.body))
	require.EqualValues(t, 1, r.json(t)["version"])

	r = e.do(t, "test", "POST", "/api/v1/verifications/"+id+"/questionnaire", map[string]any{"answers": map[string]any{"income": -1, "extra": "x"}}, nil, true)
	require.Equal(t, http.StatusUnprocessableEntity, r.status, string(r.body))
	problems := r.json(t)["error"].(map[string]any)["problems"].([]any)
	var paths []string
	for _, p := range problems {
		paths = append(paths, p.(map[string]any)["path"].(string))
	}
	require.Equal(t, []string{"answers.source_of_funds", "answers.income", "answers.extra"}, paths)
	r = e.do(t, "test", "POST", "/api/v1/verifications/"+id+"/questionnaire", map[string]any{"answers": map[string]any{"income": 10, "source_of_funds": "salary"}}, nil, true)
	require.Equal(t, http.StatusOK, r.status, string(r.body))
}
