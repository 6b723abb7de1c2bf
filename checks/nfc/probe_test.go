package nfc

import (
	"os"
	"path/filepath"
	"testing"
)

func TestProbe(t *testing.T) {
	base := "../../../shared/testdata/epassport/gmrtd_real_sod"
	ents, _ := os.ReadDir(base)
	for _, e := range ents {
		b, _ := os.ReadFile(filepath.Join(base, e.Name(), "EF.SOD.bin"))
		s, err := ParseSOD(b)
		if err != nil {
			t.Errorf("%s: %v", e.Name(), err)
			continue
		}
		dsc := s.Signer()
		if dsc == nil {
			t.Errorf("%s: no signer (%d certs)", e.Name(), len(s.Certificates))
			continue
		}
		alg, err := s.VerifySignature(dsc)
		cb, _ := os.ReadFile(filepath.Join(base, e.Name(), "CSCA.der"))
		csca, err2 := ParseCertificate(cb)
		var err3 error
		if err2 == nil {
			err3 = dsc.CheckSignatureFrom(csca)
		}
		t.Logf("%s: %s v%s dg1=%s alg=%s err=%v csca=%v chain=%v curve=%s/%s", e.Name(), hashName(s.HashAlgorithm), s.LDSVersion, s.HashHex(1)[:8], alg, err, err2, err3, dsc.PublicKey.Curve, csca.PublicKey.Curve)
	}
}
