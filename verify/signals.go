package verify

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/kycd/kycd/db"
	"github.com/kycd/kycd/models"
)

// Signals policies (--signals-policy): what the signal reasons do to a decision.
const (
	// SignalsPolicyOff shows the reasons in the result and timeline; the decision ignores them.
	SignalsPolicyOff = "off"
	// SignalsPolicyReview sends a verification the checks would approve to needs_review when
	// it has a signal reason.
	SignalsPolicyReview = "review"
)

// DefaultVelocityLimit is how many verifications of one account may be started from one IP
// within VelocityWindow before ip_velocity is raised.
const DefaultVelocityLimit = 5

// VelocityWindow is the ip_velocity window.
const VelocityWindow = time.Hour

// EventSignalsFlagged is recorded when a verification gains signal reasons: data.reasons
// ([{code, message}]).
const EventSignalsFlagged = "verification.signals_flagged"

// SignalOptions configure the signals (issue #28).
type SignalOptions struct {
	// Policy is SignalsPolicyOff (default) or SignalsPolicyReview.
	Policy string
	// VelocityLimit is the ip_velocity threshold (0 = DefaultVelocityLimit).
	VelocityLimit int
}

// ParseSignalsPolicy checks a --signals-policy value ("" = off).
func ParseSignalsPolicy(s string) (string, error) {
	switch s {
	case "", SignalsPolicyOff:
		return SignalsPolicyOff, nil
	case SignalsPolicyReview:
		return SignalsPolicyReview, nil
	}
	return "", fmt.Errorf("signals policy %q: want off or review", s)
}

// RecordSignals stores the signals of one applicant request on its verification: the latest
// (and the first), sealed, and the reasons they raise. A request with the same IP and user
// agent as the latest writes nothing, so the flow's status polls cost one read. An erased
// verification records nothing.
func (s *Service) RecordSignals(ctx context.Context, sc db.Scope, id string, sig models.RequestSignals) error {
	v, err := s.store.GetVerification(ctx, sc, id)
	if err != nil {
		return err
	}
	if v.DeletedAt != nil {
		return nil
	}
	keys := s.store.Keyring()
	fp := keys.SignalHash("request", sig.IP+"\n"+sig.UserAgent.Browser+"\n"+sig.UserAgent.OS+"\n"+sig.UserAgent.Device+"\n"+sig.Country+fmt.Sprint(sig.ASN))
	if fp == v.SignalsFingerprint {
		return nil
	}
	var applicant models.ApplicantData
	if err := keys.OpenJSON(v.ApplicantPII, &applicant); err != nil {
		return fmt.Errorf("open applicant data: %w", err)
	}
	limit := s.opts.Signals.VelocityLimit
	if limit <= 0 {
		limit = DefaultVelocityLimit
	}
	return s.store.InTx(ctx, func(ctx context.Context, tx *db.Tx) error {
		reasons := splitCodes(v.SignalReasons)
		had := len(reasons)
		add := func(code string) {
			if !slices.Contains(reasons, code) {
				reasons = append(reasons, code)
			}
		}
		if sig.Country != "" && applicant.Country != "" && !strings.EqualFold(sig.Country, applicant.Country) {
			add(models.ReasonIPCountryMismatch)
		}
		if sig.Hosting {
			add(models.ReasonHostingASN)
		}
		if sig.IP != "" {
			n, err := tx.NoteSignalIP(ctx, sc, keys.SignalHash("ip", sig.IP), v.ID, s.store.Now().Add(-VelocityWindow))
			if err != nil {
				return err
			}
			if n > limit {
				add(models.ReasonIPVelocity)
			}
		}
		if err := tx.RecordSignals(ctx, sc, v.ID, db.SignalUpdate{Signals: sig, Fingerprint: fp, Reasons: strings.Join(reasons, ",")}); err != nil {
			return err
		}
		if len(reasons) > had {
			return s.RecordEvent(ctx, tx, v, EventSignalsFlagged, "", map[string]any{"reasons": SignalReasons(reasons[had:], limit)})
		}
		return nil
	})
}

// SignalReasons explains signal reason codes. The messages name no one (no IP, no country),
// so they can stand in results and events.
func SignalReasons(codes []string, velocityLimit int) []models.Reason {
	if velocityLimit <= 0 {
		velocityLimit = DefaultVelocityLimit
	}
	out := make([]models.Reason, 0, len(codes))
	for _, c := range codes {
		r := models.Reason{Code: c, Check: "signals"}
		switch c {
		case models.ReasonIPCountryMismatch:
			r.Message = "the applicant's IP address is in another country than the one given for the applicant"
		case models.ReasonHostingASN:
			r.Message = "the applicant connected from a hosting or cloud provider's network (a VPN, proxy or automated client)"
		case models.ReasonIPVelocity:
			r.Message = fmt.Sprintf("more than %d verifications of this account were used from the applicant's IP address within an hour", velocityLimit)
		default:
			r.Message = c
		}
		out = append(out, r)
	}
	return out
}

// ExplainSignalReasons is SignalReasons with the service's velocity limit.
func (s *Service) ExplainSignalReasons(codes []string) []models.Reason {
	return SignalReasons(codes, s.opts.Signals.VelocityLimit)
}

// signalDecision adds a verification's signal reasons to a result and, under the review
// policy, turns an approval into needs_review.
func (s *Service) signalDecision(v *models.Verification, result *models.VerificationResult) {
	codes := splitCodes(v.SignalReasons)
	if len(codes) == 0 {
		return
	}
	result.Reasons = append(result.Reasons, SignalReasons(codes, s.opts.Signals.VelocityLimit)...)
	if s.opts.Signals.Policy == SignalsPolicyReview && result.Decision == models.StatusApproved {
		result.Decision = models.StatusNeedsReview
	}
}

func splitCodes(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}
