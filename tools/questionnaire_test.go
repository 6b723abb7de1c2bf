package tools_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kycd/kycd/db"
	"github.com/kycd/kycd/db/dbtest"
	"github.com/kycd/kycd/internal/tooltest"
	"github.com/kycd/kycd/models"
	"github.com/kycd/kycd/tools"
	"github.com/kycd/kycd/verify"
)

const fundsV1 = `{"sections":[{"title":{"en":"Source of funds","de":"Herkunft der Mittel","pt":"Origem dos fundos"},"questions":[
	{"id":"source_of_funds","type":"single_choice","required":true,"label":{"en":"Where does the money come from?","de":"Woher stammt das Geld?","pt":"De onde vem o dinheiro?"},
	 "options":[{"value":"salary","label":{"en":"Salary","de":"Gehalt","pt":"Salário"}},{"value":"other","label":{"en":"Other","de":"Sonstiges","pt":"Outro"}}]},
	{"id":"source_details","type":"long_text","required":true,"label":"Describe it","show_if":{"question":"source_of_funds","equals":"other"}},
	{"id":"pep_self_declared","type":"yes_no","required":true,"label":"Are you a politically exposed person?"},
	{"id":"statement","type":"file","label":"A bank statement"}]}]}`

// fundsV2 adds a required question: a verification given version 1 is not asked it.
const fundsV2 = `{"sections":[{"title":"Source of funds","questions":[
	{"id":"source_of_funds","type":"single_choice","required":true,"label":"Source","options":[{"value":"salary"},{"value":"other"}]},
	{"id":"pep_self_declared","type":"yes_no","required":true,"label":"PEP?"},
	{"id":"employer","type":"text","required":true,"label":"Employer"}]}]}`

func rawJSON(s string) json.RawMessage { return json.RawMessage(s) }

func problemPaths(te *tools.Error) []string {
	var out []string
	for _, p := range te.Problems {
		out = append(out, p.Path)
	}
	return out
}

