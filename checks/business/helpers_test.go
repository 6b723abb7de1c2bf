package business_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"unicode/utf8"

	"github.com/kycd/kycd/checks/business"
	"github.com/kycd/kycd/checks/business/gleiftest"
	"github.com/kycd/kycd/internal/testfiles"
)

// The twelve companies with full recordings in the shared test data.
var recordedLEIs = []string{
	"21380068P1DRHMJ8KU70", // SHELL PLC
	"254900LNRYNOQ9YPU758", // Amazon Digital UK Limited
	"254900MSZM6DMP853B11", // ROCA NETWORKS INC.
	"335800CCCPHKUOXPC332", // NFA INTERNATIONAL (LAPSED)
	"5299001ERX0K10IZUL40", // Fraport AG
	"529900GRZ2BQY5ZM9N49", // PUMA SE
	"5493001KJTIIGC8Y1R12", // Bloomberg Finance L.P.
	"549300O897ZC5H7CY412", // Nordic Legal Entity Identifier AB
	"549300YX4S1LLSMK2627", // APPLE ENERGY LLC
	"851WYGNLUQLFZBSYGB56", // COMMERZBANK Aktiengesellschaft
	"984500983AD71E4FBC41", // PROVENANT INC.
	"INR2EJN1ERAN0W5ZP974", // MICROSOFT CORPORATION
}

func apiDir(t testing.TB) string {
	t.Helper()
	return testfiles.Path(t, "lei", "gleif_api_v1")
}

func readAPI(t testing.TB, rel string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(apiDir(t), rel))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// replay starts the replay server and a fast-retrying client for it.
func replay(t testing.TB, opt business.Options) (*gleiftest.Server, *business.Client) {
	t.Helper()
	srv := gleiftest.New(t, apiDir(t))
	opt.BaseURL = srv.BaseURL()
	if opt.BackoffBase == 0 {
		opt.BackoffBase = 5_000_000 // 5ms
	}
	c, err := business.NewClient(opt)
	if err != nil {
		t.Fatal(err)
	}
	return srv, c
}

// multiRecords are the twelve records of the recorded /lei-records list.
func multiRecords(t testing.TB) []business.Record {
	t.Helper()
	recs, err := business.DecodeRecords(readAPI(t, "lei_records/multi_lei_records.json"))
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

func recordOf(t testing.TB, lei string) business.Record {
	t.Helper()
	recs, err := business.DecodeRecords(readAPI(t, "lei_records/single_lei_record_"+lei+".json"))
	if err != nil || len(recs) != 1 {
		t.Fatalf("record %s: %v", lei, err)
	}
	return recs[0]
}

type jsonRaw = json.RawMessage

var jsonUnmarshal = json.Unmarshal

var utf8Valid = utf8.ValidString
