package tools

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/kycd/kycd/db"
	"github.com/kycd/kycd/models"
	"github.com/kycd/kycd/verify"
)

// CreateVerificationInput is what a caller may say about a new verification.
type CreateVerificationInput struct {
	DocumentType     string                `json:"document_type,omitempty" jsonschema:"expected document type; omit to accept any the API key accepts" enumof:"models.AllDocumentTypes"`
	Applicant        *models.ApplicantData `json:"applicant,omitempty" jsonschema:"what you already know about the person; the document is compared with it"`
	Checks           []string              `json:"checks,omitempty" jsonschema:"checks to run; default: the API key's enabled checks that this server can run" enumof:"models.AllChecks" maxItems:"8"`
	ExternalRef      string                `json:"external_ref,omitempty" jsonschema:"your id for the applicant; verifications with the same external_ref share one applicant" maxLength:"128"`
	Metadata         map[string]any        `json:"metadata,omitempty" jsonschema:"your key-value data (at most 16 KiB as JSON), returned as given"`
	RedirectURL      string                `json:"redirect_url,omitempty" jsonschema:"absolute http(s) URL the hosted flow sends the applicant to when done" maxLength:"2048" format:"uri"`
	AllowedCountries []string              `json:"allowed_countries,omitempty" jsonschema:"issuing states whose documents are accepted, within the key's list; default: the key's list, else any" country:"icao" maxItems:"250"`
	SuccessURL       string                `json:"success_url,omitempty" jsonschema:"URL for an approved one, instead of redirect_url" maxLength:"2048" format:"uri"`
	FailureURL       string                `json:"failure_url,omitempty" jsonschema:"URL for a rejected, expired or cancelled one, instead of redirect_url" maxLength:"2048" format:"uri"`
	ReviewURL        string                `json:"review_url,omitempty" jsonschema:"URL for one sent to review, instead of redirect_url" maxLength:"2048" format:"uri"`
	CallbackURL      string                `json:"callback_url,omitempty" jsonschema:"absolute https URL that receives this verification's events" maxLength:"2048" format:"uri"`
	ExpiresIn        int                   `json:"expires_in,omitempty" jsonschema:"seconds until an unfinished session expires: 60 to 2592000 (30 days); default 1800" minimum:"60" maximum:"2592000"`
	MinAge           *int                  `json:"min_age,omitempty" jsonschema:"minimum age the applicant must have (years)" minimum:"0" maximum:"150"`
	MaxAge           *int                  `json:"max_age,omitempty" jsonschema:"maximum age the applicant may have (years)" minimum:"0" maximum:"150"`
	Locale           string                `json:"locale,omitempty" jsonschema:"language of the hosted flow as a BCP 47 tag (en, pt-BR, de); default: the applicant's browser" maxLength:"35"`
	SendLinkTo       *LinkTarget           `json:"send_link_to,omitempty" jsonschema:"also send the hosted link (as send_verification_link; email or phone); outcome in link_sent or link_error"`

	// Questionnaire (#22): the questionnaire to ask and the rules its answers are decided by.
	Questionnaire string              `json:"questionnaire,omitempty" jsonschema:"questionnaire to ask: name or id[@version]" maxLength:"80"`
	AnswerRules   []models.AnswerRule `json:"answer_rules,omitempty" jsonschema:"answer rules applied at the decision" maxItems:"50"`
	// Flows and session options (issue #22; see create_verification_flow.go).
	Flow            string           `json:"flow,omitempty" jsonschema:"flow id or name[@version]; default: the key's; its steps decide the checks" maxLength:"100"`
	SessionLength   int              `json:"session_length,omitempty" jsonschema:"seconds the applicant has once started (then session_timeout)" minimum:"60" maximum:"3600"`
	GenerateCode    *bool            `json:"generate_code,omitempty" jsonschema:"also return an 8-digit code to continue on another device"`
	AdditionalSteps []AdditionalStep `json:"additional_steps,omitempty" jsonschema:"extra documents to ask for, kept as evidence" maxItems:"10"`
	Compare         *CompareData     `json:"compare,omitempty" jsonschema:"values the document must match (else data_mismatch)"`
}

