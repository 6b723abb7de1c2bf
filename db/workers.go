package db

import (
	"context"
	"fmt"
	"time"
)

// Heartbeat records that the worker process with this River client id is alive (its first
// beat also records when it started).
func (s *Store) Heartbeat(ctx context.Context, clientID string) error {
	now := s.Now().UTC()
	_, err := s.DB.NewRaw(`INSERT INTO worker_heartbeats (client_id, started_at, seen_at) VALUES (?, ?, ?)
		ON CONFLICT (client_id) DO UPDATE SET seen_at = excluded.seen_at`, clientID, now, now).Exec(ctx)
	if err != nil {
		return fmt.Errorf("worker heartbeat: %w", err)
	}
	return nil
}

// RemoveWorker forgets a worker process that stopped cleanly.
func (s *Store) RemoveWorker(ctx context.Context, clientID string) error {
	_, err := s.DB.NewRaw(`DELETE FROM worker_heartbeats WHERE client_id = ?`, clientID).Exec(ctx)
	return err
}

// RescueOrphanedJobs hands back every running job whose last attempt belongs to a worker
// process that has not beaten since staleAfter ago (or never registered): it becomes
// available again, so a live worker runs its next attempt now. Old heartbeat rows are pruned.
// It returns how many jobs it rescued.
func (s *Store) RescueOrphanedJobs(ctx context.Context, staleAfter time.Duration) (int64, error) {
	cutoff := s.Now().UTC().Add(-staleAfter)
	owner := `attempted_by[array_upper(attempted_by, 1)]`
	if s.Dialect != Postgres {
		owner = `json_extract(attempted_by, '$[#-1]')`
	}
	res, err := s.DB.NewRaw(`UPDATE river_job SET state = 'available'
		WHERE state = 'running' AND attempted_by IS NOT NULL
		AND `+owner+` NOT IN (SELECT client_id FROM worker_heartbeats WHERE seen_at > ?)`, cutoff).Exec(ctx)
	if err != nil {
		return 0, fmt.Errorf("rescue orphaned jobs: %w", err)
	}
	n, _ := res.RowsAffected()
	if _, err := s.DB.NewRaw(`DELETE FROM worker_heartbeats WHERE seen_at < ?`, cutoff.Add(-time.Hour)).Exec(ctx); err != nil {
		return n, fmt.Errorf("prune worker heartbeats: %w", err)
	}
	return n, nil
}

// LiveWorkers counts the worker processes that beat since since ago.
func (s *Store) LiveWorkers(ctx context.Context, since time.Duration) (int, error) {
	var n int
	err := s.DB.NewRaw(`SELECT COUNT(*) FROM worker_heartbeats WHERE seen_at > ?`, s.Now().UTC().Add(-since)).Scan(ctx, &n)
	if err != nil {
		return 0, fmt.Errorf("count live workers: %w", err)
	}
	return n, nil
}
