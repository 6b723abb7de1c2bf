package db

import (
	"context"
	"fmt"
	"time"

	"github.com/kycd/kycd/models"
)

// ConfirmedContact is an email address or phone number an applicant proved with a code on
// one of their verifications.
type ConfirmedContact struct {
	Kind           models.ContactKind
	Address        string // normalized address or E.164 number
	ConfirmedAt    time.Time
	VerificationID string
}

// ApplicantContacts lists the addresses and numbers confirmed on the applicant's
// verifications, newest first, one entry per address. Erased codes (address removed) are
// left out, so an erased applicant has none.
func (s *Store) ApplicantContacts(ctx context.Context, sc Scope, applicantID string) ([]ConfirmedContact, error) {
	var rows []models.ContactCode
	err := s.DB.NewSelect().Model(&rows).
		Join("JOIN verifications AS v ON v.id = contact_code.verification_id").
		Where("contact_code.account_id = ?", sc.AccountID).Where("contact_code.mode = ?", sc.Mode).
		Where("v.applicant_id = ?", applicantID).Where("v.account_id = ?", sc.AccountID).
		Where("contact_code.confirmed_at IS NOT NULL").Where("contact_code.address IS NOT NULL").
		OrderExpr("contact_code.confirmed_at DESC").Limit(100).Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("applicant contacts: %w", err)
	}
	out := []ConfirmedContact{}
	seen := map[string]bool{}
	for _, r := range rows {
		addr, err := s.keys.Open(r.Address)
		if err != nil {
			return nil, fmt.Errorf("open address of code %s: %w", r.ID, err)
		}
		if key := string(r.Kind) + ":" + string(addr); !seen[key] {
			seen[key] = true
			out = append(out, ConfirmedContact{Kind: r.Kind, Address: string(addr), ConfirmedAt: r.ConfirmedAt.UTC(), VerificationID: *r.VerificationID})
		}
	}
	return out, nil
}
