// Command screening_product measures ongoing screening monitoring end to end: N approved
// applicants in a real database, every test list loaded through the database as `kycd lists
// import` does, then one monitoring run (everything new) and a second one (steady state, nothing
// new). It reports throughput per applicant, which includes reading and decrypting each
// applicant's data, ScreenBatch, decisions lookups and the event transactions.
//
//	nice -n 10 go run ./bench/screening_product -n 20000 -names /tmp/kycd-names.jsonl
//	nice -n 10 go run ./bench/screening_product -n 20000 -database-url postgres://postgres@127.0.0.1:5432/kycd_test
package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/kycd/kycd/db"
	"github.com/kycd/kycd/jobs"
	"github.com/kycd/kycd/models"
	"github.com/kycd/kycd/verify"
)

func main() {
	n := flag.Int("n", 10000, "approved applicants to monitor")
	planted := flag.Int("planted", 25, "of which carry a listed person's name")
	data := flag.String("data", "../shared/testdata/sanctions", "the shared sanctions test data")
	names := flag.String("names", "", "JSON lines with {\"name\",\"type\"} (bench/screening/gen_names.mjs); empty = synthetic names")
	dbURL := flag.String("database-url", "", "PostgreSQL URL (a fresh schema is used and dropped); empty = SQLite in a temp dir")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile of the monitoring runs to this file")
	flag.Parse()
	ctx := context.Background()

	store, cleanup := open(ctx, *dbURL)
	defer cleanup()
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	svc := verify.NewScreening(store, verify.ScreeningPolicy{}, logger)
	start := time.Now()
	for _, l := range []struct{ source, path string }{
		{"ofac_sdn", "ofac_sdn_2024-05-03"}, {"ofac_cons", "ofac_consolidated_nonsdn"}, {"un", "un/UN_consolidated.xml"},
		{"eu", "eu/eu_consolidated_legacy_2016-02-11.xml"}, {"uk", "uk/hmt_conlist_2016-02-12.csv"},
		{"us_csl", "us_csl/csl.csv"}, {"bis_dpl", "us_bis_dpl/dpl.txt"},
	} {
		if _, err := svc.Import(ctx, l.source, filepath.Join(*data, l.path)); err != nil {
			log.Fatalf("import %s: %v", l.source, err)
		}
	}
	fmt.Printf("import 7 lists into %s: %v\n", store.Dialect, time.Since(start).Round(time.Millisecond))
	start = time.Now()
	if err := svc.Sync(ctx); err != nil {
		log.Fatal(err)
	}
	st := svc.Screener().Index().Stats()
	fmt.Printf("sync (decode + index build): %v, %d entities, %d names\n", time.Since(start).Round(time.Millisecond), st.Entities, st.Names)
	domain := verify.New(store, verify.Options{Checks: map[models.Check]verify.CheckRunner{models.CheckScreening: svc}, Logger: logger})
	q, err := jobs.New(store, domain, jobs.Options{Work: false, Logger: logger, MonitorInterval: -1})
	if err != nil {
		log.Fatal(err)
	}
	domain.SetEnqueuer(q)

	people := personNames(*names, *n-*planted)
	listed := listedNames(svc, *planted)
	all := append(people, listed...)
	start = time.Now()
	if err := seed(ctx, store, all); err != nil {
		log.Fatal(err)
	}
	fmt.Printf("seed %d approved verifications (%d with listed names): %v\n", len(all), len(listed), time.Since(start).Round(time.Millisecond))

	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			log.Fatal(err)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			log.Fatal(err)
		}
		defer pprof.StopCPUProfile()
	}
	for i, label := range []string{"first run (all hits new)", "second run (steady state)"} {
		rep, err := svc.Monitor(ctx, verify.MonitorManual)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("monitor %d, %s: %d subjects, %d with hits, %d new hits, %d flagged, %d moved to needs_review; %v = %.0f subjects/s (GOMAXPROCS %d)\n",
			i+1, label, rep.Subjects, rep.WithHits, rep.NewHits, rep.Flagged, rep.Moved, rep.Took.Round(time.Millisecond),
			float64(rep.Subjects)/rep.Took.Seconds(), runtime.GOMAXPROCS(0))
	}
}

