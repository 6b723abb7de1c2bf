package verify

import (
	"fmt"
	"slices"
	"strings"
)

// EventTypes lists every event type kycd produces, which is what a webhook endpoint may
// subscribe to. A new producer adds its type here: one line.
var EventTypes = []string{
	EventCreated,
	EventConsentGiven,
	EventStarted,
	EventDocumentUploaded,
	EventProcessing,
	EventCompleted,
	EventExpired,
	EventCancelled,
	EventReviewed,
	EventResubmissionRequested,
	EventScreeningMatch,
	EventFraudDuplicate,
	EventApplicantDeleted,
	EventApplicantDeletionScheduled,
	EventApplicantRestored,
	EventEmailConfirmed,
	EventPhoneConfirmed,
	EventNFCCompleted,
	EventBusinessCompleted,
	EventBusinessDeleted,
	EventAddressCheckCompleted,
	EventLinkSent,
	EventQuestionnaireAnswered,
}

// ValidateSubscription checks one subscription entry: "*", a known type, or "<prefix>.*"
// matching at least one known type ("verification.*").
func ValidateSubscription(p string) error {
	if p == "*" || slices.Contains(EventTypes, p) {
		return nil
	}
	if prefix, ok := strings.CutSuffix(p, ".*"); ok && prefix != "" {
		for _, t := range EventTypes {
			if strings.HasPrefix(t, prefix+".") {
				return nil
			}
		}
	}
	return fmt.Errorf("%q is not an event type; use \"*\", \"<object>.*\" or one of: %s", p, strings.Join(EventTypes, ", "))
}

// Subscribed reports whether an endpoint subscribed to patterns receives events of type typ.
func Subscribed(patterns []string, typ string) bool {
	for _, p := range patterns {
		if p == "*" || p == typ {
			return true
		}
		if prefix, ok := strings.CutSuffix(p, "*"); ok && strings.HasSuffix(prefix, ".") && strings.HasPrefix(typ, prefix) {
			return true
		}
	}
	return false
}
