package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/kycd/kycd/models"
	"github.com/kycd/kycd/tools"
	"github.com/kycd/kycd/verify"
)

// usersCmd manages dashboard operators: kycd users create|list|disable|enable|reset|
// add-account|remove-account.
func usersCmd(ctx context.Context, args []string, stdout io.Writer) error {
	if len(args) == 0 {
		return errors.New("users: want create, list, disable, enable, reset, add-account or remove-account")
	}
	sub, rest := args[0], args[1:]
	fs := flag.NewFlagSet("kycd users "+sub, flag.ContinueOnError)
	email := fs.String("email", "", "the operator's e-mail (create, disable, enable, reset, add-account, remove-account)")
	role := fs.String("role", "", "admin, reviewer or viewer (create, add-account)")
	account := fs.String("account", "acct_default", "owning account id; with add-account/remove-account the further account")
	publicURL := fs.String("public-url", strings.TrimRight(cmpOr(os.Getenv("KYCD_PUBLIC_URL"), "http://127.0.0.1:8080"), "/"),
		"public base URL of the server, the base of the setup link (KYCD_PUBLIC_URL)")
	store, err := openForCommand(ctx, "users", fs, rest)
	if err != nil {
		return err
	}
	defer store.Close()
	d := &tools.Deps{Store: store, PublicURL: *publicURL}
	find := func() (*models.User, error) {
		if *email == "" {
			return nil, fmt.Errorf("users %s: --email is required", sub)
		}
		return store.GetUserByEmail(ctx, *email)
	}
	cli := tools.Caller{AccountID: *account} // recorded as actor "system", with the command in detail
	switch sub {
	case "create":
		if *email == "" || *role == "" {
			return fmt.Errorf("users create: --email and --role (%s) are required", strings.Join(verify.Roles, ", "))
		}
		u, link, err := tools.CreateOperator(ctx, d, *account, *email, *role)
		if err != nil {
			return err
		}
		cli.AccountID = u.AccountID
		_ = tools.RecordAudit(ctx, d, cli, tools.AuditEntry{Action: "user.create", ObjectType: "user", ObjectID: u.ID, Detail: fmt.Sprintf(`{"role":%q,"by":"kycd users create"}`, u.Role)})
		fmt.Fprintln(stdout, link)
		fmt.Fprintf(os.Stderr, "created operator %s (%s, %s, account %s) in %s; the setup link above works once, for %s — send it to them privately\n",
			u.ID, u.Email, u.Role, u.AccountID, store.Location(), tools.SetupLinkTTL)
		return nil
	case "list":
		filter := *account
		if !flagGiven(fs, "account") {
			filter = ""
		}
		list, err := store.ListUsers(ctx, filter)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(stdout, 2, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tEMAIL\tROLE\tACCOUNT\tSTATUS\tTOTP\tLAST SIGN-IN")
		for _, u := range list {
			status := "active"
			switch {
			case u.DisabledAt != nil:
				status = "disabled"
			case u.PasswordHash == "":
				status = "invited"
			}
			last := "-"
			if u.LastLoginAt != nil {
				last = u.LastLoginAt.UTC().Format(time.RFC3339)
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%v\t%s\n", u.ID, u.Email, u.Role, u.AccountID, status, u.TOTPSecret != nil, last)
		}
		return tw.Flush()
	case "disable", "enable":
		u, err := find()
		if err != nil {
			return err
		}
		if sub == "disable" {
			now := store.Now()
			u.DisabledAt = &now
		} else {
			u.DisabledAt = nil
		}
		if err := store.UpdateUser(ctx, u, "disabled_at"); err != nil {
			return err
		}
		n := 0
		if sub == "disable" {
			if n, err = store.DeleteUserSessions(ctx, u.ID, ""); err != nil {
				return err
			}
		}
		cli.AccountID = u.AccountID
		_ = tools.RecordAudit(ctx, d, cli, tools.AuditEntry{Action: "user." + sub, ObjectType: "user", ObjectID: u.ID, Detail: `{"by":"kycd users"}`})
		fmt.Fprintf(stdout, "%sd %s (%s); %d session(s) ended\n", sub, u.ID, u.Email, n)
		return nil
	case "reset":
		u, err := find()
		if err != nil {
			return err
		}
		link, err := tools.ResetOperatorSetup(ctx, d, u)
		if err != nil {
			return err
		}
		cli.AccountID = u.AccountID
		_ = tools.RecordAudit(ctx, d, cli, tools.AuditEntry{Action: "user.reset", ObjectType: "user", ObjectID: u.ID, Detail: `{"by":"kycd users reset"}`})
		fmt.Fprintln(stdout, link)
		fmt.Fprintf(os.Stderr, "reset %s: password and TOTP cleared, sessions ended; the link above works once, for %s\n", u.Email, tools.SetupLinkTTL)
		return nil
	case "add-account", "remove-account":
		// A further account the operator may act for on the OAuth consent page (docs/oauth.md).
		if *email == "" || !flagGiven(fs, "account") || (sub == "add-account" && *role == "") {
			return fmt.Errorf("users %s: --email and --account are required (and --role: %s)", sub, strings.Join(verify.Roles, ", "))
		}
		u, err := find()
		if err != nil {
			return err
		}
		if sub == "add-account" {
			err = tools.AddOperatorAccount(ctx, d, u.Email, *account, *role)
		} else {
			err = tools.RemoveOperatorAccount(ctx, d, u.Email, *account)
		}
		if err != nil {
			return err
		}
		cli.AccountID = *account
		_ = tools.RecordAudit(ctx, d, cli, tools.AuditEntry{Action: "user." + strings.ReplaceAll(sub, "-", "_"), ObjectType: "user", ObjectID: u.ID,
			Detail: fmt.Sprintf(`{"role":%q,"by":"kycd users %s"}`, *role, sub)})
		ms, err := tools.OperatorMemberships(ctx, d, u.ID)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%s: own account %s (%s)", u.Email, u.AccountID, u.Role)
		for _, m := range ms {
			fmt.Fprintf(stdout, ", %s (%s)", m.AccountID, m.Role)
		}
		fmt.Fprintln(stdout)
		return nil
	}
	return fmt.Errorf("users: unknown subcommand %q; want create, list, disable, enable, reset, add-account or remove-account", sub)
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
