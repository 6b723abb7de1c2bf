package nfc_test

import (
	"bytes"
	"crypto"
	"crypto/x509/pkix"
	"errors"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/kycd/kycd/checks/mrz"
	"github.com/kycd/kycd/checks/nfc"
	"github.com/kycd/kycd/checks/nfc/nfctest"
)

var (
	t0        = time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC)
	signedAt  = time.Date(2024, 6, 1, 9, 0, 0, 0, time.UTC)
	fixedNow  = func() time.Time { return time.Date(2025, 1, 15, 0, 0, 0, 0, time.UTC) }
	challenge = []byte{1, 2, 3, 4, 5, 6, 7, 8}
)

func name(cn string) pkix.Name {
	return pkix.Name{Country: []string{"UT"}, Organization: []string{"kycd test"}, CommonName: cn}
}

// profile is one CSCA → DSC → SOD set-up of the test PKI.
type profile struct {
	name    string
	csca    *nfctest.Cert
	dsc     *nfctest.Cert
	aa      *nfctest.Key
	aaHash  crypto.Hash
	dg14    []byte
	sodHash crypto.Hash
}

func newProfile(label string, cscaKey *nfctest.Key, cscaAlg nfctest.SigAlg, dscKey *nfctest.Key, dscAlg nfctest.SigAlg, aa *nfctest.Key, aaHash crypto.Hash) *profile {
	csca := nfctest.SelfSigned(cscaKey, cscaAlg, nfctest.CertSpec{Subject: name("CSCA " + label), Serial: 1, NotBefore: t0.AddDate(-1, 0, 0), NotAfter: t0.AddDate(10, 0, 0), CA: true})
	dsc := csca.Issue(dscKey, dscAlg, nfctest.CertSpec{Subject: name("DS " + label), Serial: 100, NotBefore: t0, NotAfter: t0.AddDate(5, 0, 0)})
	p := &profile{name: label, csca: csca, dsc: dsc, aa: aa, aaHash: aaHash, sodHash: crypto.SHA256}
	if !aa.RSA {
		p.dg14 = nfctest.DG14(nfctest.ECDSAPlainSHA256)
	}
	return p
}

func profiles() []*profile {
	return []*profile{
		newProfile("rsa-pss", nfctest.RSAKey("csca-rsa", 2048), nfctest.RSAPSSSHA384MGF1SHA1, nfctest.RSAKey("dsc-rsa", 2048), nfctest.RSAPSSSHA256, nfctest.RSAKey("aa-rsa", 1024), crypto.SHA1),
		newProfile("rsa-pkcs1", nfctest.RSAKey("csca-rsa", 2048), nfctest.SHA256WithRSA, nfctest.RSAKey("dsc-rsa", 2048), nfctest.SHA256WithRSA, nfctest.RSAKey("aa-rsa", 1024), crypto.SHA256),
		newProfile("p256", nfctest.ECKey("csca-p256", "P-256", false), nfctest.ECDSAWithSHA256, nfctest.ECKey("dsc-p256", "P-256", false), nfctest.ECDSAWithSHA256, nfctest.ECKey("aa-p256", "P-256", false), crypto.SHA256),
		newProfile("brainpool", nfctest.ECKey("csca-bp", "brainpoolP256r1", true), nfctest.ECDSAWithSHA384, nfctest.ECKey("dsc-bp", "brainpoolP256r1", false), nfctest.ECDSAWithSHA256, nfctest.ECKey("aa-bp", "brainpoolP256r1", true), crypto.SHA256),
	}
}

func (p *profile) dgs() map[int][]byte {
	m := map[int][]byte{
		1:  nfctest.DG1(nfctest.SpecimenMRZ...),
		2:  nfctest.DG2(nfctest.FaceJPEG(), false, nfctest.FaceWidth, nfctest.FaceHeight),
		15: nfctest.DG15(p.aa),
	}
	if p.dg14 != nil {
		m[14] = p.dg14
	}
	return m
}

