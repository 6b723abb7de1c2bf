package nfc

import (
	"crypto/subtle"
	"encoding/hex"
	"fmt"
	"sort"
	"time"

	"github.com/kycd/kycd/checks/mrz"
)

// Reason codes. Each Reason carries one, with a human-readable message.
const (
	CodeMalformedSOD        = "malformed_sod"
	CodeDGHashMismatch      = "dg_hash_mismatch"
	CodeDGNotCovered        = "dg_not_covered"
	CodeDG1Missing          = "dg1_missing"
	CodeDGMalformed         = "dg_malformed"
	CodeMRZInvalid          = "mrz_invalid"
	CodeSODSignatureInvalid = "sod_signature_invalid"
	CodeDSCNotFound         = "dsc_not_found"
	CodeDSCNotTrusted       = "dsc_not_trusted"
	CodeDSCExpired          = "dsc_expired"
	CodeDSCKeyUsage         = "dsc_key_usage"
	CodeDSCRevoked          = "dsc_revoked"
	CodeCRLUnverified       = "crl_unverified"
	CodeNoCRL               = "no_crl"
	CodeContentTypeIDData   = "sod_content_type_id_data"
	CodeAAFailed            = "aa_failed"
	CodeAANotPerformed      = "aa_not_performed"
)

// Severities: an error makes ChipAuthentic false; a warning does not, but
// says something a reviewer should see; info is context.
const (
	SeverityError   = "error"
	SeverityWarning = "warning"
	SeverityInfo    = "info"
)

// Reason is one finding of Verify.
type Reason struct {
	Code      string `json:"code"`
	Severity  string `json:"severity"`
	Message   string `json:"message"`
	DataGroup int    `json:"data_group,omitempty"`
}

// DG statuses in DataGroupResult.Status.
const (
	DGValid       = "valid"        // supplied and hashes to the SOD value
	DGMismatch    = "mismatch"     // supplied, hash differs: tampered or wrong chip
	DGNotCovered  = "not_covered"  // supplied but the SOD has no hash for it: never trusted
	DGNotSupplied = "not_supplied" // in the SOD, not supplied
)

// DataGroupResult is the hash check of one data group.
type DataGroupResult struct {
	Number       int    `json:"number"`
	Status       string `json:"status"`
	SODHash      string `json:"sod_hash,omitempty"`
	ComputedHash string `json:"computed_hash,omitempty"`
}

// Result is the outcome of passive (and, when asked, active)
// authentication of one chip read.
type Result struct {
	// ChipAuthentic is true only when DGHashesValid, SODSignatureValid and
	// DSCTrusted all hold, DG1 was supplied, and Active Authentication —
	// if a response was supplied — succeeded.
	ChipAuthentic     bool `json:"chip_authentic"`
	DGHashesValid     bool `json:"dg_hashes_valid"`
	SODSignatureValid bool `json:"sod_signature_valid"`
	DSCTrusted        bool `json:"dsc_trusted"`

	HashAlgorithm      string     `json:"hash_algorithm,omitempty"`
	SignatureAlgorithm string     `json:"signature_algorithm,omitempty"`
	LDSVersion         string     `json:"lds_version,omitempty"`
	UnicodeVersion     string     `json:"unicode_version,omitempty"`
	SigningTime        *time.Time `json:"signing_time,omitempty"`
	// ValidityCheckedAt is the instant the DSC's validity was judged at:
	// the SOD's signing time when it has one, else the verifier's clock.
	ValidityCheckedAt time.Time `json:"validity_checked_at"`

	// Chain is the DSC followed by the CSCA that issued it (when found).
	Chain      []CertInfo        `json:"chain"`
	DataGroups []DataGroupResult `json:"data_groups"`

	// Parsed content of covered, hash-valid data groups only.
	MRZ           *mrz.Result       `json:"mrz,omitempty"`
	Face          *FaceImage        `json:"face,omitempty"`
	SecurityInfos *SecurityInfos    `json:"security_infos,omitempty"`
	AAPublicKey   *AAPublicKeyInfo  `json:"aa_public_key,omitempty"`
	ActiveAuth    *ActiveAuthResult `json:"active_auth,omitempty"`

	Reasons []Reason `json:"reasons"`
}

func (r *Result) add(code, sev, format string, args ...any) {
	r.Reasons = append(r.Reasons, Reason{Code: code, Severity: sev, Message: fmt.Sprintf(format, args...)})
}

