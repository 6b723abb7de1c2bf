package tools_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kycd/kycd/checks/crypto"
	"github.com/kycd/kycd/checks/screening"
	"github.com/kycd/kycd/db"
	"github.com/kycd/kycd/db/dbtest"
	"github.com/kycd/kycd/internal/testfiles"
	"github.com/kycd/kycd/internal/tooltest"
	"github.com/kycd/kycd/jobs"
	"github.com/kycd/kycd/models"
	"github.com/kycd/kycd/tools"
	"github.com/kycd/kycd/verify"
)

// The OFAC SDN list as downloaded on 2024-05-03 (real data, with the digital-currency addresses
// in its remarks), parsed once for every test of the package.
var (
	sdn2024Once sync.Once
	sdn2024     screening.LoadedList
	sdn2024Err  error
)

func sdn2024List(t *testing.T) screening.LoadedList {
	t.Helper()
	dir := testfiles.Path(t, "sanctions", "ofac_sdn_2024-05-03")
	sdn2024Once.Do(func() { sdn2024, sdn2024Err = screening.LoadList("ofac_sdn", dir) })
	require.NoError(t, sdn2024Err)
	return sdn2024
}

// Known entries of that list.
const (
	lazarusID   = "27307" // LAZARUS GROUP, listed with Ethereum addresses
	lazarusETH  = "0x098B716B8Aaf21512996dC57EB0615e2383E2f96"
	zawahiriID  = "2676"                                       // AL ZAWAHIRI, Dr. Ayman
	ebanoID     = "4243"                                       // vessel EBANO, IMO 7406784
	cleanETH    = "0xde0B295669a9FD93d5F28D9Ec85E40f4cb697BAe" // EIP-55 valid, not listed
	cleanTxHash = "0x5c504ed432cb51138bcf09aa5e8a410dd4a1e204ef84bfed1be16dfba1b22060"
)

// screeningEnv stores the real list in s, loads it into a Screening and serves the tools over it.
func screeningEnv(t *testing.T, s *db.Store, nodes map[crypto.Chain]crypto.TxSource) (*tooltest.Env, *verify.Screening) {
	t.Helper()
	ctx := context.Background()
	svc := verify.NewScreening(s, verify.ScreeningPolicy{}, nil)
	if nodes != nil {
		require.NoError(t, svc.SetNodes(nodes))
	}
	_, err := svc.Store(ctx, sdn2024List(t))
	require.NoError(t, err)
	require.NoError(t, svc.Sync(ctx))
	e := tooltest.New(t, s, map[models.Check]verify.CheckRunner{models.CheckScreening: svc},
		func(_ *jobs.Options, d *tools.Deps) { d.Screening = svc })
	return e, svc
}

func requireField(t *testing.T, te *tools.Error, code tools.Code, field string) {
	t.Helper()
	require.NotNil(t, te, "want a %s error on %s", code, field)
	require.Equal(t, code, te.Code, "%+v", te)
	require.Equal(t, field, te.Field, "%+v", te)
}

// screenCall runs screen_person or screen_entity and decodes into a fresh result (decoding into
// a reused one would keep fields the new answer omits).
func screenCall(t *testing.T, e *tooltest.Env, c tools.Caller, tool string, args map[string]any) tools.ScreeningResult {
	t.Helper()
	var r tools.ScreeningResult
	require.Nil(t, e.Call(t, c, tool, args, &r))
	return r
}

func txCall(t *testing.T, e *tooltest.Env, c tools.Caller, args map[string]any) tools.TransactionScreening {
	t.Helper()
	var r tools.TransactionScreening
	require.Nil(t, e.Call(t, c, "screen_transaction", args, &r))
	return r
}

