package verify

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/kycd/kycd/checks/business"
	"github.com/kycd/kycd/checks/screening"
	"github.com/kycd/kycd/db"
	"github.com/kycd/kycd/models"
)

// EventBusinessCompleted is emitted on every business decision (verify_business, the retry
// job, rescreen_business): data.business_id, status, risk_level, lei and the reason codes.
const EventBusinessCompleted = "business.completed"

// Reason codes a business decision adds to the engine's (business.Reason*).
const (
	ReasonSanctionsHitEntity   = "sanctions_hit_entity"
	ReasonSanctionsHitParent   = "sanctions_hit_parent"
	ReasonSanctionsHitOfficer  = "sanctions_hit_officer"
	ReasonRegistryUnavailable  = "registry_unavailable"
	ReasonScreeningUnavailable = "screening_unavailable"
)

// Risk levels of a business.
const (
	RiskLow    = "low"
	RiskMedium = "medium"
	RiskHigh   = "high"
)

// DefaultHighRiskJurisdictions is the default of --high-risk-jurisdictions: the countries on
// FATF's "black list" (high-risk jurisdictions subject to a call for action: KP, IR, MM) and
// "grey list" (jurisdictions under increased monitoring) as published after the June 2025
// plenary. FATF revises both three times a year; operators must keep the flag current.
var DefaultHighRiskJurisdictions = []string{
	"KP", "IR", "MM", // call for action
	"DZ", "AO", "BO", "BG", "BF", "CM", "CI", "CD", "HT", "KE", "LA", "LB", "MC", "MZ", "NA", "NP",
	"NG", "ZA", "SS", "SY", "VE", "VN", "VG", "YE", // increased monitoring
}

// BusinessOptions configure the KYB service.
type BusinessOptions struct {
	// Source is the register: the GLEIF API client or business.Offline over the database register.
	Source business.Source
	// Mode is "online" (the GLEIF API) or "offline" (the Golden Copy register), as reported in
	// a result's sources.
	Mode string
	// SourceURL names the register's origin in results (the API base URL, or the import).
	SourceURL string
	// Screening screens the entity, its parents and its officers (nil: screening is reported
	// unavailable and every business needs review).
	Screening *Screening
	// HighRiskJurisdictions are ISO 3166 codes (default DefaultHighRiskJurisdictions; an empty
	// non-nil slice turns the check off).
	HighRiskJurisdictions []string
	// StrongHit is the server's outcome for a strong sanctions hit: review (default) or fail.
	// A key's own screening policy wins, as for the screening check.
	StrongHit models.Outcome
	// Timeout bounds the register and screening work of one synchronous call (default 20s);
	// past it the business is stored as processing and finished by a job.
	Timeout time.Duration
	// ChildLimit bounds the children read for the ownership graph (default 15).
	ChildLimit int
	Logger     *slog.Logger
}

// Business is the KYB service: it identifies a company in the register, builds its ownership
// graph, screens the entity, its parents and its officers against the loaded sanctions lists,
// decides, stores the result sealed and emits business.completed. A register that cannot
// answer is never read as "no such company": the business stays processing and a job retries.
type Business struct {
	store *db.Store
	opts  BusinessOptions
	log   *slog.Logger
	svc   *Service
}

// NewBusiness builds the service. Pass it as Options.Business to New, which attaches it to the
// verification service it emits events and enqueues retries through.
func NewBusiness(store *db.Store, opts BusinessOptions) *Business {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.HighRiskJurisdictions == nil {
		opts.HighRiskJurisdictions = DefaultHighRiskJurisdictions
	}
	if opts.StrongHit == "" {
		opts.StrongHit = models.OutcomeReview
	}
	if opts.Timeout <= 0 {
		opts.Timeout = 20 * time.Second
	}
	if opts.ChildLimit == 0 {
		opts.ChildLimit = 15
	}
	return &Business{store: store, opts: opts, log: opts.Logger}
}

