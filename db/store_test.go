package db_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kycd/kycd/db"
	"github.com/kycd/kycd/db/dbtest"
	"github.com/kycd/kycd/models"
)

func newVerification(s *db.Store, sc db.Scope, applicantID string) *models.Verification {
	return dbtest.NewVerification(s, sc, applicantID)
}

func insert(t *testing.T, s *db.Store, sc db.Scope) *models.Verification {
	t.Helper()
	var v *models.Verification
	require.NoError(t, s.InTx(context.Background(), func(ctx context.Context, tx *db.Tx) error {
		a, err := tx.FindOrCreateApplicant(ctx, sc, nil, nil)
		if err != nil {
			return err
		}
		v = newVerification(s, sc, a.ID)
		return tx.InsertVerification(ctx, v)
	}))
	return v
}

func TestStore(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, s *db.Store) {
		ctx := context.Background()
		require.NoError(t, s.EnsureAccount(ctx, "acct_a", "A"))
		require.NoError(t, s.EnsureAccount(ctx, "acct_b", "B"))
		a := db.Scope{AccountID: "acct_a", Mode: models.ModeTest}

		t.Run("migrate twice is a no-op", func(t *testing.T) {
			require.NoError(t, s.Migrate(ctx))
		})

		t.Run("api keys", func(t *testing.T) {
			secret, k, err := s.CreateAPIKey(ctx, db.NewKey{AccountID: "acct_a", Name: "ci", Mode: models.ModeLive, Scopes: []string{"verifications:read"}})
			require.NoError(t, err)
			require.Regexp(t, `^sk_live_[0-9A-Za-z]{32}$`, secret)
			require.NotContains(t, k.Hash, secret)
			got, err := s.LookupAPIKey(ctx, secret)
			require.NoError(t, err)
			require.Equal(t, k.ID, got.ID)
			_, err = s.LookupAPIKey(ctx, secret+"x")
			require.ErrorIs(t, err, db.ErrNotFound)
			_, err = s.RevokeAPIKey(ctx, k.ID)
			require.NoError(t, err)
			_, err = s.LookupAPIKey(ctx, secret)
			require.ErrorIs(t, err, db.ErrNotFound)
			_, _, err = s.CreateAPIKey(ctx, db.NewKey{AccountID: "acct_a", Name: "x", Mode: "prod"})
			require.ErrorContains(t, err, "mode")
		})

		t.Run("scope isolation", func(t *testing.T) {
			v := insert(t, s, a)
			_, err := s.GetVerification(ctx, a, v.ID)
			require.NoError(t, err)
			for _, other := range []db.Scope{{AccountID: "acct_a", Mode: models.ModeLive}, {AccountID: "acct_b", Mode: models.ModeTest}} {
				_, err := s.GetVerification(ctx, other, v.ID)
				require.ErrorIs(t, err, db.ErrNotFound)
				err = s.InTx(ctx, func(ctx context.Context, tx *db.Tx) error {
					_, err := tx.Transition(ctx, other, v.ID, []models.Status{models.StatusPending}, models.StatusCancelled, nil)
					return err
				})
				require.ErrorIs(t, err, db.ErrNotFound)
			}
		})

		t.Run("transition conflict keeps the row", func(t *testing.T) {
			v := insert(t, s, a)
			err := s.InTx(ctx, func(ctx context.Context, tx *db.Tx) error {
				_, err := tx.Transition(ctx, a, v.ID, []models.Status{models.StatusProcessing}, models.StatusApproved, nil)
				return err
			})
			require.ErrorIs(t, err, db.ErrConflict)
			got, err := s.GetVerification(ctx, a, v.ID)
			require.NoError(t, err)
			require.Equal(t, models.StatusPending, got.Status)
		})

		t.Run("rollback leaves nothing", func(t *testing.T) {
			var id string
			boom := errors.New("boom")
			err := s.InTx(ctx, func(ctx context.Context, tx *db.Tx) error {
				ap, err := tx.FindOrCreateApplicant(ctx, a, nil, nil)
				if err != nil {
					return err
				}
				v := newVerification(s, a, ap.ID)
				id = v.ID
				if err := tx.InsertVerification(ctx, v); err != nil {
					return err
				}
				return boom
			})
			require.ErrorIs(t, err, boom)
			_, err = s.GetVerification(ctx, a, id)
			require.ErrorIs(t, err, db.ErrNotFound)
		})

		t.Run("events are sequenced per object", func(t *testing.T) {
			v := insert(t, s, a)
			require.NoError(t, s.InTx(ctx, func(ctx context.Context, tx *db.Tx) error {
				for _, typ := range []string{"a", "b", "c"} {
					if err := tx.AppendEvent(ctx, &models.Event{AccountID: a.AccountID, Mode: a.Mode, ObjectType: "verification", ObjectID: v.ID, Type: typ}); err != nil {
						return err
					}
				}
				return nil
			}))
			evs, more, err := s.ListEvents(ctx, db.EventFilter{Scope: a, ObjectID: v.ID, Ascending: true, Limit: 2})
			require.NoError(t, err)
			require.True(t, more)
			require.Equal(t, []int64{1, 2}, []int64{evs[0].Seq, evs[1].Seq})
			evs, more, err = s.ListEvents(ctx, db.EventFilter{Scope: a, ObjectID: v.ID, Ascending: true, AfterSeq: 2, Limit: 2})
			require.NoError(t, err)
			require.False(t, more)
			require.Equal(t, "c", evs[0].Type)
		})

		t.Run("concurrent applicant creation converges", func(t *testing.T) {
			ref := "cust-" + db.RandomBase62(6)
			ids := make([]string, 6)
			var wg sync.WaitGroup
			for i := range ids {
				wg.Add(1)
				go func() {
					defer wg.Done()
					err := s.InTx(ctx, func(ctx context.Context, tx *db.Tx) error {
						ap, err := tx.FindOrCreateApplicant(ctx, a, &ref, map[string]string{"name": "X"})
						if err == nil {
							ids[i] = ap.ID
						}
						return err
					})
					require.NoError(t, err)
				}()
			}
			wg.Wait()
			for _, id := range ids {
				require.Equal(t, ids[0], id)
			}
		})

		t.Run("pagination newest first", func(t *testing.T) {
			sc := db.Scope{AccountID: "acct_b", Mode: models.ModeLive}
			var made []string
			for range 5 {
				made = append(made, insert(t, s, sc).ID)
				time.Sleep(2 * time.Millisecond)
			}
			var seen []string
			before := ""
			for {
				rows, more, err := s.ListVerifications(ctx, db.VerificationFilter{Scope: sc, Before: before, Limit: 2})
				require.NoError(t, err)
				for _, r := range rows {
					seen = append(seen, r.ID)
				}
				if !more {
					break
				}
				before = rows[len(rows)-1].ID
			}
			require.Len(t, seen, 5)
			for i := range seen {
				require.Equal(t, made[len(made)-1-i], seen[i])
			}
		})
	})
}