func open(ctx context.Context, url string) (*db.Store, func()) {
	raw := make([]byte, 32)
	_, _ = rand.Read(raw)
	keys, err := db.NewKeyring("b1:" + base64.StdEncoding.EncodeToString(raw))
	if err != nil {
		log.Fatal(err)
	}
	opts := db.Options{URL: url, Keyring: keys}
	drop := func() {}
	if url == "" {
		dir, err := os.MkdirTemp("", "kycd-monitor-bench")
		if err != nil {
			log.Fatal(err)
		}
		opts.DataDir = dir
		drop = func() { os.RemoveAll(dir) }
	} else {
		opts.Schema = "bench_" + strings.ToLower(db.RandomBase62(8))
		conn, err := pgx.Connect(ctx, url)
		if err != nil {
			log.Fatal(err)
		}
		if _, err := conn.Exec(ctx, "CREATE SCHEMA "+opts.Schema); err != nil {
			log.Fatal(err)
		}
		drop = func() {
			_, _ = conn.Exec(context.Background(), "DROP SCHEMA "+opts.Schema+" CASCADE")
			conn.Close(context.Background())
		}
	}
	store, err := db.Open(ctx, opts)
	if err != nil {
		log.Fatal(err)
	}
	if err := store.Migrate(ctx); err != nil {
		log.Fatal(err)
	}
	return store, func() { store.Close(); drop() }
}

// personNames reads person names from a gen_names.mjs file, or makes synthetic ones.
func personNames(path string, n int) []string {
	var out []string
	if path != "" {
		f, err := os.Open(path)
		if err != nil {
			log.Fatal(err)
		}
		defer f.Close()
		sc := bufio.NewScanner(f)
		for sc.Scan() && len(out) < n {
			var r struct{ Name, Type string }
			if json.Unmarshal(sc.Bytes(), &r) == nil && r.Type == "person" {
				out = append(out, r.Name)
			}
		}
	}
	first := []string{"Erika", "Jonas", "Mariana", "Kenji", "Aylin", "Pieter", "Sofia", "Tomasz", "Ingrid", "Rafael", "Chloe", "Dmitri", "Leila", "Mateo", "Hanna", "Oskar"}
	last := []string{"Mustermann", "Lindqvist", "Okonkwo", "Tanaka", "Yilmaz", "de Vries", "Rossi", "Kowalski", "Berg", "Almeida", "Dubois", "Sokolov", "Haddad", "Fernandez", "Virtanen", "Novak"}
	for i := 0; len(out) < n; i++ {
		out = append(out, fmt.Sprintf("%s %s %s", first[i%16], first[(i/16)%16], last[(i/256)%16]))
	}
	return out
}

// listedNames takes the primary names of the first listed individuals.
func listedNames(svc *verify.Screening, n int) []string {
	var out []string
	for _, l := range svc.Screener().Index().Lists() {
		for _, e := range l.Entities {
			if len(out) == n {
				return out
			}
			if e.Type == "person" && l.Version.Source == "ofac_sdn" {
				out = append(out, e.PrimaryName())
			}
		}
	}
	return out
}

// seed inserts one applicant with one approved screening-only verification per name.
func seed(ctx context.Context, store *db.Store, names []string) error {
	sc := db.Scope{AccountID: "acct_bench", Mode: models.ModeTest}
	if err := store.EnsureAccount(ctx, sc.AccountID, "bench"); err != nil {
		return err
	}
	for startIdx := 0; startIdx < len(names); startIdx += 1000 {
		err := store.InTx(ctx, func(ctx context.Context, tx *db.Tx) error {
			for i := startIdx; i < min(startIdx+1000, len(names)); i++ {
				data := models.ApplicantData{Name: names[i]}
				a, err := tx.FindOrCreateApplicant(ctx, sc, nil, data)
				if err != nil {
					return err
				}
				pii, err := store.Keyring().SealJSON(data)
				if err != nil {
					return err
				}
				now := store.Now()
				v := &models.Verification{ID: db.NewID("ver", now), Reference: "VER-" + db.RandomString(10, "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"),
					AccountID: sc.AccountID, Mode: sc.Mode, APIKeyID: "key_bench", ApplicantID: a.ID, Status: models.StatusApproved,
					Checks: `["screening"]`, Metadata: "{}", ApplicantPII: pii, TokenHash: db.RandomBase62(32), TokenSealed: []byte{0},
					ExpiresAt: now.Add(time.Hour), CreatedAt: now, UpdatedAt: now}
				if err := tx.InsertVerification(ctx, v); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}