// screen_person, list_screening_lists and resolve_screening_hit on the real list: hits carry the
// list's id, the matched name and an explanation; a false-positive verdict marks the hit for
// that subject only, in that account only, until the entity changes; bad input names the field.
func TestScreenPersonAndDecisions(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, s *db.Store) {
		e, svc := screeningEnv(t, s, nil)
		sha := svc.Screener().Versions()[0].SHA256

		var lists tools.ScreeningLists
		require.Nil(t, e.Call(t, e.ReadOnly, "list_screening_lists", map[string]any{}, &lists))
		require.Len(t, lists.Lists, 1)
		require.Equal(t, "ofac_sdn", lists.Lists[0].Source)
		require.Equal(t, sha, lists.Lists[0].SHA256)
		require.True(t, lists.Lists[0].InService)
		require.Greater(t, lists.Lists[0].Entities, 14000)
		require.Greater(t, lists.Lists[0].CryptoAddresses, 250, "the SDN remarks carry the digital-currency addresses")

		person := map[string]any{"name": "Ayman al-Zawahiri", "dob": "1951-06-19", "nationality": "eg", "subject_ref": "cust-1"}
		// A threshold of 0 would report every name; it is refused rather than read as the
		// default (#19).
		for _, tool := range []string{"screen_person", "screen_entity"} {
			te := e.Call(t, e.Test, tool, map[string]any{"name": "Ayman al-Zawahiri", "threshold": 0}, nil)
			require.NotNil(t, te, tool)
			require.Equal(t, "threshold", te.Field, tool)
		}
		r := screenCall(t, e, e.Test, "screen_person", person)
		require.NotEmpty(t, r.Hits)
		top := r.Hits[0]
		require.Equal(t, "ofac_sdn", top.Source)
		require.Equal(t, zawahiriID, top.SourceID)
		require.Equal(t, "name", top.MatchKind)
		require.True(t, top.Strong)
		require.GreaterOrEqual(t, top.Score, top.Threshold)
		require.Equal(t, "new", top.Status)
		require.True(t, top.Raised)
		require.NotEmpty(t, top.Explanation.Tokens)
		require.Contains(t, top.Entity.DatesOfBirth, "1951-06-19")
		require.Equal(t, r.Raised, len(r.Hits))
		require.Equal(t, sha, r.Lists[0].SHA256)

		// The verdict needs the review scope.
		resolve := map[string]any{"subject_ref": "cust-1", "source": "ofac_sdn", "source_id": zawahiriID,
			"fingerprint": top.Fingerprint, "verdict": "false_positive", "reason": "customer born 1990 in Lyon"}
		requireField(t, e.Call(t, e.ReadOnly, "resolve_screening_hit", resolve, nil), tools.CodePermissionDenied, "")
		var dec tools.ScreeningDecision
		require.Nil(t, e.Call(t, e.Test, "resolve_screening_hit", resolve, &dec))
		require.Regexp(t, `^sdc_`, dec.ID)
		require.Equal(t, top.Fingerprint, dec.Fingerprint)
		require.Equal(t, e.Test.KeyID, dec.DecidedBy)
		require.Nil(t, dec.Previous)
		var same tools.ScreeningDecision
		require.Nil(t, e.Call(t, e.Test, "resolve_screening_hit", resolve, &same))
		require.Equal(t, dec.ID, same.ID, "the same verdict again records nothing new")

		r = screenCall(t, e, e.Test, "screen_person", person)
		require.Equal(t, zawahiriID, r.Hits[0].SourceID)
		require.Equal(t, "false_positive", r.Hits[0].Status)
		require.False(t, r.Hits[0].Raised)
		require.Equal(t, "customer born 1990 in Lyon", r.Hits[0].Decision.Reason)
		require.Equal(t, len(r.Hits)-1, r.Raised)

		// Another subject, another account, another mode: not cleared.
		other := map[string]any{"name": "Ayman al-Zawahiri", "subject_ref": "cust-2"}
		r = screenCall(t, e, e.Test, "screen_person", other)
		require.Equal(t, "new", r.Hits[0].Status)
		for _, c := range []tools.Caller{e.OtherAccount, e.Live} {
			r = screenCall(t, e, c, "screen_person", person)
			require.Equal(t, "new", r.Hits[0].Status)
		}

		// Changing the verdict keeps the old one as the previous.
		resolve["verdict"], resolve["reason"] = "escalated", "second opinion wanted"
		require.Nil(t, e.Call(t, e.Test, "resolve_screening_hit", resolve, &dec))
		require.NotNil(t, dec.Previous)
		require.Equal(t, "false_positive", dec.Previous.Verdict)
		r = screenCall(t, e, e.Test, "screen_person", person)
		require.Equal(t, "escalated", r.Hits[0].Status)
		require.True(t, r.Hits[0].Raised)

		// A verdict on entity data that has since changed is refused; an unknown entry is not found.
		stale := map[string]any{"subject_ref": "cust-1", "source": "ofac_sdn", "source_id": zawahiriID,
			"fingerprint": strings.Repeat("0", 64), "verdict": "false_positive", "reason": "x"}
		requireField(t, e.Call(t, e.Test, "resolve_screening_hit", stale, nil), tools.CodeConflict, "fingerprint")
		stale["fingerprint"], stale["source_id"] = "", "99999999"
		requireField(t, e.Call(t, e.Test, "resolve_screening_hit", stale, nil), tools.CodeNotFound, "source_id")

		for _, tc := range []struct {
			args  map[string]any
			field string
		}{
			{map[string]any{"name": ""}, "name"},
			{map[string]any{"name": "   "}, "name"},
			{map[string]any{"name": "X Y", "dob": "sometime in June"}, "dob"},
			{map[string]any{"name": "X Y", "nationality": "XX"}, "nationality"},
			{map[string]any{"name": "X Y", "country": "1"}, "country"},
			{map[string]any{"name": "X Y", "threshold": 1.5}, "threshold"},
			{map[string]any{"name": "X Y", "birth_year": 1200}, "birth_year"},
			{map[string]any{"name": "X Y", "sources": []string{"un"}}, "sources[0]"},
			{map[string]any{"name": "X Y", "sources": []string{"nope"}}, "sources[]"},
			{map[string]any{"name": "X Y", "subject": "a"}, "subject"},
		} {
			requireField(t, e.Call(t, e.Test, "screen_person", tc.args, nil), tools.CodeInvalidArgument, tc.field)
		}
		for _, tc := range []struct {
			args  map[string]any
			field string
		}{
			{map[string]any{"source": "ofac_sdn", "source_id": "1", "verdict": "false_positive", "reason": "r"}, "subject_ref"},
			{map[string]any{"subject_ref": "a", "source": "ofac_sdn", "source_id": "1", "verdict": "maybe", "reason": "r"}, "verdict"},
			{map[string]any{"subject_ref": "a", "source": "ofac_sdn", "source_id": "1", "verdict": "true_match", "reason": " "}, "reason"},
			{map[string]any{"subject_ref": "a", "source": "ofac_sdn", "source_id": "1", "verdict": "true_match"}, "reason"},
		} {
			requireField(t, e.Call(t, e.Test, "resolve_screening_hit", tc.args, nil), tools.CodeInvalidArgument, tc.field)
		}
	})
}