func TestKeyring(t *testing.T) {
	t.Parallel()
	k1 := dbtest.Keyring(t)
	ct, err := k1.Seal([]byte("Erika Mustermann"))
	require.NoError(t, err)
	require.NotContains(t, string(ct), "Erika")
	pt, err := k1.Open(ct)
	require.NoError(t, err)
	require.Equal(t, "Erika Mustermann", string(pt))
	ct[len(ct)-1] ^= 1
	_, err = k1.Open(ct)
	require.Error(t, err)

	for _, bad := range []string{"", "nokey", "k:notbase64!", "k:" + "AAAA"} {
		_, err := db.NewKeyring(bad)
		require.Error(t, err, bad)
	}

	// Rotation: data sealed with the old primary stays readable after a new primary is added.
	old, err := db.NewKeyring("old:MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=")
	require.NoError(t, err)
	sealed, err := old.Seal([]byte("x"))
	require.NoError(t, err)
	rotated, err := db.NewKeyring("new:ZmVkY2JhOTg3NjU0MzIxMGZlZGNiYTk4NzY1NDMyMTA=,old:MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=")
	require.NoError(t, err)
	pt, err = rotated.Open(sealed)
	require.NoError(t, err)
	require.Equal(t, "x", string(pt))
	fresh, err := rotated.Seal([]byte("y"))
	require.NoError(t, err)
	require.Contains(t, string(fresh[:8]), "new")

	// The default key file is created once and reused.
	file := t.TempDir() + "/k"
	a, err := db.LoadOrCreateKeyring("", file)
	require.NoError(t, err)
	b, err := db.LoadOrCreateKeyring("", file)
	require.NoError(t, err)
	ct, err = a.Seal([]byte("z"))
	require.NoError(t, err)
	_, err = b.Open(ct)
	require.NoError(t, err)
}