func (p *profile) sod(dgs map[int][]byte) []byte {
	return p.dsc.SignSOD(nfctest.SODSpec{Hash: p.sodHash, DataGroups: dgs, SigningTime: signedAt, LDSVersion: true})
}

func (p *profile) store(t *testing.T) *nfc.TrustStore {
	ts := nfc.NewTrustStore()
	if _, err := ts.AddCSCA(p.csca.DER, "test"); err != nil {
		t.Fatal(err)
	}
	return ts
}

func verifier(ts *nfc.TrustStore, opts ...nfc.Option) *nfc.Verifier {
	return nfc.NewVerifier(ts, append([]nfc.Option{nfc.WithClock(fixedNow), nfc.WithMRZOptions(mrz.WithSpecimenCodes())}, opts...)...)
}

func TestPKIProfiles(t *testing.T) {
	t.Parallel()
	for _, p := range profiles() {
		t.Run(p.name, func(t *testing.T) {
			t.Parallel()
			dgs := p.dgs()
			sod := p.sod(dgs)
			in := nfc.Input{SOD: sod, DataGroups: dgs, AAChallenge: challenge, AAResponse: p.aa.SignAA(p.aaHash, challenge)}
			r := verifier(p.store(t)).Verify(in)
			if !r.ChipAuthentic {
				t.Fatalf("not authentic: %+v", r.Reasons)
			}
			if r.MRZ == nil || r.MRZ.Surname != "ERIKSSON" || r.MRZ.DocumentNumber != "L898902C3" {
				t.Errorf("MRZ %+v", r.MRZ)
			}
			if r.Face == nil || r.Face.ImageType != nfc.ImageJPEG || !bytes.Equal(r.Face.Data, nfctest.FaceJPEG()) || r.Face.Width != nfctest.FaceWidth {
				t.Errorf("face %+v", r.Face)
			}
			if r.ActiveAuth == nil || !r.ActiveAuth.Valid {
				t.Errorf("AA %+v", r.ActiveAuth)
			}
			if r.LDSVersion != "0108" || r.SigningTime == nil || !r.SigningTime.Equal(signedAt) {
				t.Errorf("LDS %q signing time %v", r.LDSVersion, r.SigningTime)
			}
			t.Logf("%s: %s; DSC %s %s; CSCA %s %s explicit=%v; AA %s", p.name, r.SignatureAlgorithm, r.Chain[0].KeyAlgorithm, r.Chain[0].Curve, r.Chain[1].SignatureAlgorithm, r.Chain[1].Curve, r.Chain[1].ExplicitECParams, r.ActiveAuth.Algorithm)

			// A wrong AA response (answer to another challenge) fails.
			in.AAResponse = p.aa.SignAA(p.aaHash, []byte("87654321"))
			r = verifier(p.store(t)).Verify(in)
			if r.ChipAuthentic || r.ActiveAuth == nil || r.ActiveAuth.Valid || !r.HasReason(nfc.CodeAAFailed) {
				t.Errorf("wrong AA response accepted: %+v", r.ActiveAuth)
			}
		})
	}
}

// oneOf asserts r is not authentic and carries code.
func expectReason(t *testing.T, r *nfc.Result, code string) {
	t.Helper()
	if r.ChipAuthentic {
		t.Errorf("authentic despite %s", code)
	}
	if !r.HasReason(code) {
		t.Errorf("want reason %s, got %+v", code, r.Reasons)
	}
}

