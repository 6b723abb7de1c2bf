package tools

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/kycd/kycd/checks/mrz"
	"github.com/kycd/kycd/checks/nfc"
	"github.com/kycd/kycd/db"
	"github.com/kycd/kycd/models"
	"github.com/kycd/kycd/verify"
)

// Size bounds of a chip read: EF.SOD is a few KiB (64 KiB leaves room for long chains), and a
// data group is at most what a chip holds (DG2 portraits are 10–30 KiB; 256 KiB is generous).
const (
	MaxSODBytes         = 64 << 10
	MaxDataGroupBytes   = 256 << 10
	maxAASignatureBytes = 1 << 10
)

// VerifyNFCInput is one chip read as a phone delivers it.
type VerifyNFCInput struct {
	SOD            string            `json:"sod" jsonschema:"EF.SOD as read from the chip (starts 0x77), base64; at most 64 KiB" minLength:"1"`
	DataGroups     map[string]string `json:"data_groups" jsonschema:"the data groups read, by number (\"1\" for DG1 with the MRZ, \"2\" the portrait, \"14\", \"15\" the Active Authentication key), each the file as read (DG1 starts 0x61), base64; each at most 256 KiB. DG1 is needed for chip_authentic"`
	AASignature    string            `json:"aa_signature,omitempty" jsonschema:"the chip's INTERNAL AUTHENTICATE response to the challenge of challenge_id, base64 (Active Authentication: proves the chip is not a copy)"`
	ChallengeID    string            `json:"challenge_id,omitempty" jsonschema:"the challenge (nch_…) from get_nfc_challenge whose nonce the chip signed; spent by this call" maxLength:"64"`
	VerificationID string            `json:"verification_id,omitempty" jsonschema:"attach the scan to this verification (ver_…), which must run the nfc check; its selfie, when uploaded, is compared with the chip portrait" maxLength:"64"`
}

// NFCScan is a verified chip read.
type NFCScan struct {
	ID                 string           `json:"id" jsonschema:"the scan (nfc_…)"`
	VerificationID     *string          `json:"verification_id" jsonschema:"the verification the scan is attached to; null when standalone"`
	ChipAuthentic      bool             `json:"chip_authentic" jsonschema:"true only when the data groups hash to the SOD, the SOD signature verifies, the DSC chains to a trusted CSCA, DG1 was read, and Active Authentication (when sent) passed"`
	DGHashesValid      bool             `json:"dg_hashes_valid" jsonschema:"every supplied data group hashes to its value in the SOD, and DG1 was supplied"`
	SODSignatureValid  bool             `json:"sod_signature_valid" jsonschema:"the SOD's signature verifies with the Document Signer Certificate it embeds"`
	DSCTrusted         bool             `json:"dsc_trusted" jsonschema:"the Document Signer Certificate chains to a trusted CSCA, is valid and not revoked"`
	TrustStore         string           `json:"trust_store" jsonschema:"the CSCAs that judged the DSC: database (kycd csca import); test: <master list> for test keys while the database holds no CSCA; sandbox: … for the sample chip (test keys only)"`
	HashAlgorithm      string           `json:"hash_algorithm,omitempty" jsonschema:"the SOD's data-group hash algorithm"`
	SignatureAlgorithm string           `json:"signature_algorithm,omitempty" jsonschema:"the SOD's signature algorithm"`
	LDSVersion         string           `json:"lds_version,omitempty" jsonschema:"LDS version from the SOD, when given"`
	SigningTime        *time.Time       `json:"signing_time,omitempty" jsonschema:"when the SOD was signed, when it says"`
	Chain              []NFCCertificate `json:"chain" jsonschema:"the DSC, then the CSCA that issued it when found"`
	DataGroups         []NFCDataGroup   `json:"data_groups" jsonschema:"each data group's hash check"`
	ActiveAuth         NFCActiveAuth    `json:"active_auth" jsonschema:"Active Authentication: whether the chip proved it holds the DG15 private key"`
	MRZ                *mrz.Result      `json:"mrz,omitempty" jsonschema:"the MRZ read from DG1 (only when DG1 hashes to the SOD)"`
	Face               *NFCFace         `json:"face,omitempty" jsonschema:"the DG2 portrait (only when DG2 hashes to the SOD); the image itself is stored sealed, never returned"`
	FaceMatch          *NFCFaceMatch    `json:"face_match,omitempty" jsonschema:"the chip portrait compared with the verification's selfie, when both exist and the face engine runs here"`
	Reasons            []NFCReason      `json:"reasons" jsonschema:"every finding, each with a code: an error makes chip_authentic false"`
	CreatedAt          time.Time        `json:"created_at" jsonschema:"when the scan was verified"`
}

