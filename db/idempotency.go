package db

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/kycd/kycd/models"
)

// IdempotencyClaim is the outcome of ClaimIdempotencyKey.
type IdempotencyClaim struct {
	// Claimed is true when this caller now owns the key and must Complete or Release it.
	Claimed bool
	// Existing is the row another request stored, when Claimed is false.
	Existing *models.Idempotency
}

// IdempotencyInFlight is the response column of a claimed key whose request has not finished.
// A real response is always a JSON value, never the empty string.
const IdempotencyInFlight = ""

// IdempotencyErased replaces the stored response (and the request hash) of a key whose reply
// named an applicant who was erased (EraseApplicant): the reply held personal data, and the key
// must not start a second creation on replay either. Not JSON, so never a real response.
const IdempotencyErased = "erased"

// storedKey is how an idempotency key is kept: its SHA-256. Integrators put their own ids in
// keys ("onboard-cust-4711"), and an erased applicant's reference must not outlive it there.
func storedKey(key string) string { return HashSecret("idempotency:" + key) }

// ClaimIdempotencyKey reserves key in the scope for a request whose body hashes to hash.
// A row older than ttl counts as absent (replays last ttl); an unfinished row older than
// stale counts as abandoned (its process died), so the key does not stay blocked for ttl.
// The insert is ON CONFLICT DO NOTHING, so of two concurrent claims exactly one wins,
// on PostgreSQL across processes too.
func (s *Store) ClaimIdempotencyKey(ctx context.Context, sc Scope, key, hash string, ttl, stale time.Duration) (IdempotencyClaim, error) {
	now := s.Now()
	// Drop an expired or abandoned row first; the DELETE is scoped to this one key.
	_, err := s.DB.NewRaw(`DELETE FROM idempotency_keys WHERE account_id = ? AND mode = ? AND key = ? AND (created_at < ? OR (response = ? AND created_at < ?))`,
		sc.AccountID, sc.Mode, storedKey(key), now.Add(-ttl), IdempotencyInFlight, now.Add(-stale)).Exec(ctx)
	if err != nil {
		return IdempotencyClaim{}, fmt.Errorf("expire idempotency key: %w", err)
	}
	res, err := s.DB.NewRaw(`INSERT INTO idempotency_keys (account_id, mode, key, request_hash, response, created_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (account_id, mode, key) DO NOTHING`,
		sc.AccountID, sc.Mode, storedKey(key), hash, IdempotencyInFlight, now).Exec(ctx)
	if err != nil {
		return IdempotencyClaim{}, fmt.Errorf("claim idempotency key: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 1 {
		return IdempotencyClaim{Claimed: true}, nil
	}
	row := new(models.Idempotency)
	err = s.DB.NewRaw(`SELECT account_id, mode, key, request_hash, response, created_at FROM idempotency_keys WHERE account_id = ? AND mode = ? AND key = ?`,
		sc.AccountID, sc.Mode, storedKey(key)).Scan(ctx, row)
	if errors.Is(err, sql.ErrNoRows) {
		// Released between our insert and this read: the caller may simply retry.
		return IdempotencyClaim{}, fmt.Errorf("idempotency key %q: released concurrently: %w", key, ErrConflict)
	}
	if err != nil {
		return IdempotencyClaim{}, fmt.Errorf("read idempotency key: %w", err)
	}
	resp, err := s.keys.OpenText(row.Response)
	if errors.Is(err, ErrShredded) {
		// The reply named an applicant erased since: refused like one the erasure replaced.
		resp, row.RequestHash, err = IdempotencyErased, IdempotencyErased, nil
	}
	if err != nil {
		return IdempotencyClaim{}, fmt.Errorf("open idempotency response: %w", err)
	}
	row.Response = resp
	return IdempotencyClaim{Existing: row}, nil
}

// responseOwner is the verification a stored reply is about (its top-level "id"), whose data
// key seals the reply: it repeats the applicant data, and is shredded with it.
func responseOwner(response string) string {
	var head struct {
		ID string `json:"id"`
	}
	if json.Unmarshal([]byte(response), &head) == nil && strings.HasPrefix(head.ID, "ver_") {
		return head.ID
	}
	return ""
}

// CompleteIdempotencyKey stores the response of the request that claimed key.
func (s *Store) CompleteIdempotencyKey(ctx context.Context, sc Scope, key, response string) error {
	if response == IdempotencyInFlight {
		return errors.New("complete idempotency key: empty response")
	}
	sealed, err := s.keys.SealText(responseOwner(response), response)
	if err != nil {
		return fmt.Errorf("seal idempotency response: %w", err)
	}
	_, err = s.DB.NewRaw(`UPDATE idempotency_keys SET response = ? WHERE account_id = ? AND mode = ? AND key = ?`,
		sealed, sc.AccountID, sc.Mode, storedKey(key)).Exec(ctx)
	if err != nil {
		return fmt.Errorf("complete idempotency key: %w", err)
	}
	return nil
}

// ReleaseIdempotencyKey forgets an unfinished claim (the request failed), so the key can be retried.
func (s *Store) ReleaseIdempotencyKey(ctx context.Context, sc Scope, key string) error {
	_, err := s.DB.NewRaw(`DELETE FROM idempotency_keys WHERE account_id = ? AND mode = ? AND key = ? AND response = ?`,
		sc.AccountID, sc.Mode, storedKey(key), IdempotencyInFlight).Exec(ctx)
	if err != nil {
		return fmt.Errorf("release idempotency key: %w", err)
	}
	return nil
}

// PurgeIdempotencyKeys deletes rows created before cutoff and returns how many went.
func (s *Store) PurgeIdempotencyKeys(ctx context.Context, cutoff time.Time) (int64, error) {
	res, err := s.DB.NewRaw(`DELETE FROM idempotency_keys WHERE created_at < ?`, cutoff).Exec(ctx)
	if err != nil {
		return 0, fmt.Errorf("purge idempotency keys: %w", err)
	}
	n, _ := res.RowsAffected()
	return n, nil
}
