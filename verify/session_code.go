package verify

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"math/big"
	"slices"

	"github.com/kycd/kycd/db"
	"github.com/kycd/kycd/models"
)

// Session codes: 8 digits an applicant types on another device (or an integrator's app
// exchanges) to continue a session. 10^8 codes against at most db.MaxCodeFailures wrong tries
// per client a minute keeps guessing an open session's code out of reach; the code is stored
// only as a keyed hash, and ends with its session.

// SessionCodeDigits is the length of a session code.
const SessionCodeDigits = 8

// ErrCodeLimit is a client over its budget of wrong codes.
var ErrCodeLimit = errors.New("too many wrong codes")

// ErrBadCode is a code that continues no open session.
var ErrBadCode = errors.New("no open session has this code")

// NewSessionCode draws a uniformly random 8-digit code (leading zeros kept).
func NewSessionCode() (string, error) {
	n, err := rand.Int(rand.Reader, big.NewInt(100_000_000))
	if err != nil {
		return "", fmt.Errorf("draw session code: %w", err)
	}
	return fmt.Sprintf("%08d", n.Int64()), nil
}

func codeHash(store *db.Store, code string) string {
	return store.Keyring().SignalHash("session-code", code)
}

// ClaimSessionCode gives v a code unique among open sessions, in tx, and returns it.
func (s *Service) ClaimSessionCode(ctx context.Context, tx *db.Tx, v *models.Verification) (string, error) {
	for range 8 {
		code, err := NewSessionCode()
		if err != nil {
			return "", err
		}
		err = tx.InsertSessionCode(ctx, &models.SessionCode{CodeHash: codeHash(s.store, code), VerificationID: v.ID,
			AccountID: v.AccountID, Mode: v.Mode, ExpiresAt: v.ExpiresAt})
		if errors.Is(err, db.ErrConflict) {
			continue // another open session holds it: draw again
		}
		return code, err
	}
	return "", errors.New("session code: no free code after 8 draws")
}

// RedeemSessionCode finds the open session a code continues. client identifies who is
// trying (a keyed hash is stored, never the value): over db.MaxCodeFailures wrong codes in
// db.CodeFailureWindow it is ErrCodeLimit, checked before the code. A code of an ended or
// expired session is ErrBadCode, as is one of another account when scope is set (an API
// key redeems only its own account's codes).
func (s *Service) RedeemSessionCode(ctx context.Context, code, client string, scope *db.Scope) (*models.Verification, error) {
	ch := s.store.Keyring().SignalHash("session-code-client", client)
	n, err := s.store.CodeFailures(ctx, ch)
	if err != nil {
		return nil, err
	}
	if n >= db.MaxCodeFailures {
		return nil, ErrCodeLimit
	}
	fail := func() (*models.Verification, error) {
		if err := s.store.RecordCodeFailure(ctx, ch); err != nil {
			return nil, err
		}
		return nil, ErrBadCode
	}
	if len(code) != SessionCodeDigits {
		return fail()
	}
	sc, err := s.store.SessionCodeByHash(ctx, codeHash(s.store, code))
	if errors.Is(err, db.ErrNotFound) {
		return fail()
	}
	if err != nil {
		return nil, err
	}
	if scope != nil && (sc.AccountID != scope.AccountID || sc.Mode != scope.Mode) {
		return fail()
	}
	v, err := s.store.GetVerification(ctx, db.Scope{AccountID: sc.AccountID, Mode: sc.Mode}, sc.VerificationID)
	if errors.Is(err, db.ErrNotFound) {
		return fail()
	}
	if err != nil {
		return nil, err
	}
	if !slices.Contains(openStatuses, v.Status) || !s.store.Now().Before(v.ExpiresAt) || v.DeletedAt != nil {
		return fail() // the code died with its session
	}
	return v, nil
}