// Mode is "online" or "offline": where the register answers from.
func (b *Business) Mode() string { return b.opts.Mode }

// Officer is a person the caller names for the company.
type Officer struct {
	Name             string   `json:"name"`
	Role             string   `json:"role"`
	DOB              string   `json:"dob,omitempty"`
	Nationality      string   `json:"nationality,omitempty"`
	OwnershipPercent *float64 `json:"ownership_percent,omitempty"`
}

// BusinessInput is what the caller says about a company (validated by the tool).
type BusinessInput struct {
	LegalName          string         `json:"legal_name,omitempty"`
	LEI                string         `json:"lei,omitempty"`
	Jurisdiction       string         `json:"jurisdiction,omitempty"`
	RegistrationNumber string         `json:"registration_number,omitempty"`
	Country            string         `json:"country,omitempty"`
	ExternalRef        string         `json:"external_ref,omitempty"`
	Metadata           map[string]any `json:"metadata,omitempty"`
	Officers           []Officer      `json:"officers,omitempty"`
}

// BusinessReason is one finding of a decision: the code, a message, its data and what it
// did to the decision (info, review or reject).
type BusinessReason struct {
	Code    string         `json:"code"`
	Message string         `json:"message"`
	Data    map[string]any `json:"data,omitempty"`
	Effect  string         `json:"effect"`
}

// Effects of a reason on a decision.
const (
	EffectInfo   = "info"
	EffectReview = "review"
	EffectReject = "reject"
)

// ScreenedName is one name screened for a business, with its hits.
type ScreenedName struct {
	business.ScreenName
	Hits []screening.Hit `json:"hits"`
}

// BusinessSources say where a result's data came from, so it can be reproduced.
type BusinessSources struct {
	Register     string                  `json:"register"` // online | offline
	RegisterURL  string                  `json:"register_url,omitempty"`
	Lists        []screening.ListVersion `json:"lists"`
	CheckedAt    time.Time               `json:"checked_at"`
	Unscreenable bool                    `json:"unscreenable,omitempty"`
}

// BusinessResult is the stored (sealed) outcome of a business check.
type BusinessResult struct {
	Status     string               `json:"status"`
	RiskLevel  string               `json:"risk_level"`
	Reasons    []BusinessReason     `json:"reasons"`
	Registry   *business.Record     `json:"registry,omitempty"`
	Candidates []business.Candidate `json:"candidates,omitempty"`
	Ownership  *business.Graph      `json:"ownership,omitempty"`
	Screening  []ScreenedName       `json:"screening"`
	Sources    BusinessSources      `json:"sources"`
	// ForcedBy is the test-mode sandbox LEI whose register answered (see sandbox_business.go).
	ForcedBy string `json:"forced_by,omitempty"`
}

// ErrRegisterUnavailable is the register failing to answer (GLEIF down, slow or answering
// garbage); the business is kept processing.
var ErrRegisterUnavailable = errors.New("the company register is unavailable")

