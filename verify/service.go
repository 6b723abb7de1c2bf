package verify

import (
	"context"
	"errors"
	"log/slog"

	"github.com/kycd/kycd/db"
	"github.com/kycd/kycd/models"
)

// Enqueuer puts the background work a change causes into the change's own transaction, so the
// work exists exactly when the change commits. The River queue in package jobs implements it;
// cmd wires the two (Service.SetEnqueuer), so verify never imports jobs or River.
type Enqueuer interface {
	// EnqueueProcess enqueues the pipeline run of a submitted verification (Service.Process).
	EnqueueProcess(ctx context.Context, tx *db.Tx, v *models.Verification) error
	// EnqueueDocument enqueues the reading of an uploaded document side (Documents.Analyze).
	EnqueueDocument(ctx context.Context, tx *db.Tx, job DocumentJob) error
	// EnqueueDeliveries enqueues the sending of webhook deliveries inserted in tx.
	EnqueueDeliveries(ctx context.Context, tx *db.Tx, deliveries []*models.WebhookDelivery) error
	// EnqueueMonitor enqueues an ongoing-screening run (Screening.Monitor), unique by its
	// arguments.
	EnqueueMonitor(ctx context.Context, tx *db.Tx, run MonitorRun) error
	// EnqueueBusiness enqueues the finishing of a business whose register did not answer in
	// time (Business.Resolve, retried with backoff).
	EnqueueBusiness(ctx context.Context, tx *db.Tx, job BusinessJob) error
}

// Options configure the service.
type Options struct {
	// Checks are the engines available to the pipeline, by check.
	Checks map[models.Check]CheckRunner
	Logger *slog.Logger
	// CreateBatches bounds the creation transactions in flight at once, each writing every
	// creation queued behind the previous one (default 4 on PostgreSQL; SQLite has one
	// connection, so 1). See create.go.
	CreateBatches int
	// Business is the KYB service (nil when not configured); New attaches it, so it emits its
	// events and enqueues its retries through this service.
	Business *Business
	// Signals configure the IP and device signals (signals.go).
	Signals SignalOptions
}

// Service is the verification domain: lifecycle and events, creation, the pipeline's checks
// and decision, erasure and expiry. Every tool and worker that changes a verification goes
// through it.
type Service struct {
	store *db.Store
	enq   Enqueuer
	opts  Options
	log   *slog.Logger
	// creator coalesces concurrent creations (create.go).
	creator *creator
	// notify tells operators about events they asked for (nil: off); notifications.go.
	notify *Notifications
}

// New builds the service over store. Engines among opts.Checks that act on the service (the
// screening engine's ongoing monitoring) are attached to it. Call SetEnqueuer before use.
func New(store *db.Store, opts Options) *Service {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.CreateBatches <= 0 {
		opts.CreateBatches = 4
		if store.Dialect != db.Postgres {
			opts.CreateBatches = 1
		}
	}
	s := &Service{store: store, opts: opts, log: opts.Logger}
	s.creator = &creator{s: s, max: opts.CreateBatches}
	if scr, ok := opts.Checks[models.CheckScreening].(*Screening); ok {
		scr.attach(s)
	}
	// The proof-of-address check records its events and enqueues its reading through s.
	if ar, ok := opts.Checks[models.CheckProofOfAddress].(*AddressRunner); ok {
		ar.a.attach(s)
	}
	if opts.Business != nil {
		opts.Business.svc = s
	}
	return s
}

// SetEnqueuer sets where the service enqueues the work its changes cause.
func (s *Service) SetEnqueuer(e Enqueuer) { s.enq = e }

// Business is the KYB service attached at New (nil when not configured).
func (s *Service) Business() *Business { return s.opts.Business }

// Store is the store the service writes to.
func (s *Service) Store() *db.Store { return s.store }

// Available reports which checks have an engine in this process, for create-time validation.
func (s *Service) Available() map[models.Check]CheckRunner { return s.opts.Checks }

// Logger is the service's logger.
func (s *Service) Logger() *slog.Logger { return s.log }

var errNoQueue = errors.New("verify: no job queue wired (Service.SetEnqueuer)")

func (s *Service) queue() (Enqueuer, error) {
	if s == nil || s.enq == nil {
		return nil, errNoQueue
	}
	return s.enq, nil
}
