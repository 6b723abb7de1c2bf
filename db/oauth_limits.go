package db

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"
)

// oauthRegistrationEvent is one client registration or metadata-document fetch, counted
// against a rate-limit subject.
type oauthRegistrationEvent struct {
	bun.BaseModel `bun:"table:oauth_registration_events"`
	Subject       string    `bun:"subject"`
	At            time.Time `bun:"at"`
}

// OAuthRegistrations counts a subject's events since a time and answers the oldest of them
// (zero when none), from which the caller computes Retry-After. Events older than since are
// forgotten, so the table stays small.
func (s *Store) OAuthRegistrations(ctx context.Context, subject string, since time.Time) (int, time.Time, error) {
	since = since.UTC()
	if _, err := s.DB.NewDelete().Model((*oauthRegistrationEvent)(nil)).Where("subject = ?", subject).Where("at < ?", since).Exec(ctx); err != nil {
		return 0, time.Time{}, fmt.Errorf("forget oauth registrations: %w", err)
	}
	var rows []oauthRegistrationEvent
	if err := s.DB.NewSelect().Model(&rows).Where("subject = ?", subject).Where("at >= ?", since).Order("at ASC").Scan(ctx); err != nil {
		return 0, time.Time{}, fmt.Errorf("count oauth registrations: %w", err)
	}
	if len(rows) == 0 {
		return 0, time.Time{}, nil
	}
	return len(rows), rows[0].At, nil
}

// RecordOAuthRegistration counts one event against each subject.
func (s *Store) RecordOAuthRegistration(ctx context.Context, at time.Time, subjects ...string) error {
	for _, sub := range subjects {
		if _, err := s.DB.NewInsert().Model(&oauthRegistrationEvent{Subject: sub, At: at.UTC()}).Exec(ctx); err != nil {
			return fmt.Errorf("record oauth registration: %w", err)
		}
	}
	return nil
}