// NFCCertificate describes a certificate of the chain or the trust store.
type NFCCertificate struct {
	Subject            string    `json:"subject" jsonschema:"subject name"`
	Issuer             string    `json:"issuer" jsonschema:"issuer name"`
	Country            string    `json:"country" jsonschema:"country of the subject (ISO 3166 alpha-2)"`
	SerialNumber       string    `json:"serial_number" jsonschema:"serial number, hex"`
	NotBefore          time.Time `json:"not_before" jsonschema:"start of validity"`
	NotAfter           time.Time `json:"not_after" jsonschema:"end of validity"`
	KeyAlgorithm       string    `json:"key_algorithm" jsonschema:"RSA or EC"`
	Curve              string    `json:"curve,omitempty" jsonschema:"the EC curve"`
	KeyBits            int       `json:"key_bits" jsonschema:"key size"`
	SignatureAlgorithm string    `json:"signature_algorithm" jsonschema:"the algorithm the certificate is signed with"`
	SHA1Fingerprint    string    `json:"sha1_fingerprint" jsonschema:"SHA-1 of the DER certificate, hex (as ICAO PKD tools show it)"`
	Source             string    `json:"source,omitempty" jsonschema:"where a trusted CSCA came from: the master list (signer and date) or the imported file"`
}

// NFCDataGroup is one data group's hash check.
type NFCDataGroup struct {
	Number       int    `json:"number" jsonschema:"data-group number"`
	Status       string `json:"status" jsonschema:"valid (hashes to the SOD), mismatch (tampered or another chip), not_covered (no hash in the SOD: never used), not_supplied" enum:"valid,mismatch,not_covered,not_supplied"`
	SODHash      string `json:"sod_hash,omitempty" jsonschema:"the hash the SOD holds, hex"`
	ComputedHash string `json:"computed_hash,omitempty" jsonschema:"the hash of the supplied data group, hex"`
}

// NFCActiveAuth is the Active Authentication outcome.
type NFCActiveAuth struct {
	Status      string `json:"status" jsonschema:"passed, failed, or not_performed (no challenge answered)" enum:"passed,failed,not_performed"`
	ChallengeID string `json:"challenge_id,omitempty" jsonschema:"the challenge answered"`
	Algorithm   string `json:"algorithm,omitempty" jsonschema:"the signature scheme checked"`
	Error       string `json:"error,omitempty" jsonschema:"why it failed"`
	KeyInDG15   bool   `json:"key_in_dg15" jsonschema:"the chip's Active Authentication key was read from a hash-valid DG15"`
}

// NFCFace describes the chip portrait.
type NFCFace struct {
	ImageType string `json:"image_type" jsonschema:"JPEG or JPEG2000"`
	Container string `json:"container" jsonschema:"the biometric record format (ISO/IEC 19794-5 or 39794-5)"`
	Width     int    `json:"width,omitempty" jsonschema:"width in pixels, as the record declares"`
	Height    int    `json:"height,omitempty" jsonschema:"height in pixels, as the record declares"`
	Stored    string `json:"stored" jsonschema:"the form kept (sealed) for face comparison: image/jpeg, or image/jp2 when a JPEG 2000 portrait could not be converted"`
}

// NFCFaceMatch is the chip portrait against the selfie.
type NFCFaceMatch struct {
	Scored    bool    `json:"scored" jsonschema:"false when a photo failed its quality gate (reason says which)"`
	Match     bool    `json:"match" jsonschema:"score at or above the threshold"`
	Score     float64 `json:"score" jsonschema:"cosine similarity of the face embeddings"`
	Threshold float64 `json:"threshold" jsonschema:"the API key's face-match threshold"`
	Reason    string  `json:"reason,omitempty" jsonschema:"side:reason when not scored"`
}

// NFCReason is one finding.
type NFCReason struct {
	Code      string `json:"code" jsonschema:"machine-readable code: dg_hash_mismatch, sod_signature_invalid, dsc_not_trusted, dsc_expired, dsc_revoked, dg1_missing, aa_failed, aa_not_performed, no_crl, face_jpeg2000_unconverted, …"`
	Severity  string `json:"severity" jsonschema:"error (chip not authentic), warning, or info" enum:"error,warning,info"`
	Message   string `json:"message" jsonschema:"what was found, for a person"`
	DataGroup int    `json:"data_group,omitempty" jsonschema:"the data group concerned"`
}