// CreatedVerification is a new verification and, when send_link_to was given, how sending
// its link went: exactly one of link_sent and link_error is then set.
type CreatedVerification struct {
	Verification
	LinkSent  *LinkSent  `json:"link_sent,omitempty" jsonschema:"the hosted link went out (send_link_to)"`
	LinkError *LinkError `json:"link_error,omitempty" jsonschema:"the hosted link could not be sent (send_link_to): the verification exists all the same; retry with send_verification_link"`
	Code      string     `json:"code,omitempty" jsonschema:"the 8-digit session code (generate_code), shown only now"`
}

// LinkError is why create_verification's send_link_to failed: the error send_verification_link
// would have returned.
type LinkError struct {
	Code              Code   `json:"code" jsonschema:"the error code, as of a failed tool call: invalid_argument, unavailable, rate_limited, …"`
	Message           string `json:"message" jsonschema:"what went wrong, for a person"`
	Field             string `json:"field,omitempty" jsonschema:"the input at fault (send_link_to.email, send_link_to.phone)"`
	RetryAfterSeconds int    `json:"retry_after_seconds,omitempty" jsonschema:"when a retry may succeed (rate_limited, a failed delivery)"`
}

// CreateVerification starts a verification.
var CreateVerification = Tool[CreateVerificationInput, CreatedVerification]{
	Name:        "create_verification",
	Examples:    []string{`{"checks":["document","face_match"],"document_type":"passport","applicant":{"name":"Erika Mustermann","dob":"1964-08-12","country":"DE"},"external_ref":"customer-4711","redirect_url":"https://example.com/kyc/done"}`},
	Title:       "Create verification",
	Description: "Start an identity verification and get a hosted link for the applicant. It starts pending; the applicant (or you, through the step tools) provides what the checks need, then submit_verification runs them. With send_link_to the link is also mailed or texted (as send_verification_link); a failed send does not undo the creation (link_error instead of link_sent).",
	Brief:       "start a verification; returns its id, `VER-` reference and hosted link",
	Scope:       ScopeVerificationsWrite,
	Annotations: Annotations{ReadOnly: false, Destructive: false, Idempotent: false, OpenWorld: false},
	Summary:     summarizeCreated,
	Handle:      createVerification,
	REST:        REST{Method: "POST", Path: "/verifications", Status: 201},
	Creates:     true,
	Wait:        waitForCreated,
}

// waitForCreated is waitForVerification keeping what create_verification said about the link.
var waitForCreated = &Wait[CreatedVerification]{
	Done: func(v CreatedVerification) bool { return waitForVerification.Done(v.Verification) },
	Reload: func(ctx context.Context, d *Deps, c Caller, v CreatedVerification) (CreatedVerification, error) {
		var err error
		v.Verification, err = waitForVerification.Reload(ctx, d, c, v.Verification)
		return v, err
	},
	Describe: func(v CreatedVerification) string { return waitForVerification.Describe(v.Verification) },
}

func summarizeCreated(v CreatedVerification) string {
	s := summarizeVerification(v.Verification)
	switch {
	case v.LinkSent != nil:
		s += fmt.Sprintf(" The link was sent by %s.", v.LinkSent.Channel)
	case v.LinkError != nil:
		s += " The link could not be sent: " + v.LinkError.Message
	}
	return s
}

const (
	defaultExpiry = 30 * time.Minute
)

var (
	localeRE  = regexp.MustCompile(`^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$`)
	isoDateRE = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)
	emailRE   = regexp.MustCompile(`^[^@\s]+@[^@\s]+\.[^@\s]+$`)
)

