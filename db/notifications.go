package db

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"github.com/kycd/kycd/models"
)

// NotificationSettings reads a user's notification settings (ErrNotFound when never set).
func (s *Store) NotificationSettings(ctx context.Context, userID string) (*models.NotificationSettings, error) {
	st := new(models.NotificationSettings)
	if err := s.DB.NewSelect().Model(st).Where("user_id = ?", userID).Scan(ctx); err != nil {
		return nil, notFound(err, "notification settings")
	}
	return st, nil
}

// PutNotificationSettings creates or replaces a user's settings; the time of their last digest is kept.
func (s *Store) PutNotificationSettings(ctx context.Context, st *models.NotificationSettings) error {
	st.UpdatedAt = s.Now()
	_, err := s.DB.NewInsert().Model(st).On("CONFLICT (user_id) DO UPDATE").
		Set("account_id = EXCLUDED.account_id, email = EXCLUDED.email, webhook_url = EXCLUDED.webhook_url").
		Set("webhook_secret_sealed = EXCLUDED.webhook_secret_sealed, events = EXCLUDED.events, test_mode = EXCLUDED.test_mode").
		Set("digest_hour = EXCLUDED.digest_hour, updated_at = EXCLUDED.updated_at, updated_by = EXCLUDED.updated_by").
		Exec(ctx)
	if err != nil {
		return fmt.Errorf("put notification settings: %w", err)
	}
	return nil
}

// Recipient is an operator who set notification settings, with their user row.
type Recipient struct {
	Settings models.NotificationSettings
	User     models.User
}

// NotificationRecipients lists the enabled users of an account who have notification
// settings. It reads through idb, so a caller inside a transaction passes the transaction.
func NotificationRecipients(ctx context.Context, idb bun.IDB, accountID string) ([]Recipient, error) {
	var sts []models.NotificationSettings
	if err := idb.NewSelect().Model(&sts).Where("account_id = ?", accountID).Order("user_id ASC").Scan(ctx); err != nil {
		return nil, fmt.Errorf("notification settings of %s: %w", accountID, err)
	}
	if len(sts) == 0 {
		return nil, nil
	}
	ids := make([]string, len(sts))
	for i, st := range sts {
		ids[i] = st.UserID
	}
	var users []models.User
	if err := idb.NewSelect().Model(&users).Where("id IN (?)", bun.List(ids)).Where("account_id = ?", accountID).
		Where("disabled_at IS NULL").Scan(ctx); err != nil {
		return nil, fmt.Errorf("users of %s: %w", accountID, err)
	}
	byID := map[string]models.User{}
	for _, u := range users {
		byID[u.ID] = u
	}
	out := make([]Recipient, 0, len(sts))
	for _, st := range sts {
		if u, ok := byID[st.UserID]; ok {
			out = append(out, Recipient{Settings: st, User: u})
		}
	}
	return out, nil
}

// InsertNotification stores n unless the user already has one on that channel with the same
// dedupe key; it reports whether n was inserted. idb is the store's DB or a transaction.
func InsertNotification(ctx context.Context, idb bun.IDB, n *models.Notification) (bool, error) {
	res, err := idb.NewInsert().Model(n).On("CONFLICT (user_id, channel, dedupe_key) DO NOTHING").Exec(ctx)
	if err != nil {
		return false, fmt.Errorf("insert notification: %w", err)
	}
	rows, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("insert notification: %w", err)
	}
	return rows == 1, nil
}

// GetNotification reads one notification by id (the worker's view).
func (s *Store) GetNotification(ctx context.Context, id string) (*models.Notification, error) {
	n := new(models.Notification)
	if err := s.DB.NewSelect().Model(n).Where("id = ?", id).Scan(ctx); err != nil {
		return nil, notFound(err, "notification")
	}
	return n, nil
}

// UpdateNotification writes the given columns of n.
func (s *Store) UpdateNotification(ctx context.Context, n *models.Notification, cols ...string) error {
	if _, err := s.DB.NewUpdate().Model(n).Column(cols...).WherePK().Exec(ctx); err != nil {
		return fmt.Errorf("update notification %s: %w", n.ID, err)
	}
	return nil
}

