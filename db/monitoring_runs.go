package db

import (
	"context"
	"fmt"

	"github.com/kycd/kycd/models"
)

// InsertMonitoringRuns records the per-scope rows of one monitoring run (ids assigned here).
func (s *Store) InsertMonitoringRuns(ctx context.Context, rows []models.MonitoringRun) error {
	if len(rows) == 0 {
		return nil
	}
	for i := range rows {
		if rows[i].ID == "" {
			rows[i].ID = NewID("mon", rows[i].FinishedAt)
		}
	}
	if _, err := s.DB.NewInsert().Model(&rows).Exec(ctx); err != nil {
		return fmt.Errorf("insert monitoring runs: %w", err)
	}
	return nil
}

// ListMonitoringRuns pages through the scope's monitoring runs, newest first, before the
// cursor (an id; "" = from the newest).
func (s *Store) ListMonitoringRuns(ctx context.Context, sc Scope, before string, limit int) ([]models.MonitoringRun, error) {
	var rows []models.MonitoringRun
	q := s.DB.NewSelect().Model(&rows).Where("account_id = ?", sc.AccountID).Where("mode = ?", sc.Mode)
	if before != "" {
		q = q.Where("id < ?", before)
	}
	if err := q.Order("id DESC").Limit(int64(limit)).Scan(ctx); err != nil {
		return nil, fmt.Errorf("list monitoring runs: %w", err)
	}
	return rows, nil
}