func createVerification(ctx context.Context, d *Deps, c Caller, in CreateVerificationInput) (CreatedVerification, error) {
	if in.SendLinkTo != nil {
		if err := in.SendLinkTo.check("send_link_to."); err != nil {
			return CreatedVerification{}, err
		}
	}
	v, code, err := newVerification(ctx, d, c, in)
	if err != nil || in.SendLinkTo == nil {
		return CreatedVerification{Verification: v, Code: code}, err
	}
	out := CreatedVerification{Verification: v, Code: code}
	sent, err := sendLink(ctx, d, c, v.ID, *in.SendLinkTo, "", "send_link_to.")
	if te := AsError(err); te != nil {
		out.LinkError = &LinkError{Code: te.Code, Message: te.Message, Field: te.Field, RetryAfterSeconds: te.RetryAfterSeconds}
	} else if err != nil {
		d.logger().ErrorContext(ctx, "send link after creation", "verification", v.ID, "err", err)
		out.LinkError = &LinkError{Code: CodeInternal, Message: "the link could not be sent because of an internal error; retry with send_verification_link"}
	} else {
		out.LinkSent = &sent
	}
	return out, nil
}

func newVerification(ctx context.Context, d *Deps, c Caller, in CreateVerificationInput) (Verification, string, error) {
	now := d.Store.Now()
	fc, err := applyFlow(ctx, d, c, &in)
	if err != nil {
		return Verification{}, "", err
	}
	checks, err := fc.checks(d, c, in.Checks)
	if err != nil {
		return Verification{}, "", err
	}
	applicant, err := validateApplicant(in.Applicant, now)
	if err != nil {
		return Verification{}, "", err
	}
	if in.MinAge != nil && in.MaxAge != nil && *in.MinAge > *in.MaxAge {
		return Verification{}, "", invalid("max_age", "must be at least min_age (%d)", *in.MinAge)
	}
	countries, err := countryList("allowed_countries", in.AllowedCountries)
	if err != nil {
		return Verification{}, "", err
	}
	if countries, err = keyDocumentPolicy(c, in.DocumentType, countries); err != nil {
		return Verification{}, "", err
	}
	for field, u := range map[string]string{"success_url": in.SuccessURL, "failure_url": in.FailureURL, "review_url": in.ReviewURL} {
		if err := checkURL(field, u, false); err != nil {
			return Verification{}, "", err
		}
	}
	if err := checkURL("redirect_url", in.RedirectURL, false); err != nil {
		return Verification{}, "", err
	}
	if err := checkWebhookURL(ctx, d, "callback_url", in.CallbackURL); err != nil {
		return Verification{}, "", err
	}
	if in.Locale != "" && !localeRE.MatchString(in.Locale) {
		return Verification{}, "", invalid("locale", "not a BCP 47 language tag (e.g. en, pt-BR)")
	}
	if strings.TrimSpace(in.ExternalRef) != in.ExternalRef {
		return Verification{}, "", invalid("external_ref", "must not start or end with white space")
	}
	meta, err := metadata(in.Metadata)
	if err != nil {
		return Verification{}, "", err
	}
	expiry := defaultExpiry
	if in.ExpiresIn != 0 {
		expiry = time.Duration(in.ExpiresIn) * time.Second
	}
	checksJSON, _ := json.Marshal(checks)
	v := &models.Verification{
		AccountID: c.AccountID, Mode: c.Mode, APIKeyID: c.KeyID,
		Status: models.StatusPending, DocumentType: in.DocumentType, Checks: string(checksJSON),
		ExternalRef: nullable(in.ExternalRef), Metadata: meta,
		AllowedCountries: countries, RedirectURL: in.RedirectURL, SuccessURL: in.SuccessURL, FailureURL: in.FailureURL, ReviewURL: in.ReviewURL, CallbackURL: in.CallbackURL, MinAge: in.MinAge, MaxAge: in.MaxAge,
		Locale: in.Locale, ExpiresAt: now.Add(expiry), CreatedAt: now,
	}
	var pii any
	if applicant != nil {
		pii = applicant
	}
	attach, err := questionnaireAttachment(ctx, d, c, in.Questionnaire, in.AnswerRules)
	if err != nil {
		return Verification{}, "", err
	}
	cr := verify.Creation{V: v, PII: pii, Applicant: pii, Data: map[string]any{"checks": checks}}
	var code string
	fc.apply(d, v, &cr, &code)
	// Both the session code (flows) and the questionnaire attach in the creating transaction.
	cr.Then = chainThen(cr.Then, attach)
	if _, err := d.Verify.Create(ctx, cr); err != nil {
		return Verification{}, "", err
	}
	out, err := toVerification(d, v)
	if err == nil && attach != nil {
		err = withQuestionnaire(ctx, d, v, &out)
	}
	return out, code, err
}

