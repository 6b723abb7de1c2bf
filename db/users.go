package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/kycd/kycd/models"
)

// ErrEmailTaken means another operator account already signs in with this e-mail.
var ErrEmailTaken = errors.New("e-mail already in use")

// CreateUser inserts an operator account (e-mail lower-cased). A taken e-mail is ErrEmailTaken.
func (s *Store) CreateUser(ctx context.Context, u *models.User) error {
	u.Email = strings.ToLower(strings.TrimSpace(u.Email))
	if u.ID == "" {
		u.ID = NewID("usr", s.Now())
	}
	if u.RecoveryCodes == "" {
		u.RecoveryCodes = "[]"
	}
	now := s.Now()
	u.CreatedAt, u.UpdatedAt = now, now
	if _, err := s.DB.NewInsert().Model(u).Exec(ctx); err != nil {
		if uniqueViolation(err, "email") {
			return fmt.Errorf("create user %s: %w", u.Email, ErrEmailTaken)
		}
		return fmt.Errorf("create user: %w", err)
	}
	return nil
}

// uniqueViolation tells whether err is a unique violation on a column named like col.
func uniqueViolation(err error, col string) bool {
	msg := err.Error()
	return (strings.Contains(msg, "23505") || strings.Contains(msg, "UNIQUE constraint failed") ||
		strings.Contains(msg, "duplicate key")) && strings.Contains(msg, col)
}

// GetUser reads an operator account by id; accountID "" matches any account (the server's own
// look-ups: sessions, the CLI).
func (s *Store) GetUser(ctx context.Context, accountID, id string) (*models.User, error) {
	u := new(models.User)
	q := s.DB.NewSelect().Model(u).Where("id = ?", id)
	if accountID != "" {
		q = q.Where("account_id = ?", accountID)
	}
	if err := q.Scan(ctx); err != nil {
		return nil, notFound(err, "user")
	}
	return u, nil
}

// GetUserByEmail reads an operator account by its (case-insensitive) e-mail.
func (s *Store) GetUserByEmail(ctx context.Context, email string) (*models.User, error) {
	u := new(models.User)
	err := s.DB.NewSelect().Model(u).Where("email = ?", strings.ToLower(strings.TrimSpace(email))).Scan(ctx)
	if err != nil {
		return nil, notFound(err, "user")
	}
	return u, nil
}

// GetUserBySetupToken reads the account whose unexpired setup link has this token hash.
func (s *Store) GetUserBySetupToken(ctx context.Context, tokenHash string) (*models.User, error) {
	u := new(models.User)
	err := s.DB.NewSelect().Model(u).Where("setup_token_hash = ?", tokenHash).
		Where("setup_expires_at > ?", s.Now()).Where("disabled_at IS NULL").Scan(ctx)
	if err != nil {
		return nil, notFound(err, "setup link")
	}
	return u, nil
}

// ListUsers lists an account's operators ("" = every account), by e-mail.
func (s *Store) ListUsers(ctx context.Context, accountID string) ([]models.User, error) {
	var out []models.User
	q := s.DB.NewSelect().Model(&out).Order("email ASC")
	if accountID != "" {
		q = q.Where("account_id = ?", accountID)
	}
	if err := q.Scan(ctx); err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	return out, nil
}

