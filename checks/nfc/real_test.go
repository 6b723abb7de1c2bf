package nfc_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kycd/kycd/checks/mrz"
	"github.com/kycd/kycd/checks/nfc"
	"github.com/kycd/kycd/internal/testfiles"
)

var realCountries = []string{"AT", "AU", "CN", "DE", "FI", "FR", "GB", "MY", "NZ", "PH", "RU", "SG", "US"}

func epassport(t testing.TB, elem ...string) string {
	t.Helper()
	return testfiles.Path(t, append([]string{"epassport"}, elem...)...)
}

func read(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

var (
	deStoreOnce sync.Once
	deStore     *nfc.TrustStore
	deInfo      *nfc.MasterListInfo
	deErr       error
)

// germanMasterList is the trust store built from the German CSCA master
// list, verified against the German CSCA root (PROVENANCE.md).
func germanMasterList(t testing.TB) (*nfc.TrustStore, *nfc.MasterListInfo) {
	t.Helper()
	root := read(t, epassport(t, "master_lists", "DE_ROOT_CA_CSCA07.cer"))
	ml := read(t, epassport(t, "master_lists", "DE_ML_2026-05-28-08-28-45.ml"))
	deStoreOnce.Do(func() {
		var rc *nfc.Certificate
		rc, deErr = nfc.ParseCertificate(root)
		if deErr != nil {
			return
		}
		deStore = nfc.NewTrustStore()
		deInfo, deErr = deStore.AddMasterList(ml, []*nfc.Certificate{rc}, time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC))
	})
	if deErr != nil {
		t.Fatalf("German master list: %v", deErr)
	}
	return deStore, deInfo
}

func TestMasterListDE(t *testing.T) {
	t.Parallel()
	ts, info := germanMasterList(t)
	if info.Certificates != 588 {
		t.Errorf("certificates = %d, want 588 (PROVENANCE)", info.Certificates)
	}
	if len(info.Skipped) != 0 {
		t.Errorf("skipped: %v", info.Skipped)
	}
	if !strings.Contains(info.Signer.Subject, "CSCA Master List Signer") {
		t.Errorf("signer = %q", info.Signer.Subject)
	}
	if len(info.SignerChain) == 0 || info.SignerChain[len(info.SignerChain)-1].Country != "DE" {
		t.Errorf("signer chain = %+v", info.SignerChain)
	}
	list := ts.List()
	if len(list) != info.Added || info.Added == 0 {
		t.Errorf("listed %d, added %d", len(list), info.Added)
	}
	explicit := 0
	for _, c := range list {
		if c.Country == "" || c.Subject == "" || c.NotAfter.IsZero() || !strings.HasPrefix(c.Source, "master list") {
			t.Fatalf("incomplete listing: %+v", c)
		}
		if c.ExplicitECParams {
			explicit++
		}
	}
	if explicit == 0 {
		t.Error("no CSCA with explicit EC parameters parsed; the master list has some")
	}
	t.Logf("%d CSCAs from %d countries, %d with explicit EC parameters", len(list), len(info.Countries), explicit)
}