// keyDocumentPolicy applies the API key's document policy: a document_type the key does not
// accept is refused, and the verification's issuing states must be among the key's — when it
// names none, it takes the key's, so get_verification shows what its document check accepts.
func keyDocumentPolicy(c Caller, docType, countries string) (string, error) {
	if docType != "" && len(c.DocumentTypes) > 0 && !slices.Contains(c.DocumentTypes, docType) {
		return "", invalid("document_type", "this API key accepts only %s", strings.Join(c.DocumentTypes, ", "))
	}
	if len(c.DocumentCountries) == 0 {
		return countries, nil
	}
	if countries == "" {
		return strings.Join(c.DocumentCountries, ","), nil
	}
	for i, cc := range strings.Split(countries, ",") {
		if !slices.Contains(c.DocumentCountries, cc) {
			return "", invalid(fmt.Sprintf("allowed_countries[%d]", i), "%s is not among this API key's issuing states (%s)", cc, strings.Join(c.DocumentCountries, ", "))
		}
	}
	return countries, nil
}

// ParseKeyDocumentPolicy validates a key's document policy as given to `kycd keys create`:
// comma-separated ICAO issuing-state codes and document types ("" = no restriction).
func ParseKeyDocumentPolicy(countries, types string) ([]string, []string, error) {
	cs, err := countryList("document_countries", splitNonEmpty(countries))
	if err != nil {
		return nil, nil, err
	}
	var ts []string
	for _, t := range splitNonEmpty(types) {
		t = strings.TrimSpace(t)
		if !slices.Contains(models.AllDocumentTypes, models.DocumentType(t)) {
			return nil, nil, invalid("document_types", "%q is not one of %v", t, models.AllDocumentTypes)
		}
		if !slices.Contains(ts, t) {
			ts = append(ts, t)
		}
	}
	return splitNonEmpty(cs), ts, nil
}

// resolveChecks applies the key's defaults and refuses checks this server cannot run:
// asking for a check without an engine is an error, never a made-up result.
func resolveChecks(d *Deps, c Caller, asked []string) ([]string, error) {
	available := map[models.Check]verify.CheckRunner{}
	notReady := map[models.Check]error{}
	for ch, r := range d.Verify.Available() {
		if rd, ok := r.(interface{ Ready() error }); ok {
			if err := rd.Ready(); err != nil {
				notReady[ch] = err
				continue
			}
		}
		available[ch] = r
	}
	if len(asked) == 0 {
		for _, ch := range models.AllChecks {
			r, ok := available[ch]
			// An opt-in check (email, phone, nfc: not every applicant has them) is a default
			// only when the key enables it by name.
			if o, isOptIn := r.(interface{ OptIn() bool }); ok && isOptIn && o.OptIn() && !slices.Contains(c.Checks, ch) {
				continue
			}
			if ok && (len(c.Checks) == 0 || slices.Contains(c.Checks, ch)) {
				asked = append(asked, string(ch))
			}
		}
		if len(asked) == 0 {
			return nil, invalid("checks", "no check is available for this key on this server (engines installed: %s)", availableList(available))
		}
		return asked, nil
	}
	seen := map[string]bool{}
	var out []string
	for _, ch := range asked {
		if seen[ch] {
			return nil, invalid("checks", "%q is listed twice", ch)
		}
		seen[ch] = true
		if err := notReady[models.Check(ch)]; err != nil {
			return nil, invalid("checks", "check %q is not available right now: %v", ch, err)
		}
		if _, ok := available[models.Check(ch)]; !ok {
			return nil, invalid("checks", "check %q is not available on this server (available: %s)", ch, availableList(available))
		}
		if len(c.Checks) > 0 && !slices.Contains(c.Checks, models.Check(ch)) {
			return nil, Errorf(CodePermissionDenied, "checks", "check %q is not enabled for this API key", ch)
		}
		out = append(out, ch)
	}
	return out, nil
}

