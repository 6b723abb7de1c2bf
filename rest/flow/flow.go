package flow

import (
	"compress/gzip"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"path"
	"strings"
	"time"

	"github.com/kycd/kycd/tools"
)

// Prefix is where the flow is mounted: hosted_url is PublicURL + Prefix + session token.
const Prefix = "/verify/"

// SDKPath serves the Web SDK.
const SDKPath = "/sdk/kycd.js"

// Tool names the flow calls. A step appears only when its tool is in the registry (checked at
// request time), so the flow grows as tools land without a change here.
var (
	toolGet       = tools.GetVerification.Name
	toolSubmit    = tools.SubmitVerification.Name
	toolSelfie    = tools.SubmitSelfie.Name
	toolDocument  = tools.SubmitDocument.Name
	toolConsent   = tools.RecordConsent.Name
	toolChallenge = tools.GetLivenessChallenge.Name
	toolLiveness  = tools.SubmitLiveness.Name
	toolSimulate  = tools.SimulateCheckOutcome.Name
	toolNFC       = tools.GetNFCChallenge.Name
	toolNFCScans  = tools.ListNFCScans.Name
	toolAddress   = tools.CheckAddress.Name
	// The questionnaire step (questionnaire.go).
	toolQuestionnaire    = tools.SubmitQuestionnaireAnswers.Name
	toolGetQuestionnaire = tools.GetQuestionnaire.Name
)

// Step names, in flow order.
const (
	stepIntro    = "intro"
	stepDocument = "document"
	stepSelfie   = "selfie"
	stepLiveness = "liveness"
	stepNFC      = "nfc"
	stepAddress  = "proof_of_address"
	stepEmail    = "email"
	stepPhone    = "phone"
	stepConfirm  = "confirm"
	// stepQuestionnaire asks the verification's questionnaire, before the confirmation.
	stepQuestionnaire = "questionnaire"
	stepResult        = "result"
)

// DefaultUploadLimit caps a capture upload (a downscaled photo, or up to 30 liveness frames).
const DefaultUploadLimit = 12 << 20

//go:embed templates/*.html
var templateFiles embed.FS

//go:embed static/*
var staticFiles embed.FS

//go:embed sdk/kycd.js
var sdkJS []byte

// sdkGz is sdkJS gzip-compressed once.
var sdkGz = gzipped(sdkJS, gzip.BestCompression)

// Options configure the flow.
type Options struct {
	// FrameAncestors are the origins (https://shop.example.com) allowed to embed the flow in an
	// iframe, and so to receive its kycd:complete message. Empty: only this server may frame it.
	FrameAncestors []string
	// UploadLimit caps capture request bodies in bytes (0 = DefaultUploadLimit).
	UploadLimit int64
	// PostsPerMinute is each verification's budget of POSTs (0 = 30, with bursts of 15).
	PostsPerMinute int
	// PollInterval is how often pages re-read the status (0 = 2 s).
	PollInterval time.Duration
	// Logger receives failures; never tokens or applicant data (nil = slog.Default()).
	Logger *slog.Logger
	// RejectionReasons is what a rejected applicant reads: "none" (the outcome only),
	// "generic" (the default: what to do next) or "specific" (also the reasons they can act on,
	// ApplicantReasons; never screening hits or fraud signals, which would tip them off).
	RejectionReasons string
}

// ApplicantReasons are the result reasons a rejected applicant may be told with
// RejectionReasons "specific": things they can fix with another document or photo.
var ApplicantReasons = []string{"document_expired", "document_type_not_allowed", "country_not_allowed", "document_unreadable",
	"mrz_missing", "mrz_invalid", "face_mismatch", "age_below_minimum"}

// Handler serves the hosted flow under Prefix; SDK serves the Web SDK.
type Handler struct {
	reg          *tools.Registry
	opts         Options
	pages        map[string]*template.Template
	cats         map[string]*catalog
	embedOrigins []string
	publicOrigin string
	limit        *limiter
	log          *slog.Logger
	static       map[string][]byte
	staticGz     map[string][]byte // the static files gzip-compressed, by name
}