func (r *Result) addDG(dg int, code, sev, format string, args ...any) {
	r.Reasons = append(r.Reasons, Reason{Code: code, Severity: sev, Message: fmt.Sprintf(format, args...), DataGroup: dg})
}

// HasReason reports whether a reason with code is present.
func (r *Result) HasReason(code string) bool {
	for _, x := range r.Reasons {
		if x.Code == code {
			return true
		}
	}
	return false
}

// Input is one chip read as the phone delivers it.
type Input struct {
	// SOD is EF.SOD as read (0x77 …).
	SOD []byte
	// DataGroups maps data-group number (1–16) to the file as read,
	// including its tag (DG1 starts 0x61).
	DataGroups map[int][]byte
	// AAChallenge and AAResponse, when both set, are an Active
	// Authentication exchange: the 8-byte challenge the terminal sent and
	// the chip's INTERNAL AUTHENTICATE response. They are checked with the
	// key in DG15, which must be covered by the SOD.
	AAChallenge []byte
	AAResponse  []byte
}

// Verifier checks chip reads against a trust store.
type Verifier struct {
	trust     *TrustStore
	now       func() time.Time
	at        *time.Time
	mrzOpts   []mrz.Option
	requireCR bool
	j2k       JPEG2000Decoder
}

// Option configures a Verifier.
type Option func(*Verifier)

// WithClock sets the clock (default time.Now), used for the DSC validity
// check when the SOD has no signing time, and for MRZ expiry.
func WithClock(now func() time.Time) Option { return func(v *Verifier) { v.now = now } }

// WithValidityTime judges DSC validity at t instead of the SOD's signing
// time or the clock (for re-checking an old read as of its read date).
func WithValidityTime(t time.Time) Option { return func(v *Verifier) { v.at = &t } }

// WithMRZOptions passes options to checks/mrz for DG1 (e.g.
// mrz.WithSpecimenCodes for test documents).
func WithMRZOptions(opts ...mrz.Option) Option {
	return func(v *Verifier) { v.mrzOpts = append(v.mrzOpts, opts...) }
}

// WithRequireCRL makes a missing CRL for the issuing CSCA a reason to
// distrust the DSC (by default it is a warning).
func WithRequireCRL() Option { return func(v *Verifier) { v.requireCR = true } }

// WithJPEG2000Decoder converts JPEG 2000 portraits to JPEG (FaceImage.JPEG).
func WithJPEG2000Decoder(d JPEG2000Decoder) Option { return func(v *Verifier) { v.j2k = d } }

// NewVerifier returns a Verifier using trust (which may be nil: no DSC
// will then be trusted, but everything else is still checked).
func NewVerifier(trust *TrustStore, opts ...Option) *Verifier {
	v := &Verifier{trust: trust, now: time.Now}
	for _, o := range opts {
		o(v)
	}
	if v.trust == nil {
		v.trust = NewTrustStore()
	}
	return v
}

// Verify runs passive authentication on in: data-group hashes against the
// SOD, the SOD signature with the DSC, and the DSC against the trust
// store. It never returns nil and never fails: every problem is a Reason.
func (v *Verifier) Verify(in Input) *Result {
	r := &Result{Chain: []CertInfo{}, DataGroups: []DataGroupResult{}, Reasons: []Reason{}}
	sod, err := ParseSOD(in.SOD)
	if err != nil {
		r.add(CodeMalformedSOD, SeverityError, "EF.SOD could not be parsed: %v", err)
		return r
	}
	r.HashAlgorithm = hashName(sod.HashAlgorithm)
	r.LDSVersion, r.UnicodeVersion = sod.LDSVersion, sod.UnicodeVersion
	r.SigningTime = sod.SigningTime
	if sod.ContentTypeIDData {
		r.add(CodeContentTypeIDData, SeverityInfo, "the SOD labels its content id-data instead of the LDS security object (an issuer deviation; the signature still binds it)")
	}

	valid := v.checkHashes(sod, in.DataGroups, r)

	// SOD signature with the embedded DSC.
	dsc := sod.Signer()
	if dsc == nil {
		r.add(CodeDSCNotFound, SeverityError, "the SOD does not embed the certificate its signer info names (%d certificates embedded)", len(sod.Certificates))
	} else {
		r.Chain = append(r.Chain, dsc.Info())
		alg, err := sod.VerifySignature(dsc)
		r.SignatureAlgorithm = alg
		if err != nil {
			r.add(CodeSODSignatureInvalid, SeverityError, "SOD signature invalid with DSC %q: %v", dsc.Subject.String(), err)
		} else {
			r.SODSignatureValid = true
		}
		v.checkDSC(dsc, sod, r)
	}

	v.parseDataGroups(in, valid, r)

	hasErr := false
	for _, x := range r.Reasons {
		if x.Severity == SeverityError {
			hasErr = true
		}
	}
	r.ChipAuthentic = r.DGHashesValid && r.SODSignatureValid && r.DSCTrusted && !hasErr
	return r
}

