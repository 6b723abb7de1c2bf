package nfc

import (
	"bytes"
	"encoding/asn1"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"
)

// TrustStore holds the CSCA certificates (trust anchors) and CRLs a
// Verifier checks Document Signer Certificates against. It is safe for
// concurrent use; loading and verifying may overlap.
type TrustStore struct {
	mu        sync.RWMutex
	anchors   []*anchor
	bySubject map[string][]*anchor
	byFP      map[string]*anchor
	crls      []*crl
}

type anchor struct {
	cert   *Certificate
	source string
}

// NewTrustStore returns an empty store.
func NewTrustStore() *TrustStore {
	return &TrustStore{bySubject: map[string][]*anchor{}, byFP: map[string]*anchor{}}
}

// add records c as a trust anchor; duplicates (same DER) keep their first
// source.
func (ts *TrustStore) add(c *Certificate, source string) bool {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	fp := c.Fingerprint()
	if _, ok := ts.byFP[fp]; ok {
		return false
	}
	a := &anchor{cert: c, source: source}
	ts.anchors = append(ts.anchors, a)
	ts.byFP[fp] = a
	ts.bySubject[c.subjKey] = append(ts.bySubject[c.subjKey], a)
	return true
}

// decodeCerts accepts one DER certificate or any number of PEM blocks.
func decodeCerts(data []byte) ([][]byte, error) {
	if bytes.Contains(data, []byte("-----BEGIN")) {
		var out [][]byte
		for {
			var b *pem.Block
			b, data = pem.Decode(data)
			if b == nil {
				break
			}
			if b.Type == "CERTIFICATE" {
				out = append(out, b.Bytes)
			}
		}
		if len(out) == 0 {
			return nil, errors.New("no PEM CERTIFICATE block")
		}
		return out, nil
	}
	return [][]byte{data}, nil
}

// AddCSCA trusts the CSCA certificate(s) in data (DER, or PEM with one or
// more certificates). Source is shown in listings ("" means "added").
// Trusting a certificate is the caller's decision: it is not checked
// against anything.
func (ts *TrustStore) AddCSCA(data []byte, source string) ([]*Certificate, error) {
	ders, err := decodeCerts(data)
	if err != nil {
		return nil, fmt.Errorf("add CSCA: %w", err)
	}
	if source == "" {
		source = "added"
	}
	var out []*Certificate
	for _, d := range ders {
		c, err := ParseCertificate(d)
		if err != nil {
			return out, fmt.Errorf("add CSCA: %w", err)
		}
		ts.add(c, source)
		out = append(out, c)
	}
	return out, nil
}

// AddCSCADir trusts every .cer, .crt, .der and .pem file in dir (not
// recursive) and returns how many certificates it loaded. A file that does
// not parse is an error naming it; nothing after it is loaded.
func (ts *TrustStore) AddCSCADir(dir string) (int, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return 0, fmt.Errorf("add CSCA folder: %w", err)
	}
	n := 0
	for _, e := range ents {
		ext := strings.ToLower(filepath.Ext(e.Name()))
		if e.IsDir() || (ext != ".cer" && ext != ".crt" && ext != ".der" && ext != ".pem") {
			continue
		}
		data, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			return n, fmt.Errorf("add CSCA folder: %w", err)
		}
		cs, err := ts.AddCSCA(data, e.Name())
		if err != nil {
			return n, fmt.Errorf("%s: %w", e.Name(), err)
		}
		n += len(cs)
	}
	return n, nil
}

// AddLinkCertificate trusts a CSCA link certificate (a new CSCA key
// certified by the previous one) only if it verifies against a CSCA
// already in the store, so a country's key rollover can be followed from
// one trusted root.
func (ts *TrustStore) AddLinkCertificate(data []byte) (*Certificate, error) {
	ders, err := decodeCerts(data)
	if err != nil || len(ders) != 1 {
		return nil, errors.New("add link certificate: want exactly one certificate")
	}
	c, err := ParseCertificate(ders[0])
	if err != nil {
		return nil, fmt.Errorf("add link certificate: %w", err)
	}
	if !c.HasBasicConstraints || !c.IsCA {
		return nil, errors.New("add link certificate: not a CA certificate")
	}
	var why []string
	for _, a := range ts.candidates(c) {
		if err := c.CheckSignatureFrom(a.cert); err != nil {
			why = append(why, err.Error())
			continue
		}
		if err := issuerUsable(a.cert, c); err != nil {
			why = append(why, err.Error())
			continue
		}
		ts.add(c, fmt.Sprintf("link certificate from %q", a.cert.Subject.String()))
		return c, nil
	}
	return nil, fmt.Errorf("add link certificate %q: no trusted CSCA %q verifies it %v", c.Subject.String(), c.Issuer.String(), why)
}

