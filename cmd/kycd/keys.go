package main

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/kycd/kycd/db"
	"github.com/kycd/kycd/models"
	"github.com/kycd/kycd/tools"
)

func keys(ctx context.Context, args []string, stdout io.Writer) error {
	if len(args) == 0 {
		return errors.New("keys: want create, list, revoke or rewrap")
	}
	sub, rest := args[0], args[1:]
	fs := flag.NewFlagSet("kycd keys "+sub, flag.ContinueOnError)
	name := fs.String("name", "", "a name for the key (required for create)")
	mode := fs.String("mode", "test", "live or test")
	scopes := fs.String("scopes", "", "comma-separated scopes (default: all): "+strings.Join(scopeNames(), ", "))
	account := fs.String("account", "acct_default", "owning account id")
	checks := fs.String("checks", "", "comma-separated checks this key enables by default (default: every available check)")
	rateLimit := fs.Int("rate-limit", 0, "requests per minute for this key (0 = server default)")
	matchThreshold := fs.Float64("face-match-threshold", 0, "cosine similarity this key's face matches need, above 0 and below 1 (0 = the server's --face-match-threshold)")
	rejectThreshold := fs.Float64("face-match-reject-threshold", 0, "face-match score below which this key's verifications fail; between it and the accept threshold they go to review (0 = accept − 0.15 with the bundled model)")
	reverifyThreshold := fs.Float64("reverify-match-threshold", 0, "face-match score a re-verification of this key needs, never below the accept threshold (0 = accept + 0.05 with the bundled model)")
	requireActive := fs.Bool("liveness-require-active", false, "this key's liveness checks, re-verifications included, need a passed active challenge (as the server's --liveness-require-active does for every key)")
	livenessThreshold := fs.Float64("liveness-threshold", 0, "passive liveness score this key's selfies need, above 0 and below 1 (0 = the server's --liveness-threshold)")
	embedOrigins := fs.String("embed-origins", "", "origins allowed to frame this key's hosted flow, comma-separated (https://shop.example.com), besides the server's --frame-ancestors")
	docCountries := fs.String("document-countries", "", "issuing states this key's verifications accept, comma-separated ICAO codes (D,FRA,AUT); default: the server's --document-countries")
	highRisk := fs.String("high-risk-jurisdictions", "", "ISO 3166 codes that make a company high risk in this key's verify_business, comma-separated; none = no jurisdiction; default: the server's --high-risk-jurisdictions")
	docTypes := fs.String("document-types", "", "document types this key's verifications accept, comma-separated (passport,id_card,drivers_license,residence_permit); default: any")
	defaultFlow := fs.String("flow", "", "the flow (by name) this key's verifications run when they name none and give no checks")
	expiresIn := fs.Duration("expires-in", 0, "the key stops working this long after its creation (e.g. 2160h = 90 days; 0 = never); admins who asked are notified 7 days before")
	strongHit := fs.String("screening-strong-hit", "", "what a strong sanctions hit does to this key's verifications: review or fail (default: the server's --screening-strong-hit)")
	cfgArgs, keyArgs := splitConfigArgs(rest)
	cfg, _, err := parseConfig("keys", cfgArgs, "data-dir", "database-url", "encryption-keys")
	if err != nil {
		return err
	}
	if err := fs.Parse(keyArgs); err != nil {
		return err
	}
	store, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer store.Close()
	switch sub {
	case "create":
		sc, err := tools.ParseScopes(*scopes)
		if err != nil {
			return err
		}
		var chk []string
		for _, c := range strings.Split(*checks, ",") {
			if c = strings.TrimSpace(c); c == "" {
				continue
			}
			if !contains(checkNames(), c) {
				return fmt.Errorf("checks: unknown check %q; known: %s", c, strings.Join(checkNames(), ", "))
			}
			chk = append(chk, c)
		}
		if *rateLimit < 0 {
			return errors.New("rate-limit: must be 0 or more")
		}
		countries, types, err := tools.ParseKeyDocumentPolicy(*docCountries, *docTypes)
		if err != nil {
			return err
		}
		hr, err := parseHighRisk(*highRisk)
		if err != nil {
			return err
		}
		if hr != nil && len(hr) == 0 {
			hr = []string{"none"}
		}
		if err := checkKeyFlow(ctx, store, *account, *mode, *defaultFlow); err != nil {
			return err
		}
		var expires *time.Time
		if *expiresIn < 0 {
			return fmt.Errorf("expires-in: %s is negative; give a duration such as 2160h, or 0 for a key that never expires", *expiresIn)
		}
		if *expiresIn > 0 {
			at := store.Now().Add(*expiresIn)
			expires = &at
		}
		secret, k, err := store.CreateAPIKey(ctx, db.NewKey{ExpiresAt: expires, DefaultFlow: *defaultFlow, DocumentCountries: countries, DocumentTypes: types, AccountID: *account, Name: *name, Mode: models.Mode(*mode), Scopes: sc, Checks: chk, RateLimit: *rateLimit,
			ScreeningStrongHit: *strongHit, FaceMatchThreshold: *matchThreshold, LivenessThreshold: *livenessThreshold,
			FaceMatchRejectThreshold: *rejectThreshold, ReverifyMatchThreshold: *reverifyThreshold, LivenessRequireActive: *requireActive,
			EmbedOrigins: strings.FieldsFunc(*embedOrigins, func(r rune) bool { return r == ',' || r == ' ' }), HighRiskJurisdictions: hr})
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%s\n", secret)
		fmt.Fprintf(os.Stderr, "created key %s (%s, %s, account %s) in %s; the secret above is shown only once — the server must use that database\n",
			k.ID, k.Name, k.Mode, k.AccountID, store.Location())
		return nil
	case "list":
		filter := *account
		if !flagGiven(fs, "account") {
			filter = ""
		}
		list, err := store.ListAPIKeys(ctx, filter)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(stdout, 2, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tPREFIX\tNAME\tMODE\tACCOUNT\tSCOPES\tDOCUMENTS\tCREATED\tREVOKED\tEXPIRES")
		for _, k := range list {
			revoked := "-"
			if k.RevokedAt != nil {
				revoked = k.RevokedAt.Format(time.RFC3339)
			}
			expires := "-"
			if k.ExpiresAt != nil {
				expires = k.ExpiresAt.Format(time.RFC3339)
			}
			docs := cmp.Or(k.DocumentTypes, "any")
			if k.DocumentCountries != "" {
				docs += " from " + k.DocumentCountries
			}
			fmt.Fprintf(tw, "%s\t%s…\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", k.ID, k.Prefix, k.Name, k.Mode, k.AccountID, k.Scopes, docs, k.CreatedAt.Format(time.RFC3339), revoked, expires)
		}
		return tw.Flush()
	case "revoke":
		if fs.NArg() != 1 {
			return errors.New("keys revoke: give the key id or prefix")
		}
		k, err := store.RevokeAPIKey(ctx, fs.Arg(0))
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "revoked %s (%s)\n", k.ID, k.Name)
		return nil
	case "rewrap":
		// Encryption key rotation: with a new key first in --encryption-keys, the data keys
		// (one per applicant and verification) are wrapped anew with it. The data they seal is
		// not touched; once no other ciphertext names the old key, it can leave the ring, and
		// every backup still holding data keys wrapped with it becomes unreadable.
		n, err := store.RewrapDataKeys(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "rewrapped %d data key(s) with the primary encryption key in %s\n", n, store.Location())
		return nil
	}
	return fmt.Errorf("keys: unknown subcommand %q; want create, list, revoke or rewrap", sub)
}

func flagGiven(fs *flag.FlagSet, name string) bool {
	given := false
	fs.Visit(func(f *flag.Flag) {
		if f.Name == name {
			given = true
		}
	})
	return given
}

func scopeNames() []string {
	var out []string
	for _, s := range tools.AllScopes {
		out = append(out, string(s))
	}
	return out
}

func checkNames() []string {
	var out []string
	for _, c := range models.AllChecks {
		out = append(out, string(c))
	}
	return out
}