func TestMasterListNL(t *testing.T) {
	t.Parallel()
	rc, err := nfc.ParseCertificate(read(t, epassport(t, "master_lists", "NL_ROOT_CA.cer")))
	if err != nil {
		t.Fatal(err)
	}
	ts := nfc.NewTrustStore()
	info, err := ts.AddMasterList(read(t, epassport(t, "master_lists", "NL_ML_2026-07-22.ml")), []*nfc.Certificate{rc}, time.Date(2026, 8, 1, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	if info.Certificates != 411 {
		t.Errorf("certificates = %d, want 411", info.Certificates)
	}
	// The wrong root must not verify the list.
	de, err := nfc.ParseCertificate(read(t, epassport(t, "master_lists", "DE_ROOT_CA_CSCA07.cer")))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := nfc.NewTrustStore().AddMasterList(read(t, epassport(t, "master_lists", "NL_ML_2026-07-22.ml")), []*nfc.Certificate{de}, time.Date(2026, 8, 1, 0, 0, 0, 0, time.UTC)); err == nil {
		t.Error("NL master list accepted with the German root")
	}
}

type expected struct {
	Country        string `json:"country"`
	DG1            string `json:"expDg1Hash"`
	DG2            string `json:"expDg2Hash"`
	LDSVersion     string `json:"expLdsVersion"`
	UnicodeVersion string `json:"expUnicodeVersion"`
}

// TestRealSODs verifies the 13 real passport SODs end to end from the
// German master list and its root. The gmrtd data has no DG1/DG2 (privacy),
// so ChipAuthentic stays false with exactly the dg1_missing reason.
func TestRealSODs(t *testing.T) {
	t.Parallel()
	ts, _ := germanMasterList(t)
	// A fixed clock keeps the test stable after the DSCs expire (the
	// earliest, FR, in 2027); SODs with a signing time use that instead.
	v := nfc.NewVerifier(ts, nfc.WithClock(func() time.Time { return time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC) }))
	for _, cc := range realCountries {
		t.Run(cc, func(t *testing.T) {
			t.Parallel()
			dir := epassport(t, "gmrtd_real_sod", cc)
			var exp expected
			if err := json.Unmarshal(read(t, filepath.Join(dir, "expected.json")), &exp); err != nil {
				t.Fatal(err)
			}
			sodBytes := read(t, filepath.Join(dir, "EF.SOD.bin"))
			sod, err := nfc.ParseSOD(sodBytes)
			if err != nil {
				t.Fatal(err)
			}
			if got := sod.HashHex(1); got != exp.DG1 {
				t.Errorf("DG1 hash %s, want %s", got, exp.DG1)
			}
			if got := sod.HashHex(2); got != exp.DG2 {
				t.Errorf("DG2 hash %s, want %s", got, exp.DG2)
			}
			if sod.LDSVersion != exp.LDSVersion || sod.UnicodeVersion != exp.UnicodeVersion {
				t.Errorf("versions %q/%q, want %q/%q", sod.LDSVersion, sod.UnicodeVersion, exp.LDSVersion, exp.UnicodeVersion)
			}
			dsc := sod.Signer()
			if dsc == nil {
				t.Fatal("signer certificate not found")
			}
			wantDSC, err := nfc.ParseCertificate(read(t, filepath.Join(dir, "DSC.der")))
			if err != nil {
				t.Fatal(err)
			}
			if dsc.Fingerprint() != wantDSC.Fingerprint() {
				t.Errorf("embedded DSC differs from DSC.der")
			}

			r := v.Verify(nfc.Input{SOD: sodBytes})
			if !r.SODSignatureValid || !r.DSCTrusted {
				t.Fatalf("signature %v, DSC trusted %v: %+v", r.SODSignatureValid, r.DSCTrusted, r.Reasons)
			}
			if r.ChipAuthentic || !r.HasReason(nfc.CodeDG1Missing) {
				t.Errorf("an SOD without DG1 must not be authentic: %+v", r.Reasons)
			}
			for _, x := range r.Reasons {
				if x.Severity == nfc.SeverityError && x.Code != nfc.CodeDG1Missing {
					t.Errorf("unexpected error reason %+v", x)
				}
			}
			if len(r.Chain) != 2 {
				t.Fatalf("chain %+v", r.Chain)
			}
			csca, err := nfc.ParseCertificate(read(t, filepath.Join(dir, "CSCA.der")))
			if err != nil {
				t.Fatal(err)
			}
			if r.Chain[1].Subject != csca.Subject.String() {
				t.Errorf("chained to %q, CSCA.der is %q", r.Chain[1].Subject, csca.Subject.String())
			}
			if err := dsc.CheckSignatureFrom(csca); err != nil {
				t.Errorf("DSC does not verify with CSCA.der: %v", err)
			}
			t.Logf("%s: %s, %s, DSC %s %s, CSCA %q", cc, r.HashAlgorithm, r.SignatureAlgorithm, r.Chain[0].KeyAlgorithm, r.Chain[0].Curve, r.Chain[1].Subject)
		})
	}
}

// TestRealSODWithoutTrust: the same SODs with an empty store say clearly
// that no CSCA for the country is loaded.
func TestRealSODWithoutTrust(t *testing.T) {
	t.Parallel()
	r := nfc.NewVerifier(nil).Verify(nfc.Input{SOD: read(t, epassport(t, "gmrtd_real_sod", "AT", "EF.SOD.bin"))})
	if !r.SODSignatureValid || r.DSCTrusted {
		t.Fatalf("%+v", r)
	}
	found := false
	for _, x := range r.Reasons {
		if x.Code == nfc.CodeDSCNotTrusted && strings.Contains(x.Message, `no CSCA for country "AT" is loaded`) {
			found = true
		}
	}
	if !found {
		t.Errorf("reasons %+v", r.Reasons)
	}
}

func specimen(t testing.TB, set string) (map[int][]byte, []byte) {
	dir := epassport(t, "specimen_sod_with_dgs", set)
	dgs := map[int][]byte{}
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		var n int
		name := e.Name()
		switch {
		case strings.HasPrefix(name, "EF_DG1.") || name == "EF_DG1.bin":
			n = 1
		case strings.HasPrefix(name, "EF_DG14"):
			n = 14
		case strings.HasPrefix(name, "EF_DG15"):
			n = 15
		default:
			continue
		}
		dgs[n] = read(t, filepath.Join(dir, name))
	}
	return dgs, read(t, filepath.Join(dir, "EF_SOD.bin"))
}

