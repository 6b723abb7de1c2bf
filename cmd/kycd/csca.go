package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/kycd/kycd/db"
	"github.com/kycd/kycd/models"
	"github.com/kycd/kycd/verify"
)

// NFCSettings configure the ePassport chip engine (verify_nfc and the nfc check).
type NFCSettings struct {
	// TestTrust is a folder with a CSCA master list and its root, trusted for test keys only
	// while the database holds no CSCA.
	TestTrust    string
	ChallengeTTL time.Duration
	RequireCRL   bool
}

// startNFC builds the chip engine and loads the trust store from the database. The engine
// always serves the nfc tools (without a CSCA they still check hashes and signatures and say
// the DSC is not trusted); the nfc check is registered only when a trust store exists.
func startNFC(ctx context.Context, s NFCSettings, store *db.Store, bio *verify.Biometrics, logger *slog.Logger) (*verify.NFC, bool, error) {
	cfg := verify.NFCConfig{ChallengeTTL: s.ChallengeTTL, Biometrics: bio, TestTrustDir: s.TestTrust, RequireCRL: s.RequireCRL}
	if o, err := verify.FindOpenJPEG(); err == nil {
		cfg.JPEG2000 = o
	} else {
		logger.Info("JPEG 2000 chip portraits will not be compared with selfies", "reason", err)
	}
	n, err := verify.NewNFC(store, cfg, logger)
	if err != nil {
		return nil, false, err
	}
	cscas, err := n.TrustStoreLen(ctx)
	if err != nil {
		return nil, false, fmt.Errorf("load CSCA trust store: %w", err)
	}
	ok, err := n.Configured(ctx)
	if err != nil {
		return nil, false, err
	}
	if !ok {
		logger.Info("nfc check unavailable: no CSCA in the database (kycd csca import)")
	} else {
		logger.Info("nfc trust store loaded", "cscas", cscas, "test_trust_dir", s.TestTrust)
	}
	return n, ok, nil
}

// stringList is a repeatable flag.
type stringList []string

func (l *stringList) String() string     { return strings.Join(*l, ",") }
func (l *stringList) Set(v string) error { *l = append(*l, v); return nil }

func cscaCmd(ctx context.Context, args []string, stdout io.Writer) error {
	if len(args) == 0 {
		return errors.New("csca: want import or list")
	}
	cfgArgs, own := splitConfigArgs(args[1:])
	cfg, _, err := parseConfig("csca", cfgArgs, "data-dir", "database-url", "encryption-keys")
	if err != nil {
		return err
	}
	store, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer store.Close()
	n, err := verify.NewNFC(store, verify.NFCConfig{}, slog.New(slog.NewTextHandler(os.Stderr, nil)))
	if err != nil {
		return err
	}
	switch args[0] {
	case "import":
		return cscaImport(ctx, n, own, stdout)
	case "list":
		return cscaList(ctx, n, stdout)
	}
	return fmt.Errorf("csca: unknown subcommand %q; want import or list", args[0])
}

// cscaImport loads master lists, CSCA certificates and CRLs into the database trust store.
// A master list is trusted only when its signer chains to a --trust root; single
// certificates and folders of them are trusted as given (the operator's decision).
func cscaImport(ctx context.Context, n *verify.NFC, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("kycd csca import", flag.ContinueOnError)
	var trust, crls stringList
	fs.Var(&trust, "trust", "a root certificate (DER or PEM) a master list's signer must chain to; repeatable")
	fs.Var(&crls, "crl", "a CRL file, or a folder of .crl files; repeatable")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() == 0 && len(crls) == 0 {
		return errors.New("csca import: give master lists (.ml), CSCA certificates (.cer, .crt, .der, .pem) or folders of them, and/or --crl")
	}
	var roots [][]byte
	for _, f := range trust {
		b, err := os.ReadFile(f)
		if err != nil {
			return fmt.Errorf("--trust: %w", err)
		}
		roots = append(roots, b)
	}
	importFile := func(path string) error {
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		name := filepath.Base(path)
		switch strings.ToLower(filepath.Ext(path)) {
		case ".ml":
			if len(roots) == 0 {
				return fmt.Errorf("%s: a master list is trusted only when its signer chains to a root: give --trust ROOT.cer (the issuing country's CSCA)", name)
			}
			info, err := n.ImportMasterList(ctx, data, roots, name)
			if err != nil {
				return fmt.Errorf("%s (nothing imported): %w", name, err)
			}
			fmt.Fprintf(stdout, "%s: %s: %d certificates, %d new, %d skipped, %d countries\n", name, info.Source,
				info.Certificates, info.Added, len(info.Skipped), len(info.Countries))
			for _, s := range info.Skipped {
				fmt.Fprintf(stdout, "  skipped %s\n", s)
			}
		case ".crl":
			info, added, err := n.ImportCRL(ctx, data, name)
			if err != nil {
				return fmt.Errorf("%s: %w", name, err)
			}
			fmt.Fprintf(stdout, "%s: CRL of %s, issued %s, %d revoked%s\n", name, info.Issuer, info.ThisUpdate.Format("2006-01-02"), info.Revoked, newNote(added))
		default:
			certs, added, err := n.ImportCSCA(ctx, data, name)
			if err != nil {
				return fmt.Errorf("%s: %w", name, err)
			}
			for _, c := range certs {
				fmt.Fprintf(stdout, "%s: CSCA %s (%s), valid %s to %s\n", name, c.Subject, c.Country,
					c.NotBefore.Format("2006-01-02"), c.NotAfter.Format("2006-01-02"))
			}
			fmt.Fprintf(stdout, "%s: %d certificate(s), %d new\n", name, len(certs), added)
		}
		return nil
	}
	walk := func(path string, exts ...string) error {
		st, err := os.Stat(path)
		if err != nil {
			return err
		}
		if !st.IsDir() {
			return importFile(path)
		}
		ents, err := os.ReadDir(path)
		if err != nil {
			return err
		}
		for _, e := range ents {
			ext := strings.ToLower(filepath.Ext(e.Name()))
			if e.IsDir() || !contains(exts, ext) {
				continue
			}
			if err := importFile(filepath.Join(path, e.Name())); err != nil {
				return err
			}
		}
		return nil
	}
	for _, p := range fs.Args() {
		if err := walk(p, ".cer", ".crt", ".der", ".pem", ".ml"); err != nil {
			return err
		}
	}
	for _, p := range crls {
		if err := walk(p, ".crl"); err != nil {
			return err
		}
	}
	total, err := n.TrustStoreLen(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "trust store: %d CSCAs (running servers pick the change up on their next miss)\n", total)
	return nil
}

func newNote(added bool) string {
	if added {
		return ""
	}
	return " (already stored)"
}

func cscaList(ctx context.Context, n *verify.NFC, stdout io.Writer) error {
	l, err := n.ListCSCA(ctx, models.ModeLive)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(stdout, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "COUNTRY\tSUBJECT\tNOT AFTER\tSOURCE")
	for _, c := range l.Certificates {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", c.Country, c.Subject, c.NotAfter.Format("2006-01-02"), c.Source)
	}
	for _, c := range l.CRLs {
		fmt.Fprintf(tw, "CRL\t%s\t%s\t%d revoked\n", c.Issuer, c.NextUpdate.Format("2006-01-02"), c.Revoked)
	}
	return tw.Flush()
}
