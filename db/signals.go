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

// SignalHash is the keyed hash of a value of the applicant's requests (an IP, or an IP with a
// user agent), so requests can be compared and counted without the value in clear. Keyed by
// the primary key: after a rotation the same IP hashes differently, which only restarts the
// hour-long velocity window.
func (k *Keyring) SignalHash(kind, value string) string {
	primary, keys := k.Derive("signal-index")
	m := hmac.New(sha256.New, keys[primary])
	m.Write([]byte(kind + ":" + value))
	return hex.EncodeToString(m.Sum(nil))
}

// SignalUpdate is what RecordSignals writes on a verification.
type SignalUpdate struct {
	Signals     models.RequestSignals
	Fingerprint string
	Reasons     string
}

// RecordSignals seals the signals as the verification's latest (and as its first when it has
// none yet) in tx.
func (tx *Tx) RecordSignals(ctx context.Context, sc Scope, id string, u SignalUpdate) error {
	sealed, err := tx.store.keys.SealJSONFor(id, u.Signals)
	if err != nil {
		return fmt.Errorf("seal signals: %w", err)
	}
	_, err = tx.NewUpdate().Model((*models.Verification)(nil)).
		Set("signals_first = COALESCE(signals_first, ?)", sealed).Set("signals_latest = ?", sealed).
		Set("signals_fingerprint = ?", u.Fingerprint).Set("signal_reasons = ?", u.Reasons).
		Where("id = ?", id).Where("account_id = ?", sc.AccountID).Where("mode = ?", sc.Mode).
		Where("deleted_at IS NULL").Exec(ctx)
	if err != nil {
		return fmt.Errorf("record signals: %w", err)
	}
	return nil
}

// signalIP is a row of signal_ips: one verification seen from one IP (by its keyed hash).
type signalIP struct {
	bun.BaseModel  `bun:"table:signal_ips"`
	AccountID      string      `bun:"account_id,pk"`
	Mode           models.Mode `bun:"mode,pk"`
	IPHash         string      `bun:"ip_hash,pk"`
	VerificationID string      `bun:"verification_id,pk"`
	FirstSeen      time.Time   `bun:"first_seen"`
}

// NoteSignalIP records in tx that the verification was used from the IP with this hash and
// returns how many verifications of the scope were first used from it since since (this one
// included).
func (tx *Tx) NoteSignalIP(ctx context.Context, sc Scope, ipHash, verificationID string, since time.Time) (int, error) {
	row := &signalIP{AccountID: sc.AccountID, Mode: sc.Mode, IPHash: ipHash, VerificationID: verificationID, FirstSeen: tx.store.Now()}
	if _, err := tx.NewInsert().Model(row).On("CONFLICT DO NOTHING").Exec(ctx); err != nil {
		return 0, fmt.Errorf("note signal ip: %w", err)
	}
	n, err := tx.NewSelect().Model((*signalIP)(nil)).Where("account_id = ?", sc.AccountID).Where("mode = ?", sc.Mode).
		Where("ip_hash = ?", ipHash).Where("first_seen >= ?", since).Count(ctx)
	if err != nil {
		return 0, fmt.Errorf("count signal ips: %w", err)
	}
	return int(n), nil
}

// EraseSignals removes the signals of the given verifications (an applicant's erasure): the
// sealed first and latest signals, the fingerprint and the IP hashes. The reason codes stay:
// they name no one.
func (tx *Tx) EraseSignals(ctx context.Context, sc Scope, verificationIDs []string) (int, error) {
	if len(verificationIDs) == 0 {
		return 0, nil
	}
	n, err := count(tx.NewUpdate().Model((*models.Verification)(nil)).Set("signals_first = NULL").Set("signals_latest = NULL").
		Set("signals_fingerprint = ''").
		Where("id IN (?)", bun.List(verificationIDs)).Where("account_id = ?", sc.AccountID).Where("mode = ?", sc.Mode).
		WhereGroup(" AND ", func(q *bun.UpdateQuery) *bun.UpdateQuery {
			return q.Where("signals_first IS NOT NULL").WhereOr("signals_latest IS NOT NULL")
		}).Exec(ctx))
	if err != nil {
		return 0, fmt.Errorf("erase signals: %w", err)
	}
	if _, err := tx.NewDelete().Model((*signalIP)(nil)).Where("verification_id IN (?)", bun.List(verificationIDs)).
		Where("account_id = ?", sc.AccountID).Where("mode = ?", sc.Mode).Exec(ctx); err != nil {
		return 0, fmt.Errorf("erase signal ips: %w", err)
	}
	return n, nil
}
