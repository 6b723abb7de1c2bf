package main

import (
	"flag"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Config is every setting kycd reads. Each has a flag and a KYCD_* environment variable;
// a flag given on the command line wins over the environment.
type Config struct {
	Addr        string
	DataDir     string
	DatabaseURL string
	PublicURL   string
	// PublicURLDefault reports that neither --public-url nor KYCD_PUBLIC_URL was given, so
	// hosted_url links point at http://<addr> (see publicURLWarning).
	PublicURLDefault bool
	EncryptionKeys   string
	LogLevel         string
	LogFormat        string
	Workers          int
	NoWorkers        bool
	// AuditAsyncCommit: see db.Store.AuditAsyncCommit.
	AuditAsyncCommit bool
	ShutdownTimeout  time.Duration
	APIKey           string
	// ScreeningStrongHit is what a strong sanctions hit does: review or fail.
	ScreeningStrongHit string
	// ListsSync is how often a process checks the database for newly imported lists.
	ListsSync time.Duration
	// Screening holds the screening threshold, the monitoring schedule and the blockchain nodes
	// screen_transaction reads transactions from (see screening.go).
	Screening ScreeningSettings
	// BodyLimit caps HTTP request bodies (bytes) on every surface.
	BodyLimit int
	// RateLimit is the default requests a minute per API key (a key's own limit wins).
	RateLimit int
	// RateLimitProcesses is how many kycd processes share the database: each grants 1/N of a key's budget.
	RateLimitProcesses int
	// Conformance adds the MCP conformance-suite fixtures and lets MCP in without a key. Tests only.
	Conformance bool
	// WebhookAllowPrivate / WebhookAllowHTTP relax the webhook SSRF guard for local development.
	WebhookAllowPrivate bool
	WebhookAllowHTTP    bool
	// WebhookConnectTimeout and WebhookTimeout bound one delivery attempt.
	WebhookConnectTimeout time.Duration
	WebhookTimeout        time.Duration
	// WebhookWorkers bounds concurrent deliveries per process.
	WebhookWorkers int
	// CreateBatches bounds the creation transactions in flight (0 = 4 on PostgreSQL, 1 on SQLite).
	CreateBatches int
	// JobRescueAfter is how long a job may run before River assumes its worker died and retries it.
	JobRescueAfter time.Duration
	// ImageRetention is how long uploaded images of an ended verification are kept (0 = for ever).
	ImageRetention time.Duration
	// MaxImageMemory is the bytes image decodes in flight may hold at once, process-wide
	// (checks/imaging's budget); it also caps what one image may cost to decode.
	MaxImageMemory int
	// MemoryLimit is the Go runtime's soft memory limit in bytes (0 = none; GOMEMLIMIT wins).
	MemoryLimit int
	// FrameAncestors lists the origins (comma-separated) that may embed the hosted flow in an iframe.
	FrameAncestors string
	// RejectionReasons is what a rejected applicant is told: none, generic or specific.
	RejectionReasons string
	// MCPAllowedOrigins lists the web origins (comma-separated), besides the public URL's, whose
	// pages may call /mcp; a request with another Origin header gets 403.
	MCPAllowedOrigins string
	// Document holds the document check's settings (see document.go).
	Document DocumentSettings
	// Biometrics holds the face, liveness and age settings (see biometrics.go).
	Biometrics BiometricSettings
	// Contact holds the email and phone checks' settings and the code senders (see contact.go).
	Contact ContactSettings
	// NFC holds the ePassport chip settings (see csca.go).
	NFC NFCSettings
	// Business holds the KYB register settings (see registry.go).
	Business BusinessSettings
	// Signals holds the IP and device signal settings (see signals.go).
	Signals SignalSettings
	// OAuth holds the OAuth settings (see oauth.go).
	OAuth OAuthSettings
}

type setting struct {
	flag, env, help string
	def             string
	dst             any
}

func (c *Config) settings() []setting {
	return []setting{
		{"addr", "KYCD_ADDR", "HTTP listen address", "127.0.0.1:8080", &c.Addr},
		{"data-dir", "KYCD_DATA_DIR", "where the embedded database, the encryption key file and caches live", "./data", &c.DataDir},
		{"database-url", "KYCD_DATABASE_URL", "PostgreSQL URL (postgres://…); empty = embedded SQLite in the data dir", "", &c.DatabaseURL},
		{"public-url", "KYCD_PUBLIC_URL", "public base URL of this server, the base of hosted_url (default http://<addr>)", "", &c.PublicURL},
		{"encryption-keys", "KYCD_ENCRYPTION_KEYS", "PII encryption keys as id:base64(32 bytes)[,id:…], first = primary; empty = <data-dir>/encryption.key, created on first start", "", &c.EncryptionKeys},
		{"log-level", "KYCD_LOG_LEVEL", "debug, info, warn or error", "info", &c.LogLevel},
		{"log-format", "KYCD_LOG_FORMAT", "text or json", "text", &c.LogFormat},
		{"workers", "KYCD_WORKERS", "concurrent jobs in this process", "10", &c.Workers},
		{"create-batches", "KYCD_CREATE_BATCHES", "create_verification transactions in flight at once, each writing every creation queued behind the previous one (0 = 4 on PostgreSQL, 1 on SQLite)", "0", &c.CreateBatches},
		{"no-workers", "KYCD_NO_WORKERS", "serve only: run no job workers (run `kycd worker` elsewhere)", "false", &c.NoWorkers},
		{"audit-async-commit", "KYCD_AUDIT_ASYNC_COMMIT", "PostgreSQL: commit audit rows without waiting for the WAL flush (cheaper reads; a database crash may lose the last few hundred ms of audit rows)", "false", &c.AuditAsyncCommit},
		{"screening-strong-hit", "KYCD_SCREENING_STRONG_HIT", "what a strong sanctions hit does to a verification: review (needs_review) or fail (rejected)", "review", &c.ScreeningStrongHit},
		{"lists-sync", "KYCD_LISTS_SYNC", "how often to pick up lists imported by another process", "30s", &c.ListsSync},
		{"screening-threshold", "KYCD_SCREENING_THRESHOLD", "name-match score (0–1) at which the screening check and monitoring report a hit (0 = the matcher's default, 0.85)", "0", &c.Screening.Threshold},
		{"screening-monitor-every", "KYCD_SCREENING_MONITOR_EVERY", "how often approved applicants are re-screened even without a list change (0 = only when a list changes)", "24h", &c.Screening.MonitorEvery},
		{"eth-rpc-url", "KYCD_ETH_RPC_URL", "Ethereum JSON-RPC node for screen_transaction's counterparties (user:password@ in the URL is sent as basic auth)", "", &c.Screening.EthRPCURL},
		{"btc-rpc-url", "KYCD_BTC_RPC_URL", "Bitcoin Core JSON-RPC node (with -txindex) for screen_transaction, e.g. http://rpcuser:rpcpassword@127.0.0.1:8332", "", &c.Screening.BtcRPCURL},
		{"chain-rpc-urls", "KYCD_CHAIN_RPC_URLS", "more nodes as CHAIN=URL,…: EVM chains (ARB, BSC, POL, …) speak Ethereum JSON-RPC; LTC, BCH, DASH, ZEC, BTG, BSV Bitcoin Core's", "", &c.Screening.ChainRPCURLs},
		{"node-timeout", "KYCD_NODE_TIMEOUT", "timeout of one blockchain node call", "15s", &c.Screening.NodeTimeout},
		{"webhook-allow-private", "KYCD_WEBHOOK_ALLOW_PRIVATE", "let webhooks and callback_url target loopback, private and link-local addresses (local development only; cloud metadata stays blocked)", "false", &c.WebhookAllowPrivate},
		{"webhook-allow-http", "KYCD_WEBHOOK_ALLOW_HTTP", "let webhooks and callback_url use plain http (local development only)", "false", &c.WebhookAllowHTTP},
		{"webhook-connect-timeout", "KYCD_WEBHOOK_CONNECT_TIMEOUT", "TCP connect timeout of a webhook delivery", "5s", &c.WebhookConnectTimeout},
		{"webhook-timeout", "KYCD_WEBHOOK_TIMEOUT", "total timeout of a webhook delivery attempt (connect, TLS, request, response)", "15s", &c.WebhookTimeout},
		{"webhook-workers", "KYCD_WEBHOOK_WORKERS", "concurrent webhook deliveries in this process", "20", &c.WebhookWorkers},
		{"image-retention", "KYCD_IMAGE_RETENTION", "how long the uploaded images (documents, selfies, liveness frames) of an approved, rejected, expired or cancelled verification are kept, e.g. 2160h for 90 days; results, hashes and face templates stay (0 = keep them)", "0", &c.ImageRetention},
		{"memory-limit", "KYCD_MEMORY_LIMIT", "soft limit of the Go heap in bytes: past it the garbage collector works harder rather than letting the process grow (0 = none; GOMEMLIMIT, when set, wins)", "805306368", &c.MemoryLimit},
		{"max-image-memory", "KYCD_MAX_IMAGE_MEMORY", "bytes the image decodes in flight may hold at once, estimated from each header (one image may take at most 192 MiB of it); more decodes wait", "536870912", &c.MaxImageMemory},
		{"job-rescue-after", "KYCD_JOB_RESCUE_AFTER", "how long a job may run before it is assumed lost with its worker (SIGKILL) and retried; also caps the per-job timeout", "1h", &c.JobRescueAfter},
		{"document-ocr", "KYCD_DOCUMENT_OCR", "MRZ reader: auto (the OCR-B classifier, Tesseract as fallback in builds with it), ocrb, or tesseract", "auto", &c.Document.OCR},
		{"document-countries", "KYCD_DOCUMENT_COUNTRIES", "issuing states the document check accepts, ICAO codes comma-separated (D for Germany); empty = any", "", &c.Document.Countries},
		{"document-types", "KYCD_DOCUMENT_TYPES", "document types the document check accepts: passport, id_card, drivers_license, residence_permit (comma-separated, as for keys and document_type); empty = any", "", &c.Document.Types},
		{"biometrics", "KYCD_BIOMETRICS", "face_match, liveness and age checks: auto (on when the ONNX engine starts), on (fail to start without it) or off", "auto", &c.Biometrics.Mode},
		{"onnx-library", "KYCD_ONNX_LIBRARY", "path of libonnxruntime.so (default: where scripts/setup/onnx.sh installs it)", "", &c.Biometrics.LibraryPath},
		{"face-models-dir", "KYCD_FACE_MODELS_DIR", "folder with the fr_*.onnx face models (default: where scripts/setup/onnx.sh installs them)", "", &c.Biometrics.ModelsDir},
		{"face-embedding-model", "KYCD_FACE_EMBEDDING_MODEL", "an ArcFace-style ONNX embedding model (112×112 → 512-d) to use instead of the bundled one (dlib's ResNet); set its thresholds too", "", &c.Biometrics.EmbeddingModel},
		{"face-threads", "KYCD_FACE_THREADS", "intra-op threads per face inference", "1", &c.Biometrics.Threads},
		{"face-match-threshold", "KYCD_FACE_MATCH_THRESHOLD", "cosine similarity for a face match (0 = the model's calibrated default, 0.946 for the bundled model)", "0", &c.Biometrics.MatchThreshold},
		{"face-match-reject-threshold", "KYCD_FACE_MATCH_REJECT_THRESHOLD", "face-match score below which a verification fails; between it and the match threshold it goes to review (0 = match threshold − 0.046 with the bundled model: 0.90)", "0", &c.Biometrics.MatchRejectThreshold},
		{"reverify-match-threshold", "KYCD_REVERIFY_MATCH_THRESHOLD", "face-match score a re-verification (reusable identity) needs; never below the match threshold (0 = match threshold + 0.004 with the bundled model: 0.95)", "0", &c.Biometrics.ReverifyMatchThreshold},
		{"face-duplicate-threshold", "KYCD_FACE_DUPLICATE_THRESHOLD", "cosine similarity at which another applicant's enrolled face is a duplicate (0 = the model's calibrated default, 0.946 for the bundled model)", "0", &c.Biometrics.DuplicateThreshold},
		{"face-cross-check-threshold", "KYCD_FACE_CROSS_CHECK_THRESHOLD", "a second face model (fr_feature) must score at least this for a face match to pass; below it the match goes to review (0 = the calibrated 0.503, -1 = no second model)", "0", &c.Biometrics.CrossCheckThreshold},
		{"liveness-threshold", "KYCD_LIVENESS_THRESHOLD", "passive liveness score for a live face", "0.5", &c.Biometrics.LivenessThreshold},
		{"liveness-require-active", "KYCD_LIVENESS_REQUIRE_ACTIVE", "the liveness check needs a passed active challenge, not only the passive score", "false", &c.Biometrics.RequireActive},
		{"liveness-steps", "KYCD_LIVENESS_STEPS", "comma-separated steps active challenges draw from (at least one turn and one of blink, open_mouth)", "turn_left,turn_right,blink,look_straight,open_mouth", &c.Biometrics.Steps},
		{"liveness-max-challenges", "KYCD_LIVENESS_MAX_CHALLENGES", "liveness challenges one verification may be issued; spent without a pass, the check goes to review", "3", &c.Biometrics.MaxChallenges},
		{"liveness-challenge-ttl", "KYCD_LIVENESS_CHALLENGE_TTL", "how long an active liveness challenge may be answered", "2m", &c.Biometrics.ChallengeTTL},
		{"age-default-min", "KYCD_AGE_DEFAULT_MIN", "minimum age for the age check when a verification sets no min_age", "18", &c.Biometrics.DefaultMinAge},
		{"smtp-url", "KYCD_SMTP_URL", "mail server for one-time codes: smtp://user:pass@host:587 (STARTTLS), smtps://user:pass@host:465, or smtp+insecure://127.0.0.1:1025 for a local catcher; empty = live keys cannot send email codes", "", &c.Contact.SMTPURL},
		{"mail-from", "KYCD_MAIL_FROM", "From of the codes' mail, e.g. \"Acme <verify@acme.example>\" (required with --smtp-url)", "", &c.Contact.MailFrom},
		{"sms-url", "KYCD_SMS_URL", "HTTP SMS gateway the codes are posted to, e.g. https://api.gateway.example/v1/messages; empty = live keys cannot send SMS codes", "", &c.Contact.SMSURL},
		{"sms-auth-header", "KYCD_SMS_AUTH_HEADER", "Authorization header sent to the SMS gateway (\"Bearer …\", \"Basic …\")", "", &c.Contact.SMSAuthHeader},
		{"sms-format", "KYCD_SMS_FORMAT", "body format of the SMS gateway request: json or form", "json", &c.Contact.SMSFormat},
		{"sms-body", "KYCD_SMS_BODY", "body template of the SMS gateway request with {{to}} (E.164) and {{text}}; default {\"to\":\"{{to}}\",\"text\":\"{{text}}\"} (json) or to={{to}}&text={{text}} (form)", "", &c.Contact.SMSBody},
		{"dns-resolver", "KYCD_DNS_RESOLVER", "DNS resolver (host:port) the email check asks for MX records; empty = the first nameserver of /etc/resolv.conf", "", &c.Contact.DNSResolver},
		{"disposable-dir", "KYCD_DISPOSABLE_DIR", "folder with the disposable-email-domains list (index.json, wildcard.json); default: where scripts/setup/email.sh installs it", "", &c.Contact.DisposableDir},
		{"product-name", "KYCD_PRODUCT_NAME", "the service's name in the texts of one-time codes (\"Your Acme verification code\")", "kycd", &c.Contact.Product},
		{"nfc-test-trust", "KYCD_NFC_TEST_TRUST", "folder with a CSCA master list (*_ML_*.ml) and its root (*ROOT*.cer), trusted for test keys only and only while the database holds no CSCA (empty = none)", "../shared/testdata/epassport/master_lists", &c.NFC.TestTrust},
		{"nfc-challenge-ttl", "KYCD_NFC_CHALLENGE_TTL", "how long an NFC Active Authentication challenge may be answered", "2m", &c.NFC.ChallengeTTL},
		{"nfc-require-crl", "KYCD_NFC_REQUIRE_CRL", "distrust a DSC when no CRL of its CSCA is imported (kycd csca import --crl)", "false", &c.NFC.RequireCRL},
		{"trusted-proxies", "KYCD_TRUSTED_PROXIES", "CIDRs (comma-separated) of the proxies in front of kycd whose X-Forwarded-For is believed; the client is the rightmost hop outside them (empty = the TCP peer is the client)", "", &c.Signals.TrustedProxies},
		{"geoip-country-db", "KYCD_GEOIP_COUNTRY_DB", "MaxMind-format country database(s) for the IP signals, comma-separated .mmdb paths (default: the file scripts/setup/geoip.sh installs, when present; none = IP country absent)", "", &c.Signals.CountryDB},
		{"geoip-asn-db", "KYCD_GEOIP_ASN_DB", "ASN database(s), comma-separated: MaxMind .mmdb (GeoLite2-ASN layout) or ip-location-db .csv tables (default: the tables scripts/setup/geoip.sh installs, when present; none = ASN and hosting_asn absent)", "", &c.Signals.ASNDB},
		{"signals-policy", "KYCD_SIGNALS_POLICY", "what IP and device signal reasons do to a decision: off (shown only) or review (an approval goes to needs_review)", "off", &c.Signals.Policy},
		{"signals-velocity", "KYCD_SIGNALS_VELOCITY", "ip_velocity: more than this many verifications of one account used from one IP within an hour (0 = 5)", "0", &c.Signals.VelocityLimit},
		{"gleif-url", "KYCD_GLEIF_URL", "GLEIF API base URL for verify_business (a mirror or proxy may stand in)", "https://api.gleif.org/api/v1", &c.Business.GLEIFURL},
		{"registry-mode", "KYCD_REGISTRY_MODE", "where verify_business reads companies: online (the GLEIF API), offline (the Golden Copy register of `kycd registry import`) or auto (offline when one is loaded, else online)", "auto", &c.Business.RegistryMode},
		{"gleif-cache-ttl", "KYCD_GLEIF_CACHE_TTL", "how long GLEIF API responses are kept in the database cache shared by every process (0 = no cache)", "24h", &c.Business.CacheTTL},
		{"high-risk-jurisdictions", "KYCD_HIGH_RISK_JURISDICTIONS", "ISO 3166 codes (comma-separated) that make a company high risk (its own, its parents' or their addresses'); empty = the FATF black and grey lists of June 2025, none = off", "", &c.Business.HighRisk},
		{"business-timeout", "KYCD_BUSINESS_TIMEOUT", "how long verify_business waits for the register before answering processing (a job then finishes it)", "20s", &c.Business.Timeout},
		{"body-limit", "KYCD_BODY_LIMIT", "largest HTTP request body accepted, in bytes (REST, JSON-RPC, MCP); room for a 15 MB image in base64", "20971520", &c.BodyLimit},
		{"rate-limit", "KYCD_RATE_LIMIT", "requests a minute per API key across all surfaces, for keys without their own --rate-limit", "120", &c.RateLimit},
		{"rate-limit-processes", "KYCD_RATE_LIMIT_PROCESSES", "kycd processes serving one database: each grants 1/N of every key's budget", "1", &c.RateLimitProcesses},
		{"conformance", "KYCD_CONFORMANCE", "serve only, for the MCP conformance suite: add its fixture tools and accept MCP without an API key; never in production", "false", &c.Conformance},
		{"flow-rejection-reasons", "KYCD_FLOW_REJECTION_REASONS", "what the hosted flow tells a rejected applicant: none (the outcome only), generic (what to do next) or specific (also the reasons they can act on: an expired or unaccepted document, an unreadable photo, a face that does not match; never screening or fraud signals)", "generic", &c.RejectionReasons},
		{"frame-ancestors", "KYCD_FRAME_ANCESTORS", "origins allowed to embed the hosted flow and the Web SDK modal, comma-separated (https://shop.example.com); empty = only this server itself (frame-ancestors 'self')", "", &c.FrameAncestors},
		{"mcp-allowed-origins", "KYCD_MCP_ALLOWED_ORIGINS", "web origins whose pages may call /mcp, comma-separated (https://agent.example.com), besides the --public-url's; a request with another Origin header gets 403 (requests without Origin, from programs, are not affected)", "", &c.MCPAllowedOrigins},
		{"oauth", "KYCD_OAUTH", "OAuth for remote MCP clients: off, builtin (kycd's own authorization server on the operator accounts) or external (an identity provider's tokens); empty = builtin when operator accounts exist, else off (docs/oauth.md)", "", &c.OAuth.Mode},
		{"oauth-issuer", "KYCD_OAUTH_ISSUER", "issuer URL of the external identity provider (--oauth=external), found by OIDC discovery", "", &c.OAuth.Issuer},
		{"oauth-claim-map", "KYCD_OAUTH_CLAIM_MAP", "JSON file mapping the external provider's group or role claim to an account, mode and scopes (--oauth=external; see docs/oauth.md)", "", &c.OAuth.ClaimMap},
		{"oauth-dynamic-registration", "KYCD_OAUTH_DYNAMIC_REGISTRATION", "let clients register themselves (RFC 7591) with the built-in server", "true", &c.OAuth.DynamicRegistration},
		{"oauth-client-metadata", "KYCD_OAUTH_CLIENT_METADATA", "accept https client ids whose Client ID Metadata Document the built-in server fetches (under the webhook SSRF rules)", "true", &c.OAuth.ClientMetadata},
		{"oauth-access-token-ttl", "KYCD_OAUTH_ACCESS_TOKEN_TTL", "lifetime of the built-in server's access tokens (refresh tokens last 30 days, rotated on use)", "10m", &c.OAuth.AccessTokenTTL},
		{"oauth-registrations-per-ip", "KYCD_OAUTH_REGISTRATIONS_PER_IP", "client registrations (RFC 7591) and, separately, Client ID Metadata Document fetches one client IP may cause per --oauth-registration-window; more get 429", "20", &c.OAuth.RegistrationsPerIP},
		{"oauth-registrations-global", "KYCD_OAUTH_REGISTRATIONS_GLOBAL", "client registrations and, separately, metadata document fetches from everyone per --oauth-registration-window", "500", &c.OAuth.RegistrationsGlobal},
		{"oauth-registration-window", "KYCD_OAUTH_REGISTRATION_WINDOW", "the sliding window of the registration limits", "1h", &c.OAuth.RegistrationWindow},
		{"shutdown-timeout", "KYCD_SHUTDOWN_TIMEOUT", "how long to drain requests and jobs on SIGTERM", "30s", &c.ShutdownTimeout},
	}
}

// parseConfig reads defaults, then the environment, then the flags in args.
func parseConfig(name string, args []string, only ...string) (*Config, *flag.FlagSet, error) {
	c := &Config{}
	fs := flag.NewFlagSet("kycd "+name, flag.ContinueOnError)
	for _, s := range c.settings() {
		if len(only) > 0 && !contains(only, s.flag) {
			continue
		}
		val := s.def
		if v, ok := os.LookupEnv(s.env); ok {
			val = v
		}
		help := fmt.Sprintf("%s (env %s)", s.help, s.env)
		switch dst := s.dst.(type) {
		case *string:
			fs.StringVar(dst, s.flag, val, help)
		case *int:
			n, err := strconv.Atoi(val)
			if err != nil {
				return nil, nil, fmt.Errorf("%s: %q is not a whole number", s.env, val)
			}
			fs.IntVar(dst, s.flag, n, help)
		case *bool:
			b, err := strconv.ParseBool(val)
			if err != nil {
				return nil, nil, fmt.Errorf("%s: %q is not true or false", s.env, val)
			}
			fs.BoolVar(dst, s.flag, b, help)
		case *float64:
			f, err := strconv.ParseFloat(val, 64)
			if err != nil {
				return nil, nil, fmt.Errorf("%s: %q is not a number", s.env, val)
			}
			fs.Float64Var(dst, s.flag, f, help)
		case *time.Duration:
			d, err := time.ParseDuration(val)
			if err != nil {
				return nil, nil, fmt.Errorf("%s: %q is not a duration like 30s", s.env, val)
			}
			fs.DurationVar(dst, s.flag, d, help)
		}
	}
	if err := fs.Parse(args); err != nil {
		return nil, nil, err
	}
	c.APIKey = os.Getenv("KYCD_API_KEY")
	if c.PublicURL == "" {
		c.PublicURL = "http://" + c.Addr
		c.PublicURLDefault = true
	}
	c.PublicURL = strings.TrimRight(c.PublicURL, "/")
	if c.ScreeningStrongHit == "" {
		c.ScreeningStrongHit = "review"
	}
	if c.ScreeningStrongHit != "review" && c.ScreeningStrongHit != "fail" {
		return nil, nil, fmt.Errorf("screening-strong-hit: %q is not review or fail", c.ScreeningStrongHit)
	}
	if err := c.Signals.check(); err != nil {
		return nil, nil, err
	}
	if len(only) == 0 {
		if err := c.OAuth.check(); err != nil {
			return nil, nil, err
		}
	}
	if (len(only) == 0 || contains(only, "flow-rejection-reasons")) && !contains([]string{"none", "generic", "specific"}, c.RejectionReasons) {
		return nil, nil, fmt.Errorf("flow-rejection-reasons: %q is not none, generic or specific", c.RejectionReasons)
	}
	if c.ListsSync <= 0 {
		c.ListsSync = 30 * time.Second
	}
	if c.ImageRetention < 0 {
		return nil, nil, fmt.Errorf("image-retention: %v is negative; give a duration like 2160h, or 0 to keep images", c.ImageRetention)
	}
	if (len(only) == 0 || contains(only, "max-image-memory")) && c.MaxImageMemory < 64<<20 {
		return nil, nil, fmt.Errorf("max-image-memory: %d bytes is too small for a phone photo; at least 67108864 (64 MiB)", c.MaxImageMemory)
	}
	if c.CreateBatches < 0 || c.CreateBatches > 64 {
		return nil, nil, fmt.Errorf("create-batches: %d is not between 0 (automatic) and 64", c.CreateBatches)
	}
	if (len(only) == 0 || contains(only, "workers")) && c.Workers < 1 {
		return nil, nil, fmt.Errorf("workers: must be at least 1")
	}
	if err := c.checkSurfaces(only); err != nil {
		return nil, nil, err
	}
	if err := c.Document.check(only); err != nil {
		return nil, nil, err
	}
	if err := c.Biometrics.check(only); err != nil {
		return nil, nil, err
	}
	if err := c.Screening.check(only); err != nil {
		return nil, nil, err
	}
	if err := c.Contact.check(only); err != nil {
		return nil, nil, err
	}
	if err := c.Business.check(only); err != nil {
		return nil, nil, err
	}
	return c, fs, nil
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func (c *Config) keyFile() string { return filepath.Join(c.DataDir, "encryption.key") }

func (c *Config) logger() (*slog.Logger, error) {
	var level slog.Level
	if err := level.UnmarshalText([]byte(c.LogLevel)); err != nil {
		return nil, fmt.Errorf("log-level: %q is not debug, info, warn or error", c.LogLevel)
	}
	opts := &slog.HandlerOptions{Level: level}
	switch c.LogFormat {
	case "json":
		return slog.New(slog.NewJSONHandler(os.Stderr, opts)), nil
	case "text", "":
		return slog.New(slog.NewTextHandler(os.Stderr, opts)), nil
	}
	return nil, fmt.Errorf("log-format: %q is not text or json", c.LogFormat)
}

// publicURLWarning is what a stdio surface (kycd mcp, kycd rpc) says at start when no public
// URL is set: it serves no HTTP itself, so the hosted_url links it returns lead to
// http://<addr> — a page only when a kycd serve over the same database listens there and the
// applicant can reach it. "" when a public URL is set.
func publicURLWarning(c *Config) string {
	if !c.PublicURLDefault {
		return ""
	}
	return "no public URL set: hosted_url links will point at " + c.PublicURL +
		", which an applicant reaches only if kycd serve listens there for them; set KYCD_PUBLIC_URL (or --public-url) to the address of your kycd serve"
}
