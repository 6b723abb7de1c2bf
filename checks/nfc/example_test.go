package nfc_test

import (
	"crypto/x509/pkix"
	"fmt"
	"time"

	"github.com/kycd/kycd/checks/mrz"
	"github.com/kycd/kycd/checks/nfc"
	"github.com/kycd/kycd/checks/nfc/nfctest"
)

// A chip read checked against a CSCA: the test PKI plays the issuing
// state, with a brainpoolP256r1 CSCA using explicit curve parameters.
func Example() {
	at := time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)
	subject := func(cn string) pkix.Name { return pkix.Name{Country: []string{"UT"}, CommonName: cn} }
	csca := nfctest.SelfSigned(nfctest.ECKey("example-csca", "brainpoolP256r1", true), nfctest.ECDSAWithSHA256,
		nfctest.CertSpec{Subject: subject("CSCA Utopia"), Serial: 1, NotBefore: at, NotAfter: at.AddDate(10, 0, 0), CA: true})
	dsc := csca.Issue(nfctest.ECKey("example-dsc", "P-256", false), nfctest.ECDSAWithSHA256,
		nfctest.CertSpec{Subject: subject("DS Utopia"), Serial: 2, NotBefore: at, NotAfter: at.AddDate(5, 0, 0)})
	dgs := map[int][]byte{1: nfctest.DG1(nfctest.SpecimenMRZ...)}
	sod := dsc.SignSOD(nfctest.SODSpec{DataGroups: dgs, SigningTime: at.AddDate(0, 1, 0)})

	ts := nfc.NewTrustStore()
	if _, err := ts.AddCSCA(csca.DER, "example"); err != nil {
		panic(err)
	}
	v := nfc.NewVerifier(ts, nfc.WithMRZOptions(mrz.WithSpecimenCodes()))
	r := v.Verify(nfc.Input{SOD: sod, DataGroups: dgs})
	fmt.Println("authentic:", r.ChipAuthentic)
	fmt.Println("holder:", r.MRZ.Surname, r.MRZ.GivenNames)
	fmt.Println("CSCA:", r.Chain[1].Subject, r.Chain[1].Curve, "explicit:", r.Chain[1].ExplicitECParams)

	// The same read without the CSCA loaded.
	r = nfc.NewVerifier(nil).Verify(nfc.Input{SOD: sod, DataGroups: dgs})
	fmt.Println("authentic:", r.ChipAuthentic, r.Reasons[0].Code)
	// Output:
	// authentic: true
	// holder: ERIKSSON ANNA MARIA
	// CSCA: CN=CSCA Utopia,C=UT brainpoolP256r1 explicit: true
	// authentic: false dsc_not_trusted
}