func TestPKINegative(t *testing.T) {
	t.Parallel()
	ps := profiles()
	p := ps[0]
	dgs := p.dgs()
	sod := p.sod(dgs)

	t.Run("tampered DG1", func(t *testing.T) {
		bad := map[int][]byte{}
		for k, v := range dgs {
			bad[k] = v
		}
		bad[1] = nfctest.DG1("P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", "L898902C36UTO7408122F1204159ZE184226B<<<<<11")
		r := verifier(p.store(t)).Verify(nfc.Input{SOD: sod, DataGroups: bad})
		expectReason(t, r, nfc.CodeDGHashMismatch)
		if r.DGHashesValid || r.MRZ != nil || !r.SODSignatureValid {
			t.Errorf("flags %+v", r)
		}
	})
	t.Run("not covered DG", func(t *testing.T) {
		extra := map[int][]byte{1: dgs[1], 3: []byte{0x63, 0x00}}
		r := verifier(p.store(t)).Verify(nfc.Input{SOD: p.sod(map[int][]byte{1: dgs[1]}), DataGroups: extra})
		if !r.HasReason(nfc.CodeDGNotCovered) || !r.ChipAuthentic {
			t.Errorf("%+v", r.Reasons)
		}
		for _, d := range r.DataGroups {
			if d.Number == 3 && d.Status != nfc.DGNotCovered {
				t.Errorf("DG3 %s", d.Status)
			}
		}
		// An uncovered DG15 is never used for Active Authentication.
		r = verifier(p.store(t)).Verify(nfc.Input{SOD: p.sod(map[int][]byte{1: dgs[1]}), DataGroups: map[int][]byte{1: dgs[1], 15: dgs[15]},
			AAChallenge: challenge, AAResponse: p.aa.SignAA(p.aaHash, challenge)})
		expectReason(t, r, nfc.CodeAAFailed)
	})
	t.Run("wrong DSC", func(t *testing.T) {
		other := p.csca.Issue(nfctest.RSAKey("dsc-rsa-other", 2048), nfctest.RSAPSSSHA256, nfctest.CertSpec{Subject: name("DS rsa-pss"), Serial: 100, NotBefore: t0, NotAfter: t0.AddDate(5, 0, 0)})
		wrong := *p.dsc
		wrong.DER = other.DER // embeds another DSC but signs with the original key
		r := verifier(p.store(t)).Verify(nfc.Input{SOD: wrong.SignSOD(nfctest.SODSpec{DataGroups: dgs, SigningTime: signedAt}), DataGroups: dgs})
		expectReason(t, r, nfc.CodeSODSignatureInvalid)
		if !r.DSCTrusted {
			t.Error("the embedded DSC itself is genuine")
		}
	})
	t.Run("DSC from an unknown CSCA", func(t *testing.T) {
		rogue := nfctest.SelfSigned(nfctest.ECKey("rogue", "P-256", false), nfctest.ECDSAWithSHA256, nfctest.CertSpec{Subject: name("CSCA rsa-pss"), Serial: 1, NotBefore: t0.AddDate(-1, 0, 0), NotAfter: t0.AddDate(10, 0, 0), CA: true})
		dsc := rogue.Issue(nfctest.ECKey("rogue-dsc", "P-256", false), nfctest.ECDSAWithSHA256, nfctest.CertSpec{Subject: name("DS rogue"), Serial: 7, NotBefore: t0, NotAfter: t0.AddDate(5, 0, 0)})
		r := verifier(p.store(t)).Verify(nfc.Input{SOD: dsc.SignSOD(nfctest.SODSpec{DataGroups: dgs, SigningTime: signedAt}), DataGroups: dgs})
		expectReason(t, r, nfc.CodeDSCNotTrusted)
		if !r.SODSignatureValid || r.DSCTrusted {
			t.Errorf("flags %+v", r)
		}
	})
	t.Run("expired DSC", func(t *testing.T) {
		old := p.csca.Issue(nfctest.RSAKey("dsc-rsa", 2048), nfctest.RSAPSSSHA256, nfctest.CertSpec{Subject: name("DS old"), Serial: 101, NotBefore: t0.AddDate(-1, 0, 0), NotAfter: t0.AddDate(0, -1, 0)})
		r := verifier(p.store(t)).Verify(nfc.Input{SOD: old.SignSOD(nfctest.SODSpec{DataGroups: dgs, SigningTime: signedAt}), DataGroups: dgs})
		expectReason(t, r, nfc.CodeDSCExpired)
		// Without a signing time the clock decides.
		r = verifier(p.store(t)).Verify(nfc.Input{SOD: old.SignSOD(nfctest.SODSpec{DataGroups: dgs}), DataGroups: dgs})
		expectReason(t, r, nfc.CodeDSCExpired)
	})
	t.Run("revoked DSC", func(t *testing.T) {
		ts := p.store(t)
		if _, err := ts.AddCRL(p.csca.CRL(t0, t0.AddDate(1, 0, 0), big.NewInt(5), p.dsc.Serial)); err != nil {
			t.Fatal(err)
		}
		r := verifier(ts).Verify(nfc.Input{SOD: sod, DataGroups: dgs})
		expectReason(t, r, nfc.CodeDSCRevoked)
		if r.DSCTrusted {
			t.Error("revoked DSC trusted")
		}
	})
	t.Run("CRL not revoking", func(t *testing.T) {
		ts := p.store(t)
		if _, err := ts.AddCRL(p.csca.CRL(t0, t0.AddDate(1, 0, 0), big.NewInt(5))); err != nil {
			t.Fatal(err)
		}
		r := verifier(ts, nfc.WithRequireCRL()).Verify(nfc.Input{SOD: sod, DataGroups: dgs})
		if !r.ChipAuthentic || r.HasReason(nfc.CodeNoCRL) {
			t.Errorf("%+v", r.Reasons)
		}
		// Without any CRL, WithRequireCRL distrusts the DSC.
		r = verifier(p.store(t), nfc.WithRequireCRL()).Verify(nfc.Input{SOD: sod, DataGroups: dgs})
		expectReason(t, r, nfc.CodeNoCRL)
	})
	t.Run("forged CRL ignored", func(t *testing.T) {
		ts := p.store(t)
		forger := nfctest.SelfSigned(nfctest.ECKey("forger", "P-256", false), nfctest.ECDSAWithSHA256, nfctest.CertSpec{Subject: name("CSCA rsa-pss"), Serial: 1, NotBefore: t0, NotAfter: t0.AddDate(1, 0, 0), CA: true})
		if _, err := ts.AddCRL(forger.CRL(t0, t0.AddDate(1, 0, 0), p.dsc.Serial)); err != nil {
			t.Fatal(err)
		}
		r := verifier(ts).Verify(nfc.Input{SOD: sod, DataGroups: dgs})
		if !r.ChipAuthentic || !r.HasReason(nfc.CodeCRLUnverified) {
			t.Errorf("%+v", r.Reasons)
		}
	})
	t.Run("swapped signature", func(t *testing.T) {
		other := p.sod(map[int][]byte{1: dgs[1]})
		swapped := append([]byte(nil), sod...)
		copy(swapped[len(swapped)-256:], other[len(other)-256:]) // RSA-2048 signature is the last field
		r := verifier(p.store(t)).Verify(nfc.Input{SOD: swapped, DataGroups: dgs})
		expectReason(t, r, nfc.CodeSODSignatureInvalid)
		// An ECDSA signature with r and s exchanged.
		q := ps[3]
		qs := q.sod(q.dgs())
		r = verifier(q.store(t)).Verify(nfc.Input{SOD: swapRS(t, qs), DataGroups: q.dgs()})
		expectReason(t, r, nfc.CodeSODSignatureInvalid)
	})
	t.Run("PSS salt length from the identifier", func(t *testing.T) {
		// The signer info's PSS parameters say salt 32 ([2] INTEGER 32);
		// rewriting them to 20 must break verification.
		b := append([]byte(nil), sod...)
		i := bytes.LastIndex(b, []byte{0xA2, 0x03, 0x02, 0x01, 0x20})
		if i < 0 {
			t.Fatal("salt length not found")
		}
		b[i+4] = 0x14
		r := verifier(p.store(t)).Verify(nfc.Input{SOD: b, DataGroups: dgs})
		expectReason(t, r, nfc.CodeSODSignatureInvalid)
	})
	t.Run("DSC without digitalSignature", func(t *testing.T) {
		ca := p.csca.Issue(nfctest.RSAKey("dsc-rsa", 2048), nfctest.RSAPSSSHA256, nfctest.CertSpec{Subject: name("DS ca"), Serial: 102, NotBefore: t0, NotAfter: t0.AddDate(5, 0, 0), CA: true})
		r := verifier(p.store(t)).Verify(nfc.Input{SOD: ca.SignSOD(nfctest.SODSpec{DataGroups: dgs, SigningTime: signedAt}), DataGroups: dgs})
		expectReason(t, r, nfc.CodeDSCKeyUsage)
	})
	t.Run("DSC issued after the CSCA expired", func(t *testing.T) {
		late := p.csca.Issue(nfctest.RSAKey("dsc-rsa", 2048), nfctest.RSAPSSSHA256, nfctest.CertSpec{Subject: name("DS late"), Serial: 103, NotBefore: t0.AddDate(11, 0, 0), NotAfter: t0.AddDate(12, 0, 0)})
		r := verifier(p.store(t), nfc.WithValidityTime(t0.AddDate(11, 1, 0))).Verify(nfc.Input{SOD: late.SignSOD(nfctest.SODSpec{DataGroups: dgs}), DataGroups: dgs})
		expectReason(t, r, nfc.CodeDSCNotTrusted)
	})
	t.Run("AA key off the curve", func(t *testing.T) {
		dg15 := nfctest.DG15(nfctest.ECKey("aa-p256", "P-256", false))
		dg15[len(dg15)-1] ^= 1
		if _, err := nfc.ParseDG15(dg15); err == nil {
			t.Error("point off the curve accepted")
		}
	})
	t.Run("truncated", func(t *testing.T) {
		for n := 0; n < len(sod); n += 7 {
			r := verifier(p.store(t)).Verify(nfc.Input{SOD: sod[:n], DataGroups: dgs})
			if r.ChipAuthentic || r.SODSignatureValid {
				t.Fatalf("prefix of %d bytes accepted", n)
			}
		}
		r := verifier(p.store(t)).Verify(nfc.Input{SOD: sod[:len(sod)/2], DataGroups: dgs})
		expectReason(t, r, nfc.CodeMalformedSOD)
	})
	t.Run("malformed ASN.1", func(t *testing.T) {
		for i, bad := range [][]byte{
			nil,
			{0x77},
			{0x77, 0x84, 0xff, 0xff, 0xff, 0xff},
			{0x77, 0x80, 0x30, 0x80},
			{0x77, 0x03, 0x30, 0x01, 0x00},
			append([]byte{0x77, 0x82, 0xff, 0xff}, sod[4:]...),
			append(append([]byte{}, sod...), 0x01, 0x02),
		} {
			r := verifier(p.store(t)).Verify(nfc.Input{SOD: bad, DataGroups: dgs})
			if r.ChipAuthentic || !r.HasReason(nfc.CodeMalformedSOD) {
				t.Errorf("case %d: %+v", i, r.Reasons)
			}
		}
		// Flipping any single byte never yields an authentic result, except
		// inside the attribute values of the signer's issuer name in the
		// unsigned SignerInfo sid: the sole embedded certificate with that
		// serial is then still the signer (the fallback real SODs need), and
		// the signature and chain are checked as usual.
		sid := bytes.LastIndex(sod, p.csca.Subject)
		for i := 0; i < len(sod); i += 3 {
			b := append([]byte(nil), sod...)
			b[i] ^= 0x41
			if r := verifier(p.store(t)).Verify(nfc.Input{SOD: b, DataGroups: dgs}); r.ChipAuthentic {
				if i < sid || i >= sid+len(p.csca.Subject) {
					t.Fatalf("byte %d flipped and still authentic", i)
				}
			}
		}
	})
}

