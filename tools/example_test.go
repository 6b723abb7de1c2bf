package tools_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/kycd/kycd/checks/mrz"
	"github.com/kycd/kycd/tools"
)

// ParseMRZInput is what a caller gives the example tool. The schema comes from the type:
// descriptions from jsonschema tags, constraints from the other tags.
type ParseMRZInput struct {
	Text string `json:"text" jsonschema:"the MRZ lines, newline-separated" minLength:"1" maxLength:"1000"`
}

// ParseMRZ is a stateless tool, written once and served by every surface.
var ParseMRZ = tools.Tool[ParseMRZInput, mrz.Result]{
	Name:        "parse_mrz",
	Title:       "Parse MRZ",
	Description: "Parse and validate the machine-readable zone of a passport given as text. Stores nothing.",
	Brief:       "parse an MRZ given as `text`",
	Scope:       tools.ScopeVerificationsRead,
	Annotations: tools.Annotations{ReadOnly: true, Destructive: false, Idempotent: true, OpenWorld: false},
	REST:        tools.REST{Method: "POST", Path: "/mrz/parse"},
	Handle: func(ctx context.Context, d *tools.Deps, c tools.Caller, in ParseMRZInput) (mrz.Result, error) {
		r, err := mrz.Parse(strings.Split(in.Text, "\n"), mrz.WithSpecimenCodes())
		if err != nil {
			// An *Error is for what the caller can fix; each surface maps its Code once.
			return mrz.Result{}, tools.Errorf(tools.CodeInvalidArgument, "text", "%v", err)
		}
		return *r, nil
	},
	Summary: func(r mrz.Result) string { return fmt.Sprintf("%s MRZ, valid: %v", r.Format, r.Valid) },
}

// A tool is a Tool value plus one line in All() (here a registry of its own). The registry
// validates arguments against the generated schema and checks the caller's scope before the
// handler runs; any error that is not an *Error is logged and shown as an internal error.
func ExampleTool() {
	reg, err := tools.NewRegistry(nil, ParseMRZ.Compile())
	if err != nil {
		panic(err)
	}
	info := reg.Tools()[0]
	fmt.Println(info.Name, info.Scope, info.REST.Method, info.REST.Path)

	caller := tools.Caller{KeyID: "key_example", Scopes: []tools.Scope{tools.ScopeVerificationsRead}}
	args, _ := json.Marshal(ParseMRZInput{Text: "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\n" +
		"L898902C36UTO7408122F1204159ZE184226B<<<<<10"})
	out, err := reg.Call(context.Background(), caller, "parse_mrz", args)
	if err != nil {
		panic(err)
	}
	fmt.Println(reg.Summarize("parse_mrz", out))
	r := out.(mrz.Result)
	fmt.Println(r.Surname, r.DateOfBirth)

	_, err = reg.Call(context.Background(), caller, "parse_mrz", json.RawMessage(`{"txt":"P<UTO"}`))
	fmt.Println(err)
	_, err = reg.Call(context.Background(), caller, "parse_mrz", json.RawMessage(`{"text":"P<UTO"}`))
	fmt.Println(err)
	// Output:
	// parse_mrz verifications:read POST /mrz/parse
	// TD3 MRZ, valid: true
	// ERIKSSON 1974-08-12
	// invalid_argument: txt: unknown field; remove it (see the tool's input schema for the accepted fields)
	// invalid_argument: text: no MRZ format fits: got 1 line(s) of 5 characters; want TD1 3×30, TD2/MRV-B/FRA_ID 2×36 or TD3/MRV-A 2×44
}
