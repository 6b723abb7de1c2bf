package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/kycd/kycd/db"
	"github.com/kycd/kycd/models"
	"github.com/kycd/kycd/tools"
	"github.com/kycd/kycd/verify"
)

// sandboxCmd is `kycd sandbox seed`: a realistic test-mode account for demos, for the dashboard
// and for an integrator's first look. Everything is made through the tools with a new test-mode
// key, so the sandbox's magic values drive the real pipeline: verifications in every status
// and check outcome, a review queue, companies, webhook deliveries that fail and retry.
func sandboxCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "seed" {
		return errors.New("sandbox: want seed")
	}
	fs := flag.NewFlagSet("kycd sandbox seed", flag.ContinueOnError)
	account := fs.String("account", "acct_default", "the account to seed (its test mode)")
	count := fs.Int("count", 200, "how many verifications to create, 1 to 2000")
	seed := fs.Uint64("seed", 1, "the random seed that picks names and scenarios")
	wait := fs.Duration("wait", 2*time.Minute, "how long to wait for the created verifications to be decided")
	hook := fs.String("webhook-url", unreachableHook, "an https URL to receive the seeded events (the test_webhook_fail ones fail once, then are retried); "+
		"the default is a host that never resolves (.invalid, RFC 2606), so the dashboard shows deliveries failing and retried; none = no endpoint")
	cfgArgs, own := splitConfigArgs(args[1:])
	if err := fs.Parse(own); err != nil {
		return err
	}
	if *count < 1 || *count > 2000 {
		return errors.New("count: must be 1 to 2000")
	}
	cfg, _, err := parseConfig("sandbox", cfgArgs)
	if err != nil {
		return err
	}
	a, err := newApp(ctx, cfg, true)
	if err != nil {
		return err
	}
	defer a.store.Close()
	if err := a.queue.Start(context.WithoutCancel(ctx)); err != nil {
		return fmt.Errorf("start workers: %w", err)
	}
	defer func() {
		sctx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
		defer cancel()
		_ = a.queue.Stop(sctx)
	}()
	scopes, err := tools.ParseScopes("")
	if err != nil {
		return err
	}
	secret, key, err := a.store.CreateAPIKey(ctx, db.NewKey{AccountID: *account, Name: "sandbox seed", Mode: models.ModeTest, Scopes: scopes})
	if err != nil {
		return err
	}
	caller, err := tools.Authenticate(ctx, a.reg.Deps(), secret)
	if err != nil {
		return err
	}
	if *hook == "none" {
		*hook = ""
	}
	s := &seeder{reg: a.reg, caller: caller, rnd: rand.New(rand.NewPCG(*seed, 0x5eed)), hook: *hook}
	report, err := s.run(ctx, *count, *wait)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s\n", secret)
	fmt.Fprintf(stderr, "seeded account %s (test mode) in %s with key %s (secret above, shown once):\n%s", *account, a.store.Location(), key.ID, report)
	return nil
}

// unreachableHook is the seed's default webhook endpoint: the .invalid top-level domain never
// resolves, so every delivery fails and is retried as a real one would be — demo data for the
// dashboard's delivery log without a receiver.
const unreachableHook = "https://webhooks.sandbox.invalid/kycd"

// seeder makes the seed data through the registry.
type seeder struct {
	reg    *tools.Registry
	caller tools.Caller
	rnd    *rand.Rand
	hook   string
}

// call runs one tool and decodes its output into out (when not nil).
func (s *seeder) call(ctx context.Context, tool string, in any, out any) error {
	raw, err := json.Marshal(in)
	if err != nil {
		return err
	}
	res, err := s.reg.Call(ctx, s.caller, tool, raw)
	if err != nil {
		return fmt.Errorf("%s: %w", tool, err)
	}
	if out == nil {
		return nil
	}
	b, err := json.Marshal(res)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, out)
}