// swapRS exchanges r and s in the DER ECDSA signature at the end of an
// SOD (the test PKI writes no unsigned attributes).
func swapRS(t *testing.T, sod []byte) []byte {
	t.Helper()
	// The signature OCTET STRING is last: 04 len 30 len 02 lr r 02 ls s.
	for i := len(sod) - 8; i > 0; i-- {
		if sod[i] != 0x04 || sod[i+2] != 0x30 || int(sod[i+1]) != len(sod)-i-2 {
			continue
		}
		sig := sod[i+2:]
		lr := int(sig[3])
		r := sig[4 : 4+lr]
		s := sig[4+lr+2:]
		out := append([]byte(nil), sod[:i+2]...)
		body := append(append([]byte{0x02, byte(len(s))}, s...), append([]byte{0x02, byte(len(r))}, r...)...)
		return append(append(out, 0x30, byte(len(body))), body...)
	}
	t.Fatal("signature not found")
	return nil
}

func TestPKIMalaysianNameOrder(t *testing.T) {
	t.Parallel()
	p := profiles()[2]
	dgs := p.dgs()
	sod := p.dsc.SignSOD(nfctest.SODSpec{DataGroups: dgs, SigningTime: signedAt, ReorderSignerName: true})
	r := verifier(p.store(t)).Verify(nfc.Input{SOD: sod, DataGroups: dgs})
	if !r.ChipAuthentic {
		t.Fatalf("%+v", r.Reasons)
	}
}

