package nfc

import (
	"bytes"
	"os"
	"testing"

	"github.com/kycd/kycd/internal/testfiles"
)

// Malaysia's SOD encodes its signer's issuer with another RDN order than
// the DSC does; the normalised names must still match (not only the
// sole-certificate fallback).
func TestMalaysianSignerNameOrder(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile(testfiles.Path(t, "epassport", "gmrtd_real_sod", "MY", "EF.SOD.bin"))
	if err != nil {
		t.Fatal(err)
	}
	s, err := ParseSOD(b)
	if err != nil {
		t.Fatal(err)
	}
	c := s.sd.certs[0]
	if bytes.Equal(s.signer.sidIssuer, c.RawIssuer) {
		t.Fatal("the SOD's signer name is byte-identical to the certificate's; the test data changed")
	}
	if s.signer.sidIssuerKey != c.issKey {
		t.Error("normalised names differ")
	}
	s.sd.certs = append(s.sd.certs, c) // two certificates: no fallback
	if s.Signer() != c {
		t.Error("signer not found by normalised issuer and serial")
	}
}
