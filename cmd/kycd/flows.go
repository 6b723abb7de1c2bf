package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"reflect"

	"github.com/kycd/kycd/db"
	"github.com/kycd/kycd/models"
	"github.com/kycd/kycd/tools"
	"github.com/kycd/kycd/verify"
)

// flowsFile is the JSON of `kycd flows export` and `import`: each flow's latest version, so a
// team can keep its flows in git and apply them to another installation or mode.
type flowsFile struct {
	Flows []flowEntry `json:"flows"`
}

type flowEntry struct {
	Name string `json:"name"`
	models.FlowDefinition
}

func flowsCmd(ctx context.Context, args []string, stdout io.Writer) error {
	if len(args) == 0 {
		return errors.New("flows: want export or import")
	}
	sub, rest := args[0], args[1:]
	fs := flag.NewFlagSet("kycd flows "+sub, flag.ContinueOnError)
	account := fs.String("account", "acct_default", "owning account id")
	mode := fs.String("mode", "test", "live or test")
	out := fs.String("out", "", "export: write to this file instead of stdout")
	dryRun := fs.Bool("dry-run", false, "import: validate and say what would change, change nothing")
	store, err := openForCommand(ctx, "flows", fs, rest)
	if err != nil {
		return err
	}
	defer store.Close()
	if *mode != string(models.ModeLive) && *mode != string(models.ModeTest) {
		return fmt.Errorf("mode: must be live or test, got %q", *mode)
	}
	reg, err := tools.NewRegistry(&tools.Deps{Store: store, Verify: verify.New(store, verify.Options{})}, tools.All()...)
	if err != nil {
		return err
	}
	// The operator acts for the account and mode named, with the flow scopes only.
	c := tools.Caller{KeyID: "cli", AccountID: *account, Mode: models.Mode(*mode), Scopes: []tools.Scope{tools.ScopeFlowsRead, tools.ScopeFlowsWrite}}
	call := func(name string, in, res any) error {
		raw, err := json.Marshal(in)
		if err != nil {
			return err
		}
		r, err := reg.Call(ctx, c, name, raw)
		if err != nil {
			return err
		}
		b, err := json.Marshal(r)
		if err != nil {
			return err
		}
		return json.Unmarshal(b, res)
	}
	switch sub {
	case "export":
		if fs.NArg() != 0 {
			return errors.New("flows export: no arguments; use --out FILE")
		}
		file := flowsFile{Flows: []flowEntry{}}
		cursor := ""
		for {
			var page tools.FlowList
			if err := call(tools.ListFlows.Name, map[string]any{"limit": 100, "cursor": cursor}, &page); err != nil {
				return err
			}
			for _, f := range page.Data {
				file.Flows = append(file.Flows, flowEntry{Name: f.Name, FlowDefinition: f.FlowDefinition})
			}
			if !page.HasMore {
				break
			}
			cursor = *page.NextCursor
		}
		b, err := json.MarshalIndent(file, "", "  ")
		if err != nil {
			return err
		}
		b = append(b, '\n')
		if *out == "" {
			_, err = stdout.Write(b)
			return err
		}
		if err := os.WriteFile(*out, b, 0o644); err != nil {
			return err
		}
		fmt.Fprintf(os.Stderr, "exported %d flow(s) of %s (%s) to %s\n", len(file.Flows), *account, *mode, *out)
		return nil
	case "import":
		if fs.NArg() != 1 {
			return errors.New("flows import: give the JSON file (- for stdin)")
		}
		var raw []byte
		if fs.Arg(0) == "-" {
			raw, err = io.ReadAll(os.Stdin)
		} else {
			raw, err = os.ReadFile(fs.Arg(0))
		}
		if err != nil {
			return err
		}
		check := func(f *flowEntry) ([]tools.FlowProblem, error) {
			return tools.CheckFlow(ctx, reg.Deps(), c, f.Name, &f.FlowDefinition)
		}
		return importFlows(raw, call, check, *dryRun, stdout)
	}
	return fmt.Errorf("flows: unknown subcommand %q; want export or import", sub)
}

// importFlows validates every flow of the file first (nothing changes when one has
// problems), then creates the new ones and makes a new version of each changed one.
func importFlows(raw []byte, call func(string, any, any) error, check func(*flowEntry) ([]tools.FlowProblem, error), dryRun bool, stdout io.Writer) error {
	var file flowsFile
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&file); err != nil {
		return fmt.Errorf("flows import: %w", err)
	}
	bad := 0
	for i := range file.Flows {
		f := &file.Flows[i] // normalised in place, as it will be stored
		problems, err := check(f)
		if err != nil {
			return fmt.Errorf("flows[%d] (%s): %w", i, f.Name, err)
		}
		for _, p := range problems {
			fmt.Fprintf(stdout, "flows[%d] (%s): %s: %s\n", i, f.Name, p.Path, p.Message)
			bad++
		}
	}
	if bad > 0 {
		return fmt.Errorf("flows import: %d problem(s); nothing was changed", bad)
	}
	for _, f := range file.Flows {
		var cur tools.Flow
		err := call(tools.GetFlow.Name, map[string]any{"id": f.Name}, &cur)
		te := tools.AsError(err)
		switch {
		case te != nil && te.Code == tools.CodeNotFound:
			if dryRun {
				fmt.Fprintf(stdout, "would create %s\n", f.Name)
				continue
			}
			if err := call(tools.CreateFlow.Name, f, &cur); err != nil {
				return fmt.Errorf("create %s: %w", f.Name, err)
			}
			fmt.Fprintf(stdout, "created %s version %d (%s)\n", cur.Name, cur.Version, cur.ID)
		case err != nil:
			return fmt.Errorf("read %s: %w", f.Name, err)
		case sameDefinition(cur.FlowDefinition, f.FlowDefinition):
			fmt.Fprintf(stdout, "unchanged %s version %d\n", cur.Name, cur.Version)
		case dryRun:
			fmt.Fprintf(stdout, "would update %s to version %d\n", cur.Name, cur.Version+1)
		default:
			in := map[string]any{"id": cur.ID, "steps": f.Steps, "policy": f.Policy, "session": f.Session, "branding": f.Branding}
			if err := call(tools.UpdateFlow.Name, in, &cur); err != nil {
				return fmt.Errorf("update %s: %w", f.Name, err)
			}
			fmt.Fprintf(stdout, "updated %s to version %d\n", cur.Name, cur.Version)
		}
	}
	return nil
}

// sameDefinition compares two definitions as stored (JSON), so an export imported again
// makes no new versions.
func sameDefinition(a, b models.FlowDefinition) bool {
	norm := func(d models.FlowDefinition) any {
		raw, _ := json.Marshal(d)
		var v any
		_ = json.Unmarshal(raw, &v)
		return v
	}
	return reflect.DeepEqual(norm(a), norm(b))
}

// checkKeyFlow checks that a key's default flow exists and is active in its account and mode.
func checkKeyFlow(ctx context.Context, store *db.Store, account, mode, name string) error {
	if name == "" {
		return nil
	}
	f, err := store.GetFlow(ctx, db.Scope{AccountID: account, Mode: models.Mode(mode)}, name, true)
	if errors.Is(err, db.ErrNotFound) {
		return fmt.Errorf("flow: no flow named %q in account %s (%s mode); create it first (create_flow or kycd flows import)", name, account, mode)
	}
	if err != nil {
		return err
	}
	if f.ArchivedAt != nil {
		return fmt.Errorf("flow: %q is archived", name)
	}
	return nil
}
