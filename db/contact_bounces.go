package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"github.com/kycd/kycd/models"
)

// BounceMemory is how long a refused address or number is remembered: long enough to stop
// repeated sends to a dead mailbox, short enough for recycled phone numbers.
const BounceMemory = 90 * 24 * time.Hour

// ContactBounce is an address or number a sender refused for good, by blind index.
type ContactBounce struct {
	bun.BaseModel `bun:"table:contact_bounces"`
	AccountID     string             `bun:"account_id,pk"`
	Mode          models.Mode        `bun:"mode,pk"`
	Kind          models.ContactKind `bun:"kind,pk"`
	AddressHash   string             `bun:"address_hash,pk"`
	Reason        string             `bun:"reason"` // the sender's class of refusal, never the address
	Bounces       int                `bun:"bounces"`
	FirstAt       time.Time          `bun:"first_at"`
	LastAt        time.Time          `bun:"last_at"`
}

// RecordBounce remembers that a sender refused the address (counting repeats).
func (s *Store) RecordBounce(ctx context.Context, sc Scope, kind models.ContactKind, addressHash, reason string) error {
	now := s.Now()
	b := &ContactBounce{AccountID: sc.AccountID, Mode: sc.Mode, Kind: kind, AddressHash: addressHash, Reason: reason, Bounces: 1, FirstAt: now, LastAt: now}
	_, err := s.DB.NewInsert().Model(b).
		On("CONFLICT (account_id, mode, kind, address_hash) DO UPDATE").
		Set("bounces = CASE WHEN ?TableAlias.last_at < ? THEN 1 ELSE ?TableAlias.bounces + 1 END", now.Add(-BounceMemory)).
		Set("first_at = CASE WHEN ?TableAlias.last_at < ? THEN EXCLUDED.first_at ELSE ?TableAlias.first_at END", now.Add(-BounceMemory)).
		Set("reason = EXCLUDED.reason").Set("last_at = EXCLUDED.last_at").
		Exec(ctx)
	if err != nil {
		return fmt.Errorf("record bounce: %w", err)
	}
	return nil
}

// Bounce is the remembered refusal of the address within BounceMemory, nil when none.
func (s *Store) Bounce(ctx context.Context, sc Scope, kind models.ContactKind, addressHash string) (*ContactBounce, error) {
	if addressHash == "" {
		return nil, nil
	}
	b := new(ContactBounce)
	err := s.DB.NewSelect().Model(b).Where("account_id = ?", sc.AccountID).Where("mode = ?", sc.Mode).
		Where("kind = ?", kind).Where("address_hash = ?", addressHash).Where("last_at >= ?", s.Now().Add(-BounceMemory)).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read bounce: %w", err)
	}
	return b, nil
}

// ContactIPSends counts the codes sent since since at the request of applicant sessions from
// one IP (its keyed hash) in the account, whatever the address.
func (tx *Tx) ContactIPSends(ctx context.Context, sc Scope, ipHash string, since time.Time) (int, error) {
	if ipHash == "" {
		return 0, nil
	}
	n, err := tx.NewSelect().Model((*models.ContactCode)(nil)).Where("account_id = ?", sc.AccountID).
		Where("ip_hash = ?", ipHash).Where("created_at > ?", since.UTC()).Count(ctx)
	if err != nil {
		return 0, fmt.Errorf("count sends from IP: %w", err)
	}
	return int(n), nil
}
