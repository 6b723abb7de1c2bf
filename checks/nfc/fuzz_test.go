package nfc_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/kycd/kycd/checks/nfc"
	"github.com/kycd/kycd/checks/nfc/nfctest"
)

// addShared adds seeds from the shared test data when it is present
// (fuzzing works without it).
func addShared(f *testing.F, glob string) {
	dir := os.Getenv("KYCD_TESTDATA")
	if dir == "" {
		dir = filepath.Join("..", "..", "..", "shared", "testdata")
	}
	matches, _ := filepath.Glob(filepath.Join(dir, "epassport", glob))
	for _, m := range matches {
		if b, err := os.ReadFile(m); err == nil && len(b) < 1<<20 {
			f.Add(b)
		}
	}
}

// FuzzVerifySOD: no input makes parsing or verification panic, and a
// mutated SOD never verifies as authentic unless it is the original.
func FuzzVerifySOD(f *testing.F) {
	// Only EC keys here: the fuzzer instruments math/big, which makes RSA
	// key generation far too slow for every worker.
	p := newProfile("p256", nfctest.ECKey("csca-p256", "P-256", false), nfctest.ECDSAWithSHA256, nfctest.ECKey("dsc-p256", "P-256", false), nfctest.ECDSAWithSHA256, nfctest.ECKey("aa-p256", "P-256", false), 0)
	dgs := p.dgs()
	sod := p.sod(dgs)
	f.Add(sod)
	addShared(f, "gmrtd_real_sod/*/EF.SOD.bin")
	addShared(f, "specimen_sod_with_dgs/*/EF_SOD.bin")
	v := verifier(p.store(nil))
	f.Fuzz(func(t *testing.T, b []byte) {
		if s, err := nfc.ParseSOD(b); err == nil {
			_ = s.DataGroups()
			if c := s.Signer(); c != nil {
				_, _ = s.VerifySignature(c)
				_ = c.Info()
			}
		}
		r := v.Verify(nfc.Input{SOD: b, DataGroups: dgs})
		if r == nil {
			t.Fatal("nil result")
		}
	})
}

// FuzzDataGroups: the DG1, DG2, DG14 and DG15 parsers never panic.
func FuzzDataGroups(f *testing.F) {
	f.Add(nfctest.DG1(nfctest.SpecimenMRZ...))
	f.Add(nfctest.DG2(nfctest.FaceJPEG()[:200], false, 10, 10))
	f.Add(nfctest.DG2(nfctest.FaceJP2, true, 10, 10))
	f.Add(nfctest.DG2ISO39794([]byte{0xFF, 0xD8, 0xFF, 0xE0, 1, 2}))
	f.Add(nfctest.DG14(nfctest.ECDSAPlainSHA256))
	f.Add(nfctest.DG15(nfctest.ECKey("aa-bp", "brainpoolP256r1", true)))
	// RSA DG15 seeds come from the ETSI specimen (see addShared).
	addShared(f, "specimen_sod_with_dgs/*/EF_DG*.bin")
	k, _ := nfc.ParseDG15(nfctest.DG15(nfctest.ECKey("aa-bp", "brainpoolP256r1", true)))
	f.Fuzz(func(t *testing.T, b []byte) {
		_, _ = nfc.ParseDG1(b)
		_, _ = nfc.ParseDG2(b)
		_, _ = nfc.ParseDG14(b)
		if pk, err := nfc.ParseDG15(b); err == nil {
			_, _ = nfc.VerifyActiveAuth(pk, nil, challenge, b)
		}
		_, _ = nfc.ParsePublicKey(b)
		_, _ = nfc.ParseCertificate(b)
		_, _ = nfc.VerifyActiveAuth(k, nil, challenge, b)
	})
}

// FuzzMasterList: the master-list parser and CRL loader never panic, and
// nothing but the genuine list verifies under the test root.
func FuzzMasterList(f *testing.F) {
	root := nfctest.SelfSigned(nfctest.ECKey("fuzz-root", "P-256", false), nfctest.ECDSAWithSHA256, nfctest.CertSpec{Subject: name("CSCA FZ"), Serial: 1, NotBefore: t0.AddDate(-1, 0, 0), NotAfter: t0.AddDate(5, 0, 0), CA: true})
	signer := root.Issue(nfctest.ECKey("fuzz-signer", "P-256", false), nfctest.ECDSAWithSHA256, nfctest.CertSpec{Subject: name("ML signer FZ"), Serial: 2, NotBefore: t0.AddDate(-1, 0, 0), NotAfter: t0.AddDate(5, 0, 0)})
	ml := signer.MasterList(t0, root.DER)
	f.Add(ml)
	f.Add(root.CRL(t0, t0.AddDate(1, 0, 0)))
	rc, err := nfc.ParseCertificate(root.DER)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if _, _, err := nfc.ParseMasterList(b, []*nfc.Certificate{rc}, t0); err == nil && string(b) != string(ml) {
			// Only unsigned fields may differ; the content must be equal.
			certs, _, _ := nfc.ParseMasterList(b, []*nfc.Certificate{rc}, t0)
			if len(certs) != 1 || string(certs[0].Raw) != string(root.DER) {
				t.Fatalf("mutated master list verified with other content")
			}
		}
		_, _ = nfc.NewTrustStore().AddCRL(b)
	})
}
