package verify_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"os"
	"time"

	"github.com/kycd/kycd/db"
	"github.com/kycd/kycd/models"
	"github.com/kycd/kycd/verify"
)

// nameCheck is a check engine: it needs the applicant's name and passes when there is one.
type nameCheck struct{}

func (nameCheck) Missing(in *verify.CheckInput) []string {
	if in.Applicant.Name == "" {
		return []string{"the applicant's name"}
	}
	return nil
}

func (nameCheck) Run(context.Context, *verify.CheckInput) (*models.CheckOutcome, error) {
	return &models.CheckOutcome{Outcome: models.OutcomePass}, nil
}

// inline is an Enqueuer that runs a submitted verification's pipeline as soon as its
// transaction commits; package jobs does this with River workers.
type inline struct {
	pending []*models.Verification
}

func (e *inline) EnqueueProcess(_ context.Context, _ *db.Tx, v *models.Verification) error {
	e.pending = append(e.pending, v)
	return nil
}
func (e *inline) EnqueueDocument(context.Context, *db.Tx, verify.DocumentJob) error { return nil }
func (e *inline) EnqueueMonitor(context.Context, *db.Tx, verify.MonitorRun) error   { return nil }
func (e *inline) EnqueueBusiness(context.Context, *db.Tx, verify.BusinessJob) error { return nil }
func (e *inline) EnqueueDeliveries(context.Context, *db.Tx, []*models.WebhookDelivery) error {
	return nil
}

// A verification's life through the domain: create, submit (status and job in one
// transaction), process (the checks run and decide).
func Example() {
	ctx := context.Background()
	dir, _ := os.MkdirTemp("", "kycd-example")
	defer os.RemoveAll(dir)
	keyring, _ := db.NewKeyring("k1:" + base64.StdEncoding.EncodeToString(make([]byte, 32)))
	store, err := db.Open(ctx, db.Options{DataDir: dir, Keyring: keyring}) // no URL: embedded SQLite
	if err != nil {
		fmt.Println(err)
		return
	}
	defer store.Close()
	if err := store.Migrate(ctx); err != nil {
		fmt.Println(err)
		return
	}
	_ = store.EnsureAccount(ctx, "acct_demo", "Demo")

	svc := verify.New(store, verify.Options{Checks: map[models.Check]verify.CheckRunner{models.CheckScreening: nameCheck{}}})
	queue := &inline{}
	svc.SetEnqueuer(queue)

	sc := db.Scope{AccountID: "acct_demo", Mode: models.ModeTest}
	pii := models.ApplicantData{Name: "Erika Mustermann"}
	v := &models.Verification{AccountID: sc.AccountID, Mode: sc.Mode, APIKeyID: "key_demo", Checks: `["screening"]`,
		Metadata: "{}", ExpiresAt: time.Now().Add(time.Hour)}
	if _, err := svc.Create(ctx, verify.Creation{V: v, PII: pii, Applicant: pii}); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(v.Status)
	missing, _ := svc.Missing(ctx, v, false)
	fmt.Println("missing:", len(missing))

	err = store.InTx(ctx, func(ctx context.Context, tx *db.Tx) error {
		v, err = svc.Submit(ctx, tx, sc, v.ID)
		return err
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(v.Status)
	for _, p := range queue.pending {
		if err := svc.Process(ctx, sc, p.ID, 1, 5); err != nil {
			fmt.Println(err)
		}
	}
	done, _ := store.GetVerification(ctx, sc, v.ID)
	fmt.Println(done.Status)
	// Output:
	// pending
	// missing: 0
	// processing
	// approved
}
