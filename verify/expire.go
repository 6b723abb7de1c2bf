package verify

import (
	"context"
	"errors"

	"github.com/kycd/kycd/db"
	"github.com/kycd/kycd/models"
)

// ExpireDue expires every open verification past its expiry time and returns how many it expired.
func (s *Service) ExpireDue(ctx context.Context) (int, error) {
	store := s.store
	total := 0
	for {
		due, err := store.DueForExpiry(ctx, store.Now(), 200)
		if err != nil {
			return total, err
		}
		for _, v := range due {
			err := store.InTx(ctx, func(ctx context.Context, tx *db.Tx) error {
				_, err := s.Transition(ctx, tx, db.Scope{AccountID: v.AccountID, Mode: v.Mode}, v.ID,
					[]models.Status{models.StatusPending, models.StatusInProgress}, models.StatusExpired, EventExpired, expiryReason(&v), nil)
				return err
			})
			if errors.Is(err, db.ErrConflict) {
				continue // submitted or cancelled in the meantime
			}
			if err != nil {
				return total, err
			}
			total++
		}
		if len(due) < 200 {
			return total, nil
		}
	}
}