// The pipeline's screening check honours verdicts recorded for the applicant id: cleared hits
// are kept in the result but do not hold the verification; a confirmed match rejects.
func TestScreeningCheckHonoursDecisions(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, s *db.Store) {
		e, _ := screeningEnv(t, s, nil)
		run := func(ref string) tools.Verification {
			var v tools.Verification
			require.Nil(t, e.Call(t, e.Test, "create_verification", map[string]any{"checks": []string{"screening"},
				"applicant": map[string]any{"name": "Ayman al Zawahiri", "dob": "1951-06-19"}, "external_ref": ref}, &v))
			require.Nil(t, e.Call(t, e.Test, "submit_verification", map[string]any{"id": v.ID}, nil))
			return waitStatus(t, e, e.Test, v.ID, "approved", "needs_review", "rejected")
		}
		first := run("cust-z")
		require.Equal(t, "needs_review", first.Status)
		hits := first.Result.Checks[0].Details["hits"].([]any)
		var ids []string
		for _, h := range hits {
			ids = append(ids, h.(map[string]any)["source_id"].(string))
		}
		require.Contains(t, ids, zawahiriID)

		// Clear every hit under the applicant id: the next verification passes.
		for _, id := range ids {
			require.Nil(t, e.Call(t, e.Test, "resolve_screening_hit", map[string]any{"subject_ref": first.ApplicantID, "source": "ofac_sdn",
				"source_id": id, "verdict": "false_positive", "reason": "verified: a namesake"}, nil))
		}
		second := run("cust-z")
		require.Equal(t, "approved", second.Status, "%+v", second.Result)
		require.EqualValues(t, len(ids), second.Result.Checks[0].Details["cleared"])

		// A key whose policy is to reject strong hits rejects (the server default is review).
		secret, _, err := s.CreateAPIKey(context.Background(), db.NewKey{AccountID: e.Test.AccountID, Name: "strict", Mode: models.ModeTest,
			Scopes: []string{string(tools.ScopeVerificationsWrite), string(tools.ScopeVerificationsRead)}, ScreeningStrongHit: "fail"})
		require.NoError(t, err)
		strict, err := tools.Authenticate(context.Background(), e.Reg.Deps(), secret)
		require.NoError(t, err)
		var sv tools.Verification
		require.Nil(t, e.Call(t, strict, "create_verification", map[string]any{"checks": []string{"screening"},
			"applicant": map[string]any{"name": "Ayman al Zawahiri"}, "external_ref": "cust-strict"}, &sv))
		require.Nil(t, e.Call(t, strict, "submit_verification", map[string]any{"id": sv.ID}, nil))
		sv = waitStatus(t, e, strict, sv.ID, "approved", "needs_review", "rejected")
		require.Equal(t, "rejected", sv.Status)
		require.Equal(t, "screening_strong_hit", sv.Result.Reasons[0].Code)
		_, _, err = s.CreateAPIKey(context.Background(), db.NewKey{AccountID: "a", Name: "n", Mode: models.ModeTest, ScreeningStrongHit: "block"})
		require.ErrorContains(t, err, "review or fail")

		// A confirmed match rejects.
		require.Nil(t, e.Call(t, e.Test, "resolve_screening_hit", map[string]any{"subject_ref": "cust-z", "source": "ofac_sdn",
			"source_id": zawahiriID, "verdict": "true_match", "reason": "passport matches"}, nil))
		third := run("cust-z")
		require.Equal(t, "rejected", third.Status)
		require.Equal(t, "screening_confirmed_match", third.Result.Reasons[0].Code)
	})
}

