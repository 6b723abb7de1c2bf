package verify

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kycd/kycd/db"
	"github.com/kycd/kycd/db/dbtest"
	"github.com/kycd/kycd/models"
)

// enqueued records what the service enqueued (the River side is tested in package jobs).
type enqueued struct {
	mu         sync.Mutex
	deliveries int
	processed  []string
}

func (e *enqueued) EnqueueProcess(_ context.Context, _ *db.Tx, v *models.Verification) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.processed = append(e.processed, v.ID)
	return nil
}
func (e *enqueued) EnqueueDocument(context.Context, *db.Tx, DocumentJob) error { return nil }
func (e *enqueued) EnqueueMonitor(context.Context, *db.Tx, MonitorRun) error   { return nil }
func (e *enqueued) EnqueueBusiness(context.Context, *db.Tx, BusinessJob) error { return nil }
func (e *enqueued) EnqueueDeliveries(_ context.Context, _ *db.Tx, ds []*models.WebhookDelivery) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.deliveries += len(ds)
	return nil
}

func newTestService(s *db.Store, opts Options) *Service {
	svc := New(s, opts)
	svc.SetEnqueuer(&enqueued{})
	return svc
}

func create(ctx context.Context, svc *Service, v *models.Verification, pii any) error {
	_, err := svc.Create(ctx, Creation{V: v, PII: pii})
	return err
}

func newTestVerification(s *db.Store, sc db.Scope, ref string) *models.Verification {
	v := dbtest.NewVerification(s, sc, "")
	if ref != "" {
		v.ExternalRef = &ref
	}
	return v
}

// Concurrent creations are written in fewer transactions than calls, every one of them lands
// with its event and its webhook deliveries (the subscribed endpoint, and its callback_url when
// it has one), and those sharing an external reference share one applicant.
func TestCreateCoalesces(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, s *db.Store) {
		ctx := context.Background()
		require.NoError(t, s.EnsureAccount(ctx, "acct_a", "A"))
		sc := db.Scope{AccountID: "acct_a", Mode: models.ModeTest}
		ep := dbtest.InsertEndpoint(t, s, sc, "https://hooks.example/kyc", `["verification.created"]`)
		q := newTestService(s, Options{CreateBatches: 1})
		const n = 60
		vs := make([]*models.Verification, n)
		var wg sync.WaitGroup
		for i := range vs {
			ref := ""
			if i%3 == 0 {
				ref = "cust-shared"
			}
			vs[i] = newTestVerification(s, sc, ref)
			if i%2 == 0 {
				vs[i].CallbackURL = "https://callback.example/kyc"
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				require.NoError(t, create(ctx, q, vs[i], map[string]int{"i": i}))
			}()
		}
		wg.Wait()
		require.Less(t, q.creator.commits.Load(), int64(n), "concurrent creations share transactions")
		var shared string
		refs := map[string]bool{}
		for i, v := range vs {
			got, err := s.GetVerification(ctx, sc, v.ID)
			require.NoError(t, err)
			require.Equal(t, v.ApplicantID, got.ApplicantID)
			require.Regexp(t, `^VER-[2-9A-HJ-NP-Z]{8}$`, got.Reference)
			require.False(t, refs[got.Reference])
			refs[got.Reference] = true
			evs, _, err := s.ListEvents(ctx, db.EventFilter{Scope: sc, ObjectID: v.ID, Ascending: true, Limit: 5})
			require.NoError(t, err)
			require.Len(t, evs, 1)
			require.Equal(t, EventCreated, evs[0].Type)
			require.Contains(t, evs[0].Data, `"reference":"`+got.Reference+`"`, "the created event names the reference")
			ds, _, err := s.ListWebhookDeliveries(ctx, db.DeliveryFilter{Scope: sc, EventID: evs[0].ID, Limit: 5})
			require.NoError(t, err)
			urls := []string{}
			for _, d := range ds {
				urls = append(urls, d.URL)
			}
			want := []string{ep.URL}
			if i%2 == 0 {
				want = append(want, v.CallbackURL)
			}
			require.ElementsMatch(t, want, urls, i)
			if i%3 == 0 {
				if shared == "" {
					shared = v.ApplicantID
				}
				require.Equal(t, shared, v.ApplicantID, "one applicant per external reference")
			} else {
				require.NotEqual(t, shared, v.ApplicantID)
			}
		}
	})
}