func TestNewIDSortsByTime(t *testing.T) {
	t.Parallel()
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	a, b := db.NewID("ver", t0), db.NewID("ver", t0.Add(time.Millisecond))
	require.Less(t, a, b)
	require.Regexp(t, `^ver_[0-9a-hjkmnp-tv-z]{26}$`, a)
}

// Two IDs made in the same millisecond still sort in the order they were made: "the latest
// selfie" and cursor pages must not depend on the random bits.
func TestNewIDMonotonicWithinMillisecond(t *testing.T) {
	t.Parallel()
	now := time.Now()
	prev := db.NewID("art", now)
	for range 1000 {
		next := db.NewID("art", now)
		require.Less(t, prev, next)
		prev = next
	}
}

// A key's biometric thresholds are stored as given (0 = the server's default) and refused
// outside (0, 1).
func TestKeyBiometricThresholds(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, s *db.Store) {
		ctx := t.Context()
		_, k, err := s.CreateAPIKey(ctx, db.NewKey{AccountID: "acct_a", Name: "k", Mode: models.ModeTest, FaceMatchThreshold: 0.5})
		require.NoError(t, err)
		m, l, err := s.KeyBiometricThresholds(ctx, k.ID)
		require.NoError(t, err)
		require.Equal(t, 0.5, m)
		require.Zero(t, l)
		_, _, err = s.CreateAPIKey(ctx, db.NewKey{AccountID: "acct_a", Name: "k", Mode: models.ModeTest, FaceMatchThreshold: 1})
		require.ErrorContains(t, err, "face match threshold")
		_, _, err = s.KeyBiometricThresholds(ctx, "key_nope")
		require.ErrorIs(t, err, db.ErrNotFound)
	})
}

// TestAPIKeyCacheRevocation: a PostgreSQL server caching keys stops accepting a key as soon as
// another process (a second Store on the same database, as `kycd keys revoke` is) revokes it.
func TestAPIKeyCacheRevocation(t *testing.T) {
	t.Parallel()
	server := dbtest.Postgres(t)
	cli, err := db.Open(context.Background(), db.Options{URL: dbtest.URL(), Schema: server.Schema, Keyring: dbtest.Keyring(t), MaxConns: 2})
	require.NoError(t, err)
	t.Cleanup(func() { cli.Close() })
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	require.NoError(t, server.EnsureAccount(ctx, "acct_a", "A"))
	server.CacheAPIKeys(ctx, slog.New(slog.DiscardHandler))

	secret, k, err := cli.CreateAPIKey(ctx, db.NewKey{AccountID: "acct_a", Name: "cached", Mode: models.ModeTest})
	require.NoError(t, err)
	other, _, err := cli.CreateAPIKey(ctx, db.NewKey{AccountID: "acct_a", Name: "kept", Mode: models.ModeTest})
	require.NoError(t, err)
	// Looked up until it is served from the cache: the listener connects in the background,
	// so the first lookups may still go to the database.
	require.Eventually(t, func() bool {
		_, err := server.LookupAPIKey(ctx, secret)
		require.NoError(t, err)
		_, err = server.LookupAPIKey(ctx, other)
		require.NoError(t, err)
		return server.APIKeyCached(secret)
	}, 10*time.Second, 10*time.Millisecond)

	_, err = cli.RevokeAPIKey(ctx, k.ID)
	require.NoError(t, err)
	require.Eventually(t, func() bool {
		_, err := server.LookupAPIKey(ctx, secret)
		return errors.Is(err, db.ErrNotFound)
	}, 10*time.Second, 5*time.Millisecond, "the revocation reaches the caching server")
	_, err = server.LookupAPIKey(ctx, other)
	require.NoError(t, err, "other keys stay valid")
	require.True(t, server.APIKeyCached(other))
}