func TestPKIJPEG2000AndISO39794(t *testing.T) {
	t.Parallel()
	p := profiles()[2]
	dgs := p.dgs()
	dgs[2] = nfctest.DG2(nfctest.FaceJP2, true, nfctest.FaceWidth, nfctest.FaceHeight)
	r := verifier(p.store(t), nfc.WithJPEG2000Decoder(fakeJ2K{})).Verify(nfc.Input{SOD: p.sod(dgs), DataGroups: dgs})
	if !r.ChipAuthentic || r.Face == nil {
		t.Fatalf("%+v", r.Reasons)
	}
	if r.Face.ImageType != nfc.ImageJPEG2000 || r.Face.MIMEType != "image/jp2" || !bytes.Equal(r.Face.Data, nfctest.FaceJP2) || string(r.Face.JPEG) != "converted" {
		t.Errorf("face %+v", r.Face)
	}

	// A record declaring JPEG 2000 around JPEG bytes is typed by its bytes.
	f, err := nfc.ParseDG2(nfctest.DG2(nfctest.FaceJPEG(), true, 1, 1))
	if err != nil || f.ImageType != nfc.ImageJPEG || len(f.Notes) == 0 {
		t.Errorf("%+v %v", f, err)
	}

	f, err = nfc.ParseDG2(nfctest.DG2ISO39794(nfctest.FaceJPEG()))
	if err != nil || f.Container != "ISO/IEC 39794-5" || f.ImageType != nfc.ImageJPEG || !bytes.Equal(f.Data, nfctest.FaceJPEG()) {
		t.Errorf("39794: %+v %v", f, err)
	}
}