// Create checks a company synchronously within the service's timeout and stores the decision;
// when the register cannot answer in time the business is stored as processing and a job
// finishes it. Either way the business row and its event or job commit together.
func (b *Business) Create(ctx context.Context, sc db.Scope, keyID string, in BusinessInput) (*models.Business, *BusinessResult, error) {
	// The check's own data key seals what it holds about people (the officers), so
	// delete_business shreds every copy.
	now := b.store.Now()
	id := db.NewID("biz", now)
	dk, err := b.store.Keyring().NewDataKey(id, now)
	if err != nil {
		return nil, nil, err
	}
	sealed, err := b.store.Keyring().SealJSONFor(id, in)
	if err != nil {
		return nil, nil, fmt.Errorf("seal business input: %w", err)
	}
	row := &models.Business{ID: id, AccountID: sc.AccountID, Mode: sc.Mode, APIKeyID: keyID, Status: models.BusinessProcessing, Input: sealed}
	if in.ExternalRef != "" {
		ref := in.ExternalRef
		row.ExternalRef = &ref
	}
	rctx, cancel := context.WithTimeout(ctx, b.opts.Timeout)
	res, aerr := b.assess(rctx, keyID, sc, "", in)
	cancel()
	if aerr != nil && !errors.Is(aerr, ErrRegisterUnavailable) {
		return nil, nil, aerr
	}
	err = b.store.InTx(ctx, func(ctx context.Context, tx *db.Tx) error {
		if err := tx.InsertDataKeys(ctx, dk); err != nil {
			return err
		}
		row.Attempts = 1
		if aerr != nil {
			row.LastError = unavailableMessage(aerr)
			if err := tx.InsertBusiness(ctx, row); err != nil {
				return err
			}
			return b.enqueue(ctx, tx, row)
		}
		if err := b.setResult(row, res); err != nil {
			return err
		}
		if err := tx.InsertBusiness(ctx, row); err != nil {
			return err
		}
		return b.emit(ctx, tx, row, res)
	})
	if err != nil {
		return nil, nil, err
	}
	if aerr != nil {
		b.log.WarnContext(ctx, "business: register unavailable; a job retries", "business", row.ID, "err", aerr)
		return row, nil, nil
	}
	return row, res, nil
}

// Get reads a business and its result (nil while processing).
func (b *Business) Get(ctx context.Context, sc db.Scope, id string) (*models.Business, *BusinessResult, error) {
	row, err := b.store.GetBusiness(ctx, sc, id)
	if err != nil {
		return nil, nil, err
	}
	res, err := b.Open(row)
	return row, res, err
}

// Open unseals a business row's result (nil while processing, and once deleted).
func (b *Business) Open(row *models.Business) (*BusinessResult, error) {
	if len(row.Result) == 0 || row.DeletedAt != nil {
		return nil, nil
	}
	res := new(BusinessResult)
	if err := b.store.Keyring().OpenJSON(row.Result, res); err != nil {
		return nil, fmt.Errorf("open business %s result: %w", row.ID, err)
	}
	return res, nil
}

// Input unseals what the caller said about a business (nothing once deleted).
func (b *Business) Input(row *models.Business) (BusinessInput, error) {
	var in BusinessInput
	if row.DeletedAt != nil {
		return in, nil
	}
	if err := b.store.Keyring().OpenJSON(row.Input, &in); err != nil {
		return in, fmt.Errorf("open business %s input: %w", row.ID, err)
	}
	return in, nil
}

// Resolve runs the check of a stored business again (the retry job, rescreen_business): the
// register and the screening with the current lists. bound > 0 limits the work; when the
// register cannot answer, the business is (or becomes) processing with a retry job when
// enqueue is set, and ErrRegisterUnavailable is returned.
func (b *Business) Resolve(ctx context.Context, sc db.Scope, id string, bound time.Duration, enqueue bool) (*models.Business, *BusinessResult, error) {
	row, err := b.store.GetBusiness(ctx, sc, id)
	if err != nil {
		return nil, nil, err
	}
	if row.DeletedAt != nil {
		return row, nil, deletedBusiness(row)
	}
	in, err := b.Input(row)
	if err != nil {
		return nil, nil, err
	}
	rctx := ctx
	if bound > 0 {
		var cancel context.CancelFunc
		rctx, cancel = context.WithTimeout(ctx, bound)
		defer cancel()
	}
	res, aerr := b.assess(rctx, row.APIKeyID, sc, row.ID, in)
	if aerr != nil && !errors.Is(aerr, ErrRegisterUnavailable) {
		return nil, nil, aerr
	}
	err = b.store.InTx(ctx, func(ctx context.Context, tx *db.Tx) error {
		cur, err := tx.LockBusiness(ctx, sc, id)
		if err != nil {
			return err
		}
		if cur.DeletedAt != nil { // deleted while the register was asked
			return deletedBusiness(cur)
		}
		row = cur
		row.Attempts++
		if aerr != nil {
			cols := []string{"attempts", "last_error"}
			row.LastError = unavailableMessage(aerr)
			if enqueue {
				row.Status, row.Result, row.RiskLevel, row.DecidedAt = models.BusinessProcessing, nil, "", nil
				cols = append(cols, "status", "result_sealed", "risk_level", "decided_at")
				if err := b.enqueue(ctx, tx, row); err != nil {
					return err
				}
			}
			return tx.UpdateBusiness(ctx, row, cols...)
		}
		if err := b.setResult(row, res); err != nil {
			return err
		}
		if err := tx.UpdateBusiness(ctx, row, "status", "risk_level", "lei", "result_sealed", "attempts", "last_error", "decided_at"); err != nil {
			return err
		}
		return b.emit(ctx, tx, row, res)
	})
	if err != nil {
		return nil, nil, err
	}
	if aerr != nil {
		return row, nil, aerr
	}
	return row, res, nil
}