// VerifyNFC checks a chip read.
var VerifyNFC = Tool[VerifyNFCInput, NFCScan]{
	Name:     "verify_nfc",
	Examples: []string{`{"sod":"dwA=","data_groups":{"1":"YQA="}}`},
	Title:    "Verify an ePassport chip read",
	Description: "Verify what a phone read over NFC from an ePassport or eID chip (ICAO 9303 passive authentication): each data group's hash against EF.SOD, " +
		"the SOD's signature with its Document Signer Certificate, and that certificate's chain to a trusted Country Signing CA (the trust store: list_csca). " +
		"With challenge_id (from get_nfc_challenge) and aa_signature, Active Authentication proves the chip is not a clone. Returns chip_authentic with the " +
		"per-step verdicts and reasons, the MRZ read from DG1, and — with verification_id — the chip portrait compared with the verification's selfie; " +
		"the scan is then attached to that verification's nfc check. Personal data is stored sealed; raw data groups are not kept.",
	Brief:       "passive (and active) authentication of a chip read: DG hashes, SOD signature, DSC → CSCA chain, AA over an issued challenge; MRZ from DG1, portrait vs selfie; attach to a verification",
	Scope:       ScopeVerificationsWrite,
	Annotations: Annotations{ReadOnly: false, Destructive: false, Idempotent: false, OpenWorld: false},
	REST:        REST{Method: "POST", Path: "/nfc-scans", Status: 201},
	Summary:     summarizeNFCScan,
	Handle:      verifyNFC,
}

func summarizeNFCScan(s NFCScan) string {
	verdict := "AUTHENTIC"
	if !s.ChipAuthentic {
		verdict = "NOT authentic"
		for _, r := range s.Reasons {
			if r.Severity == nfc.SeverityError {
				verdict += " (" + r.Code + ")"
				break
			}
		}
	}
	return fmt.Sprintf("Chip read %s: %s; hashes %t, SOD signature %t, DSC trusted %t (%s), active authentication %s.",
		s.ID, verdict, s.DGHashesValid, s.SODSignatureValid, s.DSCTrusted, s.TrustStore, s.ActiveAuth.Status)
}

// nfcEngine returns the engine or the unavailable error.
func nfcEngine(d *Deps) (*verify.NFC, error) {
	if d.NFC == nil {
		return nil, Errorf(CodeUnavailable, "", "ePassport chip verification is not available on this server")
	}
	return d.NFC, nil
}

// decodeBinary decodes a base64 field (standard or URL alphabet, padded or not) of at most max
// bytes, refusing an oversized value before decoding it.
func decodeBinary(field, value string, max int) ([]byte, error) {
	value = strings.Join(strings.Fields(value), "")
	if value == "" {
		return nil, invalid(field, "is empty")
	}
	if n := base64.RawStdEncoding.DecodedLen(len(strings.TrimRight(value, "="))); n > max {
		return nil, invalid(field, "is %d bytes; at most %d KiB is accepted", n, max>>10)
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(value); err == nil {
			return b, nil
		}
	}
	return nil, invalid(field, "is not base64")
}

// renameField moves a tool error reported on "id" to the field the caller used.
func renameField(err error, field string) error {
	if te := AsError(err); te != nil && te.Field == "id" {
		c := *te
		c.Field = field
		return &c
	}
	return err
}

func verifyNFC(ctx context.Context, d *Deps, c Caller, in VerifyNFCInput) (NFCScan, error) {
	n, err := nfcEngine(d)
	if err != nil {
		return NFCScan{}, err
	}
	req := verify.NFCRequest{DataGroups: map[int][]byte{}, APIKeyID: c.KeyID}
	if req.SOD, err = decodeBinary("sod", in.SOD, MaxSODBytes); err != nil {
		return NFCScan{}, err
	}
	for k, val := range in.DataGroups {
		field := "data_groups." + k
		num, err := strconv.Atoi(k)
		if err != nil || num < 1 || num > 16 || strconv.Itoa(num) != k {
			return NFCScan{}, invalid(field, "data groups are numbered 1 to 16 (\"1\", \"2\", …)")
		}
		if req.DataGroups[num], err = decodeBinary(field, val, MaxDataGroupBytes); err != nil {
			return NFCScan{}, err
		}
	}
	switch {
	case in.AASignature != "" && in.ChallengeID == "":
		return NFCScan{}, invalid("challenge_id", "aa_signature answers a challenge: give the challenge_id from get_nfc_challenge")
	case in.ChallengeID != "" && in.AASignature == "":
		return NFCScan{}, invalid("aa_signature", "challenge_id needs the chip's response to its nonce (aa_signature)")
	case in.ChallengeID != "":
		if !strings.HasPrefix(in.ChallengeID, "nch_") {
			return NFCScan{}, invalid("challenge_id", "challenge ids start with nch_")
		}
		if req.AASignature, err = decodeBinary("aa_signature", in.AASignature, maxAASignatureBytes); err != nil {
			return NFCScan{}, err
		}
		req.ChallengeID = in.ChallengeID
	}
	if in.VerificationID != "" {
		v, _, err := openForUpload(ctx, d, c, in.VerificationID, models.CheckNFC)
		if err != nil {
			return NFCScan{}, renameField(err, "verification_id")
		}
		req.Verification = v
	}
	scan, err := n.Verify(ctx, d.Verify, c.scope(), req)
	if err != nil {
		return NFCScan{}, nfcErr(err)
	}
	return toNFCScan(scan), nil
}