// screen_entity: names with legal forms, exact identifier matches, and check-digit validation.
func TestScreenEntity(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, s *db.Store) {
		e, _ := screeningEnv(t, s, nil)
		r := screenCall(t, e, e.Test, "screen_entity", map[string]any{"name": "Banco Nacional de Cuba S.A.", "country": "CU"})
		require.NotEmpty(t, r.Hits)
		require.Equal(t, "306", r.Hits[0].SourceID)

		r = screenCall(t, e, e.Test, "screen_entity", map[string]any{"imo": "IMO 7406784"})
		require.NotEmpty(t, r.Hits)
		require.Equal(t, ebanoID, r.Hits[0].SourceID)
		require.Equal(t, "identifier", r.Hits[0].MatchKind)
		require.Equal(t, 1.0, r.Hits[0].Score)
		require.Equal(t, "imo", r.Hits[0].Explanation.Identifier.Type)

		r = screenCall(t, e, e.Test, "screen_entity", map[string]any{"crypto_addresses": []string{lazarusETH}})
		require.NotEmpty(t, r.Hits)
		require.Equal(t, lazarusID, r.Hits[0].SourceID)

		r = screenCall(t, e, e.Test, "screen_entity", map[string]any{"name": "Quietwater Bakery GmbH", "country": "DE"})
		require.Empty(t, r.Hits)

		for _, tc := range []struct {
			args  map[string]any
			field string
		}{
			{map[string]any{}, "name"},
			{map[string]any{"lei": "5493001KJTIIGC8Y1R13"}, "lei"}, // check digits off by one
			{map[string]any{"lei": "ABC"}, "lei"},
			{map[string]any{"imo": "7406785", "type": "vessel"}, "imo"},
			{map[string]any{"imo": "74067"}, "imo"},
			{map[string]any{"name": "X", "registration_numbers": []string{"-/-"}}, "registration_numbers[0]"}, // no letter or digit
			{map[string]any{"name": "X", "crypto_addresses": []string{"short"}}, "crypto_addresses[0]"},
			{map[string]any{"name": "X", "country": "ZZ"}, "country"},
			{map[string]any{"name": "X", "type": "person"}, "type"},
		} {
			requireField(t, e.Call(t, e.Test, "screen_entity", tc.args, nil), tools.CodeInvalidArgument, tc.field)
		}
		require.Nil(t, e.Call(t, e.Test, "screen_entity", map[string]any{"lei": "5493001KJTIIGC8Y1R12"}, nil),
			"a well-formed LEI with correct check digits is accepted")
	})
}