type fakeJ2K struct{}

func (fakeJ2K) ToJPEG(b []byte) ([]byte, error) {
	if !bytes.HasPrefix(b, []byte{0, 0, 0, 0x0C, 'j', 'P'}) {
		return nil, errors.New("not JP2")
	}
	return []byte("converted"), nil
}

func TestActiveAuthVariants(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		key  *nfctest.Key
		hash crypto.Hash
		info bool
	}{
		{nfctest.RSAKey("aa-rsa", 1024), crypto.SHA1, false},
		{nfctest.RSAKey("aa-rsa", 1024), crypto.SHA256, false},
		{nfctest.RSAKey("aa-rsa", 1024), crypto.SHA512, false},
		{nfctest.ECKey("aa-p256", "P-256", false), crypto.SHA256, true},
		{nfctest.ECKey("aa-bp", "brainpoolP256r1", true), crypto.SHA256, false},
		{nfctest.ECKey("aa-bp384", "brainpoolP384r1", false), crypto.SHA384, false},
	} {
		k, err := nfc.ParseDG15(nfctest.DG15(c.key))
		if err != nil {
			t.Fatal(err)
		}
		var info *nfc.ActiveAuthInfo
		if c.info {
			si, err := nfc.ParseDG14(nfctest.DG14(nfctest.ECDSAPlainSHA256))
			if err != nil {
				t.Fatal(err)
			}
			info = si.ActiveAuthentication
		}
		resp := c.key.SignAA(c.hash, challenge)
		alg, err := nfc.VerifyActiveAuth(k, info, challenge, resp)
		if err != nil {
			t.Errorf("%s %v: %v", k.Algorithm, c.hash, err)
		}
		if _, err := nfc.VerifyActiveAuth(k, info, []byte("abcdefgh"), resp); err == nil {
			t.Errorf("%s: response accepted for another challenge", alg)
		}
		bad := append([]byte(nil), resp...)
		bad[len(bad)/2] ^= 1
		if _, err := nfc.VerifyActiveAuth(k, info, challenge, bad); err == nil {
			t.Errorf("%s: corrupted response accepted", alg)
		}
	}
}