// seedScenario is one kind of verification the seed makes, with its share of them.
type seedScenario struct {
	value  string // the sandbox magic value ("" = none)
	weight int
	// how far the verification goes: submit it, cancel it, or leave it pending.
	submit, cancel bool
	needs          models.Check // the check the value needs ("" = none)
}

var seedScenarios = []seedScenario{
	{value: verify.SandboxApprove, weight: 40, submit: true},
	{value: "test_reject_document", weight: 8, submit: true, needs: models.CheckDocument},
	{value: "test_age_under", weight: 4, submit: true, needs: models.CheckAge},
	{value: "test_liveness_spoof", weight: 5, submit: true, needs: models.CheckLiveness},
	{value: "test_review_face", weight: 8, submit: true, needs: models.CheckFaceMatch},
	{value: "test_screening_hit", weight: 8, submit: true, needs: models.CheckScreening},
	{value: "test_duplicate", weight: 3, submit: true, needs: models.CheckFaceMatch},
	// Review queue items in every build (the document check needs no model).
	{value: "test_document_review", weight: 6, submit: true, needs: models.CheckDocument},
	{value: "test_proof_of_address_review", weight: 3, submit: true, needs: models.CheckProofOfAddress},
	{value: verify.SandboxWebhookFail, weight: 6}, // pending; its deliveries fail once, then succeed
	{value: verify.SandboxExpire, weight: 5},
	{weight: 5, cancel: true},
	{weight: 8}, // pending: the applicant never started
}

var seedGiven = []string{"Amelia", "Noah", "Sofia", "Mateo", "Hanna", "Lukas", "Chloé", "Yusuf", "Aiko", "Wei", "Priya", "Olga", "Kwame",
	"Fatima", "Diego", "Ingrid", "Tomás", "Leila", "Mikael", "Zanele", "Anh", "Jonas", "Marta", "Ravi"}
var seedFamily = []string{"García", "Müller", "Nakamura", "Okafor", "Kowalski", "Rossi", "Haddad", "Nguyen", "Johansson", "Silva",
	"Dubois", "Novak", "Patel", "Schmidt", "Mensah", "Ivanova", "Kim", "Jansen", "Costa", "Byrne"}
var seedCountries = []string{"DE", "FR", "GB", "NL", "ES", "IT", "PL", "PT", "SE", "US", "BR", "NG", "JP", "IN"}

