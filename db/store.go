package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/kycd/kycd/models"
)

// ErrNotFound means no row matched within the caller's account and mode.
var ErrNotFound = errors.New("not found")

// ErrConflict means the row is not in a state that allows the change.
var ErrConflict = errors.New("state conflict")

// ErrReferenceTaken means a new verification drew a reference another one has.
var ErrReferenceTaken = errors.New("verification reference taken")

// referenceTaken tells whether err is the unique violation of verifications.reference.
func referenceTaken(err error) bool {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.Code == "23505" && pgErr.ConstraintName == "verifications_reference_key"
	}
	return strings.Contains(err.Error(), "UNIQUE constraint failed: verifications.reference")
}

// Scope limits a read or write to one account and mode. Every query that takes an
// object id also takes a Scope, so an id from another account or mode is simply not found.
type Scope struct {
	AccountID string
	Mode      models.Mode
}

func notFound(err error, what string) error {
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("%s: %w", what, ErrNotFound)
	}
	return fmt.Errorf("%s: %w", what, err)
}

// EnsureAccount creates the account when it does not exist yet.
func (s *Store) EnsureAccount(ctx context.Context, id, name string) error {
	a := &models.Account{ID: id, Name: name, CreatedAt: s.Now()}
	_, err := s.DB.NewInsert().Model(a).On("CONFLICT (id) DO NOTHING").Exec(ctx)
	if err != nil {
		return fmt.Errorf("ensure account: %w", err)
	}
	return nil
}