func TestSpecimenBSI(t *testing.T) {
	t.Parallel()
	dgs, sod := specimen(t, "BSI_TR-03105-5_ReferenceDataSet")
	r := nfc.NewVerifier(nil, nfc.WithMRZOptions(mrz.WithSpecimenCodes())).Verify(nfc.Input{SOD: sod, DataGroups: dgs})
	status := map[int]string{}
	for _, d := range r.DataGroups {
		status[d.Number] = d.Status
	}
	if status[1] != nfc.DGValid || status[14] != nfc.DGValid || status[15] != nfc.DGNotCovered {
		t.Errorf("statuses %v", status)
	}
	if !r.DGHashesValid || !r.SODSignatureValid || r.DSCTrusted || r.ChipAuthentic {
		t.Errorf("flags: hashes %v sig %v trusted %v authentic %v", r.DGHashesValid, r.SODSignatureValid, r.DSCTrusted, r.ChipAuthentic)
	}
	if !r.HasReason(nfc.CodeDGNotCovered) || !r.HasReason(nfc.CodeDSCNotTrusted) {
		t.Errorf("reasons %+v", r.Reasons)
	}
	if r.AAPublicKey != nil {
		t.Error("the key of an uncovered DG15 was used")
	}
	if r.MRZ == nil || r.MRZ.Surname != "MUSTERMANN" || r.MRZ.GivenNames != "ERIKA" {
		t.Errorf("MRZ %+v", r.MRZ)
	}
	if r.SecurityInfos == nil || len(r.SecurityInfos.ChipAuthentication)+len(r.SecurityInfos.ChipAuthenticationKeys) == 0 {
		t.Errorf("DG14 %+v", r.SecurityInfos)
	}
	for _, x := range r.Reasons {
		if x.Code == nfc.CodeDSCNotTrusted {
			t.Logf("%s: %s", x.Code, x.Message)
		}
	}
	// The DSC shipped beside the SOD is the embedded one.
	dsc, err := nfc.ParseCertificate(read(t, epassport(t, "specimen_sod_with_dgs", "BSI_TR-03105-5_ReferenceDataSet", "dsc_de_0142fd5cf927.cer")))
	if err != nil {
		t.Fatal(err)
	}
	if r.Chain[0].SHA1Fingerprint != dsc.Fingerprint() {
		t.Error("embedded DSC differs from the shipped one")
	}
	// Tampering with DG1 breaks its hash.
	bad := append([]byte(nil), dgs[1]...)
	bad[len(bad)-3] ^= 1
	dgs[1] = bad
	r = nfc.NewVerifier(nil).Verify(nfc.Input{SOD: sod, DataGroups: dgs})
	if r.DGHashesValid || !r.HasReason(nfc.CodeDGHashMismatch) || r.MRZ != nil {
		t.Errorf("tampered DG1 accepted: %+v", r.Reasons)
	}
}

