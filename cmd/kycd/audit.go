package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/kycd/kycd/db"
	"github.com/kycd/kycd/tools"
	"github.com/kycd/kycd/verify"
)

// errChainBroken makes `kycd audit verify` exit non-zero when a chain is broken.
var errChainBroken = errors.New("audit chain broken")

// auditCmd checks and exports the audit trail: kycd audit verify|export.
func auditCmd(ctx context.Context, args []string, stdout io.Writer) error {
	if len(args) == 0 {
		return errors.New("audit: want verify or export")
	}
	sub, rest := args[0], args[1:]
	fs := flag.NewFlagSet("kycd audit "+sub, flag.ContinueOnError)
	account := fs.String("account", "", "only this account's chain (default: every account)")
	store, err := openForCommand(ctx, "audit", fs, rest)
	if err != nil {
		return err
	}
	defer store.Close()
	accounts := []string{*account}
	if *account == "" {
		if accounts, err = store.AuditAccounts(ctx); err != nil {
			return err
		}
	}
	switch sub {
	case "verify":
		broken := 0
		for _, acct := range accounts {
			rep, err := verify.VerifyAuditChain(ctx, store, acct)
			if err != nil {
				return err
			}
			if rep.OK {
				fmt.Fprintf(stdout, "%s: ok, %d row(s)\n", acct, rep.Rows)
				continue
			}
			broken++
			fmt.Fprintf(stdout, "%s: BROKEN at row %d", acct, rep.BrokenSeq)
			if rep.BrokenID != "" {
				fmt.Fprintf(stdout, " (%s)", rep.BrokenID)
			}
			fmt.Fprintf(stdout, ": %s\n", rep.Problem)
		}
		if broken > 0 {
			return fmt.Errorf("%w in %d account(s)", errChainBroken, broken)
		}
		return nil
	case "export":
		// JSON lines, oldest first, one chain after another: each line carries its seq,
		// prev_hash and hash, so an export can be checked without the database.
		w := bufio.NewWriter(stdout)
		for _, acct := range accounts {
			var after int64
			for {
				rows, more, err := store.ListAudit(ctx, db.AuditFilter{AccountID: acct, Ascending: true, AfterSeq: after, Limit: 1000})
				if err != nil {
					return err
				}
				for _, r := range rows {
					line := struct {
						AccountID string `json:"account_id"`
						tools.AuditEvent
					}{acct, tools.ToAuditEvent(r)}
					b, err := json.Marshal(line)
					if err != nil {
						return err
					}
					_, _ = w.Write(append(b, '\n'))
					after = r.Seq
				}
				if !more {
					break
				}
			}
		}
		return w.Flush()
	}
	return fmt.Errorf("audit: unknown subcommand %q; want verify or export", sub)
}