// GiveUp ends a business whose register never answered (the retry job's last attempt) as
// needs_review with a registry_unavailable reason, so it does not stay processing for ever.
func (b *Business) GiveUp(ctx context.Context, sc db.Scope, id string, cause error) error {
	return b.store.InTx(ctx, func(ctx context.Context, tx *db.Tx) error {
		row, err := tx.LockBusiness(ctx, sc, id)
		if err != nil {
			return err
		}
		if row.Status != models.BusinessProcessing || row.DeletedAt != nil {
			return nil
		}
		res := &BusinessResult{Status: models.BusinessNeedsReview, RiskLevel: RiskMedium, Screening: []ScreenedName{},
			Sources: BusinessSources{Register: b.opts.Mode, RegisterURL: b.opts.SourceURL, Lists: []screening.ListVersion{}, CheckedAt: b.store.Now()},
			Reasons: []BusinessReason{{Code: ReasonRegistryUnavailable, Effect: EffectReview,
				Message: "the company register could not be reached after every retry; check the company by hand or run rescreen_business",
				Data:    map[string]any{"error": unavailableMessage(cause), "attempts": row.Attempts}}}}
		if err := b.setResult(row, res); err != nil {
			return err
		}
		row.LastError = unavailableMessage(cause)
		if err := tx.UpdateBusiness(ctx, row, "status", "risk_level", "result_sealed", "last_error", "decided_at"); err != nil {
			return err
		}
		return b.emit(ctx, tx, row, res)
	})
}

// ErrBusinessDeleted is a change asked of a deleted business (rescreen_business, the retry
// job); it wraps db.ErrConflict.
var ErrBusinessDeleted = fmt.Errorf("business deleted: %w", db.ErrConflict)

func deletedBusiness(row *models.Business) error {
	return fmt.Errorf("%s at %s: %w", row.ID, row.DeletedAt.UTC().Format(time.RFC3339), ErrBusinessDeleted)
}

// setResult seals res with the business's data key (the server key for a check made before
// migration 0041, which has none).
func (b *Business) setResult(row *models.Business, res *BusinessResult) error {
	sealed, err := b.store.Keyring().SealJSONFor(row.ID, res)
	if err != nil {
		return fmt.Errorf("seal business result: %w", err)
	}
	now := b.store.Now().Truncate(time.Microsecond)
	row.Status, row.RiskLevel, row.Result, row.DecidedAt, row.LastError = res.Status, res.RiskLevel, sealed, &now, ""
	row.LEI = ""
	if res.Registry != nil {
		row.LEI = res.Registry.LEI
	}
	return nil
}

