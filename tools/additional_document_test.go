package tools_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kycd/kycd/db"
	"github.com/kycd/kycd/db/dbtest"
	"github.com/kycd/kycd/internal/tooltest"
	"github.com/kycd/kycd/models"
	"github.com/kycd/kycd/tools"
	"github.com/kycd/kycd/verify"
)

const tinyPNG = "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAABAAAAAQCAAAAAA6mKC9AAAAD0lEQVR42mNoQAMMI1sAAAUMgAHjM1mKAAAAAElFTkSuQmCC"

// additional_document end to end through the tools: the step named by its label (case and
// spaces ignored), bad labels and images refused with the field named, pages counted, the
// image sealed, and the uploads in the result; a required one missing sends to review.
func TestSubmitAdditionalDocument(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, s *db.Store) {
		e := tooltest.New(t, s, flowEngines())
		var v tools.CreatedVerification
		require.Nil(t, e.Call(t, e.Test, "create_verification", map[string]any{"checks": []string{"document"},
			"additional_steps": []any{map[string]any{"label": "Bank  card", "ocr": true}, map[string]any{"label": "utility bill", "optional": true}}}, &v))

		// A verification without additional documents, a label it does not ask for, a bad image.
		var plain tools.CreatedVerification
		require.Nil(t, e.Call(t, e.Test, "create_verification", map[string]any{"checks": []string{"document"}}, &plain))
		te := e.Call(t, e.Test, "submit_additional_document", map[string]any{"id": plain.ID, "label": "bank card", "image": tinyPNG}, nil)
		require.NotNil(t, te)
		require.Equal(t, tools.CodeConflict, te.Code)
		te = e.Call(t, e.Test, "submit_additional_document", map[string]any{"id": v.ID, "label": "passport", "image": tinyPNG}, nil)
		require.NotNil(t, te)
		require.Equal(t, "label", te.Field)
		require.Contains(t, te.Message, `"Bank card"`)
		te = e.Call(t, e.Test, "submit_additional_document", map[string]any{"id": v.ID, "label": "bank card", "image": "data:image/png;base64,AAAA"}, nil)
		require.NotNil(t, te)
		require.Equal(t, "image", te.Field)
		// Another account's verification is not found.
		te = e.Call(t, e.OtherAccount, "submit_additional_document", map[string]any{"id": v.ID, "label": "bank card", "image": tinyPNG}, nil)
		require.NotNil(t, te)
		require.Equal(t, tools.CodeNotFound, te.Code)

		var r tools.AdditionalDocumentResult
		require.Nil(t, e.Call(t, e.Test, "submit_additional_document", map[string]any{"id": v.ID, "label": " BANK card ", "image": tinyPNG}, &r))
		require.Equal(t, "Bank card", r.Label)
		require.Equal(t, 1, r.Pages)
		require.Equal(t, verify.OCRUnavailable, r.OCR) // no document engine in this environment
		require.Nil(t, e.Call(t, e.Test, "submit_additional_document", map[string]any{"id": v.ID, "label": "bank card", "image": tinyPNG}, &r))
		require.Equal(t, 2, r.Pages)

		// Sealed: the stored bytes are not the image.
		a, err := s.GetArtifact(t.Context(), db.Scope{AccountID: "acct_a", Mode: models.ModeTest}, r.ArtifactID)
		require.NoError(t, err)
		require.Equal(t, models.ArtifactAdditionalDocument, a.Kind)
		require.NotContains(t, string(a.Data), "IHDR")

		require.Nil(t, e.Call(t, e.Test, "submit_verification", map[string]any{"id": v.ID}, nil))
		got := waitStatus(t, e, e.Test, v.ID, "approved", "needs_review", "rejected")
		require.Equal(t, "approved", got.Status) // the optional one may be skipped
		var outcome *models.CheckOutcome
		for i, c := range got.Result.Checks {
			if c.Check == verify.CheckAdditionalDocument {
				outcome = &got.Result.Checks[i]
			}
		}
		require.NotNil(t, outcome)
		require.Equal(t, models.OutcomePass, outcome.Outcome)
		require.Len(t, outcome.Details["uploads"], 2)

		// A required one never uploaded: a person looks.
		require.Nil(t, e.Call(t, e.Test, "create_verification", map[string]any{"checks": []string{"document"},
			"additional_steps": []any{map[string]any{"label": "bank card"}}}, &v))
		require.Nil(t, e.Call(t, e.Test, "submit_verification", map[string]any{"id": v.ID}, nil))
		got = waitStatus(t, e, e.Test, v.ID, "approved", "needs_review", "rejected")
		require.Equal(t, "needs_review", got.Status)
		require.True(t, slicesContainsReason(got.Result.Reasons, "additional_document_missing"))
	})
}

func slicesContainsReason(rs []models.Reason, code string) bool {
	for _, r := range rs {
		if r.Code == code {
			return true
		}
	}
	return false
}
