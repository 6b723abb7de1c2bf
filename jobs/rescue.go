package jobs

import (
	"context"
	"fmt"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/kycd/kycd/db"
)

// DefaultOrphanAfter is how long a worker process may go without a heartbeat before its
// running jobs are handed to live workers.
const DefaultOrphanAfter = 40 * time.Second

// Why heartbeats: River rescues a running job only after RescueStuckJobsAfter (one hour by
// default), and that bound must cover the longest job (a monitoring run over every applicant),
// so after a SIGKILL or a rescheduled pod the verifications it was processing waited an hour.
// Each working process records a heartbeat under its River client id, the owner name River
// writes into a job's attempted_by; every process sweeps for running jobs whose owner stopped
// beating and makes them available again. A crash is then recovered in about OrphanAfter.

// heartbeat is a working process's liveness loop.
type heartbeat struct {
	cancel context.CancelFunc
	done   sync.WaitGroup
}

// newClientID names this process uniquely among the workers of a database.
func newClientID() string {
	host, _ := os.Hostname()
	host = strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '.' {
			return r
		}
		return '_'
	}, host)
	if len(host) > 40 {
		host = host[:40]
	}
	return fmt.Sprintf("kycd_%s_%d_%s", host, os.Getpid(), db.RandomBase62(8))
}

// ID is this process's River client id.
func (q *Queue) ID() string { return q.id }

// startHeartbeat records this process as alive, rescues orphans once, and keeps doing both
// every HeartbeatInterval until stopHeartbeat.
func (q *Queue) startHeartbeat(ctx context.Context) (*heartbeat, error) {
	if err := q.store.Heartbeat(ctx, q.id); err != nil {
		return nil, err
	}
	q.rescueOrphans(ctx)
	ctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	h := &heartbeat{cancel: cancel}
	h.done.Add(1)
	go func() {
		defer h.done.Done()
		t := time.NewTicker(q.opts.HeartbeatInterval)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
			if err := q.store.Heartbeat(ctx, q.id); err != nil && ctx.Err() == nil {
				q.opts.Logger.Warn("worker heartbeat failed", "client", q.id, "err", err)
				continue
			}
			q.rescueOrphans(ctx)
		}
	}()
	return h, nil
}

// rescueOrphans hands back the running jobs of workers that stopped beating.
func (q *Queue) rescueOrphans(ctx context.Context) {
	n, err := q.store.RescueOrphanedJobs(ctx, q.opts.OrphanAfter)
	if err != nil {
		if ctx.Err() == nil {
			q.opts.Logger.Warn("rescue of orphaned jobs failed", "err", err)
		}
		return
	}
	if n > 0 {
		q.opts.Logger.Info("rescued jobs of a worker process that stopped", "jobs", n, "after", q.opts.OrphanAfter)
	}
}

// stopHeartbeat ends the loop and removes this process's heartbeat (a clean stop leaves no
// running jobs behind).
func (q *Queue) stopHeartbeat() {
	if q.beat == nil {
		return
	}
	q.beat.cancel()
	q.beat.done.Wait()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := q.store.RemoveWorker(ctx, q.id); err != nil {
		q.opts.Logger.Warn("remove worker heartbeat", "client", q.id, "err", err)
	}
	q.beat = nil
}