// UpdateUser writes the named columns of u (and updated_at).
func (s *Store) UpdateUser(ctx context.Context, u *models.User, columns ...string) error {
	u.UpdatedAt = s.Now()
	res, err := s.DB.NewUpdate().Model(u).Column(append(columns, "updated_at")...).WherePK().Exec(ctx)
	if err != nil {
		return fmt.Errorf("update user: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("update user %s: %w", u.ID, ErrNotFound)
	}
	return nil
}

// UseTOTPStep records that the TOTP code of step was accepted for the user. It answers false
// when that step (or a later one) was used already: a code is good once.
func (s *Store) UseTOTPStep(ctx context.Context, userID string, step int64) (bool, error) {
	res, err := s.DB.NewUpdate().Model((*models.User)(nil)).Set("totp_last_step = ?", step).
		Where("id = ?", userID).Where("totp_last_step < ?", step).Exec(ctx)
	if err != nil {
		return false, fmt.Errorf("use totp step: %w", err)
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// SwapRecoveryCodes replaces the user's recovery codes when they are still old (compare and
// swap), so two sign-ins racing with one code cannot both use it.
func (s *Store) SwapRecoveryCodes(ctx context.Context, userID, old, next string) (bool, error) {
	res, err := s.DB.NewUpdate().Model((*models.User)(nil)).Set("recovery_codes = ?", next).
		Set("updated_at = ?", s.Now()).Where("id = ?", userID).Where("recovery_codes = ?", old).Exec(ctx)
	if err != nil {
		return false, fmt.Errorf("use recovery code: %w", err)
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// InsertSession stores a new session.
func (s *Store) InsertSession(ctx context.Context, sess *models.UserSession) error {
	if _, err := s.DB.NewInsert().Model(sess).Exec(ctx); err != nil {
		return fmt.Errorf("insert session: %w", err)
	}
	return nil
}

// SessionByToken reads the session whose token has this hash, with its user.
func (s *Store) SessionByToken(ctx context.Context, tokenHash string) (*models.UserSession, *models.User, error) {
	sess := new(models.UserSession)
	if err := s.DB.NewSelect().Model(sess).Where("token_hash = ?", tokenHash).Scan(ctx); err != nil {
		return nil, nil, notFound(err, "session")
	}
	u, err := s.GetUser(ctx, "", sess.UserID)
	if err != nil {
		return nil, nil, err
	}
	return sess, u, nil
}

// TouchSession moves a session's last activity to at (the idle timeout counts from it). It is
// skipped when the row was touched less than a minute ago, so most requests write nothing.
func (s *Store) TouchSession(ctx context.Context, id string, at time.Time) error {
	_, err := s.DB.NewUpdate().Model((*models.UserSession)(nil)).Set("last_seen_at = ?", at).
		Where("id = ?", id).Where("last_seen_at < ?", at.Add(-time.Minute)).Exec(ctx)
	if err != nil {
		return fmt.Errorf("touch session: %w", err)
	}
	return nil
}

// SetSessionMode switches a session between live and test.
func (s *Store) SetSessionMode(ctx context.Context, id string, mode models.Mode) error {
	_, err := s.DB.NewUpdate().Model((*models.UserSession)(nil)).Set("mode = ?", mode).Where("id = ?", id).Exec(ctx)
	if err != nil {
		return fmt.Errorf("set session mode: %w", err)
	}
	return nil
}

// DeleteSession ends one session; userID "" matches any user.
func (s *Store) DeleteSession(ctx context.Context, userID, id string) (int, error) {
	q := s.DB.NewDelete().Model((*models.UserSession)(nil)).Where("id = ?", id)
	if userID != "" {
		q = q.Where("user_id = ?", userID)
	}
	res, err := q.Exec(ctx)
	if err != nil {
		return 0, fmt.Errorf("delete session: %w", err)
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}

// DeleteUserSessions ends every session of a user except the one named keep ("" = all).
func (s *Store) DeleteUserSessions(ctx context.Context, userID, keep string) (int, error) {
	q := s.DB.NewDelete().Model((*models.UserSession)(nil)).Where("user_id = ?", userID)
	if keep != "" {
		q = q.Where("id <> ?", keep)
	}
	res, err := q.Exec(ctx)
	if err != nil {
		return 0, fmt.Errorf("delete sessions: %w", err)
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}

// ListUserSessions lists a user's sessions, most recently active first.
func (s *Store) ListUserSessions(ctx context.Context, userID string) ([]models.UserSession, error) {
	var out []models.UserSession
	err := s.DB.NewSelect().Model(&out).Where("user_id = ?", userID).Order("last_seen_at DESC").Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("list sessions: %w", err)
	}
	return out, nil
}

// RecordLoginFailure counts one failed sign-in against each subject.
func (s *Store) RecordLoginFailure(ctx context.Context, at time.Time, subjects ...string) error {
	for _, sub := range subjects {
		if _, err := s.DB.NewInsert().Model(&loginFailure{Subject: sub, At: at}).Exec(ctx); err != nil {
			return fmt.Errorf("record login failure: %w", err)
		}
	}
	return nil
}

// LoginFailures counts the failures of a subject since a time, and forgets those older than
// before (the window's start), so the table stays small.
func (s *Store) LoginFailures(ctx context.Context, subject string, since time.Time) (int, error) {
	if _, err := s.DB.NewDelete().Model((*loginFailure)(nil)).Where("subject = ?", subject).Where("at < ?", since).Exec(ctx); err != nil {
		return 0, fmt.Errorf("forget login failures: %w", err)
	}
	n, err := s.DB.NewSelect().Model((*loginFailure)(nil)).Where("subject = ?", subject).Where("at >= ?", since).Count(ctx)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("count login failures: %w", err)
	}
	return int(n), nil
}

// ClearLoginFailures forgets a subject's failures (after a successful sign-in of the account).
func (s *Store) ClearLoginFailures(ctx context.Context, subject string) error {
	_, err := s.DB.NewDelete().Model((*loginFailure)(nil)).Where("subject = ?", subject).Exec(ctx)
	if err != nil {
		return fmt.Errorf("clear login failures: %w", err)
	}
	return nil
}

type loginFailure struct {
	Subject string    `bun:"subject"`
	At      time.Time `bun:"at"`
}