// checkHashes compares each supplied data group with the SOD and returns
// the numbers that matched.
func (v *Verifier) checkHashes(sod *SOD, dgs map[int][]byte, r *Result) map[int]bool {
	valid := map[int]bool{}
	nums := map[int]bool{}
	for n := range dgs {
		nums[n] = true
	}
	for n := range sod.Hashes {
		nums[n] = true
	}
	var order []int
	for n := range nums {
		order = append(order, n)
	}
	sort.Ints(order)
	ok := true
	for _, n := range order {
		want, covered := sod.Hashes[n]
		data, supplied := dgs[n]
		d := DataGroupResult{Number: n}
		if covered {
			d.SODHash = hex.EncodeToString(want)
		}
		switch {
		case !supplied:
			d.Status = DGNotSupplied
		case !covered:
			d.Status = DGNotCovered
			r.addDG(n, CodeDGNotCovered, SeverityWarning, "DG%d was supplied but the SOD holds no hash for it; its content is not trusted or used", n)
		default:
			h := sod.HashAlgorithm.New()
			h.Write(data)
			got := h.Sum(nil)
			d.ComputedHash = hex.EncodeToString(got)
			if subtle.ConstantTimeCompare(got, want) == 1 {
				d.Status = DGValid
				valid[n] = true
			} else {
				d.Status = DGMismatch
				ok = false
				r.addDG(n, CodeDGHashMismatch, SeverityError, "DG%d does not hash to the value in the SOD (%s)", n, hashName(sod.HashAlgorithm))
			}
		}
		r.DataGroups = append(r.DataGroups, d)
	}
	if _, ok1 := dgs[1]; !ok1 {
		ok = false
		r.addDG(1, CodeDG1Missing, SeverityError, "DG1 (the MRZ) was not supplied: an SOD alone can be copied from any chip and proves nothing about the document holder")
	}
	r.DGHashesValid = ok
	return valid
}

// checkDSC builds the DSC → CSCA chain and checks validity, usage and
// revocation.
func (v *Verifier) checkDSC(dsc *Certificate, sod *SOD, r *Result) {
	at := v.now()
	if sod.SigningTime != nil {
		at = *sod.SigningTime
	}
	if v.at != nil {
		at = *v.at
	}
	r.ValidityCheckedAt = at.UTC()
	problems := []Reason{}
	if at.Before(dsc.NotBefore) || at.After(dsc.NotAfter) {
		problems = append(problems, Reason{Code: CodeDSCExpired, Severity: SeverityError,
			Message: fmt.Sprintf("DSC valid %s to %s, not at %s", dsc.NotBefore.Format("2006-01-02"), dsc.NotAfter.Format("2006-01-02"), at.Format(time.RFC3339))})
	}
	if !dsc.hasUsage(kuDigitalSignature) {
		problems = append(problems, Reason{Code: CodeDSCKeyUsage, Severity: SeverityError, Message: "DSC key usage does not allow digitalSignature"})
	}

	cands := v.trust.candidates(dsc)
	var csca *anchor
	var why []string
	for _, a := range cands {
		if err := dsc.CheckSignatureFrom(a.cert); err != nil {
			why = append(why, fmt.Sprintf("CSCA %q (serial %s): signature: %v", a.cert.Subject.String(), a.cert.Info().SerialNumber, err))
			continue
		}
		if err := issuerUsable(a.cert, dsc); err != nil {
			why = append(why, err.Error())
			continue
		}
		csca = a
		break
	}
	if csca == nil {
		cc := nameCountry(dsc.Issuer)
		switch {
		case v.trust.countCountry(cc) == 0:
			r.add(CodeDSCNotTrusted, SeverityError, "DSC not trusted: no CSCA for country %q is loaded (issuer %q); load a master list or that country's CSCA", cc, dsc.Issuer.String())
		case len(cands) == 0:
			r.add(CodeDSCNotTrusted, SeverityError, "DSC not trusted: %d CSCAs for %q are loaded but none is its issuer %q", v.trust.countCountry(cc), cc, dsc.Issuer.String())
		default:
			r.add(CodeDSCNotTrusted, SeverityError, "DSC not trusted: no CSCA named %q verifies it: %v", dsc.Issuer.String(), why)
		}
		r.Reasons = append(r.Reasons, problems...)
		return
	}
	ci := csca.cert.Info()
	ci.Source = csca.source
	r.Chain = append(r.Chain, ci)

	revoked, checked, crlProblems := v.trust.revocation(dsc, csca.cert)
	for _, p := range crlProblems {
		r.add(CodeCRLUnverified, SeverityWarning, "%s", p)
	}
	if revoked != nil {
		problems = append(problems, Reason{Code: CodeDSCRevoked, Severity: SeverityError,
			Message: fmt.Sprintf("DSC serial %s is revoked by %q since %s", hex.EncodeToString(dsc.SerialNumber.Bytes()), csca.cert.Subject.String(), revoked.Format("2006-01-02"))})
	} else if !checked {
		sev := SeverityInfo
		if v.requireCR {
			sev = SeverityError
		}
		problems = append(problems, Reason{Code: CodeNoCRL, Severity: sev, Message: fmt.Sprintf("no CRL from %q is loaded; revocation not checked", csca.cert.Subject.String())})
	}
	r.Reasons = append(r.Reasons, problems...)
	for _, p := range problems {
		if p.Severity == SeverityError {
			return
		}
	}
	r.DSCTrusted = true
}

