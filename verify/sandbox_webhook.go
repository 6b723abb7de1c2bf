package verify

import (
	"context"
	"errors"
	"fmt"

	"github.com/kycd/kycd/db"
	"github.com/kycd/kycd/models"
)

// SandboxWebhookFail is the value whose verification's webhook deliveries fail their first
// attempt: the receiver gets each delivery, kycd records the attempt as failed whatever it
// answered, and retries it on the usual schedule, so the receiver sees the same delivery
// (same delivery id) again and can test its idempotency and the retry log.
const SandboxWebhookFail = "test_webhook_fail"

// SandboxFailsDelivery reports, for a delivery of ev, the rule value that makes its first
// attempt fail: SandboxWebhookFail when ev is an event of a test-mode verification selected
// by it, "" otherwise (always for live-mode events).
func SandboxFailsDelivery(ctx context.Context, store *db.Store, ev *models.Event) (string, error) {
	if ev == nil || ev.Mode != models.ModeTest || ev.ObjectType != "verification" {
		return "", nil
	}
	v, err := store.GetVerification(ctx, db.Scope{AccountID: ev.AccountID, Mode: ev.Mode}, ev.ObjectID)
	if errors.Is(err, db.ErrNotFound) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	var applicant models.ApplicantData
	if len(v.ApplicantPII) > 0 {
		if err := store.Keyring().OpenJSON(v.ApplicantPII, &applicant); err != nil {
			return "", fmt.Errorf("open applicant data: %w", err)
		}
	}
	if r := SandboxRuleFor(v, applicant); r != nil && r.Value == SandboxWebhookFail {
		return r.Value, nil
	}
	return "", nil
}