func availableList(m map[models.Check]verify.CheckRunner) string {
	var names []string
	for _, ch := range models.AllChecks {
		if _, ok := m[ch]; ok {
			names = append(names, string(ch))
		}
	}
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, ", ")
}

func validateApplicant(a *models.ApplicantData, now time.Time) (*models.ApplicantData, error) {
	if a == nil {
		return nil, nil
	}
	out := *a
	out.Name = strings.Join(strings.Fields(a.Name), " ")
	if len(out.Name) > 200 {
		return nil, invalid("applicant.name", "longer than 200 characters")
	}
	out.Email = strings.TrimSpace(a.Email)
	if out.Email != "" && !emailRE.MatchString(out.Email) {
		return nil, invalid("applicant.email", "not an email address")
	}
	if a.DOB != "" {
		if !isoDateRE.MatchString(a.DOB) {
			return nil, invalid("applicant.dob", "must be a date as YYYY-MM-DD")
		}
		t, err := time.Parse("2006-01-02", a.DOB)
		if err != nil {
			return nil, invalid("applicant.dob", "not a calendar date")
		}
		if t.After(now) {
			return nil, invalid("applicant.dob", "is in the future")
		}
		if t.Before(now.AddDate(-150, 0, 0)) {
			return nil, invalid("applicant.dob", "is more than 150 years ago")
		}
	}
	country, err := countryField("applicant.country", a.Country)
	if err != nil {
		return nil, err
	}
	out.Country = country
	return &out, nil
}

func checkURL(field, raw string, httpsOnly bool) error {
	if raw == "" {
		return nil
	}
	u, err := url.Parse(raw)
	if err != nil || !u.IsAbs() || u.Host == "" {
		return invalid(field, "must be an absolute URL")
	}
	switch {
	case u.Scheme == "https":
	case u.Scheme == "http" && !httpsOnly:
	default:
		if httpsOnly {
			return invalid(field, "must use https")
		}
		return invalid(field, "must use http or https")
	}
	if u.User != nil {
		return invalid(field, "must not contain credentials")
	}
	return nil
}

// countryList validates ICAO issuing-state codes and joins them for storage.
func countryList(field string, codes []string) (string, error) {
	out := make([]string, 0, len(codes))
	for i, c := range codes {
		c, err := issuingStateField(fmt.Sprintf("%s[%d]", field, i), c)
		if err != nil {
			return "", err
		}
		if !slices.Contains(out, c) {
			out = append(out, c)
		}
	}
	return strings.Join(out, ","), nil
}

// metadata is the stored form of an integrator's metadata, or the error naming the field.
func metadata(m map[string]any) (string, error) {
	meta, err := verify.EncodeMetadata(m)
	switch {
	case errors.Is(err, verify.ErrMetadataTooLarge):
		return "", Errorf(CodeTooLarge, "metadata", "%v; the limit is %d", err, verify.MaxMetadataSize)
	case err != nil:
		return "", invalid("metadata", "%v", err)
	}
	return meta, nil
}

// chainThen runs the creation hooks one after the other in the creating transaction; either
// may be nil.
func chainThen(a, b func(context.Context, *db.Tx, *models.Verification) error) func(context.Context, *db.Tx, *models.Verification) error {
	switch {
	case a == nil:
		return b
	case b == nil:
		return a
	}
	return func(ctx context.Context, tx *db.Tx, v *models.Verification) error {
		if err := a(ctx, tx, v); err != nil {
			return err
		}
		return b(ctx, tx, v)
	}
}
