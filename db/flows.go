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

// ErrNameTaken is a flow name already used in the scope.
var ErrNameTaken = errors.New("name taken")

// CreateFlow stores a new flow with its first version. A name already used in the scope
// (archived flows included) is ErrNameTaken.
func (s *Store) CreateFlow(ctx context.Context, f *models.Flow, definition, keyID string) error {
	return s.InTx(ctx, func(ctx context.Context, tx *Tx) error {
		n, err := tx.NewSelect().Model((*models.Flow)(nil)).Where("account_id = ?", f.AccountID).
			Where("mode = ?", f.Mode).Where("name = ?", f.Name).Count(ctx)
		if err != nil {
			return fmt.Errorf("find flow name: %w", err)
		}
		if n > 0 {
			return fmt.Errorf("flow %q: %w", f.Name, ErrNameTaken)
		}
		if _, err := tx.NewInsert().Model(f).Exec(ctx); err != nil {
			return fmt.Errorf("insert flow: %w", err)
		}
		fv := &models.FlowVersion{FlowID: f.ID, Version: f.Version, Definition: definition, APIKeyID: keyID, CreatedAt: f.CreatedAt}
		if _, err := tx.NewInsert().Model(fv).Exec(ctx); err != nil {
			return fmt.Errorf("insert flow version: %w", err)
		}
		return nil
	})
}

// AddFlowVersion stores definition as the next version of an active flow and returns the flow
// as updated. An archived flow is ErrConflict; concurrent updates each get their own number.
func (s *Store) AddFlowVersion(ctx context.Context, sc Scope, id, definition, keyID string) (*models.Flow, error) {
	var out *models.Flow
	err := s.InTx(ctx, func(ctx context.Context, tx *Tx) error {
		f := new(models.Flow)
		now := s.Now()
		// The increment is the row lock: a concurrent update waits here and then takes the next number.
		res, err := tx.NewUpdate().Model(f).Set("version = version + 1").Set("updated_at = ?", now.UTC()).
			Where("id = ?", id).Where("account_id = ?", sc.AccountID).Where("mode = ?", sc.Mode).
			Where("archived_at IS NULL").Exec(ctx)
		if err != nil {
			return fmt.Errorf("bump flow version: %w", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			if _, err := s.getFlow(ctx, tx, sc, id); err != nil {
				return err
			}
			return fmt.Errorf("flow %s is archived: %w", id, ErrConflict)
		}
		if f, err = s.getFlow(ctx, tx, sc, id); err != nil {
			return err
		}
		fv := &models.FlowVersion{FlowID: f.ID, Version: f.Version, Definition: definition, APIKeyID: keyID, CreatedAt: now}
		if _, err := tx.NewInsert().Model(fv).Exec(ctx); err != nil {
			return fmt.Errorf("insert flow version: %w", err)
		}
		out = f
		return nil
	})
	return out, err
}

func (s *Store) getFlow(ctx context.Context, tx *Tx, sc Scope, id string) (*models.Flow, error) {
	f := new(models.Flow)
	err := tx.NewSelect().Model(f).Where("id = ?", id).Where("account_id = ?", sc.AccountID).Where("mode = ?", sc.Mode).Scan(ctx)
	if err != nil {
		return nil, notFound(err, "flow")
	}
	return f, nil
}

// GetFlow reads a flow by id, or by name when byName is set.
func (s *Store) GetFlow(ctx context.Context, sc Scope, ref string, byName bool) (*models.Flow, error) {
	f := new(models.Flow)
	q := s.DB.NewSelect().Model(f).Where("account_id = ?", sc.AccountID).Where("mode = ?", sc.Mode)
	if byName {
		q = q.Where("name = ?", ref)
	} else {
		q = q.Where("id = ?", ref)
	}
	if err := q.Scan(ctx); err != nil {
		return nil, notFound(err, "flow")
	}
	return f, nil
}

// GetFlowVersion reads one version of a flow (the caller has found the flow in its scope).
func (s *Store) GetFlowVersion(ctx context.Context, flowID string, version int) (*models.FlowVersion, error) {
	fv := new(models.FlowVersion)
	err := s.DB.NewSelect().Model(fv).Where("flow_id = ?", flowID).Where("version = ?", version).Scan(ctx)
	if err != nil {
		return nil, notFound(err, "flow version")
	}
	return fv, nil
}

// ListFlows lists a scope's flows by name, after the name given (a cursor); archived ones
// only when asked.
func (s *Store) ListFlows(ctx context.Context, sc Scope, after string, archived bool, limit int) ([]models.Flow, bool, error) {
	var rows []models.Flow
	q := s.DB.NewSelect().Model(&rows).Where("account_id = ?", sc.AccountID).Where("mode = ?", sc.Mode)
	if after != "" {
		q = q.Where("name > ?", after)
	}
	if !archived {
		q = q.Where("archived_at IS NULL")
	}
	if err := q.Order("name ASC").Limit(int64(limit + 1)).Scan(ctx); err != nil {
		return nil, false, fmt.Errorf("list flows: %w", err)
	}
	more := len(rows) > limit
	if more {
		rows = rows[:limit]
	}
	return rows, more, nil
}

// ArchiveFlow marks a flow archived (idempotent) and returns it.
func (s *Store) ArchiveFlow(ctx context.Context, sc Scope, id string) (*models.Flow, error) {
	now := s.Now()
	_, err := s.DB.NewUpdate().Model((*models.Flow)(nil)).Set("archived_at = ?", now.UTC()).Set("updated_at = ?", now.UTC()).
		Where("id = ?", id).Where("account_id = ?", sc.AccountID).Where("mode = ?", sc.Mode).
		Where("archived_at IS NULL").Exec(ctx)
	if err != nil {
		return nil, fmt.Errorf("archive flow: %w", err)
	}
	return s.GetFlow(ctx, sc, id, false)
}

// KeyDefaultFlow is the name of an API key's default flow ("" = none).
func (s *Store) KeyDefaultFlow(ctx context.Context, keyID string) (string, error) {
	var name string
	err := s.DB.NewSelect().Model((*models.APIKey)(nil)).Column("default_flow").Where("id = ?", keyID).Scan(ctx, &name)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("key default flow: %w", err)
	}
	return name, nil
}

