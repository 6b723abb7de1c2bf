package db

import (
	"context"
	"fmt"
	"time"

	"github.com/kycd/kycd/models"
)

// LockVerification reads a verification of the scope for update (a row lock on PostgreSQL,
// so two concurrent writers that count something of it go one after the other).
func (tx *Tx) LockVerification(ctx context.Context, sc Scope, id string) (*models.Verification, error) {
	v := new(models.Verification)
	q := tx.NewSelect().Model(v).Where("id = ?", id).Where("account_id = ?", sc.AccountID).Where("mode = ?", sc.Mode)
	if tx.store.Dialect == Postgres {
		q = q.For("UPDATE")
	}
	if err := q.Scan(ctx); err != nil {
		return nil, notFound(err, "verification")
	}
	return v, nil
}

// LinkCounts are what the hosted-link limits count.
type LinkCounts struct {
	// Verification is every link ever sent for the verification.
	Verification int
	// Address is the send times of links to the address (blind index) in the scope since
	// the window's start, oldest first (as otp.State.Sends).
	Address []time.Time
	// Key is how many links and codes the API key sent since then.
	Key int
}

// LinkSends counts the links of a verification, to an address and by a key since since. On
// PostgreSQL it first takes a transaction lock on the address, so two concurrent sends to one
// address are counted one after the other.
func (tx *Tx) LinkSends(ctx context.Context, sc Scope, verificationID, addressHash, keyID string, since time.Time) (LinkCounts, error) {
	var out LinkCounts
	if tx.store.Dialect == Postgres {
		if _, err := tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock(hashtext(?))", "link:"+addressHash); err != nil {
			return out, fmt.Errorf("lock address: %w", err)
		}
	}
	n, err := tx.NewSelect().Model((*models.LinkSend)(nil)).Where("verification_id = ?", verificationID).
		Where("account_id = ?", sc.AccountID).Where("mode = ?", sc.Mode).Count(ctx)
	if err != nil {
		return out, fmt.Errorf("count links of verification: %w", err)
	}
	out.Verification = int(n)
	err = tx.NewSelect().Model((*models.LinkSend)(nil)).Column("created_at").
		Where("account_id = ?", sc.AccountID).Where("mode = ?", sc.Mode).Where("address_hash = ?", addressHash).
		Where("created_at > ?", since.UTC()).Order("created_at").Scan(ctx, &out.Address)
	if err != nil {
		return out, fmt.Errorf("count links to address: %w", err)
	}
	links, err := tx.NewSelect().Model((*models.LinkSend)(nil)).Where("api_key_id = ?", keyID).Where("created_at > ?", since.UTC()).Count(ctx)
	if err != nil {
		return out, fmt.Errorf("count links of key: %w", err)
	}
	codes, err := tx.NewSelect().Model((*models.ContactCode)(nil)).Where("api_key_id = ?", keyID).Where("created_at > ?", since.UTC()).Count(ctx)
	if err != nil {
		return out, fmt.Errorf("count codes of key: %w", err)
	}
	out.Key = int(links + codes)
	return out, nil
}

// InsertLinkSend stores a link about to be sent, with address sealed.
func (tx *Tx) InsertLinkSend(ctx context.Context, l *models.LinkSend, address string) error {
	sealed, err := tx.store.keys.SealFor(l.VerificationID, []byte(address))
	if err != nil {
		return fmt.Errorf("seal link address: %w", err)
	}
	l.Address = sealed
	if _, err := tx.NewInsert().Model(l).Exec(ctx); err != nil {
		return fmt.Errorf("insert link send: %w", err)
	}
	return nil
}

// DeleteLinkSend removes a link that could not be delivered, so it does not count against
// the limits.
func (s *Store) DeleteLinkSend(ctx context.Context, id string) error {
	if _, err := s.DB.NewDelete().Model((*models.LinkSend)(nil)).Where("id = ?", id).Exec(ctx); err != nil {
		return fmt.Errorf("delete undelivered link: %w", err)
	}
	return nil
}

// LinkAddress opens the sealed address of a link send ("" once erased).
func (s *Store) LinkAddress(l *models.LinkSend) (string, error) {
	if len(l.Address) == 0 {
		return "", nil
	}
	b, err := s.keys.Open(l.Address)
	if err != nil {
		return "", fmt.Errorf("open link address: %w", err)
	}
	return string(b), nil
}

// LinkSendsOf lists the link sends of a verification of the scope, oldest first.
func (s *Store) LinkSendsOf(ctx context.Context, sc Scope, verificationID string) ([]models.LinkSend, error) {
	var out []models.LinkSend
	err := s.DB.NewSelect().Model(&out).Where("verification_id = ?", verificationID).
		Where("account_id = ?", sc.AccountID).Where("mode = ?", sc.Mode).Order("created_at").Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("link sends: %w", err)
	}
	return out, nil
}