// TestCreateVerification: the creation write (one statement on PostgreSQL) finds or creates the
// applicant by external reference — concurrent creations converge on one — writes event seq 1,
// and returns exactly the scope's enabled endpoints.
func TestCreateVerification(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, s *db.Store) {
		ctx := context.Background()
		require.NoError(t, s.EnsureAccount(ctx, "acct_a", "A"))
		sc := db.Scope{AccountID: "acct_a", Mode: models.ModeTest}
		now := s.Now()
		for i, ep := range []*models.WebhookEndpoint{
			{Kind: models.EndpointKindEndpoint, Status: models.EndpointEnabled, URL: "https://a.example/hook"},
			{Kind: models.EndpointKindEndpoint, Status: models.EndpointDisabled, URL: "https://b.example/hook"},
			{Kind: models.EndpointKindCallback, Status: models.EndpointEnabled},
		} {
			ep.ID, ep.AccountID, ep.Mode, ep.Events, ep.CreatedAt, ep.UpdatedAt = db.NewID("whe", now.Add(time.Duration(i))), sc.AccountID, sc.Mode, `["*"]`, now, now
			ep.SecretSealed = []byte("sealed")
			require.NoError(t, s.InsertWebhookEndpoint(ctx, ep))
		}
		create := func(ref *string) (*models.Verification, []models.WebhookEndpoint, error) {
			v := newVerification(s, sc, "")
			v.ExternalRef = ref
			var eps []models.WebhookEndpoint
			err := s.InTx(ctx, func(ctx context.Context, tx *db.Tx) error {
				var err error
				eps, err = createOne(ctx, tx, map[string]string{"name": "Erika"}, v)
				return err
			})
			return v, eps, err
		}
		v, eps, err := create(nil)
		require.NoError(t, err)
		require.Len(t, eps, 1)
		require.Equal(t, "https://a.example/hook", eps[0].URL)
		require.Equal(t, `["*"]`, eps[0].Events)
		got, err := s.GetVerification(ctx, sc, v.ID)
		require.NoError(t, err)
		require.Equal(t, v.ApplicantID, got.ApplicantID)
		require.NotEmpty(t, got.ApplicantID)
		evs, _, err := s.ListEvents(ctx, db.EventFilter{Scope: sc, ObjectID: v.ID, Ascending: true, Limit: 10})
		require.NoError(t, err)
		require.Len(t, evs, 1)
		require.EqualValues(t, 1, evs[0].Seq)

		// Every column round-trips: the PostgreSQL path binds parameters instead of bun's SQL.
		full := newVerification(s, sc, "")
		minAge, maxAge, ext := 18, 99, "cust-full"
		full.ExternalRef, full.MinAge, full.MaxAge, full.DocumentType, full.Locale = &ext, &minAge, &maxAge, "passport", "pt-BR"
		full.RedirectURL, full.CallbackURL, full.AllowedCountries, full.Metadata = "https://a.example/done", "https://a.example/cb", "D,FRA", `{"k":"v"}`
		full.ApplicantPII = []byte("sealed")
		require.NoError(t, s.InTx(ctx, func(ctx context.Context, tx *db.Tx) error {
			_, err := createOne(ctx, tx, nil, full)
			return err
		}))
		back, err := s.GetVerification(ctx, sc, full.ID)
		require.NoError(t, err)
		for _, tm := range []*time.Time{&full.CreatedAt, &full.UpdatedAt, &full.ExpiresAt, &back.CreatedAt, &back.UpdatedAt, &back.ExpiresAt} {
			*tm = tm.UTC().Truncate(time.Microsecond)
		}
		require.Equal(t, *full, *back)

		ref := "cust-42"
		var wg sync.WaitGroup
		ids := make([]string, 6)
		for i := range ids {
			wg.Add(1)
			go func() {
				defer wg.Done()
				v, _, err := create(&ref)
				require.NoError(t, err)
				ids[i] = v.ApplicantID
			}()
		}
		wg.Wait()
		for _, id := range ids {
			require.Equal(t, ids[0], id, "one applicant per external reference")
		}
		require.NotEqual(t, v.ApplicantID, ids[0])
	})
}

