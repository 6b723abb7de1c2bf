package verify

import (
	"crypto/x509/pkix"
	"fmt"
	"sync"
	"time"

	"github.com/kycd/kycd/checks/nfc"
	"github.com/kycd/kycd/checks/nfc/nfctest"
	"github.com/kycd/kycd/models"
)

// The sandbox chip PKI (issue #27): a CSCA and Document Signer of the fictional state Utopia,
// derived from fixed public seeds with the test PKI of checks/nfc. Its private keys are
// public knowledge by construction, so its CSCA is trusted for test-mode keys only — never
// for a live key — and only for a chip that the operator's own trust store does not judge
// trusted. The hosted flow's "use sample chip" button submits a read signed by it.

// TrustStoreSandbox names the sandbox CSCA in a scan's trust_store.
const TrustStoreSandbox = "sandbox: kycd sandbox CSCA Utopia (test mode only)"

var sandboxPKI struct {
	once      sync.Once
	csca, dsc *nfctest.Cert
	trust     *nfc.TrustStore
	err       error
}

func sandboxChipPKI() (*nfctest.Cert, *nfc.TrustStore, error) {
	p := &sandboxPKI
	p.once.Do(func() {
		from := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
		name := func(cn string) pkix.Name {
			return pkix.Name{Country: []string{"UT"}, Organization: []string{"kycd sandbox"}, CommonName: cn}
		}
		p.csca = nfctest.SelfSigned(nfctest.ECKey("kycd-sandbox-csca", "P-256", false), nfctest.ECDSAWithSHA256,
			nfctest.CertSpec{Subject: name("kycd sandbox CSCA Utopia"), Serial: 1, NotBefore: from, NotAfter: from.AddDate(25, 0, 0), CA: true})
		p.dsc = p.csca.Issue(nfctest.ECKey("kycd-sandbox-dsc", "P-256", false), nfctest.ECDSAWithSHA256,
			nfctest.CertSpec{Subject: name("kycd sandbox DS Utopia"), Serial: 2, NotBefore: from, NotAfter: from.AddDate(15, 0, 0)})
		p.trust = nfc.NewTrustStore()
		_, p.err = p.trust.AddCSCA(p.csca.DER, "kycd sandbox")
	})
	return p.dsc, p.trust, p.err
}

// SandboxChip is a sample ePassport chip read for test mode: DG1 with the MRZ lines, DG2 with
// the portrait (JPEG, its pixel size w×h), and an EF.SOD over both signed by the sandbox
// Document Signer. A tampered read changes a character of DG1's MRZ after signing, as a
// forged chip would: its hash no longer matches the SOD.
func SandboxChip(lines []string, portraitJPEG []byte, w, h int, tampered bool) (sod []byte, dgs map[int][]byte, err error) {
	if len(lines) == 0 {
		return nil, nil, fmt.Errorf("sandbox chip: no MRZ lines")
	}
	dsc, _, err := sandboxChipPKI()
	if err != nil {
		return nil, nil, fmt.Errorf("sandbox chip PKI: %w", err)
	}
	dgs = map[int][]byte{1: nfctest.DG1(lines...), 2: nfctest.DG2(portraitJPEG, false, w, h)}
	sod = dsc.SignSOD(nfctest.SODSpec{DataGroups: dgs, SigningTime: time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC), LDSVersion: true})
	if tampered {
		forged := make([]string, len(lines))
		copy(forged, lines)
		b := []byte(forged[len(forged)-1])
		if b[0] == 'X' {
			b[0] = 'Y'
		} else {
			b[0] = 'X'
		}
		forged[len(forged)-1] = string(b)
		dgs[1] = nfctest.DG1(forged...)
	}
	return sod, dgs, nil
}

// sandboxVerify re-judges a test-mode read whose DSC the regular trust store does not know
// against the sandbox CSCA; ok is false (use the first result) for live keys, for other
// DSCs, and when the sandbox CSCA does not issue this DSC either.
func (n *NFC) sandboxVerify(mode models.Mode, in nfc.Input, first *nfc.Result) (*nfc.Result, bool) {
	if mode != models.ModeTest || first.DSCTrusted || !first.HasReason(nfc.CodeDSCNotTrusted) {
		return nil, false
	}
	_, ts, err := sandboxChipPKI()
	if err != nil {
		n.log.Warn("nfc: sandbox CSCA", "err", err)
		return nil, false
	}
	r := n.verifier(ts, mode).Verify(in)
	if !r.DSCTrusted {
		return nil, false
	}
	return r, true
}