func (b *Business) enqueue(ctx context.Context, tx *db.Tx, row *models.Business) error {
	q, err := b.svc.queue()
	if err != nil {
		return err
	}
	if err := q.EnqueueBusiness(ctx, tx, BusinessJob{BusinessID: row.ID, AccountID: row.AccountID, Mode: row.Mode}); err != nil {
		return fmt.Errorf("enqueue business: %w", err)
	}
	return nil
}

// BusinessJob names a business to finish in the background (the business.verify job).
type BusinessJob struct {
	BusinessID string      `json:"business_id"`
	AccountID  string      `json:"account_id"`
	Mode       models.Mode `json:"mode"`
}

// emit records business.completed, with no personal data: codes, not names.
func (b *Business) emit(ctx context.Context, tx *db.Tx, row *models.Business, res *BusinessResult) error {
	codes := make([]string, 0, len(res.Reasons))
	for _, r := range res.Reasons {
		codes = append(codes, r.Code)
	}
	data := map[string]any{"business_id": row.ID, "status": row.Status, "risk_level": row.RiskLevel, "lei": row.LEI, "reasons": codes}
	if row.ExternalRef != nil {
		data["external_ref"] = *row.ExternalRef
	}
	raw, err := json.Marshal(data)
	if err != nil {
		return err
	}
	return b.svc.Emit(ctx, tx, &models.Event{AccountID: row.AccountID, Mode: row.Mode, ObjectType: "business",
		ObjectID: row.ID, Type: EventBusinessCompleted, Data: string(raw)}, "")
}

// assess runs the register lookups, the screening and the decision. A register failure is
// ErrRegisterUnavailable (wrapping the cause); a bad question is a *business.LEIError or
// business.ErrBadRequest.
func (b *Business) assess(ctx context.Context, keyID string, sc db.Scope, id string, in BusinessInput) (*BusinessResult, error) {
	src, register, url := b.opts.Source, b.opts.Mode, b.opts.SourceURL
	forced := sandboxBusiness(sc.Mode, in)
	if forced != "" {
		src, register, url = sandboxRegister, "sandbox", ""
	}
	if src == nil {
		return nil, fmt.Errorf("%w: no register configured", ErrRegisterUnavailable)
	}
	q := business.CompanyQuery{Name: in.LegalName, Jurisdiction: in.Jurisdiction, RegistrationNumber: in.RegistrationNumber, LEI: in.LEI}
	res := &BusinessResult{Reasons: []BusinessReason{}, Screening: []ScreenedName{}, ForcedBy: forced,
		Sources: BusinessSources{Register: register, RegisterURL: url, Lists: []screening.ListVersion{}, CheckedAt: b.store.Now()}}
	sel, err := business.Identify(ctx, src, q, business.SelectOptions{})
	if err != nil {
		return nil, registerError(ctx, err)
	}
	var graph *business.Graph
	if sel.Outcome == business.OutcomeMatched && sel.Winner != nil {
		if graph, err = business.BuildGraph(ctx, src, sel.Winner.Record.LEI, business.GraphOptions{ChildLimit: b.opts.ChildLimit}); err != nil {
			return nil, registerError(ctx, err)
		}
	}
	highRisk, err := b.highRiskFor(ctx, keyID)
	if err != nil {
		return nil, err
	}
	a := business.Assess(business.AssessInput{Query: q, Selection: sel, Graph: graph, HighRiskJurisdictions: highRisk})
	res.Registry, res.Ownership = a.Record, graph
	if a.Outcome == business.OutcomeAmbiguous {
		for _, c := range a.Candidates {
			if c.Plausible {
				res.Candidates = append(res.Candidates, c)
			}
		}
	}
	for _, r := range a.Reasons {
		res.Reasons = append(res.Reasons, BusinessReason{Code: r.Code, Message: r.Message, Data: r.Data, Effect: engineEffect(r)})
	}
	if err := b.screen(ctx, keyID, sc, id, in, graph, res); err != nil {
		return nil, err
	}
	decide(res)
	return res, nil
}