// createOne writes one verification with its created event through CreateVerifications.
func createOne(ctx context.Context, tx *db.Tx, pii any, v *models.Verification) ([]models.WebhookEndpoint, error) {
	ev := &models.Event{AccountID: v.AccountID, Mode: v.Mode, ObjectType: "verification", ObjectID: v.ID, Type: "verification.created"}
	eps, err := tx.CreateVerifications(ctx, []db.NewVerification{{V: v, Ev: ev, PII: pii}})
	if err != nil {
		return nil, err
	}
	return eps[0], nil
}

// TestCreateVerificationsBatch: one call writes many verifications across scopes — each finds
// its own applicant (an existing reference, a new one, none), gets event seq 1 and its own
// scope's endpoints — and a taken reference is reported as ErrReferenceTaken with nothing written.
func TestCreateVerificationsBatch(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, s *db.Store) {
		ctx := context.Background()
		require.NoError(t, s.EnsureAccount(ctx, "acct_a", "A"))
		require.NoError(t, s.EnsureAccount(ctx, "acct_b", "B"))
		scA := db.Scope{AccountID: "acct_a", Mode: models.ModeTest}
		scB := db.Scope{AccountID: "acct_b", Mode: models.ModeLive}
		ep := dbtest.InsertEndpoint(t, s, scB, "https://b.example/hook", `["verification.*"]`)

		// An applicant that exists before the batch.
		known := "cust-known"
		first := newVerification(s, scA, "")
		first.ExternalRef = &known
		require.NoError(t, s.InTx(ctx, func(ctx context.Context, tx *db.Tx) error {
			_, err := createOne(ctx, tx, map[string]string{"name": "Known"}, first)
			return err
		}))

		fresh := "cust-fresh"
		refs := []*string{&known, &fresh, nil, nil, &known}
		scopes := []db.Scope{scA, scA, scA, scB, scB}
		var items []db.NewVerification
		for i, ref := range refs {
			v := newVerification(s, scopes[i], "")
			v.ExternalRef = ref
			items = append(items, db.NewVerification{V: v, PII: map[string]int{"n": i},
				Ev: &models.Event{AccountID: v.AccountID, Mode: v.Mode, ObjectType: "verification", ObjectID: v.ID, Type: "verification.created"}})
		}
		var eps [][]models.WebhookEndpoint
		require.NoError(t, s.InTx(ctx, func(ctx context.Context, tx *db.Tx) error {
			var err error
			eps, err = tx.CreateVerifications(ctx, items)
			return err
		}))
		require.Len(t, eps, len(items))
		for i, it := range items {
			got, err := s.GetVerification(ctx, scopes[i], it.V.ID)
			require.NoError(t, err, i)
			require.Equal(t, it.V.Reference, got.Reference)
			require.Equal(t, it.V.ApplicantID, got.ApplicantID, i)
			app, err := s.GetApplicant(ctx, scopes[i], got.ApplicantID)
			require.NoError(t, err, "the applicant is in the verification's own scope (%d)", i)
			require.Equal(t, refs[i], app.ExternalRef, i)
			evs, _, err := s.ListEvents(ctx, db.EventFilter{Scope: scopes[i], ObjectID: it.V.ID, Ascending: true, Limit: 10})
			require.NoError(t, err)
			require.Len(t, evs, 1)
			require.EqualValues(t, 1, evs[0].Seq)
			if scopes[i] == scB {
				require.Len(t, eps[i], 1, i)
				require.Equal(t, ep.ID, eps[i][0].ID)
			} else {
				require.Empty(t, eps[i], i)
			}
		}
		require.Equal(t, first.ApplicantID, items[0].V.ApplicantID, "an existing reference keeps its applicant")
		require.NotEqual(t, items[4].V.ApplicantID, items[0].V.ApplicantID, "the same reference in another scope is another applicant")
		require.NotEqual(t, items[2].V.ApplicantID, items[3].V.ApplicantID)

		// A reference drawn twice: the batch fails as a whole, with ErrReferenceTaken.
		dup := newVerification(s, scA, "")
		dup.Reference = items[1].V.Reference
		other := newVerification(s, scA, "")
		err := s.InTx(ctx, func(ctx context.Context, tx *db.Tx) error {
			_, err := tx.CreateVerifications(ctx, []db.NewVerification{
				{V: other, Ev: &models.Event{AccountID: scA.AccountID, Mode: scA.Mode, ObjectType: "verification", ObjectID: other.ID, Type: "verification.created"}},
				{V: dup, Ev: &models.Event{AccountID: scA.AccountID, Mode: scA.Mode, ObjectType: "verification", ObjectID: dup.ID, Type: "verification.created"}},
			})
			return err
		})
		require.ErrorIs(t, err, db.ErrReferenceTaken)
		_, err = s.GetVerification(ctx, scA, other.ID)
		require.ErrorIs(t, err, db.ErrNotFound)
	})
}