// nfcErr maps the engine's errors to what the caller can fix.
func nfcErr(err error) error {
	switch {
	case errors.Is(err, db.ErrNFCChallengeUsed):
		return Errorf(CodeConflict, "challenge_id", "this challenge was already answered; get a new one (get_nfc_challenge) for each chip read")
	case errors.Is(err, db.ErrNFCChallengeExpired):
		return Errorf(CodeConflict, "challenge_id", "this challenge expired; get a new one (get_nfc_challenge) right before reading the chip")
	case errors.Is(err, verify.ErrNFCChallengeWrongVerification):
		return Errorf(CodeConflict, "challenge_id", "%v: send that verification_id, or get a challenge for this one", err)
	case errors.Is(err, verify.ErrNotTakingUploads):
		return Errorf(CodeConflict, "verification_id", "%v", err)
	case errors.Is(err, db.ErrNotFound):
		return Errorf(CodeNotFound, "challenge_id", "no nfc challenge with that id for this API key's account and mode")
	}
	return err
}

func toNFCScan(s *verify.NFCScan) NFCScan {
	row, det := s.Row, s.Details
	out := NFCScan{ID: row.ID, VerificationID: row.VerificationID, ChipAuthentic: row.ChipAuthentic, DGHashesValid: row.DGHashesValid,
		SODSignatureValid: row.SODSignature, DSCTrusted: row.DSCTrusted, TrustStore: row.TrustStore, CreatedAt: row.CreatedAt,
		Chain: []NFCCertificate{}, DataGroups: []NFCDataGroup{}, Reasons: []NFCReason{},
		ActiveAuth: NFCActiveAuth{Status: row.ActiveAuth, ChallengeID: det.ChallengeID}}
	r := det.Result
	if r == nil { // erased with the applicant: the verdict flags remain
		return out
	}
	out.HashAlgorithm, out.SignatureAlgorithm, out.LDSVersion, out.SigningTime = r.HashAlgorithm, r.SignatureAlgorithm, r.LDSVersion, r.SigningTime
	for _, ci := range r.Chain {
		out.Chain = append(out.Chain, toNFCCertificate(ci))
	}
	for _, g := range r.DataGroups {
		out.DataGroups = append(out.DataGroups, NFCDataGroup{Number: g.Number, Status: g.Status, SODHash: g.SODHash, ComputedHash: g.ComputedHash})
	}
	if r.ActiveAuth != nil {
		out.ActiveAuth.Algorithm, out.ActiveAuth.Error = r.ActiveAuth.Algorithm, r.ActiveAuth.Error
	}
	out.ActiveAuth.KeyInDG15 = r.AAPublicKey != nil
	out.MRZ = r.MRZ
	if f := r.Face; f != nil {
		out.Face = &NFCFace{ImageType: f.ImageType, Container: f.Container, Width: f.Width, Height: f.Height, Stored: det.FaceType}
	}
	if m := det.FaceMatch; m != nil {
		out.FaceMatch = &NFCFaceMatch{Scored: m.Scored, Match: m.Match, Score: m.Score, Threshold: m.Threshold, Reason: m.Reason}
	}
	for _, x := range append(append([]nfc.Reason(nil), r.Reasons...), det.Notes...) {
		out.Reasons = append(out.Reasons, NFCReason{Code: x.Code, Severity: x.Severity, Message: x.Message, DataGroup: x.DataGroup})
	}
	return out
}

func toNFCCertificate(ci nfc.CertInfo) NFCCertificate {
	return NFCCertificate{Subject: ci.Subject, Issuer: ci.Issuer, Country: ci.Country, SerialNumber: ci.SerialNumber,
		NotBefore: ci.NotBefore, NotAfter: ci.NotAfter, KeyAlgorithm: ci.KeyAlgorithm, Curve: ci.Curve, KeyBits: ci.KeyBits,
		SignatureAlgorithm: ci.SignatureAlgorithm, SHA1Fingerprint: ci.SHA1Fingerprint, Source: ci.Source}
}
