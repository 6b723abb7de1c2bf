package db

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"github.com/kycd/kycd/models"
)

// Derive returns keys for purpose derived from every key of the ring (HMAC-SHA256 of the
// purpose under the key), by key id, with the primary's id: keyed hashes (one-time codes,
// blind indexes) then rotate with the ring and never use an encryption key for two things.
func (k *Keyring) Derive(purpose string) (primary string, keys map[string][]byte) {
	keys = make(map[string][]byte, len(k.raw))
	for id, raw := range k.raw {
		m := hmac.New(sha256.New, raw)
		m.Write([]byte("kycd/" + purpose))
		keys[id] = m.Sum(nil)
	}
	return k.primary, keys
}

// BlindIndex is the keyed hash of a normalized address, so rows about one address can be
// found (and counted for the send limits) without opening sealed columns. It is keyed by the
// primary key: after a rotation the same address indexes differently, which only restarts
// the hour-long send windows.
func (k *Keyring) BlindIndex(kind models.ContactKind, normalized string) string {
	primary, keys := k.Derive("contact-index")
	m := hmac.New(sha256.New, keys[primary])
	m.Write([]byte(string(kind) + ":" + normalized))
	return hex.EncodeToString(m.Sum(nil))
}

// InsertContactCheck stores a contact check with result sealed.
func (tx *Tx) InsertContactCheck(ctx context.Context, c *models.ContactCheck, result any) error {
	sealed, err := tx.store.keys.SealJSONFor(deref(c.VerificationID), result)
	if err != nil {
		return fmt.Errorf("seal contact check: %w", err)
	}
	c.Result = sealed
	if _, err := tx.NewInsert().Model(c).Exec(ctx); err != nil {
		return fmt.Errorf("insert contact check: %w", err)
	}
	return nil
}

// GetContactCheck reads a contact check of the scope.
func (s *Store) GetContactCheck(ctx context.Context, sc Scope, id string) (*models.ContactCheck, error) {
	c := new(models.ContactCheck)
	err := s.DB.NewSelect().Model(c).Where("id = ?", id).Where("account_id = ?", sc.AccountID).Where("mode = ?", sc.Mode).Scan(ctx)
	if err != nil {
		return nil, notFound(err, "contact check")
	}
	return c, nil
}

// OpenContactResult unseals a contact check's result into dst; false when it was erased.
func (s *Store) OpenContactResult(c *models.ContactCheck, dst any) (bool, error) {
	if len(c.Result) == 0 {
		return false, nil
	}
	if err := s.keys.OpenJSON(c.Result, dst); err != nil {
		return false, fmt.Errorf("open contact check %s: %w", c.ID, err)
	}
	return true, nil
}

// ContactSends returns the send times of codes to the address (blind index) in the scope
// since since, oldest first (as otp.State.Sends), and how many codes the API key sent since then. On PostgreSQL it
// first takes a transaction lock on the address, so two concurrent sends to one address are
// counted one after the other (SQLite writes one transaction at a time anyway).
func (tx *Tx) ContactSends(ctx context.Context, sc Scope, addressHash, keyID string, since time.Time) ([]time.Time, int, error) {
	if tx.store.Dialect == Postgres {
		if _, err := tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock(hashtext(?))", "contact:"+addressHash); err != nil {
			return nil, 0, fmt.Errorf("lock address: %w", err)
		}
	}
	var times []time.Time
	err := tx.NewSelect().Model((*models.ContactCode)(nil)).Column("created_at").
		Where("account_id = ?", sc.AccountID).Where("mode = ?", sc.Mode).Where("address_hash = ?", addressHash).
		Where("created_at > ?", since.UTC()).Order("created_at").Scan(ctx, &times)
	if err != nil {
		return nil, 0, fmt.Errorf("count sends to address: %w", err)
	}
	n, err := tx.NewSelect().Model((*models.ContactCode)(nil)).Where("api_key_id = ?", keyID).
		Where("created_at > ?", since.UTC()).Count(ctx)
	if err != nil {
		return nil, 0, fmt.Errorf("count sends of key: %w", err)
	}
	return times, int(n), nil
}

// InsertContactCode stores a code about to be sent, with address sealed, and supersedes the
// earlier open codes of the same address in the scope: only the newest code counts.
func (tx *Tx) InsertContactCode(ctx context.Context, c *models.ContactCode, address string) error {
	sealed, err := tx.store.keys.SealFor(deref(c.VerificationID), []byte(address))
	if err != nil {
		return fmt.Errorf("seal code address: %w", err)
	}
	c.Address = sealed
	_, err = tx.NewUpdate().Model((*models.ContactCode)(nil)).Set("superseded_at = ?", c.CreatedAt).Set("superseded_by = ?", c.ID).Set("updated_at = ?", c.CreatedAt).
		Where("account_id = ?", c.AccountID).Where("mode = ?", c.Mode).Where("address_hash = ?", c.AddressHash).
		Where("superseded_at IS NULL").Where("confirmed_at IS NULL").Exec(ctx)
	if err != nil {
		return fmt.Errorf("supersede earlier codes: %w", err)
	}
	if _, err := tx.NewInsert().Model(c).Exec(ctx); err != nil {
		return fmt.Errorf("insert contact code: %w", err)
	}
	return nil
}