// MasterListInfo describes an imported CSCA master list.
type MasterListInfo struct {
	Signer      CertInfo   `json:"signer"`
	SignerChain []CertInfo `json:"signer_chain"`
	SigningTime *time.Time `json:"signing_time,omitempty"`
	// Certificates is how many certificates the list holds; Added how
	// many were new to the store.
	Certificates int `json:"certificates"`
	Added        int `json:"added"`
	// Skipped lists certificates that could not be parsed, with why.
	Skipped   []string `json:"skipped,omitempty"`
	Countries []string `json:"countries"`
	Source    string   `json:"source"`
}

type cscaMasterList struct {
	Version  int
	CertList asn1.RawValue
}

// ParseMasterList parses and verifies an ICAO CSCA master list (CMS
// SignedData with content id-icao-cscaMasterList) without trusting it: the
// list's signature must verify with its signer certificate, and that
// certificate must chain — directly or through certificates embedded in
// the list's CMS structure — to one of roots. Validity is checked at the
// list's signing time (or at, when the list carries none).
func ParseMasterList(data []byte, roots []*Certificate, at time.Time) ([]*Certificate, *MasterListInfo, error) {
	sd, err := parseSignedData(data)
	if err != nil {
		return nil, nil, fmt.Errorf("master list: %w", err)
	}
	if !sd.contentType.Equal(oidCSCAMasterList) {
		return nil, nil, fmt.Errorf("master list: content type %v is not id-icao-cscaMasterList", sd.contentType)
	}
	if len(roots) == 0 {
		return nil, nil, errors.New("master list: no trusted root given to verify the list's signer")
	}
	info := &MasterListInfo{}
	var verr error
	var signer *Certificate
	var chain []*Certificate
	for i := range sd.signers {
		si := &sd.signers[i]
		c := sd.findSigner(si)
		if c == nil {
			verr = errors.New("master list: signer certificate not embedded")
			continue
		}
		if _, err := sd.verifySigner(si, c.PublicKey); err != nil {
			verr = fmt.Errorf("master list signature: %w", err)
			continue
		}
		when := at
		if si.signingTime != nil {
			when = *si.signingTime
			info.SigningTime = si.signingTime
		}
		if when.Before(c.NotBefore) || when.After(c.NotAfter) {
			verr = fmt.Errorf("master list signer %q not valid at %s", c.Subject.String(), when.Format(time.RFC3339))
			continue
		}
		if !c.hasUsage(kuDigitalSignature) {
			verr = fmt.Errorf("master list signer %q lacks digitalSignature key usage", c.Subject.String())
			continue
		}
		ch, err := chainTo(c, sd.certs, roots, 0)
		if err != nil {
			verr = fmt.Errorf("master list signer %q: %w", c.Subject.String(), err)
			continue
		}
		signer, chain = c, ch
		break
	}
	if signer == nil {
		return nil, nil, verr
	}
	var ml cscaMasterList
	if rest, err := asn1.Unmarshal(sd.content, &ml); err != nil || len(rest) != 0 {
		return nil, nil, fmt.Errorf("master list content: %v", err)
	}
	if ml.CertList.Class != 0 || ml.CertList.Tag != asn1.TagSet {
		return nil, nil, errors.New("master list content: certList is not a SET")
	}
	var certs []*Certificate
	countries := map[string]bool{}
	rest := ml.CertList.Bytes
	for len(rest) > 0 {
		var raw asn1.RawValue
		if rest, err = asn1.Unmarshal(rest, &raw); err != nil {
			return nil, nil, fmt.Errorf("master list content: %w", err)
		}
		info.Certificates++
		c, err := ParseCertificate(raw.FullBytes)
		if err != nil {
			info.Skipped = append(info.Skipped, fmt.Sprintf("#%d: %v", info.Certificates, err))
			continue
		}
		certs = append(certs, c)
		countries[c.Country()] = true
	}
	for k := range countries {
		info.Countries = append(info.Countries, k)
	}
	sort.Strings(info.Countries)
	info.Signer = signer.Info()
	for _, c := range chain {
		info.SignerChain = append(info.SignerChain, c.Info())
	}
	date := ""
	if info.SigningTime != nil {
		date = " " + info.SigningTime.UTC().Format("2006-01-02")
	}
	info.Source = fmt.Sprintf("master list signed by %q%s", signer.Subject.CommonName, date)
	return certs, info, nil
}