func TestSpecimenETSI(t *testing.T) {
	t.Parallel()
	dgs, sod := specimen(t, "ETSI_ePassport_Prototype_EACAA")
	r := nfc.NewVerifier(nil, nfc.WithMRZOptions(mrz.WithSpecimenCodes())).Verify(nfc.Input{SOD: sod, DataGroups: dgs})
	for _, d := range r.DataGroups {
		if d.Status != nfc.DGValid && d.Status != nfc.DGNotSupplied {
			t.Errorf("DG%d %s", d.Number, d.Status)
		}
	}
	if !r.DGHashesValid || !r.SODSignatureValid || r.DSCTrusted {
		t.Errorf("flags: hashes %v sig %v trusted %v: %+v", r.DGHashesValid, r.SODSignatureValid, r.DSCTrusted, r.Reasons)
	}
	if r.AAPublicKey == nil || r.MRZ == nil {
		t.Errorf("AA key %+v, MRZ %+v", r.AAPublicKey, r.MRZ)
	}
	if r.SecurityInfos == nil {
		t.Error("DG14 not parsed")
	}
	t.Logf("AA key %+v; DG14 %+v; MRZ %s %s valid=%v %v", r.AAPublicKey, r.SecurityInfos, r.MRZ.Surname, r.MRZ.DocumentNumber, r.MRZ.Valid, r.MRZ.Errors)
}

func TestSpecimenModifiedBSI(t *testing.T) {
	t.Parallel()
	sod := read(t, epassport(t, "specimen_sod_with_dgs", "BSI_TR-03105-5_modified_id-data", "EF_SOD.bin"))
	r := nfc.NewVerifier(nil).Verify(nfc.Input{SOD: sod})
	if r.SODSignatureValid || !r.HasReason(nfc.CodeSODSignatureInvalid) {
		t.Fatalf("modified SOD accepted: %+v", r.Reasons)
	}
}

// TestLinkCertificates follows Indonesia's CSCA key rollovers 2010 → 2016
// → 2020 from the 2010 root through the published link certificates (the
// 2020 link names its issuer in the opposite RDN order to its subject).
func TestLinkCertificates(t *testing.T) {
	t.Parallel()
	ml := func(n string) []byte { return read(t, epassport(t, "master_lists", n)) }
	ts := nfc.NewTrustStore()
	if _, err := ts.AddCSCA(ml("IDN_2010series_2010-12_CSCA.cer"), "IDN 2010"); err != nil {
		t.Fatal(err)
	}
	if _, err := nfc.NewTrustStore().AddLinkCertificate(ml("IDN_2010series_2016-01_CSCA_LINK.cer")); err == nil {
		t.Fatal("link certificate trusted without its issuer")
	}
	if _, err := ts.AddLinkCertificate(ml("IDN_2010series_2020-10_CSCA_LINK.cer")); err == nil {
		t.Fatal("2020 link trusted before the 2016 link")
	}
	l16, err := ts.AddLinkCertificate(ml("IDN_2010series_2016-01_CSCA_LINK.cer"))
	if err != nil {
		t.Fatal(err)
	}
	l20, err := ts.AddLinkCertificate(ml("IDN_2010series_2020-10_CSCA_LINK.cer"))
	if err != nil {
		t.Fatal(err)
	}
	// The self-signed 2016 and 2020 CSCAs carry the keys the links certify.
	for _, c := range []struct {
		file string
		link *nfc.Certificate
	}{{"IDN_2010series_2016-01_CSCA.cer", l16}, {"IDN_2010series_2020-10_CSCA.cer", l20}} {
		self, err := nfc.ParseCertificate(ml(c.file))
		if err != nil {
			t.Fatal(err)
		}
		if err := self.CheckSignatureFrom(c.link); err != nil {
			t.Errorf("%s does not verify with the link certificate's key: %v", c.file, err)
		}
	}
	if ts.Len() != 3 {
		t.Errorf("store has %d", ts.Len())
	}
	// The German master list carries link certificates too; they are
	// trust anchors like the self-signed ones.
	de, _ := germanMasterList(t)
	links := 0
	for _, c := range de.List() {
		if c.Subject != c.Issuer {
			links++
		}
	}
	if links == 0 {
		t.Error("no link certificates in the German master list")
	}
	t.Logf("German master list: %d link certificates", links)
}