// DeleteContactCode removes a code that could not be delivered, so it does not count
// against the send limits; the codes it superseded are valid again.
func (s *Store) DeleteContactCode(ctx context.Context, c *models.ContactCode) error {
	return s.InTx(ctx, func(ctx context.Context, tx *Tx) error {
		if _, err := tx.NewDelete().Model((*models.ContactCode)(nil)).Where("id = ?", c.ID).Exec(ctx); err != nil {
			return fmt.Errorf("delete undelivered code: %w", err)
		}
		_, err := tx.NewUpdate().Model((*models.ContactCode)(nil)).Set("superseded_at = NULL").Set("superseded_by = NULL").
			Where("account_id = ?", c.AccountID).Where("mode = ?", c.Mode).Where("address_hash = ?", c.AddressHash).
			Where("superseded_by = ?", c.ID).Exec(ctx)
		if err != nil {
			return fmt.Errorf("restore superseded codes: %w", err)
		}
		return nil
	})
}

// LockContactCode reads a code of the scope for update (a row lock on PostgreSQL, so two
// concurrent guesses count one after the other) with its address opened.
func (tx *Tx) LockContactCode(ctx context.Context, sc Scope, id string) (*models.ContactCode, string, error) {
	c := new(models.ContactCode)
	q := tx.NewSelect().Model(c).Where("id = ?", id).Where("account_id = ?", sc.AccountID).Where("mode = ?", sc.Mode)
	if tx.store.Dialect == Postgres {
		q = q.For("UPDATE")
	}
	if err := q.Scan(ctx); err != nil {
		return nil, "", notFound(err, "contact code")
	}
	if len(c.Address) == 0 {
		return c, "", nil // erased with its applicant
	}
	addr, err := tx.store.keys.Open(c.Address)
	if err != nil {
		return nil, "", fmt.Errorf("open code address: %w", err)
	}
	return c, string(addr), nil
}

// UpdateContactCode writes a code's state, expiry and confirmation back.
func (tx *Tx) UpdateContactCode(ctx context.Context, c *models.ContactCode) error {
	c.UpdatedAt = tx.store.Now()
	_, err := tx.NewUpdate().Model(c).Column("state", "confirmed_at", "updated_at").WherePK().Exec(ctx)
	if err != nil {
		return fmt.Errorf("update contact code: %w", err)
	}
	return nil
}

// ConfirmContactCheck marks a contact check confirmed (the first confirmation wins) and
// returns it with the verification it is attached to (nil when none), read in tx.
func (tx *Tx) ConfirmContactCheck(ctx context.Context, sc Scope, id string, at time.Time) (*models.ContactCheck, *models.Verification, error) {
	_, err := tx.NewUpdate().Model((*models.ContactCheck)(nil)).Set("confirmed_at = COALESCE(confirmed_at, ?)", at.UTC()).
		Where("id = ?", id).Where("account_id = ?", sc.AccountID).Where("mode = ?", sc.Mode).Exec(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("confirm contact check: %w", err)
	}
	c := new(models.ContactCheck)
	if err := tx.NewSelect().Model(c).Where("id = ?", id).Where("account_id = ?", sc.AccountID).Where("mode = ?", sc.Mode).Scan(ctx); err != nil {
		return nil, nil, notFound(err, "contact check")
	}
	if c.VerificationID == nil {
		return c, nil, nil
	}
	v := new(models.Verification)
	err = tx.NewSelect().Model(v).Where("id = ?", *c.VerificationID).Where("account_id = ?", sc.AccountID).Where("mode = ?", sc.Mode).Scan(ctx)
	if err != nil {
		return nil, nil, notFound(err, "verification")
	}
	return c, v, nil
}

// ConfirmedContacts returns the contact checks of a verification of the scope that were
// confirmed with a code, oldest first.
func (s *Store) ConfirmedContacts(ctx context.Context, sc Scope, verificationID string, kind models.ContactKind) ([]models.ContactCheck, error) {
	var out []models.ContactCheck
	err := s.DB.NewSelect().Model(&out).Where("verification_id = ?", verificationID).Where("kind = ?", kind).
		Where("account_id = ?", sc.AccountID).Where("mode = ?", sc.Mode).Where("confirmed_at IS NOT NULL").
		Order("created_at").Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("confirmed contacts: %w", err)
	}
	return out, nil
}

// EraseContacts removes the personal data of the contact checks, codes and sent links of the given
// verifications (an applicant's erasure): results, sealed addresses and blind indexes go,
// the rows stay for the audit trail. It returns how many checks were erased.
func (tx *Tx) EraseContacts(ctx context.Context, sc Scope, verificationIDs []string) (int, error) {
	if len(verificationIDs) == 0 {
		return 0, nil
	}
	res, err := tx.NewUpdate().Model((*models.ContactCheck)(nil)).Set("result = NULL").Set("address_hash = ''").Set("external_ref = NULL").
		Where("verification_id IN (?)", bun.List(verificationIDs)).Where("account_id = ?", sc.AccountID).Where("mode = ?", sc.Mode).Exec(ctx)
	if err != nil {
		return 0, fmt.Errorf("erase contact checks: %w", err)
	}
	n, _ := res.RowsAffected()
	_, err = tx.NewUpdate().Model((*models.ContactCode)(nil)).Set("address = NULL").Set("address_hash = ''").
		Where("verification_id IN (?)", bun.List(verificationIDs)).Where("account_id = ?", sc.AccountID).Where("mode = ?", sc.Mode).Exec(ctx)
	if err != nil {
		return 0, fmt.Errorf("erase contact codes: %w", err)
	}
	_, err = tx.NewUpdate().Model((*models.LinkSend)(nil)).Set("address = NULL").Set("address_hash = ''").
		Where("verification_id IN (?)", bun.List(verificationIDs)).Where("account_id = ?", sc.AccountID).Where("mode = ?", sc.Mode).Exec(ctx)
	if err != nil {
		return 0, fmt.Errorf("erase link sends: %w", err)
	}
	return int(n), nil
}