// unavailableMessage says why the register could not answer, for callers: the call, the HTTP
// status and the attempts, but not the URL or the network error, which may name a proxy with
// credentials (the full error is logged).
func unavailableMessage(err error) string {
	var api *business.APIError
	if errors.As(err, &api) {
		msg := fmt.Sprintf("the company register could not answer (%s", api.Op)
		if api.Status != 0 {
			msg += fmt.Sprintf(", HTTP %d", api.Status)
		}
		switch {
		case errors.Is(err, context.DeadlineExceeded):
			msg += ", timed out"
		case api.Status == 0:
			msg += ", not reachable"
		}
		if api.Attempts > 1 {
			msg += fmt.Sprintf(", %d attempts", api.Attempts)
		}
		return msg + "); retrying"
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return "the company register did not answer in time; retrying"
	}
	return "the company register could not answer; retrying"
}

// registerError classifies a register failure: anything that is not a bad question is the
// register being unavailable (including our own deadline running out).
func registerError(ctx context.Context, err error) error {
	switch {
	case errors.Is(err, business.ErrInvalidLEI), errors.Is(err, business.ErrBadRequest) && ctx.Err() == nil:
		return err
	}
	return fmt.Errorf("%w: %w", ErrRegisterUnavailable, err)
}

// engineEffect is what an engine reason does to the decision.
func engineEffect(r business.Reason) string {
	switch r.Code {
	case business.ReasonEntityInactive:
		return EffectReject
	case business.ReasonReportingException:
		// No parent because natural persons own the entity, no parent consolidates it, or no
		// person controls it (a widely held listed company) is the normal case for many
		// companies. Anything else — NON_PUBLIC, legal obstacles, consent not obtained, … —
		// means the owner is withheld, and a person must look.
		switch reason, _ := r.Data["reason"].(string); reason {
		case "NATURAL_PERSONS", "NON_CONSOLIDATING", "NO_KNOWN_PERSON":
			return EffectInfo
		}
		return EffectReview
	}
	return EffectReview // lapsed, not found, ambiguous, mismatches, high-risk jurisdiction
}