// parseDataGroups parses the covered, hash-valid data groups and runs
// Active Authentication when asked.
func (v *Verifier) parseDataGroups(in Input, valid map[int]bool, r *Result) {
	if valid[1] {
		opts := append([]mrz.Option{mrz.WithClock(v.now)}, v.mrzOpts...)
		m, err := ParseDG1(in.DataGroups[1], opts...)
		if err != nil {
			r.addDG(1, CodeDGMalformed, SeverityError, "%v", err)
		} else {
			r.MRZ = m
			if !m.Valid {
				r.addDG(1, CodeMRZInvalid, SeverityWarning, "the MRZ in DG1 does not validate: %v", m.Errors)
			}
		}
	}
	if valid[2] {
		f, err := ParseDG2(in.DataGroups[2])
		if err != nil {
			r.addDG(2, CodeDGMalformed, SeverityWarning, "%v", err)
		} else {
			if f.ImageType == ImageJPEG2000 && v.j2k != nil {
				if j, err := v.j2k.ToJPEG(f.Data); err == nil {
					f.JPEG = j
				} else {
					f.Notes = append(f.Notes, "JPEG 2000 conversion failed: "+err.Error())
				}
			}
			r.Face = f
		}
	}
	if valid[14] {
		s, err := ParseDG14(in.DataGroups[14])
		if err != nil {
			r.addDG(14, CodeDGMalformed, SeverityWarning, "%v", err)
		} else {
			r.SecurityInfos = s
		}
	}
	var aaKey *PublicKey
	if valid[15] {
		k, err := ParseDG15(in.DataGroups[15])
		if err != nil {
			r.addDG(15, CodeDGMalformed, SeverityWarning, "%v", err)
		} else {
			aaKey = k
			r.AAPublicKey = &AAPublicKeyInfo{Algorithm: k.Algorithm, Curve: k.Curve, Bits: k.Bits}
		}
	}
	if len(in.AAChallenge) == 0 && len(in.AAResponse) == 0 {
		if aaKey != nil {
			r.add(CodeAANotPerformed, SeverityInfo, "the chip supports Active Authentication but no response was supplied: a cloned chip cannot be ruled out")
		}
		return
	}
	res := &ActiveAuthResult{}
	r.ActiveAuth = res
	if aaKey == nil {
		res.Error = "no Active Authentication key: DG15 missing, not covered by the SOD, or invalid"
		r.add(CodeAAFailed, SeverityError, "Active Authentication: %s", res.Error)
		return
	}
	var info *ActiveAuthInfo
	if r.SecurityInfos != nil {
		info = r.SecurityInfos.ActiveAuthentication
	}
	alg, err := VerifyActiveAuth(aaKey, info, in.AAChallenge, in.AAResponse)
	res.Algorithm = alg
	if err != nil {
		res.Error = err.Error()
		r.add(CodeAAFailed, SeverityError, "Active Authentication failed (%s): %v", alg, err)
		return
	}
	res.Valid = true
}