// fakeEthNode answers eth_getTransactionByHash like geth: the transaction cleanTxHash pays
// from a listed address to the clean one; any other hash is unknown (null).
func fakeEthNode(t *testing.T) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var req struct {
			ID     json.RawMessage `json:"id"`
			Method string          `json:"method"`
			Params []string        `json:"params"`
		}
		if err := json.Unmarshal(body, &req); err != nil || req.Method != "eth_getTransactionByHash" || len(req.Params) != 1 {
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		var result any
		if req.Params[0] == cleanTxHash {
			result = map[string]any{"hash": cleanTxHash, "from": strings.ToLower(lazarusETH), "to": strings.ToLower(cleanETH),
				"input": "0x", "value": "0xde0b6b3a7640000", "blockNumber": "0x12a05f2"}
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"jsonrpc": "2.0", "id": req.ID, "result": result})
	}))
	t.Cleanup(srv.Close)
	return srv
}

// screen_transaction on the SDN's own addresses, with a fake Ethereum node for transactions.
func TestScreenTransaction(t *testing.T) {
	t.Parallel()
	node := fakeEthNode(t)
	eth, err := crypto.NewEthereumRPC(node.URL, crypto.NodeOptions{})
	require.NoError(t, err)
	dbtest.Each(t, func(t *testing.T, s *db.Store) {
		e, svc := screeningEnv(t, s, map[crypto.Chain]crypto.TxSource{crypto.ETH: eth})
		sha := svc.Screener().Versions()[0].SHA256

		r := txCall(t, e, e.Test, map[string]any{"chain": "ETH", "address": lazarusETH, "amount": "2.5"})
		require.Equal(t, "severe", r.Risk)
		require.Equal(t, crypto.ReasonSanctionedAddress, r.Reasons[0].Code)
		require.Equal(t, lazarusID, r.Matches[0].SourceID)
		require.Equal(t, "LAZARUS GROUP", r.Matches[0].EntityName)
		require.Equal(t, "2.5", r.Amount)
		require.Equal(t, sha, r.Lists[0].ListSHA256)
		require.Greater(t, r.Lists[0].Addresses, 250)

		// All lower case: the same destination, minus the checksum protection.
		r = txCall(t, e, e.Test, map[string]any{"chain": "eth", "address": strings.ToLower(lazarusETH)})
		require.Equal(t, "severe", r.Risk)
		require.False(t, r.Address.ChecksumVerified)

		// The same key on another EVM chain: high, not severe.
		r = txCall(t, e, e.Test, map[string]any{"chain": "ARB", "address": lazarusETH})
		require.Equal(t, "high", r.Risk)
		require.Equal(t, crypto.ReasonSanctionedKeyOtherForm, r.Reasons[0].Code)

		// An address OFAC lists on several chains (ETH, ARB, BSC) is listed on each: screening on
		// a chain OFAC names is severe, not "the key on another chain" (#19).
		for _, chain := range []string{"ARB", "BSC", "ETH"} {
			r = txCall(t, e, e.Test, map[string]any{"chain": chain, "address": "0x4f47bc496083c727c5fbe3ce9cdf2b0f6496270c"})
			require.Equal(t, "severe", r.Risk, chain)
			require.Equal(t, crypto.ReasonSanctionedAddress, r.Reasons[0].Code, chain)
		}

		r = txCall(t, e, e.Test, map[string]any{"chain": "ETH", "address": cleanETH})
		require.Equal(t, "low", r.Risk)
		require.Empty(t, r.Matches)

		// A transaction alone, read from the node: the listed sender is a sanctioned counterparty.
		r = txCall(t, e, e.Test, map[string]any{"chain": "ETH", "tx_hash": cleanTxHash})
		require.True(t, r.TxScreened)
		require.Equal(t, "severe", r.Risk)
		require.Equal(t, crypto.ReasonSanctionedCounterparty, r.Reasons[0].Code)
		require.Len(t, r.Transaction.Parties, 2)
		// With the customer's address, which is in the transaction.
		r = txCall(t, e, e.Test, map[string]any{"chain": "ETH", "address": cleanETH, "tx_hash": cleanTxHash})
		require.Equal(t, "severe", r.Risk)
		for _, x := range r.Reasons {
			require.NotEqual(t, crypto.ReasonAddressNotInTransaction, x.Code)
		}
		// An unknown transaction is not a clean one.
		r = txCall(t, e, e.Test, map[string]any{"chain": "ETH", "address": cleanETH, "tx_hash": "0x" + strings.Repeat("ab", 32)})
		require.Equal(t, "medium", r.Risk)
		require.False(t, r.TxScreened)
		// No node for Bitcoin: counterparties unscreened, said so.
		r = txCall(t, e, e.Test, map[string]any{"chain": "BTC", "address": "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq", "tx_hash": strings.Repeat("ab", 32)})
		require.Equal(t, crypto.ReasonCounterpartyUnscreened, r.Reasons[0].Code)

		for _, tc := range []struct {
			args  map[string]any
			field string
			says  string
		}{
			{map[string]any{"chain": "ETH"}, "address", "address"},
			{map[string]any{"chain": "ETH", "address": "0x123"}, "address", "length"},
			{map[string]any{"chain": "ETH", "address": "0x098B716B8Aaf21512996dC57EB0615e2383E2f97"}, "address", "checksum"},
			{map[string]any{"chain": "BTC", "address": "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdx"}, "address", "checksum"},
			{map[string]any{"chain": "BTC", "address": lazarusETH}, "address", ""},
			{map[string]any{"chain": "DOGEX", "address": cleanETH}, "chain", "unknown chain"},
			{map[string]any{"chain": "ETH", "address": cleanETH, "tx_hash": "0x1234"}, "tx_hash", ""},
			{map[string]any{"chain": "ETH", "address": cleanETH, "amount": "-1"}, "amount", ""},
			{map[string]any{"chain": "ETH", "address": cleanETH, "counterparty": "0xnothex"}, "counterparty", ""},
			{map[string]any{"address": cleanETH}, "chain", ""},
		} {
			te := e.Call(t, e.Test, "screen_transaction", tc.args, nil)
			requireField(t, te, tools.CodeInvalidArgument, tc.field)
			require.Contains(t, te.Message, tc.says)
		}
	})
}