// Questionnaires end to end through the tools: versions, a verification keeping its version,
// answers checked field by field, the wait for the answers, the rules in the decision, the
// answers in the verification, a file sealed as evidence, scopes and account isolation.
func TestQuestionnairesEndToEnd(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, s *db.Store) {
		e := tooltest.New(t, s, map[models.Check]verify.CheckRunner{models.CheckDocument: tooltest.Check{Outcome: models.OutcomePass}})

		// Create, refuse a second of the same name, refuse a bad definition with every problem.
		var q1 tools.Questionnaire
		require.Nil(t, e.Call(t, e.Test, "create_questionnaire", map[string]any{"name": "funds", "definition": rawJSON(fundsV1)}, &q1))
		require.Equal(t, 1, q1.Version)
		require.Equal(t, 4, q1.Questions)
		require.True(t, strings.HasPrefix(q1.ID, "qst_"))
		require.Equal(t, "Woher stammt das Geld?", tools.LocalText(q1.Definition.Sections[0].Questions[0].Label, "de"))
		require.Equal(t, "Describe it", tools.LocalText(q1.Definition.Sections[0].Questions[1].Label, "de"), "a string label is English, the fallback")
		te := e.Call(t, e.Test, "create_questionnaire", map[string]any{"name": "funds", "definition": rawJSON(fundsV1)}, nil)
		require.NotNil(t, te)
		require.Equal(t, tools.CodeConflict, te.Code)
		te = e.Call(t, e.Test, "create_questionnaire", map[string]any{"name": "bad", "definition": rawJSON(
			`{"sections":[{"questions":[{"id":"a","type":"text","label":"A","validation":{"pattern":"(["}},{"id":"a","type":"essay","label":"B"}]}]}`)}, nil)
		require.NotNil(t, te)
		require.Equal(t, tools.CodeInvalidArgument, te.Code)
		require.Equal(t, []string{"definition.sections[0].questions[0].validation.pattern", "definition.sections[0].questions[1].id",
			"definition.sections[0].questions[1].type"}, problemPaths(te))
		require.Equal(t, "definition.sections[0].questions[0].validation.pattern", te.Field)
		require.Contains(t, te.Message, "3 problem(s)")
		te = e.Call(t, e.Test, "create_questionnaire", map[string]any{"name": "Has Spaces", "definition": rawJSON(fundsV1)}, nil)
		require.NotNil(t, te)
		require.Equal(t, "name", te.Field)

		// A verification given version 1, then version 2 published.
		rules := []map[string]any{{"question": "source_of_funds", "equals": "other", "outcome": "review"},
			{"question": "pep_self_declared", "equals": true, "outcome": "review"}}
		applicant := map[string]any{"name": "Ana Lima"}
		var v1 tools.Verification
		require.Nil(t, e.Call(t, e.Test, "create_verification", map[string]any{"checks": []string{"document"}, "applicant": applicant,
			"questionnaire": "funds", "answer_rules": rules}, &v1))
		require.NotNil(t, v1.Questionnaire)
		require.Equal(t, 1, v1.Questionnaire.Version)
		require.Equal(t, "pending", v1.Questionnaire.Status)
		require.Len(t, v1.Questionnaire.AnswerRules, 2)

		var q2 tools.Questionnaire
		require.Nil(t, e.Call(t, e.Test, "update_questionnaire", map[string]any{"name": "funds", "definition": rawJSON(fundsV2)}, &q2))
		require.Equal(t, 2, q2.Version)
		require.Equal(t, q1.ID, q2.ID)
		var got tools.Questionnaire
		require.Nil(t, e.Call(t, e.Test, "get_questionnaire", map[string]any{"name": "funds"}, &got))
		require.Equal(t, 2, got.Version)
		require.Nil(t, e.Call(t, e.Test, "get_questionnaire", map[string]any{"name": "funds@1"}, &got))
		require.Equal(t, 1, got.Version)
		require.Equal(t, 2, got.LatestVersion)
		require.Nil(t, e.Call(t, e.Test, "get_questionnaire", map[string]any{"verification_id": v1.ID}, &got))
		require.Equal(t, 1, got.Version, "the verification keeps the version it was given")
		var list tools.QuestionnaireList
		require.Nil(t, e.Call(t, e.Test, "list_questionnaires", map[string]any{}, &list))
		require.Len(t, list.Questionnaires, 1)
		require.Equal(t, 2, list.Questionnaires[0].Version)
		te = e.Call(t, e.Test, "get_questionnaire", map[string]any{"name": "funds@3"}, nil)
		require.NotNil(t, te)
		require.Equal(t, tools.CodeNotFound, te.Code)

		// Rules are checked against the version attached.
		te = e.Call(t, e.Test, "create_verification", map[string]any{"checks": []string{"document"}, "questionnaire": "funds@2",
			"answer_rules": []map[string]any{{"question": "source_details", "equals": "x", "outcome": "review"}}}, nil)
		require.NotNil(t, te)
		require.Equal(t, "answer_rules[0].question", te.Field, "%+v", te)
		te = e.Call(t, e.Test, "create_verification", map[string]any{"checks": []string{"document"}, "answer_rules": rules}, nil)
		require.NotNil(t, te)
		require.Equal(t, "answer_rules", te.Field)
		te = e.Call(t, e.Test, "create_verification", map[string]any{"checks": []string{"document"}, "questionnaire": "nope"}, nil)
		require.NotNil(t, te)
		require.Equal(t, tools.CodeNotFound, te.Code)

		// The decision waits for the answers.
		te = e.Call(t, e.Test, "submit_verification", map[string]any{"id": v1.ID}, nil)
		require.NotNil(t, te)
		require.Equal(t, tools.CodeConflict, te.Code)
		require.Contains(t, te.Message, "submit_questionnaire_answers")

		// Every problem at once, by path; version 2's employer is not asked of version 1.
		te = e.Call(t, e.Test, "submit_questionnaire_answers", map[string]any{"verification_id": v1.ID,
			"answers": map[string]any{"source_of_funds": "other", "pep_self_declared": "maybe", "employer": "ACME"}}, nil)
		require.NotNil(t, te)
		require.Equal(t, tools.CodeInvalidArgument, te.Code)
		require.Equal(t, []string{"answers.source_details", "answers.pep_self_declared", "answers.employer"}, problemPaths(te))

		pdf := []byte("%PDF-1.4\n% a statement\n")
		var ans tools.QuestionnaireAnswers
		require.Nil(t, e.Call(t, e.Test, "submit_questionnaire_answers", map[string]any{"verification_id": v1.ID,
			"answers": map[string]any{"source_of_funds": "other", "source_details": "Sold a flat", "pep_self_declared": false,
				"statement": "data:application/pdf;base64," + base64.StdEncoding.EncodeToString(pdf)}}, &ans))
		require.Equal(t, "in_progress", ans.Status)
		require.Equal(t, "answered", ans.Questionnaire.Status)
		ref, _ := ans.Questionnaire.Answers["statement"].(map[string]any)
		require.Equal(t, "application/pdf", ref["content_type"])
		fileID, _ := ref["file_id"].(string)
		require.True(t, strings.HasPrefix(fileID, "qfl_"), "%v", ref)
		require.EqualValues(t, len(pdf), ref["size"])
		// The file is kept sealed with the verification's data key, never plain.
		found := false
		dbtest.Rows(t, s, "questionnaire_files", func(cols []string, vals []any) {
			row := map[string]any{}
			for i, c := range cols {
				row[c] = vals[i]
			}
			if row["id"] == fileID {
				found = true
				require.Equal(t, "statement", row["question_id"])
				data, _ := row["data_sealed"].([]byte)
				require.NotEmpty(t, data)
				require.False(t, bytes.Contains(data, []byte("a statement")), "the file is sealed")
			}
		})
		require.True(t, found, "the file answer is kept")

		// The decision: source_of_funds other → review, with the reason; the answers in the verification.
		require.Nil(t, e.Call(t, e.Test, "submit_verification", map[string]any{"id": v1.ID}, nil))
		done := waitStatus(t, e, e.Test, v1.ID, "approved", "needs_review", "rejected")
		require.Equal(t, "needs_review", done.Status)
		var qc *models.CheckOutcome
		for i := range done.Result.Checks {
			if done.Result.Checks[i].Check == "questionnaire" {
				qc = &done.Result.Checks[i]
			}
		}
		require.NotNil(t, qc, "%+v", done.Result.Checks)
		require.Equal(t, models.OutcomeReview, qc.Outcome)
		require.Equal(t, "answer_rule_review", qc.Reasons[0].Code)
		require.Contains(t, qc.Reasons[0].Message, `source_of_funds is "other"`)
		require.NotNil(t, done.Questionnaire)
		require.Equal(t, "Sold a flat", done.Questionnaire.Answers["source_details"])
		require.NotNil(t, done.Questionnaire.SubmittedAt)
		evs := e.Events(t, e.Test, v1.ID)
		var answered *tooltest.Event
		for i := range evs {
			if evs[i].Type == verify.EventQuestionnaireAnswered {
				answered = &evs[i]
			}
		}
		require.NotNil(t, answered, "the timeline records the answers (not their content)")
		require.NotContains(t, answered.Data, "answers")

		// Answers after the decision are refused.
		te = e.Call(t, e.Test, "submit_questionnaire_answers", map[string]any{"verification_id": v1.ID, "answers": map[string]any{}}, nil)
		require.NotNil(t, te)
		require.Equal(t, tools.CodeConflict, te.Code)

		// Latest version, no rule matches: approved; pep_self_declared true with a reject rule: rejected.
		for _, tc := range []struct {
			pep  bool
			want string
		}{{false, "approved"}, {true, "rejected"}} {
			var v tools.Verification
			require.Nil(t, e.Call(t, e.Test, "create_verification", map[string]any{"checks": []string{"document"}, "applicant": applicant,
				"questionnaire": "funds", "answer_rules": []map[string]any{{"question": "pep_self_declared", "equals": true, "outcome": "reject"}}}, &v))
			require.Equal(t, 2, v.Questionnaire.Version)
			require.Nil(t, e.Call(t, e.Test, "submit_questionnaire_answers", map[string]any{"verification_id": v.ID,
				"answers": map[string]any{"source_of_funds": "salary", "pep_self_declared": tc.pep, "employer": "ACME"}}, nil))
			require.Nil(t, e.Call(t, e.Test, "submit_verification", map[string]any{"id": v.ID}, nil))
			require.Equal(t, tc.want, waitStatus(t, e, e.Test, v.ID, "approved", "needs_review", "rejected").Status)
		}

		// Erasure: the answers and the files go with the applicant; the version asked stays.
		require.Nil(t, e.Call(t, e.Test, "delete_applicant", map[string]any{"id": v1.ApplicantID, "reason": "erasure request"}, nil))
		var erased tools.Verification
		require.Nil(t, e.Call(t, e.Test, "get_verification", map[string]any{"id": v1.ID}, &erased))
		require.Nil(t, erased.Questionnaire.Answers)
		require.Equal(t, 1, erased.Questionnaire.Version)
		dbtest.Rows(t, s, "questionnaire_files", func(cols []string, vals []any) {
			for i, c := range cols {
				require.False(t, c == "id" && vals[i] == fileID, "the file answer is deleted")
			}
		})
		dbtest.Rows(t, s, "verification_questionnaires", func(cols []string, vals []any) {
			row := map[string]any{}
			for i, c := range cols {
				row[c] = vals[i]
			}
			if row["verification_id"] == v1.ID {
				require.Nil(t, row["answers_sealed"])
			}
		})

		// Scopes and isolation: managing questionnaires needs flows scopes; another account or mode sees none.
		verifOnly := e.Key(t, "acct_a", models.ModeTest, "verifications:read,verifications:write")
		te = e.Call(t, verifOnly, "create_questionnaire", map[string]any{"name": "x", "definition": rawJSON(fundsV2)}, nil)
		require.NotNil(t, te)
		require.Equal(t, tools.CodePermissionDenied, te.Code)
		te = e.Call(t, verifOnly, "list_questionnaires", map[string]any{}, nil)
		require.NotNil(t, te)
		require.Equal(t, tools.CodePermissionDenied, te.Code)
		reader := e.Key(t, "acct_a", models.ModeTest, "flows:read")
		require.Nil(t, e.Call(t, reader, "get_questionnaire", map[string]any{"name": "funds"}, nil))
		for _, c := range []tools.Caller{e.OtherAccount, e.Live} {
			te = e.Call(t, c, "get_questionnaire", map[string]any{"name": "funds"}, nil)
			require.NotNil(t, te)
			require.Equal(t, tools.CodeNotFound, te.Code)
			require.Nil(t, e.Call(t, c, "list_questionnaires", map[string]any{}, &list))
			require.Empty(t, list.Questionnaires)
		}
	})
}