// A batch that fails is written one by one: the bad creation fails alone, the others land
// with their webhook deliveries, and a taken reference is drawn again.
func TestCreateBatchFailureIsolated(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, s *db.Store) {
		ctx := context.Background()
		require.NoError(t, s.EnsureAccount(ctx, "acct_a", "A"))
		sc := db.Scope{AccountID: "acct_a", Mode: models.ModeTest}
		q := newTestService(s, Options{})
		existing := newTestVerification(s, sc, "")
		require.NoError(t, create(ctx, q, existing, nil))

		mk := func(v *models.Verification, reference string) *creation {
			c := &creation{ctx: ctx, item: db.NewVerification{V: v}, done: make(chan error, 1)}
			require.NoError(t, c.draw())
			if reference != "" {
				v.Reference = reference
				ev, err := verificationEvent(v, EventCreated, "", nil)
				require.NoError(t, err)
				c.item.Ev = ev
			}
			return c
		}
		good := newTestVerification(s, sc, "")
		good.CallbackURL = "https://example.com/kyc-callback"
		clash := newTestVerification(s, sc, "")
		clash.ID = existing.ID // the primary key is taken: this one cannot be written
		taken := newTestVerification(s, sc, "")
		batch := []*creation{mk(good, ""), mk(clash, ""), mk(taken, existing.Reference)} // drawn twice: drawn again
		q.creator.write(batch)
		require.NoError(t, <-batch[0].done)
		require.Error(t, <-batch[1].done)
		require.NoError(t, <-batch[2].done)

		got, err := s.GetVerification(ctx, sc, good.ID)
		require.NoError(t, err)
		require.Equal(t, good.CallbackURL, got.CallbackURL)
		evs, _, err := s.ListEvents(ctx, db.EventFilter{Scope: sc, ObjectID: good.ID, Ascending: true, Limit: 5})
		require.NoError(t, err)
		require.Len(t, evs, 1)
		ds, _, err := s.ListWebhookDeliveries(ctx, db.DeliveryFilter{Scope: sc, EventID: evs[0].ID, Limit: 5})
		require.NoError(t, err)
		require.Len(t, ds, 1, "the callback delivery is enqueued with the batch")
		require.Equal(t, good.CallbackURL, ds[0].URL)

		again, err := s.GetVerification(ctx, sc, taken.ID)
		require.NoError(t, err)
		require.NotEqual(t, existing.Reference, again.Reference)
		require.Equal(t, taken.Reference, again.Reference)
		tevs, _, err := s.ListEvents(ctx, db.EventFilter{Scope: sc, ObjectID: taken.ID, Ascending: true, Limit: 5})
		require.NoError(t, err)
		require.Len(t, tevs, 1)
		require.Contains(t, tevs[0].Data, `"reference":"`+again.Reference+`"`, "the event names the reference drawn again")
		orig, err := s.GetVerification(ctx, sc, existing.ID)
		require.NoError(t, err)
		require.Equal(t, existing.Reference, orig.Reference, "the row whose key was taken is untouched")
	})
}

// A caller whose context ends while its creation is queued leaves, and nothing is written.
func TestCreateCancelledWhileQueued(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, s *db.Store) {
		require.NoError(t, s.EnsureAccount(context.Background(), "acct_a", "A"))
		sc := db.Scope{AccountID: "acct_a", Mode: models.ModeTest}
		q := newTestService(s, Options{CreateBatches: 1})
		q.creator.mu.Lock()
		q.creator.running = 1 // every batch slot is busy
		q.creator.mu.Unlock()
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel()
		v := newTestVerification(s, sc, "")
		require.ErrorIs(t, create(ctx, q, v, nil), context.DeadlineExceeded)
		q.creator.mu.Lock()
		require.Empty(t, q.creator.pending)
		q.creator.running = 0
		q.creator.mu.Unlock()
		_, err := s.GetVerification(context.Background(), sc, v.ID)
		require.ErrorIs(t, err, db.ErrNotFound)
	})
}

// A creation for a known applicant with work of its own (what reverify makes) goes through
// the same path: written alone, its Then runs in the creating transaction, and a reference
// that is taken is drawn again rather than failing the caller.
func TestCreateAloneRedrawsTakenReference(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, s *db.Store) {
		ctx := context.Background()
		require.NoError(t, s.EnsureAccount(ctx, "acct_a", "A"))
		sc := db.Scope{AccountID: "acct_a", Mode: models.ModeTest}
		q := newTestService(s, Options{})
		first := newTestVerification(s, sc, "cust-7")
		token, err := q.Create(ctx, Creation{V: first, PII: map[string]string{"name": "A"}})
		require.NoError(t, err)
		require.True(t, strings.HasPrefix(token, "vst_"))

		again := newTestVerification(s, sc, "")
		again.ApplicantID = first.ApplicantID
		thenRan := 0
		c := &creation{ctx: ctx, item: db.NewVerification{V: again}, known: true, done: make(chan error, 1),
			then: func(ctx context.Context, tx *db.Tx, v *models.Verification) error {
				thenRan++
				_, err := q.Submit(ctx, tx, sc, v.ID)
				return err
			}}
		require.NoError(t, c.draw())
		again.Reference = first.Reference // drawn taken: the first write fails and draws again
		require.NoError(t, q.creator.writeOne(c))
		require.Equal(t, 1, thenRan, "the taken reference fails the insert before Then; the redrawn one runs it once")
		got, err := s.GetVerification(ctx, sc, again.ID)
		require.NoError(t, err)
		require.NotEqual(t, first.Reference, got.Reference)
		require.Equal(t, first.ApplicantID, got.ApplicantID)
		require.Equal(t, models.StatusProcessing, got.Status, "Then ran in the creating transaction")
		evs, _, err := s.ListEvents(ctx, db.EventFilter{Scope: sc, ObjectID: again.ID, Ascending: true, Limit: 5})
		require.NoError(t, err)
		require.Len(t, evs, 2)
		require.Equal(t, EventCreated, evs[0].Type)
		require.Contains(t, evs[0].Data, got.Reference)
		require.Equal(t, EventProcessing, evs[1].Type)
	})
}
