package tools_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"slices"
	"testing"
	"time"

	"github.com/google/jsonschema-go/jsonschema"
	"github.com/stretchr/testify/require"

	"github.com/kycd/kycd/checks/address"
	"github.com/kycd/kycd/checks/business"
	"github.com/kycd/kycd/checks/business/gleiftest"
	"github.com/kycd/kycd/checks/otp"
	"github.com/kycd/kycd/db/dbtest"
	"github.com/kycd/kycd/internal/testfiles"
	"github.com/kycd/kycd/internal/tooltest"
	"github.com/kycd/kycd/jobs"
	"github.com/kycd/kycd/models"
	"github.com/kycd/kycd/tools"
	"github.com/kycd/kycd/verify"
)

// faceTools need the face engine (-tags onnx and its models); TestFaceToolExamples calls
// their examples on it.
var faceTools = map[string]bool{"compare_faces": true, "get_liveness_challenge": true, "submit_liveness": true, "submit_selfie": true, "reverify": true, "submit_selfie_with_document": true}

// Every tool's example inputs (Tool.Examples, shown as the MCP inputSchema's examples and in
// the OpenAPI document) are called for real, on a registry with every engine this build has:
// they must pass the schema and the handler's own checks. An example naming an object this
// account does not have may be not_found — the ids in examples are made up — but nothing else.
// The face engine needs -tags onnx and its models; without them, the face tools may answer
// unavailable, and only they.
func TestToolExamples(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := dbtest.SQLite(t)
	scr := verify.NewScreening(s, verify.ScreeningPolicy{}, nil)
	_, err := scr.Import(ctx, "ofac_sdn", writeSDNT(t, rowOfficer, rowCompany))
	require.NoError(t, err)
	require.NoError(t, scr.Sync(ctx))
	srv := gleiftest.New(t, testfiles.Path(t, "lei", "gleif_api_v1"))
	src, err := business.NewClient(business.Options{BaseURL: srv.BaseURL(), MaxAttempts: 1, Timeout: 2 * time.Second, Cache: verify.BusinessCache{Store: s}})
	require.NoError(t, err)
	biz := verify.NewBusiness(s, verify.BusinessOptions{Source: src, Mode: "online", SourceURL: srv.BaseURL(), Screening: scr, Timeout: 10 * time.Second})
	docs, err := verify.NewDocuments(s, verify.DocumentsConfig{}, nil)
	require.NoError(t, err)
	nfc, err := verify.NewNFC(s, verify.NFCConfig{}, nil)
	require.NoError(t, err)
	checks := verify.ContactRunners(s)
	checks[models.CheckScreening] = scr
	checks[models.CheckDocument] = docs
	checks[models.CheckNFC] = nfc.Runner()
	checks[models.CheckFaceMatch] = tooltest.Check{Outcome: models.OutcomePass}
	adrEngine, err := address.NewEngine(address.Config{})
	require.NoError(t, err, "the proof-of-address engine needs poppler-utils (scripts/setup/address.sh)")
	adr := verify.NewAddress(s, adrEngine, verify.AddressOptions{})
	checks[models.CheckProofOfAddress] = adr.Runner()
	e := tooltest.New(t, s, checks, func(_ *jobs.Options, d *tools.Deps) {
		d.Screening, d.Business, d.Documents, d.NFC, d.Address = scr, biz, docs, nfc, adr
	})
	e.Reg.Deps().Contact = verify.NewContact(e.Verify, verify.ContactOptions{Email: testChecker(t),
		Dev: otp.LogSender{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}})
	for _, info := range e.Reg.Tools() {
		var in struct {
			Examples []json.RawMessage `json:"examples"`
		}
		require.NoError(t, json.Unmarshal(info.InputSchema, &in))
		require.NotEmpty(t, in.Examples, "%s has no example input", info.Name)
		var outSchema jsonschema.Schema
		require.NoError(t, json.Unmarshal(info.OutputSchema, &outSchema))
		resolved, err := outSchema.Resolve(nil)
		require.NoError(t, err, "%s: output schema", info.Name)
		var shapeSchema jsonschema.Schema
		require.NoError(t, json.Unmarshal(info.OutputShape, &shapeSchema))
		shape, err := shapeSchema.Resolve(nil)
		require.NoError(t, err, "%s: output shape", info.Name)
		caller := e.Test
		if !caller.Has(info.Scope) { // a scope keys do not get by default (keys:write, …)
			caller = e.KeyWith(t, "acct_a", models.ModeTest, append(slices.Clone(caller.Scopes), info.Scope)...)
		}
		if info.Scope == tools.ScopeNotifications { // an operator's own settings: no API key has them
			caller = e.Operator(t, "acct_a", models.ModeTest, verify.RoleAdmin, info.Name+"@ops.example.com")
		}
		for i, ex := range in.Examples {
			var out any
			te := e.Call(t, caller, info.Name, string(ex), &out)
			if te == nil {
				// The result is what the output schema (with its $defs) says.
				require.NoError(t, resolved.Validate(out), "%s example %d: the result does not fit the output schema", info.Name, i)
				// And what tools/list says of it (clients validate structuredContent with that).
				require.NoError(t, shape.Validate(out), "%s example %d: the result does not fit the output shape", info.Name, i)
				continue
			}
			if te.Code == tools.CodeNotFound {
				continue
			}
			if te.Code == tools.CodeUnavailable && faceTools[info.Name] && e.Reg.Deps().Biometrics == nil {
				continue
			}
			t.Errorf("%s example %d: %s %s: %s", info.Name, i, te.Code, te.Field, te.Message)
		}
	}
}