// chainTo finds a path from c to one of roots through intermediates,
// checking each signature, the issuer's validity at the child's issuance,
// and its keyCertSign usage.
func chainTo(c *Certificate, intermediates, roots []*Certificate, depth int) ([]*Certificate, error) {
	if depth > 4 {
		return nil, errors.New("chain too long")
	}
	for _, r := range roots {
		if c.issuedBy(r) && c.CheckSignatureFrom(r) == nil && issuerUsable(r, c) == nil {
			return []*Certificate{r}, nil
		}
	}
	for _, im := range intermediates {
		if im == c || !c.issuedBy(im) || c.CheckSignatureFrom(im) != nil || issuerUsable(im, c) != nil {
			continue
		}
		if rest, err := chainTo(im, intermediates, roots, depth+1); err == nil {
			return append([]*Certificate{im}, rest...), nil
		}
	}
	return nil, errors.New("does not chain to a given root")
}

// issuerUsable checks that issuer may have signed child: it was valid when
// child was issued, may sign certificates, and is a CA if it says.
func issuerUsable(issuer, child *Certificate) error {
	if child.NotBefore.Before(issuer.NotBefore) || child.NotBefore.After(issuer.NotAfter) {
		return fmt.Errorf("issuer %q was not valid when it issued the certificate (%s)", issuer.Subject.String(), child.NotBefore.Format("2006-01-02"))
	}
	if !issuer.hasUsage(kuKeyCertSign) {
		return fmt.Errorf("issuer %q lacks keyCertSign usage", issuer.Subject.String())
	}
	if issuer.HasBasicConstraints && !issuer.IsCA {
		return fmt.Errorf("issuer %q is not a CA", issuer.Subject.String())
	}
	return nil
}

// AddMasterList verifies a CSCA master list against roots (see
// ParseMasterList) and trusts every certificate in it, link certificates
// included. at is used only when the list has no signing time.
func (ts *TrustStore) AddMasterList(data []byte, roots []*Certificate, at time.Time) (*MasterListInfo, error) {
	certs, info, err := ParseMasterList(data, roots, at)
	if err != nil {
		return nil, err
	}
	for _, c := range certs {
		if ts.add(c, info.Source) {
			info.Added++
		}
	}
	return info, nil
}

// List describes every trusted CSCA, sorted by country then subject.
func (ts *TrustStore) List() []CertInfo {
	ts.mu.RLock()
	defer ts.mu.RUnlock()
	out := make([]CertInfo, 0, len(ts.anchors))
	for _, a := range ts.anchors {
		i := a.cert.Info()
		i.Source = a.source
		out = append(out, i)
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Country != out[j].Country {
			return out[i].Country < out[j].Country
		}
		return out[i].Subject < out[j].Subject
	})
	return out
}

// Len is the number of trusted CSCAs.
func (ts *TrustStore) Len() int {
	ts.mu.RLock()
	defer ts.mu.RUnlock()
	return len(ts.anchors)
}

// candidates returns anchors whose subject matches c's issuer.
func (ts *TrustStore) candidates(c *Certificate) []*anchor {
	ts.mu.RLock()
	defer ts.mu.RUnlock()
	var out []*anchor
	for _, a := range ts.bySubject[c.issKey] {
		if c.issuedBy(a.cert) {
			out = append(out, a)
		}
	}
	return out
}

// countCountry counts anchors for a country.
func (ts *TrustStore) countCountry(cc string) int {
	ts.mu.RLock()
	defer ts.mu.RUnlock()
	n := 0
	for _, a := range ts.anchors {
		if a.cert.Country() == cc {
			n++
		}
	}
	return n
}

// crl is a loaded certificate revocation list.
type crl struct {
	issuerKey  string
	issuer     string
	tbs        []byte
	sigAlg     algID
	sig        []byte
	thisUpdate time.Time
	nextUpdate time.Time
	revoked    map[string]time.Time // hex serial → revocation date
	verified   syncMap[*Certificate, bool]
}

type rawCRL struct {
	TBS    asn1.RawValue
	SigAlg algID
	Sig    asn1.BitString
}

type tbsCRL struct {
	Version    int `asn1:"optional"`
	SigAlg     algID
	Issuer     asn1.RawValue
	ThisUpdate time.Time
	NextUpdate time.Time     `asn1:"optional"`
	Revoked    []revokedCert `asn1:"optional"`
	Extensions asn1.RawValue `asn1:"optional,tag:0"`
}

