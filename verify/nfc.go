package verify

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/kycd/kycd/checks/face"
	"github.com/kycd/kycd/checks/mrz"
	"github.com/kycd/kycd/checks/nfc"
	"github.com/kycd/kycd/db"
	"github.com/kycd/kycd/models"
)

// EventNFCCompleted: a chip read was attached to a verification (verify_nfc with
// verification_id, or submit_nfc): data.scan_id, data.chip_authentic, data.dsc_trusted.
const EventNFCCompleted = "nfc.completed"

// NFCConfig configures the ePassport chip engine. Zero values take the documented defaults.
type NFCConfig struct {
	// ChallengeTTL is how long an Active Authentication challenge may be answered (default 2
	// minutes: a phone reads a chip in seconds).
	ChallengeTTL time.Duration
	// JPEG2000 converts JPEG 2000 portraits (most passports since ~2010) to JPEG for the face
	// match; nil leaves such portraits uncompared, with a reason saying so (see OpenJPEG).
	JPEG2000 nfc.JPEG2000Decoder
	// Biometrics compares the chip portrait with the verification's selfie (nil: no comparison).
	Biometrics *Biometrics
	// TestTrustDir is a folder with a CSCA master list (*_ML_*.ml) and the root its signer
	// chains to (*ROOT*.cer), used for test-mode keys only, and only while the database holds
	// no CSCA at all — so a developer can verify real chips before importing anything. Never
	// used in live mode.
	TestTrustDir string
	// RequireCRL makes a missing CRL for the issuing CSCA distrust the DSC.
	RequireCRL bool
}

// NFC verifies ePassport chip reads (checks/nfc) against the CSCA trust store kept in the
// database, stores them (personal data sealed), issues Active Authentication challenges, and
// is the nfc check of the pipeline. One per process; safe for concurrent use.
type NFC struct {
	store *db.Store
	cfg   NFCConfig
	log   *slog.Logger

	mu      sync.Mutex
	trust   *nfc.TrustStore
	version string
	loaded  bool

	testOnce  sync.Once
	testTrust *nfc.TrustStore
	testLabel string
}

// NewNFC builds the engine over store. Call Load (or let the first use load) the trust store.
func NewNFC(store *db.Store, cfg NFCConfig, logger *slog.Logger) (*NFC, error) {
	if store == nil {
		return nil, errors.New("nfc: store is required")
	}
	if cfg.ChallengeTTL == 0 {
		cfg.ChallengeTTL = 2 * time.Minute
	}
	if cfg.ChallengeTTL < 10*time.Second || cfg.ChallengeTTL > time.Hour {
		return nil, fmt.Errorf("nfc: challenge TTL %v outside 10s..1h", cfg.ChallengeTTL)
	}
	if logger == nil {
		logger = slog.Default()
	}
	return &NFC{store: store, cfg: cfg, log: logger, trust: nfc.NewTrustStore()}, nil
}

// Config is the effective configuration.
func (n *NFC) Config() NFCConfig { return n.cfg }

// Load (re)reads the trust store from the database when it changed since the last load (a
// version check: one cheap query), and reports whether it reloaded.
func (n *NFC) Load(ctx context.Context) (bool, error) {
	ver, err := n.store.TrustStoreVersion(ctx)
	if err != nil {
		return false, err
	}
	n.mu.Lock()
	same := n.loaded && ver == n.version
	n.mu.Unlock()
	if same {
		return false, nil
	}
	certs, err := n.store.CSCACertificates(ctx)
	if err != nil {
		return false, err
	}
	crls, err := n.store.CSCARevocationLists(ctx)
	if err != nil {
		return false, err
	}
	ts := nfc.NewTrustStore()
	for _, c := range certs {
		if _, err := ts.AddCSCA(c.DER, c.Source); err != nil {
			n.log.Warn("nfc trust store: skipping a stored CSCA", "id", c.ID, "subject", c.Subject, "err", err)
		}
	}
	for _, c := range crls {
		if _, err := ts.AddCRL(c.DER); err != nil {
			n.log.Warn("nfc trust store: skipping a stored CRL", "id", c.ID, "issuer", c.Issuer, "err", err)
		}
	}
	n.mu.Lock()
	n.trust, n.version, n.loaded = ts, ver, true
	n.mu.Unlock()
	return true, nil
}