func TestDG14(t *testing.T) {
	t.Parallel()
	si, err := nfc.ParseDG14(nfctest.DG14(nfctest.ECDSAPlainSHA256))
	if err != nil {
		t.Fatal(err)
	}
	if len(si.ChipAuthentication) != 1 || si.ChipAuthentication[0].Name != "id-CA-ECDH-AES-CBC-CMAC-128" {
		t.Errorf("CA %+v", si.ChipAuthentication)
	}
	if len(si.ChipAuthenticationKeys) != 1 || si.ChipAuthenticationKeys[0].Curve != "brainpoolP256r1" {
		t.Errorf("CA keys %+v", si.ChipAuthenticationKeys)
	}
	if si.ActiveAuthentication == nil || si.ActiveAuthentication.SignatureAlgorithm != "ecdsa-plain-SHA256" {
		t.Errorf("AA %+v", si.ActiveAuthentication)
	}
	if len(si.TerminalAuthentication) != 1 {
		t.Errorf("TA %+v", si.TerminalAuthentication)
	}
}

// TestPKIMasterList: a master list signed by a signer under the root, with
// an old CSCA and a link certificate to its new key; a DSC under the new
// key chains through the link certificate.
func TestPKIMasterList(t *testing.T) {
	t.Parallel()
	root := nfctest.SelfSigned(nfctest.ECKey("ml-root", "brainpoolP256r1", true), nfctest.ECDSAWithSHA256, nfctest.CertSpec{Subject: name("CSCA UT"), Serial: 1, NotBefore: t0.AddDate(-5, 0, 0), NotAfter: t0.AddDate(10, 0, 0), CA: true})
	signer := root.Issue(nfctest.ECKey("ml-signer", "P-256", false), nfctest.ECDSAWithSHA256, nfctest.CertSpec{Subject: name("Master List Signer UT"), Serial: 2, NotBefore: t0.AddDate(-1, 0, 0), NotAfter: t0.AddDate(3, 0, 0)})
	newKey := nfctest.ECKey("ml-csca-2", "brainpoolP256r1", false)
	link := root.Issue(newKey, nfctest.ECDSAWithSHA256, nfctest.CertSpec{Subject: name("CSCA UT"), Serial: 3, NotBefore: t0.AddDate(-1, 0, 0), NotAfter: t0.AddDate(10, 0, 0), CA: true})
	dsc := link.Issue(nfctest.ECKey("ml-dsc", "P-256", false), nfctest.ECDSAWithSHA256, nfctest.CertSpec{Subject: name("DS UT"), Serial: 4, NotBefore: t0, NotAfter: t0.AddDate(5, 0, 0)})
	other := profiles()[0].csca
	ml := signer.MasterList(t0, root.DER, link.DER, other.DER)

	rootCert, err := nfc.ParseCertificate(root.DER)
	if err != nil {
		t.Fatal(err)
	}
	ts := nfc.NewTrustStore()
	info, err := ts.AddMasterList(ml, []*nfc.Certificate{rootCert}, fixedNow())
	if err != nil {
		t.Fatal(err)
	}
	if info.Certificates != 3 || info.Added != 3 || len(info.SignerChain) != 1 || ts.Len() != 3 {
		t.Errorf("info %+v", info)
	}
	for _, c := range ts.List() {
		if !strings.Contains(c.Source, "Master List Signer UT") {
			t.Errorf("source %q", c.Source)
		}
	}
	dgs := map[int][]byte{1: nfctest.DG1(nfctest.SpecimenMRZ...)}
	r := verifier(ts).Verify(nfc.Input{SOD: dsc.SignSOD(nfctest.SODSpec{DataGroups: dgs, SigningTime: signedAt}), DataGroups: dgs})
	if !r.ChipAuthentic {
		t.Fatalf("%+v", r.Reasons)
	}

	// Negative: another root, a tampered list, a signer outside its validity.
	otherRoot, _ := nfc.ParseCertificate(other.DER)
	if _, err := nfc.NewTrustStore().AddMasterList(ml, []*nfc.Certificate{otherRoot}, fixedNow()); err == nil {
		t.Error("master list accepted under another root")
	}
	tampered := append([]byte(nil), ml...)
	i := bytes.Index(tampered, link.DER)
	tampered[i+200] ^= 1
	if _, err := nfc.NewTrustStore().AddMasterList(tampered, []*nfc.Certificate{rootCert}, fixedNow()); err == nil {
		t.Error("tampered master list accepted")
	}
	late := signer.MasterList(t0.AddDate(4, 0, 0), root.DER)
	if _, err := nfc.NewTrustStore().AddMasterList(late, []*nfc.Certificate{rootCert}, fixedNow()); err == nil {
		t.Error("master list signed after its signer expired accepted")
	}
	// A DSC-like signer (not issued by the root) cannot sign a list.
	rogue := dsc.MasterList(t0, other.DER)
	if _, err := nfc.NewTrustStore().AddMasterList(rogue, []*nfc.Certificate{rootCert}, fixedNow()); err == nil {
		t.Error("master list from a signer two levels down accepted")
	}
}

func TestTrustStoreFolderAndPEM(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	p := profiles()
	writeFile(t, dir+"/a.cer", p[0].csca.DER)
	writeFile(t, dir+"/b.pem", pemCert(p[1].csca.DER, p[2].csca.DER))
	writeFile(t, dir+"/notes.txt", []byte("ignored"))
	ts := nfc.NewTrustStore()
	n, err := ts.AddCSCADir(dir)
	if err != nil || n != 3 || ts.Len() != 3 {
		t.Fatalf("%d %v", n, err)
	}
	l := ts.List()
	if l[0].Source == "" || l[0].Country != "UT" {
		t.Errorf("%+v", l[0])
	}
	if _, err := ts.AddCRL(p[0].csca.CRL(t0, t0.AddDate(1, 0, 0))); err != nil || len(ts.CRLs()) != 1 {
		t.Errorf("CRL: %v", err)
	}
	writeFile(t, dir+"/broken.der", []byte{0x30, 0x03, 1, 2, 3})
	if _, err := nfc.NewTrustStore().AddCSCADir(dir); err == nil || !strings.Contains(err.Error(), "broken.der") {
		t.Errorf("broken file: %v", err)
	}
}