// Two batches in flight that share applicant references in opposite orders both commit: the
// applicants are written in one order, so one batch waits for the other instead of deadlocking.
func TestCreateVerificationsConcurrentBatchesShareReferences(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, s *db.Store) {
		ctx := context.Background()
		require.NoError(t, s.EnsureAccount(ctx, "acct_a", "A"))
		sc := db.Scope{AccountID: "acct_a", Mode: models.ModeTest}
		batch := func(refs ...string) []db.NewVerification {
			var items []db.NewVerification
			for _, ref := range refs {
				v := newVerification(s, sc, "")
				v.ExternalRef = &ref
				items = append(items, db.NewVerification{V: v,
					Ev: &models.Event{AccountID: sc.AccountID, Mode: sc.Mode, ObjectType: "verification", ObjectID: v.ID, Type: "verification.created"}})
			}
			return items
		}
		for round := range 20 {
			refs := []string{}
			for i := range 6 {
				refs = append(refs, fmt.Sprintf("cust-%d-%d", round, i))
			}
			rev := slices.Clone(refs)
			slices.Reverse(rev)
			var wg sync.WaitGroup
			errs := make([]error, 2)
			for i, order := range [][]string{refs, rev} {
				wg.Go(func() {
					errs[i] = s.InTx(ctx, func(ctx context.Context, tx *db.Tx) error {
						_, err := tx.CreateVerifications(ctx, batch(order...))
						return err
					})
				})
			}
			wg.Wait()
			require.NoError(t, errs[0], "round %d", round)
			require.NoError(t, errs[1], "round %d", round)
		}
	})
}