// TrustStoreLen is how many CSCAs the database trust store holds (as last loaded).
func (n *NFC) TrustStoreLen(ctx context.Context) (int, error) {
	if _, err := n.Load(ctx); err != nil {
		return 0, err
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.trust.Len(), nil
}

// Configured reports whether a trust store exists for the nfc check: CSCAs in the database,
// or the test-mode master list folder.
func (n *NFC) Configured(ctx context.Context) (bool, error) {
	c, err := n.TrustStoreLen(ctx)
	if err != nil {
		return false, err
	}
	return c > 0 || n.hasTestTrust(), nil
}

// TrustStoreDatabase names the database trust store in results.
const TrustStoreDatabase = "database"

// trustFor returns the trust store for a mode and its name for results.
func (n *NFC) trustFor(ctx context.Context, mode models.Mode) (*nfc.TrustStore, string, error) {
	if _, err := n.Load(ctx); err != nil {
		return nil, "", err
	}
	n.mu.Lock()
	ts := n.trust
	n.mu.Unlock()
	if ts.Len() > 0 || mode != models.ModeTest {
		return ts, TrustStoreDatabase, nil
	}
	if t, label := n.testStore(); t != nil {
		return t, label, nil
	}
	return ts, TrustStoreDatabase, nil
}

func (n *NFC) hasTestTrust() bool {
	if n.cfg.TestTrustDir == "" {
		return false
	}
	ml, _ := filepath.Glob(filepath.Join(n.cfg.TestTrustDir, "*_ML_*.ml"))
	return len(ml) > 0
}

// testStore loads the test-mode master list once (nil when there is none or it does not verify).
func (n *NFC) testStore() (*nfc.TrustStore, string) {
	n.testOnce.Do(func() {
		if !n.hasTestTrust() {
			return
		}
		mls, _ := filepath.Glob(filepath.Join(n.cfg.TestTrustDir, "*_ML_*.ml"))
		rootFiles, _ := filepath.Glob(filepath.Join(n.cfg.TestTrustDir, "*ROOT*.cer"))
		var roots []*nfc.Certificate
		for _, f := range rootFiles {
			b, err := os.ReadFile(f)
			if err != nil {
				continue
			}
			if c, err := nfc.ParseCertificate(b); err == nil {
				roots = append(roots, c)
			}
		}
		sort.Strings(mls)
		ts := nfc.NewTrustStore()
		var used []string
		for _, f := range mls {
			b, err := os.ReadFile(f)
			if err != nil {
				continue
			}
			if _, err := ts.AddMasterList(b, roots, n.store.Now()); err != nil {
				n.log.Warn("nfc: test master list does not verify", "file", f, "err", err)
				continue
			}
			used = append(used, filepath.Base(f))
		}
		if ts.Len() > 0 {
			n.testTrust = ts
			n.testLabel = "test: " + strings.Join(used, ", ") + " (test mode only, the database has no CSCA)"
		}
	})
	return n.testTrust, n.testLabel
}

// ImportMasterList verifies an ICAO CSCA master list against roots (DER or PEM certificates
// the operator trusts) and stores every CSCA in it. A list whose signer does not chain to a
// root is refused and nothing is stored.
func (n *NFC) ImportMasterList(ctx context.Context, data []byte, roots [][]byte, name string) (*nfc.MasterListInfo, error) {
	var rs []*nfc.Certificate
	for _, r := range roots {
		for _, der := range pemOrDER(r) {
			c, err := nfc.ParseCertificate(der)
			if err != nil {
				return nil, fmt.Errorf("trust root: %w", err)
			}
			rs = append(rs, c)
		}
	}
	certs, info, err := nfc.ParseMasterList(data, rs, n.store.Now())
	if err != nil {
		return nil, err
	}
	source := info.Source
	if name != "" {
		source += " (" + name + ")"
	}
	info.Source = source
	rows := make([]models.CSCACertificate, 0, len(certs))
	for _, c := range certs {
		rows = append(rows, cscaRow(c, source))
	}
	if info.Added, err = n.store.InsertCSCACertificates(ctx, rows); err != nil {
		return nil, err
	}
	_, err = n.Load(ctx)
	return info, err
}

// ImportCSCA stores the CSCA certificate(s) in data (DER or PEM) as trusted — the operator's
// decision, checked against nothing. It returns the certificates and how many were new.
func (n *NFC) ImportCSCA(ctx context.Context, data []byte, source string) ([]nfc.CertInfo, int, error) {
	var rows []models.CSCACertificate
	var infos []nfc.CertInfo
	for _, der := range pemOrDER(data) {
		c, err := nfc.ParseCertificate(der)
		if err != nil {
			return nil, 0, fmt.Errorf("CSCA certificate: %w", err)
		}
		rows = append(rows, cscaRow(c, source))
		i := c.Info()
		i.Source = source
		infos = append(infos, i)
	}
	added, err := n.store.InsertCSCACertificates(ctx, rows)
	if err != nil {
		return nil, 0, err
	}
	_, err = n.Load(ctx)
	return infos, added, err
}

// ImportCRL stores a CRL (DER or PEM). It is applied only to DSCs of the CSCA whose key
// verifies it.
func (n *NFC) ImportCRL(ctx context.Context, data []byte, source string) (nfc.CRLInfo, bool, error) {
	ders := pemOrDER(data)
	if len(ders) != 1 {
		return nfc.CRLInfo{}, false, errors.New("CRL: want one CRL per file")
	}
	info, err := nfc.NewTrustStore().AddCRL(ders[0])
	if err != nil {
		return info, false, err
	}
	sum := sha256.Sum256(ders[0])
	added, err := n.store.InsertCSCARevocationList(ctx, &models.CSCARevocationList{ID: hex.EncodeToString(sum[:]),
		Issuer: info.Issuer, ThisUpdate: info.ThisUpdate, Source: source, DER: ders[0]})
	if err != nil {
		return info, false, err
	}
	_, err = n.Load(ctx)
	return info, added, err
}

func cscaRow(c *nfc.Certificate, source string) models.CSCACertificate {
	sum := sha256.Sum256(c.Raw)
	return models.CSCACertificate{ID: hex.EncodeToString(sum[:]), Country: c.Country(), Subject: c.Subject.String(),
		NotBefore: c.NotBefore, NotAfter: c.NotAfter, Source: source, DER: c.Raw}
}

// pemOrDER returns the DER blocks of PEM data (any type), or data itself.
func pemOrDER(data []byte) [][]byte {
	if !strings.Contains(string(data[:min(len(data), 4096)]), "-----BEGIN") {
		return [][]byte{data}
	}
	var out [][]byte
	for {
		var b *pem.Block
		b, data = pem.Decode(data)
		if b == nil {
			return out
		}
		out = append(out, b.Bytes)
	}
}

// CSCAListing is what list_csca shows.
type CSCAListing struct {
	TrustStore   string
	Certificates []nfc.CertInfo
	CRLs         []nfc.CRLInfo
}

// ListCSCA describes the trust store a key of this mode is judged against.
func (n *NFC) ListCSCA(ctx context.Context, mode models.Mode) (*CSCAListing, error) {
	ts, label, err := n.trustFor(ctx, mode)
	if err != nil {
		return nil, err
	}
	out := &CSCAListing{TrustStore: label, Certificates: ts.List(), CRLs: ts.CRLs()}
	if label == TrustStoreDatabase && ts.Len() == 0 {
		out.TrustStore = TrustStoreDatabase + " (empty: kycd csca import)"
	}
	return out, nil
}

// IssueChallenge creates an 8-byte Active Authentication challenge, bound to a verification
// (nil: standalone), answerable once before the TTL.
func (n *NFC) IssueChallenge(ctx context.Context, sc db.Scope, verificationID *string) (*models.NFCChallenge, error) {
	var nonce [8]byte
	if _, err := rand.Read(nonce[:]); err != nil {
		return nil, err
	}
	now := n.store.Now()
	c := &models.NFCChallenge{AccountID: sc.AccountID, Mode: sc.Mode, VerificationID: verificationID,
		Nonce: hex.EncodeToString(nonce[:]), ExpiresAt: now.Add(n.cfg.ChallengeTTL), CreatedAt: now}
	if err := n.store.InsertNFCChallenge(ctx, c); err != nil {
		return nil, err
	}
	return c, nil
}

// NFCRequest is one chip read as a phone delivers it.
type NFCRequest struct {
	SOD        []byte
	DataGroups map[int][]byte
	// ChallengeID and AASignature, together, are an Active Authentication exchange over the
	// challenge's nonce.
	ChallengeID string
	AASignature []byte
	// Verification, when set, is the verification the scan is attached to (loaded and
	// checked open by the caller, with the nfc check).
	Verification *models.Verification
	APIKeyID     string
}

// NFCDetails is the sealed part of a scan: the whole result with the chip's personal data.
type NFCDetails struct {
	Result      *nfc.Result `json:"result"`
	ChallengeID string      `json:"challenge_id,omitempty"`
	// FaceType is the stored portrait's MIME type (image/jpeg, or image/jp2 when it could not
	// be converted).
	FaceType string `json:"face_type,omitempty"`
	// FaceMatch compares the portrait with the verification's selfie, when both existed.
	FaceMatch *MatchVerdict `json:"face_match,omitempty"`
	// Notes are findings of kycd around the engine (the portrait could not be compared, …).
	Notes []nfc.Reason `json:"notes,omitempty"`
}

// NFCScan is a stored scan with its opened details.
type NFCScan struct {
	Row     *models.NFCScan
	Details NFCDetails
}

// Errors of an NFC request the caller can fix.
var (
	ErrNFCChallengeWrongVerification = errors.New("the challenge was issued for another verification")
	ErrNFCNotOpen                    = errors.New("the verification does not take an NFC read")
)

// Reason codes kycd adds around the engine's.
const (
	CodeFaceJPEG2000Unconverted = "face_jpeg2000_unconverted"
	CodeFaceNotCompared         = "face_not_compared"
)

// Verify checks a chip read, stores it (sealed), spends its challenge and, when the request
// names a verification, attaches it there with an nfc.completed event — all in one
// transaction. Errors the caller can fix are db.ErrNotFound (challenge),
// db.ErrNFCChallengeUsed / ErrNFCChallengeExpired and ErrNFCChallengeWrongVerification.
func (n *NFC) Verify(ctx context.Context, svc *Service, sc db.Scope, req NFCRequest) (*NFCScan, error) {
	var ch *models.NFCChallenge
	var nonce []byte
	if req.ChallengeID != "" {
		var err error
		if ch, err = n.store.GetNFCChallenge(ctx, sc, req.ChallengeID); err != nil {
			return nil, err
		}
		if ch.VerificationID != nil && (req.Verification == nil || req.Verification.ID != *ch.VerificationID) {
			return nil, fmt.Errorf("%w (%s)", ErrNFCChallengeWrongVerification, *ch.VerificationID)
		}
		if ch.UsedAt != nil {
			return nil, db.ErrNFCChallengeUsed
		}
		if !n.store.Now().Before(ch.ExpiresAt) {
			return nil, db.ErrNFCChallengeExpired
		}
		if nonce, err = hex.DecodeString(ch.Nonce); err != nil {
			return nil, fmt.Errorf("stored nfc challenge %s: %w", ch.ID, err)
		}
	}
	ts, label, err := n.trustFor(ctx, sc.Mode)
	if err != nil {
		return nil, err
	}
	in := nfc.Input{SOD: req.SOD, DataGroups: req.DataGroups, AAChallenge: nonce, AAResponse: req.AASignature}
	r := n.verifier(ts, sc.Mode).Verify(in)
	if !r.DSCTrusted && r.HasReason(nfc.CodeDSCNotTrusted) && label == TrustStoreDatabase {
		// Another process may have imported the CSCA since this one loaded: a miss checks.
		if changed, err := n.Load(ctx); err != nil {
			return nil, err
		} else if changed {
			ts, label, err = n.trustFor(ctx, sc.Mode)
			if err != nil {
				return nil, err
			}
			r = n.verifier(ts, sc.Mode).Verify(in)
		}
	}
	if sr, ok := n.sandboxVerify(sc.Mode, in, r); ok { // test mode only (sandbox_nfc.go)
		r, label = sr, TrustStoreSandbox
	}

	det := NFCDetails{Result: r}
	if ch != nil {
		det.ChallengeID = ch.ID
	}
	portrait := n.portrait(r, &det)
	if req.Verification != nil && portrait != nil && det.FaceType == "image/jpeg" {
		m, note, err := n.compareFace(ctx, req.Verification, portrait)
		if err != nil {
			return nil, err
		}
		det.FaceMatch = m
		if note != "" {
			det.Notes = append(det.Notes, nfc.Reason{Code: CodeFaceNotCompared, Severity: nfc.SeverityInfo, Message: note})
		}
	}

	row := &models.NFCScan{AccountID: sc.AccountID, Mode: sc.Mode, APIKeyID: req.APIKeyID, ChipAuthentic: r.ChipAuthentic,
		DGHashesValid: r.DGHashesValid, SODSignature: r.SODSignatureValid, DSCTrusted: r.DSCTrusted,
		ActiveAuth: activeAuthState(r), TrustStore: label}
	if len(r.Chain) > 0 {
		row.IssuingCountry = r.Chain[0].Country
	}
	row.CreatedAt = n.store.Now()
	row.ID = db.NewID("nfc", row.CreatedAt)
	var v *models.Verification
	if req.Verification != nil {
		v = req.Verification
		row.VerificationID = &v.ID
	}
	err = n.store.InTx(ctx, func(ctx context.Context, tx *db.Tx) error {
		if ch != nil {
			if _, err := tx.UseNFCChallenge(ctx, sc, ch.ID, row.ID, n.store.Now()); err != nil {
				return err
			}
		}
		if err := tx.InsertNFCScan(ctx, row, det, portrait); err != nil {
			return err
		}
		if v != nil {
			return n.attached(ctx, svc, tx, sc, v, row)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &NFCScan{Row: row, Details: det}, nil
}

// Attach binds a stored scan to an open verification that runs the nfc check, with its
// nfc.completed event. A scan already attached elsewhere is db.ErrConflict.
func (n *NFC) Attach(ctx context.Context, svc *Service, sc db.Scope, v *models.Verification, scanID string) (*NFCScan, error) {
	row, err := n.store.GetNFCScan(ctx, sc, scanID)
	if err != nil {
		return nil, err
	}
	err = n.store.InTx(ctx, func(ctx context.Context, tx *db.Tx) error {
		if err := tx.AttachNFCScan(ctx, sc, scanID, v.ID); err != nil {
			return err
		}
		return n.attached(ctx, svc, tx, sc, v, row)
	})
	if err != nil {
		return nil, err
	}
	row.VerificationID = &v.ID
	return n.Open(row)
}

// attached marks the verification started (the chip read is an upload) and records the event.
func (n *NFC) attached(ctx context.Context, svc *Service, tx *db.Tx, sc db.Scope, v *models.Verification, row *models.NFCScan) error {
	if err := svc.Start(ctx, tx, sc, v, "nfc"); err != nil {
		return err
	}
	cur := *v
	cur.Status = models.StatusInProgress
	return svc.RecordEvent(ctx, tx, &cur, EventNFCCompleted, "", map[string]any{"scan_id": row.ID,
		"chip_authentic": row.ChipAuthentic, "dsc_trusted": row.DSCTrusted, "active_auth": row.ActiveAuth})
}

// Open decrypts a scan's details.
func (n *NFC) Open(row *models.NFCScan) (*NFCScan, error) {
	s := &NFCScan{Row: row}
	if _, err := n.store.NFCScanDetails(row, &s.Details); err != nil {
		return nil, err
	}
	return s, nil
}

// Get reads one scan in the scope.
func (n *NFC) Get(ctx context.Context, sc db.Scope, id string) (*NFCScan, error) {
	row, err := n.store.GetNFCScan(ctx, sc, id)
	if err != nil {
		return nil, err
	}
	return n.Open(row)
}

func (n *NFC) verifier(ts *nfc.TrustStore, mode models.Mode) *nfc.Verifier {
	opts := []nfc.Option{nfc.WithClock(n.store.Now)}
	if n.cfg.JPEG2000 != nil {
		opts = append(opts, nfc.WithJPEG2000Decoder(n.cfg.JPEG2000))
	}
	if n.cfg.RequireCRL {
		opts = append(opts, nfc.WithRequireCRL())
	}
	if mode == models.ModeTest {
		opts = append(opts, nfc.WithMRZOptions(mrz.WithSpecimenCodes())) // Utopia (UTO) and friends
	}
	return nfc.NewVerifier(ts, opts...)
}

// portrait returns the image to keep (JPEG when available) and notes what could not be done.
func (n *NFC) portrait(r *nfc.Result, det *NFCDetails) []byte {
	f := r.Face
	if f == nil {
		return nil
	}
	if len(f.JPEG) > 0 {
		det.FaceType = "image/jpeg"
		return f.JPEG
	}
	det.FaceType = f.MIMEType
	msg := "the chip portrait is JPEG 2000 and could not be converted, so it was not compared with a selfie"
	if n.cfg.JPEG2000 == nil {
		msg = "the chip portrait is JPEG 2000 and no converter is installed (OpenJPEG's opj_decompress, Debian package libopenjp2-tools), so it was not compared with a selfie"
	}
	det.Notes = append(det.Notes, nfc.Reason{Code: CodeFaceJPEG2000Unconverted, Severity: nfc.SeverityInfo, Message: msg, DataGroup: 2})
	return f.Data
}

// compareFace matches a chip portrait (JPEG) with the verification's selfie. A nil verdict
// with a note means no comparison was possible.
func (n *NFC) compareFace(ctx context.Context, v *models.Verification, portrait []byte) (*MatchVerdict, string, error) {
	b := n.cfg.Biometrics
	if b == nil {
		return nil, "the face engine is not available on this server", nil
	}
	_, selfie, err := b.SelfieAnalysis(ctx, v)
	if err != nil {
		return nil, "", err
	}
	if selfie == nil {
		return nil, "no selfie was uploaded to compare the chip portrait with", nil
	}
	chip, err := b.Analyze(ctx, portrait, face.KindDocument)
	if errors.Is(err, ErrBadImage) {
		return nil, "the chip portrait does not decode: " + err.Error(), nil
	}
	if err != nil {
		return nil, "", err
	}
	th, err := b.ThresholdsFor(ctx, v.APIKeyID)
	if err != nil {
		return nil, "", err
	}
	m, err := b.Match(selfie, chip, "selfie", "chip", th)
	if err != nil {
		return nil, "", err
	}
	return &m, "", nil
}

func activeAuthState(r *nfc.Result) string {
	switch {
	case r.ActiveAuth == nil:
		return "not_performed"
	case r.ActiveAuth.Valid:
		return "passed"
	}
	return "failed"
}

// Runner is the nfc check of the pipeline.
func (n *NFC) Runner() CheckRunner { return &NFCCheck{n: n} }

// NFCCheck is the nfc check: the verification's latest attached chip read, compared with the
// photographed MRZ (when the verification has a document check) and with the selfie.
type NFCCheck struct{ n *NFC }

// OptIn keeps the check out of the default set: not every applicant has an NFC phone and a
// chip document, so only a verification that asks for it runs it.
func (c *NFCCheck) OptIn() bool { return true }

const needNFC = "an NFC read of the document's chip (get_nfc_challenge, then verify_nfc with verification_id, or submit_nfc)"

// Missing implements CheckRunner.
func (c *NFCCheck) Missing(in *CheckInput) []string {
	ctx, cancel := missingCtx()
	defer cancel()
	v := in.Verification
	_, err := c.n.store.LatestNFCScan(ctx, scopeOf(v), v.ID)
	switch {
	case errors.Is(err, db.ErrNotFound):
		return []string{needNFC}
	case err != nil:
		return []string{"cannot check the uploads right now: " + err.Error()}
	}
	return nil
}

// forgeryCodes are engine reasons that mean the data was altered or the chip cloned, as
// opposed to a trust anchor kycd lacks.
var forgeryCodes = []string{nfc.CodeDGHashMismatch, nfc.CodeSODSignatureInvalid, nfc.CodeAAFailed,
	nfc.CodeMalformedSOD, nfc.CodeDSCRevoked, nfc.CodeDGMalformed}

// Run implements CheckRunner.
func (c *NFCCheck) Run(ctx context.Context, in *CheckInput) (*models.CheckOutcome, error) {
	v := in.Verification
	out := &models.CheckOutcome{Outcome: models.OutcomePass, Details: map[string]any{}, Versions: map[string]string{"engine": "checks/nfc"}}
	row, err := c.n.store.LatestNFCScan(ctx, scopeOf(v), v.ID)
	if errors.Is(err, db.ErrNotFound) {
		out.Outcome, out.Reasons = models.OutcomeReview, []models.Reason{review("nfc_missing", "no chip read was attached")}
		return out, nil
	}
	if err != nil {
		return nil, err
	}
	scan, err := c.n.Open(row)
	if err != nil {
		return nil, err
	}
	r := scan.Details.Result
	if r == nil {
		out.Outcome, out.Reasons = models.OutcomeReview, []models.Reason{review("nfc_erased", "the chip read's data is gone")}
		return out, nil
	}
	out.Versions["trust_store"] = row.TrustStore
	out.Details["scan_id"] = row.ID
	out.Details["chip_authentic"] = row.ChipAuthentic
	out.Details["dg_hashes_valid"] = row.DGHashesValid
	out.Details["sod_signature_valid"] = row.SODSignature
	out.Details["dsc_trusted"] = row.DSCTrusted
	out.Details["active_auth"] = row.ActiveAuth
	out.Details["issuing_country"] = row.IssuingCountry
	if !row.ChipAuthentic {
		forged := false
		for _, x := range r.Reasons {
			if x.Severity == nfc.SeverityError && slices.Contains(forgeryCodes, x.Code) {
				forged = true
				out.Reasons = append(out.Reasons, review("nfc_"+x.Code, x.Message))
			}
		}
		if forged {
			out.Outcome = models.OutcomeFail
		} else {
			out.Outcome = models.OutcomeReview
			for _, x := range r.Reasons {
				if x.Severity == nfc.SeverityError {
					out.Reasons = append(out.Reasons, review("nfc_"+x.Code, x.Message))
				}
			}
			if len(out.Reasons) == 0 {
				out.Reasons = append(out.Reasons, review("nfc_not_authentic", "the chip read could not be authenticated"))
			}
		}
	}
	if r.MRZ != nil {
		c.compareMRZ(in, r.MRZ, out)
	}
	if err := c.compareFace(ctx, v, row, scan, out); err != nil {
		return nil, err
	}
	return out, nil
}

// compareMRZ holds the chip's MRZ against the photographed one: the chip is the reference,
// so a document photo of another document is a fail. Names are not check-digit protected in
// the photographed MRZ, so a name difference is for a person to judge.
func (c *NFCCheck) compareMRZ(in *CheckInput, chip *mrz.Result, out *models.CheckOutcome) {
	if !slices.Contains(in.Checks, models.CheckDocument) {
		return
	}
	doc := in.Document
	if doc == nil {
		out.Details["mrz_compared"] = false
		return
	}
	out.Details["mrz_compared"] = true
	clean := func(s string) string { return strings.ToUpper(strings.ReplaceAll(strings.TrimSpace(s), "<", "")) }
	var diff []string
	if doc.Number != "" && clean(doc.Number) != clean(chip.DocumentNumber) {
		diff = append(diff, "document number")
	}
	if doc.DateOfBirth != "" && doc.DateOfBirth != chip.DateOfBirth {
		diff = append(diff, "date of birth")
	}
	if doc.IssuingCountry != "" && clean(doc.IssuingCountry) != clean(chip.IssuingState) {
		diff = append(diff, "issuing state")
	}
	if doc.Nationality != "" && clean(doc.Nationality) != clean(chip.Nationality) {
		diff = append(diff, "nationality")
	}
	if len(diff) > 0 {
		out.Outcome = worse(out.Outcome, models.OutcomeFail)
		out.Reasons = append(out.Reasons, review("nfc_mrz_mismatch",
			"the chip and the photographed document differ in: "+strings.Join(diff, ", ")))
		return
	}
	name := strings.Join(strings.Fields(chip.GivenNames+" "+chip.Surname), " ")
	if doc.FullName != "" && !strings.EqualFold(strings.Join(strings.Fields(doc.FullName), " "), name) {
		out.Outcome = worse(out.Outcome, models.OutcomeReview)
		out.Reasons = append(out.Reasons, review("nfc_name_mismatch", "the name on the chip differs from the photographed document's"))
	}
}

// compareFace holds the chip portrait against the selfie with the face_match thresholds.
func (c *NFCCheck) compareFace(ctx context.Context, v *models.Verification, row *models.NFCScan, scan *NFCScan, out *models.CheckOutcome) error {
	b := c.n.cfg.Biometrics
	if b == nil || scan.Details.FaceType != "image/jpeg" {
		return nil
	}
	portrait, err := c.n.store.NFCScanFace(row)
	if err != nil || portrait == nil {
		return err
	}
	m, note, err := c.n.compareFace(ctx, v, portrait)
	if err != nil {
		return err
	}
	if m == nil {
		out.Details["face_match"] = note
		return nil
	}
	out.Details["face_match"] = m
	out.Versions["embedding_model"] = b.EmbeddingModel().Name + "@" + b.EmbeddingModel().SHA256
	o, reasons := matchOutcome(*m, "chip portrait", "nfc_")
	out.Outcome = worse(out.Outcome, o)
	out.Reasons = append(out.Reasons, reasons...)
	return nil
}