type revokedCert struct {
	Serial     asn1.RawValue
	Date       time.Time
	Extensions asn1.RawValue `asn1:"optional"`
}

// CRLInfo describes a loaded CRL.
type CRLInfo struct {
	Issuer     string    `json:"issuer"`
	ThisUpdate time.Time `json:"this_update"`
	NextUpdate time.Time `json:"next_update,omitzero"`
	Revoked    int       `json:"revoked"`
}

// AddCRL loads a CRL (DER or PEM). Its signature is checked when it is
// used, against the CSCA that issued the DSC being verified; a CRL no
// trusted CSCA signed is never applied.
func (ts *TrustStore) AddCRL(data []byte) (CRLInfo, error) {
	if b, _ := pem.Decode(data); b != nil {
		data = b.Bytes
	}
	var r rawCRL
	if rest, err := asn1.Unmarshal(data, &r); err != nil {
		return CRLInfo{}, fmt.Errorf("CRL: %w", err)
	} else if len(rest) != 0 {
		return CRLInfo{}, errors.New("CRL: trailing data")
	}
	var t tbsCRL
	if _, err := asn1.Unmarshal(r.TBS.FullBytes, &t); err != nil {
		return CRLInfo{}, fmt.Errorf("CRL body: %w", err)
	}
	if !bytes.Equal(t.SigAlg.Raw, r.SigAlg.Raw) {
		return CRLInfo{}, errors.New("CRL: signature algorithm differs from the one in the signed body")
	}
	name, key, err := parseName(t.Issuer.FullBytes)
	if err != nil {
		return CRLInfo{}, fmt.Errorf("CRL issuer: %w", err)
	}
	c := &crl{issuerKey: key, issuer: name.String(), tbs: r.TBS.FullBytes, sigAlg: r.SigAlg, sig: r.Sig.RightAlign(),
		thisUpdate: t.ThisUpdate, nextUpdate: t.NextUpdate, revoked: map[string]time.Time{}}
	for _, rc := range t.Revoked {
		if rc.Serial.Tag != asn1.TagInteger || len(rc.Serial.Bytes) == 0 {
			return CRLInfo{}, errors.New("CRL: bad serial number")
		}
		c.revoked[serialKey(rc.Serial.Bytes)] = rc.Date
	}
	ts.mu.Lock()
	ts.crls = append(ts.crls, c)
	ts.mu.Unlock()
	return c.info(), nil
}

func (c *crl) info() CRLInfo {
	return CRLInfo{Issuer: c.issuer, ThisUpdate: c.thisUpdate, NextUpdate: c.nextUpdate, Revoked: len(c.revoked)}
}

// serialKey is the canonical form of a serial for lookups (leading zero
// bytes dropped).
func serialKey(b []byte) string {
	for len(b) > 1 && b[0] == 0 {
		b = b[1:]
	}
	return hex.EncodeToString(b)
}

// CRLs lists the loaded CRLs.
func (ts *TrustStore) CRLs() []CRLInfo {
	ts.mu.RLock()
	defer ts.mu.RUnlock()
	var out []CRLInfo
	for _, c := range ts.crls {
		out = append(out, c.info())
	}
	return out
}

// revocation checks dsc against the CRLs csca signed. revoked is the
// revocation date; checked tells whether any valid CRL from csca exists.
func (ts *TrustStore) revocation(dsc, csca *Certificate) (revoked *time.Time, checked bool, problems []string) {
	ts.mu.RLock()
	crls := append([]*crl(nil), ts.crls...)
	ts.mu.RUnlock()
	for _, c := range crls {
		if c.issuerKey != csca.subjKey {
			continue
		}
		ok, seen := c.verified.Load(csca)
		if !seen {
			ok = false
			if alg, err := resolveSigAlg(c.sigAlg, 0); err == nil && csca.hasUsage(kuCRLSign) {
				ok = csca.PublicKey.verify(alg, c.tbs, c.sig) == nil
			}
			c.verified.Store(csca, ok)
		}
		if !ok {
			problems = append(problems, fmt.Sprintf("CRL from %q (%s) does not verify with the CSCA's key; ignored", c.issuer, c.thisUpdate.Format("2006-01-02")))
			continue
		}
		checked = true
		if d, hit := c.revoked[serialKey(dsc.SerialNumber.Bytes())]; hit {
			d := d
			revoked = &d
		}
	}
	return revoked, checked, problems
}
