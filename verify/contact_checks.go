package verify

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/kycd/kycd/checks/findings"
	"github.com/kycd/kycd/db"
	"github.com/kycd/kycd/models"
)

// ContactRunner is the pipeline's email or phone check: it passes when an address of its kind
// attached to the verification (verify_email / verify_phone with verification_id) was
// confirmed with a one-time code and is not high risk; a high-risk one is review. Without a
// confirmed address the verification cannot be submitted (Missing).
type ContactRunner struct {
	Kind  models.ContactKind
	store *db.Store
}

// ContactRunners are the email and phone checks over store, by check.
func ContactRunners(store *db.Store) map[models.Check]CheckRunner {
	return map[models.Check]CheckRunner{
		models.CheckEmail: &ContactRunner{Kind: models.ContactEmail, store: store},
		models.CheckPhone: &ContactRunner{Kind: models.ContactPhone, store: store},
	}
}

// OptIn reports that the check runs only when asked for (or enabled on the API key): a
// verification created without a list of checks does not get it, since it needs the
// integrator to send and confirm a code through the API.
func (r *ContactRunner) OptIn() bool { return true }

func (r *ContactRunner) check() models.Check {
	if r.Kind == models.ContactPhone {
		return models.CheckPhone
	}
	return models.CheckEmail
}

// latest is the newest confirmed contact check of the runner's kind.
func (r *ContactRunner) latest(in *CheckInput) *models.ContactCheck {
	for i := len(in.Contacts) - 1; i >= 0; i-- {
		if in.Contacts[i].Kind == r.Kind {
			return &in.Contacts[i]
		}
	}
	return nil
}

// Missing implements CheckRunner.
func (r *ContactRunner) Missing(in *CheckInput) []string {
	if r.latest(in) != nil {
		return nil
	}
	if r.Kind == models.ContactPhone {
		return []string{"a confirmed phone number (verify_phone with verification_id and send_code, then confirm_code)"}
	}
	return []string{"a confirmed email address (verify_email with verification_id and send_code, then confirm_code)"}
}

// Run implements CheckRunner.
func (r *ContactRunner) Run(ctx context.Context, in *CheckInput) (*models.CheckOutcome, error) {
	ch := string(r.check())
	out := &models.CheckOutcome{Check: ch, Outcome: models.OutcomePass, Versions: map[string]string{"engine": "kycd-contact/1"}}
	c := r.latest(in)
	if c == nil {
		out.Outcome = models.OutcomeFail
		out.Reasons = []models.Reason{{Code: ch + "_not_confirmed", Message: fmt.Sprintf("no %s attached to the verification was confirmed with a code", r.noun()), Check: ch}}
		return out, nil
	}
	details := map[string]any{"check_id": c.ID, "risk_level": c.RiskLevel}
	if c.ConfirmedAt != nil {
		details["confirmed_at"] = c.ConfirmedAt.UTC().Format(time.RFC3339)
	}
	var res struct {
		Reasons []findings.Reason `json:"reasons"`
	}
	if ok, err := r.store.OpenContactResult(c, &res); err != nil {
		return nil, err
	} else if ok {
		codes := []string{}
		for _, x := range res.Reasons {
			codes = append(codes, x.Code)
		}
		details["reasons"] = codes
	}
	out.Details = details
	if findings.Level(c.RiskLevel) == findings.High {
		out.Outcome = models.OutcomeReview
		out.Reasons = []models.Reason{{Code: ch + "_high_risk", Check: ch,
			Message: fmt.Sprintf("the confirmed %s is high risk (%s check %s)", r.noun(), ch, c.ID)}}
	}
	return out, nil
}

func (r *ContactRunner) noun() string {
	if r.Kind == models.ContactPhone {
		return "phone number"
	}
	return "email address"
}

// confirmedContacts loads the confirmed contact checks the requested checks need.
func confirmedContacts(ctx context.Context, store *db.Store, v *models.Verification, checks []models.Check) ([]models.ContactCheck, error) {
	var out []models.ContactCheck
	sc := db.Scope{AccountID: v.AccountID, Mode: v.Mode}
	for _, k := range []struct {
		check models.Check
		kind  models.ContactKind
	}{{models.CheckEmail, models.ContactEmail}, {models.CheckPhone, models.ContactPhone}} {
		if !slices.Contains(checks, k.check) {
			continue
		}
		cs, err := store.ConfirmedContacts(ctx, sc, v.ID, k.kind)
		if err != nil {
			return nil, err
		}
		out = append(out, cs...)
	}
	return out, nil
}
