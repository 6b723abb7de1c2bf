package db

import (
	"context"
	"errors"
	"fmt"

	"github.com/kycd/kycd/models"
)

// EnrollFace keeps a verification's face embedding (encoded, sealed here) for duplicate
// search. Enrolling a verification twice keeps the first: the call is idempotent, so a
// retried job does no harm. It reports whether a row was added.
func (tx *Tx) EnrollFace(ctx context.Context, e *models.FaceEnrollment, embedding []byte) (bool, error) {
	if len(embedding) == 0 || e.Model == "" || e.VerificationID == "" {
		return false, errors.New("enroll face: embedding, model and verification are required")
	}
	sealed, err := tx.store.keys.SealFor(e.VerificationID, embedding)
	if err != nil {
		return false, fmt.Errorf("seal embedding: %w", err)
	}
	e.Embedding = sealed
	if e.CreatedAt.IsZero() {
		e.CreatedAt = tx.store.Now()
	}
	e.ID = NewID("fen", e.CreatedAt)
	res, err := tx.NewInsert().Model(e).On("CONFLICT (verification_id) DO NOTHING").Exec(ctx)
	if err != nil {
		return false, fmt.Errorf("enroll face: %w", err)
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// FaceEnrollments calls fn, in id order, with every enrollment of a model after the id
// afterID (exclusive; "" = from the start) — in one scope, or in every scope when sc is nil —
// with its embedding decrypted. It pages through the table, so memory stays flat.
func (s *Store) FaceEnrollments(ctx context.Context, sc *Scope, model, afterID string, fn func(e *models.FaceEnrollment, embedding []byte) error) (string, error) {
	const page = 2000
	last := afterID
	for {
		var rows []models.FaceEnrollment
		q := s.DB.NewSelect().Model(&rows).Where("model = ?", model).Where("id > ?", last)
		if sc != nil {
			q = q.Where("account_id = ?", sc.AccountID).Where("mode = ?", sc.Mode)
		}
		if err := q.Order("id ASC").Limit(page).Scan(ctx); err != nil {
			return last, fmt.Errorf("load face enrollments: %w", err)
		}
		for i := range rows {
			emb, err := s.keys.Open(rows[i].Embedding)
			if err != nil {
				return last, fmt.Errorf("open enrollment %s: %w", rows[i].ID, err)
			}
			if err := fn(&rows[i], emb); err != nil {
				return last, err
			}
			last = rows[i].ID
		}
		if len(rows) < page {
			return last, nil
		}
	}
}