// MaxCodeFailures is how many wrong session codes one client may try per CodeFailureWindow.
const MaxCodeFailures = 5

// CodeFailureWindow is the window of MaxCodeFailures.
const CodeFailureWindow = time.Minute

// InsertSessionCode claims a code (by keyed hash) for a verification until it expires. A
// code held by another open session is ErrConflict (the caller draws another); one whose
// session expired or ended is taken over.
func (tx *Tx) InsertSessionCode(ctx context.Context, c *models.SessionCode) error {
	now := tx.store.Now().UTC()
	if _, err := tx.NewDelete().Model((*models.SessionCode)(nil)).Where("code_hash = ?", c.CodeHash).
		Where("(expires_at <= ? OR EXISTS (SELECT 1 FROM verifications v WHERE v.id = session_code.verification_id AND v.status NOT IN (?, ?)))",
			now, models.StatusPending, models.StatusInProgress).Exec(ctx); err != nil {
		return fmt.Errorf("drop expired session code: %w", err)
	}
	res, err := tx.NewInsert().Model(c).On("CONFLICT (code_hash) DO NOTHING").Exec(ctx)
	if err != nil {
		return fmt.Errorf("insert session code: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("session code in use: %w", ErrConflict)
	}
	return nil
}

// SessionCodeByHash finds the unexpired session a code continues.
func (s *Store) SessionCodeByHash(ctx context.Context, hash string) (*models.SessionCode, error) {
	c := new(models.SessionCode)
	err := s.DB.NewSelect().Model(c).Where("code_hash = ?", hash).Where("expires_at > ?", s.Now().UTC()).Scan(ctx)
	if err != nil {
		return nil, notFound(err, "session code")
	}
	return c, nil
}

// EndSessionCodes removes the codes of a verification (its session ended).
func (tx *Tx) EndSessionCodes(ctx context.Context, verificationID string) error {
	_, err := tx.NewDelete().Model((*models.SessionCode)(nil)).Where("verification_id = ?", verificationID).Exec(ctx)
	if err != nil {
		return fmt.Errorf("end session codes: %w", err)
	}
	return nil
}

// codeFailure is one wrong session-code try.
type codeFailure struct {
	bun.BaseModel `bun:"table:session_code_failures"`
	ClientHash    string    `bun:"client_hash"`
	At            time.Time `bun:"at"`
}

// CodeFailures counts a client's wrong code tries in the last CodeFailureWindow.
func (s *Store) CodeFailures(ctx context.Context, clientHash string) (int, error) {
	n, err := s.DB.NewSelect().Model((*codeFailure)(nil)).Where("client_hash = ?", clientHash).
		Where("at > ?", s.Now().Add(-CodeFailureWindow).UTC()).Count(ctx)
	if err != nil {
		return 0, fmt.Errorf("count code failures: %w", err)
	}
	return int(n), nil
}

// RecordCodeFailure notes a wrong code try by a client, and drops tries older than the window.
func (s *Store) RecordCodeFailure(ctx context.Context, clientHash string) error {
	now := s.Now().UTC()
	if _, err := s.DB.NewInsert().Model(&codeFailure{ClientHash: clientHash, At: now}).Exec(ctx); err != nil {
		return fmt.Errorf("record code failure: %w", err)
	}
	if _, err := s.DB.NewDelete().Model((*codeFailure)(nil)).Where("at <= ?", now.Add(-CodeFailureWindow)).Exec(ctx); err != nil {
		return fmt.Errorf("prune code failures: %w", err)
	}
	return nil
}

// GetVerificationTx reads a verification in the scope inside tx.
func (tx *Tx) GetVerificationTx(ctx context.Context, sc Scope, id string) (*models.Verification, error) {
	v := new(models.Verification)
	err := tx.NewSelect().Model(v).Where("id = ?", id).Where("account_id = ?", sc.AccountID).Where("mode = ?", sc.Mode).Scan(ctx)
	if err != nil {
		return nil, notFound(err, "verification")
	}
	return v, nil
}

// SetVerificationOptions replaces a verification's sealed session options in tx.
func (tx *Tx) SetVerificationOptions(ctx context.Context, sc Scope, id, sealed string) error {
	_, err := tx.NewUpdate().Model((*models.Verification)(nil)).Set("options = ?", sealed).Set("updated_at = ?", tx.store.Now()).
		Where("id = ?", id).Where("account_id = ?", sc.AccountID).Where("mode = ?", sc.Mode).Exec(ctx)
	if err != nil {
		return fmt.Errorf("set verification options: %w", err)
	}
	return nil
}