// run creates the data and waits (up to wait) for the pipeline to decide what was submitted.
func (s *seeder) run(ctx context.Context, count int, wait time.Duration) (string, error) {
	// The first verification is a plain pending one; the checks it got (the key's defaults that
	// this server can run) say which scenarios can fire here.
	first, err := s.create(ctx, "seed_0001")
	if err != nil {
		return "", err
	}
	var scenarios []seedScenario
	total := 0
	for _, sc := range seedScenarios {
		if sc.needs == "" || slices.Contains(first.Checks, string(sc.needs)) {
			scenarios = append(scenarios, sc)
			total += sc.weight
		}
	}
	if s.hook != "" {
		if err := s.call(ctx, tools.CreateWebhookEndpoint.Name, map[string]any{"url": s.hook, "events": []string{"*"}}, nil); err != nil {
			return "", err
		}
	}
	made := map[string]int{"pending": 1}
	for i := 1; i < count; i++ {
		pick, sc := s.rnd.IntN(total), scenarios[0]
		for _, c := range scenarios {
			if pick < c.weight {
				sc = c
				break
			}
			pick -= c.weight
		}
		ref := fmt.Sprintf("seed_%04d", i+1)
		if sc.value != "" {
			ref = fmt.Sprintf("%s_%04d", sc.value, i+1)
		}
		v, err := s.create(ctx, ref)
		if err != nil {
			return "", err
		}
		switch {
		case sc.submit:
			if err := s.call(ctx, tools.SubmitVerification.Name, map[string]any{"id": v.ID}, nil); err != nil {
				return "", fmt.Errorf("%s: %w", ref, err)
			}
		case sc.cancel:
			if err := s.call(ctx, tools.CancelVerification.Name, map[string]any{"id": v.ID, "reason": "the applicant asked to stop"}, nil); err != nil {
				return "", err
			}
		}
		label := sc.value
		switch {
		case label == "" && sc.cancel:
			label = "cancelled"
		case label == "":
			label = "pending"
		}
		made[label]++
	}
	var companies []string
	for _, r := range verify.SandboxRules() {
		if r.Applies != "verify_business: lei" {
			continue
		}
		var b tools.Business
		err := s.call(ctx, tools.VerifyBusiness.Name, map[string]any{"lei": r.Value, "external_ref": "seed_" + r.Value}, &b)
		if err != nil && tools.AsError(err).Code == tools.CodeUnavailable {
			companies = append(companies, "no company register on this server")
			break
		}
		if err != nil {
			return "", err
		}
		companies = append(companies, b.Status)
	}
	addresses, err := s.addresses(ctx)
	if err != nil {
		return "", err
	}
	faces, err := s.sampleFaces(ctx, first.Checks, wait)
	if err != nil {
		return "", err
	}
	statuses, err := s.settle(ctx, wait)
	if err != nil {
		return "", err
	}
	if faces, err = s.sampleOutcomes(ctx, faces); err != nil {
		return "", err
	}
	out := fmt.Sprintf("  verifications by scenario: %v\n  by status now: %v\n  companies: %v\n  address checks: %v\n  sample-face verifications: %v\n",
		made, statuses, companies, addresses, faces)
	if s.hook != "" {
		var log tools.WebhookDeliveryList
		if err := s.call(ctx, tools.ListWebhookDeliveries.Name, map[string]any{"limit": 100}, &log); err != nil {
			return "", err
		}
		out += fmt.Sprintf("  webhook endpoint %s: %d deliveries so far (list_webhook_deliveries)\n", s.hook, len(log.Data))
	}
	if statuses[string(models.StatusProcessing)] > 0 {
		out += "  some are still processing: the server's workers will finish them\n"
	}
	return out, nil
}

// create makes a verification for a made-up applicant, with ref as its external_ref.
func (s *seeder) create(ctx context.Context, ref string) (tools.Verification, error) {
	name := seedGiven[s.rnd.IntN(len(seedGiven))] + " " + seedFamily[s.rnd.IntN(len(seedFamily))]
	var v tools.Verification
	in := map[string]any{"external_ref": ref, "applicant": map[string]any{"name": name, "country": seedCountries[s.rnd.IntN(len(seedCountries))]},
		"metadata": map[string]any{"seeded": true}}
	err := s.call(ctx, tools.CreateVerification.Name, in, &v)
	return v, err
}

// settle waits until no seeded verification is processing (or wait runs out) and counts them
// by status.
func (s *seeder) settle(ctx context.Context, wait time.Duration) (map[string]int, error) {
	deadline := time.Now().Add(wait)
	for {
		counts := map[string]int{}
		cursor := ""
		for {
			var page struct {
				Data       []tools.Verification `json:"data"`
				NextCursor string               `json:"next_cursor"`
			}
			in := map[string]any{"limit": 100}
			if cursor != "" {
				in["cursor"] = cursor
			}
			if err := s.call(ctx, tools.ListVerifications.Name, in, &page); err != nil {
				return nil, err
			}
			for _, v := range page.Data {
				counts[string(v.Status)]++
			}
			if cursor = page.NextCursor; cursor == "" {
				break
			}
		}
		busy := counts[string(models.StatusProcessing)] > 0
		if !busy || time.Now().After(deadline) {
			return counts, nil
		}
		select {
		case <-ctx.Done():
			return counts, ctx.Err()
		case <-time.After(time.Second):
		}
	}
}