// The applicant's hosted-flow session reads its own verification's questionnaire and answers it
// (after consent), and nothing else.
func TestQuestionnaireSession(t *testing.T) {
	t.Parallel()
	e := tooltest.New(t, dbtest.SQLite(t), map[models.Check]verify.CheckRunner{models.CheckDocument: tooltest.Check{Outcome: models.OutcomePass}})
	require.Nil(t, e.Call(t, e.Test, "create_questionnaire", map[string]any{"name": "funds", "definition": rawJSON(fundsV2)}, nil))
	var mine, other tools.Verification
	require.Nil(t, e.Call(t, e.Test, "create_verification", map[string]any{"checks": []string{"document"}, "questionnaire": "funds"}, &mine))
	require.Nil(t, e.Call(t, e.Test, "create_verification", map[string]any{"checks": []string{"document"}, "questionnaire": "funds"}, &other))
	sess, err := tools.AuthenticateSession(t.Context(), e.Reg.Deps(), sessionToken(t, mine))
	require.NoError(t, err)

	var q tools.Questionnaire
	require.Nil(t, e.Call(t, sess, "get_questionnaire", map[string]any{"verification_id": mine.ID}, &q))
	require.Equal(t, "funds", q.Name)
	for _, args := range []map[string]any{{"verification_id": other.ID}, {"name": "funds"}} {
		te := e.Call(t, sess, "get_questionnaire", args, nil)
		require.NotNil(t, te, "%v", args)
	}
	for _, name := range []string{"create_questionnaire", "list_questionnaires", "update_questionnaire"} {
		te := e.Call(t, sess, name, map[string]any{"name": "funds", "definition": rawJSON(fundsV2)}, nil)
		require.NotNil(t, te, name)
		require.Equal(t, tools.CodePermissionDenied, te.Code, name)
	}
	answers := map[string]any{"verification_id": mine.ID, "answers": map[string]any{"source_of_funds": "salary", "pep_self_declared": "no", "employer": "ACME"}}
	te := e.Call(t, sess, "submit_questionnaire_answers", answers, nil)
	require.NotNil(t, te)
	require.True(t, strings.HasPrefix(te.Message, tools.ConsentRequired), "%+v", te)
	require.Nil(t, e.Call(t, sess, "record_consent", map[string]any{"id": mine.ID, "statement": "I agree", "locale": "en"}, nil))
	require.Nil(t, e.Call(t, sess, "submit_questionnaire_answers", answers, nil))
	te = e.Call(t, sess, "submit_questionnaire_answers", map[string]any{"verification_id": other.ID, "answers": answers["answers"]}, nil)
	require.NotNil(t, te)
	require.Equal(t, tools.CodeNotFound, te.Code)
	var v tools.Verification
	require.Nil(t, e.Call(t, e.Test, "get_verification", map[string]any{"id": mine.ID}, &v))
	require.Equal(t, false, v.Questionnaire.Answers["pep_self_declared"])
}

// Every country the hosted flow offers is one a country answer accepts.
func TestQuestionnaireCountriesAgree(t *testing.T) {
	t.Parallel()
	codes := tools.CountryCodes()
	require.Greater(t, len(codes), 240)
	for _, c := range codes {
		got, ok := verify.CountryCode(c)
		require.True(t, ok, c)
		require.Equal(t, c, got)
	}
}