// screen screens the entity's names, its parents and the officers, adding a reason per hit.
func (b *Business) screen(ctx context.Context, keyID string, sc db.Scope, id string, in BusinessInput, g *business.Graph, res *BusinessResult) error {
	officers := make([]string, len(in.Officers))
	byName := map[string]Officer{}
	for i, o := range in.Officers {
		officers[i] = o.Name
		byName[strings.Join(strings.Fields(o.Name), " ")] = o
	}
	names := business.ScreeningNames(g, officers)
	if g == nil && strings.TrimSpace(in.LegalName) != "" {
		// No record identified: the name given is still screened as the entity.
		names = append([]business.ScreenName{{Name: strings.Join(strings.Fields(in.LegalName), " "), Role: business.RoleEntity}}, names...)
	}
	s := b.opts.Screening
	if s == nil || s.Ready() != nil {
		res.Sources.Unscreenable = true
		res.Reasons = append(res.Reasons, BusinessReason{Code: ReasonScreeningUnavailable, Effect: EffectReview,
			Message: "no sanctions list is loaded on this server: the company, its parents and officers were not screened"})
		return nil
	}
	strongHit := b.opts.StrongHit
	if keyID != "" {
		override, err := b.store.KeyScreeningPolicy(ctx, keyID)
		switch {
		case errors.Is(err, db.ErrNotFound):
		case err != nil:
			return err
		case override != "":
			strongHit = models.Outcome(override)
		}
	}
	idx := s.Screener().Index() // one index for every name and the versions reported
	res.Sources.Lists = idx.Versions()
	refs := []string{}
	if id != "" {
		refs = append(refs, id)
	}
	if in.ExternalRef != "" {
		refs = append(refs, in.ExternalRef)
	}
	for _, n := range names {
		q := screening.Query{Name: n.Name, Type: "organization", Threshold: s.policy.Threshold}
		if n.Role == business.RoleOfficer {
			o := byName[n.Name]
			q.Type, q.DOB, q.Nationality = "person", o.DOB, o.Nationality
		}
		hits := idx.Screen(q)
		var err error
		if hits, err = s.ApplyDecisions(ctx, sc, refs, hits); err != nil {
			return err
		}
		for i := range hits {
			hits[i].Entity = nil
		}
		if hits == nil {
			hits = []screening.Hit{}
		}
		res.Screening = append(res.Screening, ScreenedName{ScreenName: n, Hits: hits})
		for i := range hits {
			h := &hits[i]
			if Cleared(h) {
				continue
			}
			effect := EffectReview
			if h.Strong && strongHit == models.OutcomeFail {
				effect = EffectReject
			}
			if Decided(h) && h.Decision.Verdict == screening.VerdictTrueMatch {
				effect = EffectReject
			}
			code := ReasonSanctionsHitEntity
			switch n.Role {
			case business.RoleOfficer:
				code = ReasonSanctionsHitOfficer
			case business.RoleDirectParent, business.RoleUltimateParent:
				code = ReasonSanctionsHitParent
			}
			res.Reasons = append(res.Reasons, BusinessReason{Code: code, Effect: effect,
				Message: fmt.Sprintf("%s %q matches %s entry %s %q (score %.2f, %s)", strings.ReplaceAll(n.Role, "_", " "), n.Name,
					h.Source, h.SourceID, h.EntityName, h.Score, strength(h.Strong)),
				Data: map[string]any{"role": n.Role, "name": n.Name, "lei": n.LEI, "source": h.Source, "source_id": h.SourceID,
					"entity_name": h.EntityName, "score": h.Score, "strong": h.Strong}})
		}
	}
	return nil
}

func strength(strong bool) string {
	if strong {
		return "strong alias"
	}
	return "weak alias"
}

// decide turns the reasons into a status and a risk level: any reject → rejected, any review →
// needs_review, otherwise approved. Risk is high for a rejection, a sanctions hit or a
// high-risk jurisdiction, medium for anything else a person must look at, low otherwise.
func decide(res *BusinessResult) {
	res.Status, res.RiskLevel = models.BusinessApproved, RiskLow
	for _, r := range res.Reasons {
		switch r.Effect {
		case EffectReject:
			res.Status = models.BusinessRejected
		case EffectReview:
			if res.Status == models.BusinessApproved {
				res.Status = models.BusinessNeedsReview
			}
		}
		high := r.Effect == EffectReject || r.Code == business.ReasonHighRiskJurisdiction || strings.HasPrefix(r.Code, "sanctions_hit_")
		switch {
		case high:
			res.RiskLevel = RiskHigh
		case r.Effect == EffectReview && res.RiskLevel == RiskLow:
			res.RiskLevel = RiskMedium
		}
	}
}

// Store is the store the service writes to.
func (b *Business) Store() *db.Store { return b.store }

// Timeout is the bound of one synchronous check.
func (b *Business) Timeout() time.Duration { return b.opts.Timeout }

// highRiskFor is the high-risk jurisdiction list for a key's business checks: the key's own
// (kycd keys create --high-risk-jurisdictions; "none" = none) or else the server's.
func (b *Business) highRiskFor(ctx context.Context, keyID string) ([]string, error) {
	if keyID == "" {
		return b.opts.HighRiskJurisdictions, nil
	}
	list, err := b.store.KeyHighRiskJurisdictions(ctx, keyID)
	switch {
	case errors.Is(err, db.ErrNotFound) || (err == nil && len(list) == 0):
		return b.opts.HighRiskJurisdictions, nil
	case err != nil:
		return nil, err
	case len(list) == 1 && list[0] == "none":
		return []string{}, nil
	}
	return list, nil
}
