package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"text/tabwriter"
	"time"

	"github.com/kycd/kycd/checks/email"
	"github.com/kycd/kycd/checks/screening"
	"github.com/kycd/kycd/jobs"
	"github.com/kycd/kycd/models"
	"github.com/kycd/kycd/verify"
)

// disposableSource names the disposable-email-domain list in `kycd lists update`.
const disposableSource = "disposable_email"

// officialSources are the sanctions lists `kycd lists update` downloads by default (and the
// disposable-email-domain list after them).
var officialSources = []string{"ofac_sdn", "ofac_cons", "un", "eu", "uk", "us_csl", "bis_dpl"}

func listsCmd(ctx context.Context, args []string, stdout io.Writer) error {
	if len(args) == 0 {
		return errors.New("lists: want import, update, list or monitor")
	}
	sub, rest := args[0], args[1:]
	fs := flag.NewFlagSet("kycd lists "+sub, flag.ContinueOnError)
	source := fs.String("source", "", "list source: ofac_sdn (a folder with sdn.csv, add.csv, alt.csv), ofac_cons, un, eu, uk, us_csl, bis_dpl, ftm, senzing; for update also "+disposableSource+" (the disposable-email-domains npm package)")
	url := fs.String("url", "", "download URL (update; default: the source's official URL; for "+disposableSource+" the npm registry)")
	timeout := fs.Duration("timeout", 5*time.Minute, "download timeout per list (update)")
	store, err := openForCommand(ctx, "lists", fs, rest)
	if err != nil {
		return err
	}
	defer store.Close()
	svc := verify.NewScreening(store, verify.ScreeningPolicy{}, nil)
	report := func(v screening.ListVersion) {
		fmt.Fprintf(stdout, "%s: %d entities, sha256 %s\n", v.Source, v.Entities, v.SHA256)
	}
	switch sub {
	case "import":
		if *source == "" || fs.NArg() != 1 {
			return errors.New("lists import: give --source SOURCE and one PATH")
		}
		v, err := svc.Import(ctx, *source, fs.Arg(0))
		if err != nil {
			return fmt.Errorf("import %s from %s (nothing changed): %w", *source, fs.Arg(0), err)
		}
		report(v)
		return nil
	case "update":
		sources := officialSources
		if *source != "" {
			sources = []string{*source}
		} else if *url != "" {
			return errors.New("lists update: --url needs --source")
		}
		client := &http.Client{Timeout: *timeout}
		failed := 0
		if *source == "" {
			sources = append(sources, disposableSource)
		}
		for _, src := range sources {
			fmt.Fprintf(os.Stderr, "downloading %s…\n", src)
			if src == disposableSource {
				u, err := email.UpdateDisposable(ctx, client, *url, email.DisposableCurrentDir())
				if err != nil {
					failed++
					fmt.Fprintf(os.Stderr, "%s: failed, the previous list stays in service: %v\n", src, err)
					continue
				}
				fmt.Fprintf(stdout, "%s: disposable-email-domains@%s, %d domains, %s, in %s (read when kycd starts: restart to use it)\n",
					src, u.Version, u.Domains, u.Integrity, u.Dir)
				continue
			}
			l, err := screening.Fetch(ctx, src, *url, client)
			if err == nil {
				_, err = svc.Store(ctx, l)
			}
			if err != nil {
				failed++
				fmt.Fprintf(os.Stderr, "%s: failed, the previous version stays in service: %v\n", src, err)
				continue
			}
			report(l.Version)
		}
		if failed > 0 {
			return fmt.Errorf("%d of %d lists failed to update", failed, len(sources))
		}
		return nil
	case "monitor":
		// Insert-only queue: the running workers do the re-screening.
		domain := verify.New(store, verify.Options{Checks: map[models.Check]verify.CheckRunner{models.CheckScreening: svc}})
		q, err := jobs.New(store, domain, jobs.Options{MonitorInterval: -1})
		if err != nil {
			return err
		}
		domain.SetEnqueuer(q)
		if err := svc.EnqueueMonitor(ctx); err != nil {
			return err
		}
		fmt.Fprintln(stdout, "monitoring run enqueued: the workers re-screen every monitored applicant and record screening.match events for new hits")
		return nil
	case "list":
		rows, err := store.ScreeningListVersions(ctx)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(stdout, 2, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "SOURCE\tENTITIES\tSHA256\tLOADED\tORIGIN")
		for _, r := range rows {
			fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%s\n", r.Source, r.Entities, r.SHA256[:16], r.LoadedAt.Format(time.RFC3339), r.Origin)
		}
		return tw.Flush()
	}
	return fmt.Errorf("lists: unknown subcommand %q; want import, update, list or monitor", sub)
}