// New builds the flow over the registry. It refuses a malformed FrameAncestors entry.
func New(reg *tools.Registry, opts Options) (*Handler, error) {
	if reg == nil {
		return nil, errors.New("flow: nil registry")
	}
	origins, err := parseOrigins(opts.FrameAncestors)
	if err != nil {
		return nil, fmt.Errorf("flow: %w", err)
	}
	if opts.UploadLimit <= 0 {
		opts.UploadLimit = DefaultUploadLimit
	}
	if opts.PostsPerMinute <= 0 {
		opts.PostsPerMinute = 30
	}
	if opts.PollInterval <= 0 {
		opts.PollInterval = 2 * time.Second
	}
	h := &Handler{reg: reg, opts: opts, embedOrigins: origins, limit: newLimiter(opts.PostsPerMinute, max(opts.PostsPerMinute/2, 5)),
		log: opts.Logger, static: map[string][]byte{}, staticGz: map[string][]byte{}}
	if h.log == nil {
		h.log = slog.Default()
	}
	if d := reg.Deps(); d != nil && d.PublicURL != "" {
		if u, err := url.Parse(d.PublicURL); err == nil && u.Host != "" {
			h.publicOrigin = u.Scheme + "://" + u.Host
		}
	}
	if h.cats, err = loadCatalogs(); err != nil {
		return nil, fmt.Errorf("flow: %w", err)
	}
	if h.pages, err = parsePages(); err != nil {
		return nil, fmt.Errorf("flow: %w", err)
	}
	err = fs.WalkDir(staticFiles, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := staticFiles.ReadFile(p)
		h.static[path.Base(p)] = b
		h.staticGz[path.Base(p)] = gzipped(b, gzip.BestCompression)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("flow: static files: %w", err)
	}
	return h, nil
}

// SDK serves /sdk/kycd.js. It is public and cacheable: it holds no secret.
func (h *Handler) SDK() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
		w.Header().Set("Cache-Control", "public, max-age=300")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		body := compressed(w, r, sdkJS, sdkGz)
		w.Header().Set("Access-Control-Allow-Origin", "*")
		if r.Method != http.MethodHead {
			_, _ = w.Write(body)
		}
	})
}

// ServeHTTP routes Prefix/…: static/{file}, h/{handoff}, and {token}[/action]. Routing is
// by hand because the token is the first segment and the mux cannot tell it from "static".
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rest, ok := strings.CutPrefix(r.URL.Path, Prefix)
	if !ok {
		http.NotFound(w, r)
		return
	}
	segs := strings.Split(rest, "/")
	switch {
	case len(segs) == 2 && segs[0] == "static":
		h.serveStatic(w, r, segs[1])
		return
	case len(segs) == 2 && segs[0] == "h":
		h.redeem(w, r, segs[1])
		return
	case len(segs) == 1 && segs[0] == "code":
		h.codePage(w, r)
		return
	}
	s, ok := h.session(w, r, segs[0])
	if !ok {
		return
	}
	action := strings.Join(segs[1:], "/")
	switch {
	case action == "" && isGet(r):
		h.home(w, r, s)
	case action == "consent" && r.Method == http.MethodPost:
		h.consent(w, r, s)
	case strings.HasPrefix(action, "step/") && isGet(r):
		h.step(w, r, s, strings.TrimPrefix(action, "step/"))
	case action == "step/"+stepAddress && r.Method == http.MethodPost:
		h.addressPost(w, r, s)
	case action == "step/"+stepQuestionnaire && r.Method == http.MethodPost:
		h.questionnairePost(w, r, s)
	case strings.HasPrefix(action, "step/") && r.Method == http.MethodPost:
		h.contactPost(w, r, s, strings.TrimPrefix(action, "step/"))
	case action == "submit" && r.Method == http.MethodPost:
		h.submit(w, r, s)
	case action == "brand.css" && isGet(r):
		h.brandCSS(w, r, s)
	case action == "result" && isGet(r):
		h.result(w, r, s)
	case action == "status" && isGet(r):
		h.status(w, r, s)
	case action == "events" && r.Method == http.MethodGet:
		h.events(w, r, s)
	case action == "handoff" && r.Method == http.MethodPost:
		h.handoff(w, r, s)
	case action == "nfc-status" && isGet(r):
		h.nfcStatus(w, r, s)
	case action == "nfc-sample" && r.Method == http.MethodPost: // test mode (sandbox.go)
		h.nfcSample(w, r, s)
	case strings.HasPrefix(action, "api/") && r.Method == http.MethodPost:
		h.api(w, r, s, strings.TrimPrefix(action, "api/"))
	default:
		h.renderError(w, r, s.cat, http.StatusNotFound, "error.invalid_link.title", "error.invalid_link.text")
	}
}

func isGet(r *http.Request) bool { return r.Method == http.MethodGet || r.Method == http.MethodHead }