// NotificationFilter selects notifications of one account, newest first.
type NotificationFilter struct {
	AccountID string
	// UserID narrows to one user ("" = every user of the account).
	UserID string
	Status string
	Kind   string
	// Before is the id to continue after (a cursor).
	Before string
	Limit  int
}

// ListNotifications lists notifications by f; more reports that another page follows.
func (s *Store) ListNotifications(ctx context.Context, f NotificationFilter) (out []models.Notification, more bool, err error) {
	q := s.DB.NewSelect().Model(&out).Where("account_id = ?", f.AccountID)
	if f.UserID != "" {
		q = q.Where("user_id = ?", f.UserID)
	}
	if f.Status != "" {
		q = q.Where("status = ?", f.Status)
	}
	if f.Kind != "" {
		q = q.Where("kind = ?", f.Kind)
	}
	if f.Before != "" {
		q = q.Where("id < ?", f.Before)
	}
	if err := q.Order("id DESC").Limit(int64(f.Limit + 1)).Scan(ctx); err != nil {
		return nil, false, fmt.Errorf("list notifications: %w", err)
	}
	if len(out) > f.Limit {
		return out[:f.Limit], true, nil
	}
	return out, false, nil
}

// UsersWithDigestItems lists the users that have notifications waiting for a digest.
func (s *Store) UsersWithDigestItems(ctx context.Context) ([]string, error) {
	var ids []string
	err := s.DB.NewSelect().Model((*models.Notification)(nil)).ColumnExpr("DISTINCT user_id").
		Where("status = ?", models.NotificationDigest).Scan(ctx, &ids)
	if err != nil {
		return nil, fmt.Errorf("users with digest items: %w", err)
	}
	return ids, nil
}

// DigestItems lists the notifications a user is waiting to get in a digest, by channel, oldest first.
func (tx *Tx) DigestItems(ctx context.Context, userID, channel string) ([]models.Notification, error) {
	var out []models.Notification
	err := tx.NewSelect().Model(&out).Where("user_id = ?", userID).Where("channel = ?", channel).
		Where("status = ?", models.NotificationDigest).Order("id ASC").Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("digest items: %w", err)
	}
	return out, nil
}

// BatchIntoDigest marks the notifications ids as carried by the digest digestID.
func (tx *Tx) BatchIntoDigest(ctx context.Context, digestID string, ids []string) error {
	_, err := tx.NewUpdate().Model((*models.Notification)(nil)).Set("status = ?", models.NotificationBatched).
		Set("digest_id = ?", digestID).Where("id IN (?)", bun.List(ids)).Where("status = ?", models.NotificationDigest).Exec(ctx)
	if err != nil {
		return fmt.Errorf("batch into digest: %w", err)
	}
	return nil
}

// SetLastDigest records when the user's digest was last made.
func (tx *Tx) SetLastDigest(ctx context.Context, userID string, at time.Time) error {
	_, err := tx.NewUpdate().Model((*models.NotificationSettings)(nil)).Set("last_digest_at = ?", at).
		Where("user_id = ?", userID).Exec(ctx)
	if err != nil {
		return fmt.Errorf("set last digest: %w", err)
	}
	return nil
}

// NotificationsOfDigest lists the notifications a digest carries, oldest first.
func (s *Store) NotificationsOfDigest(ctx context.Context, digestID string) ([]models.Notification, error) {
	var out []models.Notification
	if err := s.DB.NewSelect().Model(&out).Where("digest_id = ?", digestID).Order("id ASC").Scan(ctx); err != nil {
		return nil, fmt.Errorf("notifications of digest %s: %w", digestID, err)
	}
	return out, nil
}

// MarkDigestItems sets the status of the notifications a digest carries (sent or failed with it).
func (s *Store) MarkDigestItems(ctx context.Context, digestID, status string, sentAt *time.Time) error {
	_, err := s.DB.NewUpdate().Model((*models.Notification)(nil)).Set("status = ?", status).Set("sent_at = ?", sentAt).
		Where("digest_id = ?", digestID).Exec(ctx)
	if err != nil {
		return fmt.Errorf("mark digest items: %w", err)
	}
	return nil
}
