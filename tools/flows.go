package tools

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/kycd/kycd/db"
	"github.com/kycd/kycd/models"
)

// Flow is a verification flow as every surface shows it: one version of its definition.
type Flow struct {
	ID      string `json:"id" jsonschema:"flow id (flw_…), the same for every version"`
	Name    string `json:"name" jsonschema:"the flow's name, unique in the account and mode"`
	Version int    `json:"version" jsonschema:"the version shown (create_verification with name@version runs it)"`
	Latest  int    `json:"latest_version" jsonschema:"the flow's newest version, which new verifications run"`
	Status  string `json:"status" jsonschema:"active, or archived (no new verifications)" enum:"active,archived"`
	models.FlowDefinition
	Checks     []string   `json:"checks" jsonschema:"the checks its verifications run, from its steps"`
	ArchivedAt *time.Time `json:"archived_at" jsonschema:"when it was archived; null while active"`
	CreatedAt  time.Time  `json:"created_at" jsonschema:"when the flow was created"`
	UpdatedAt  time.Time  `json:"updated_at" jsonschema:"when its latest version was made or it was archived"`
}

// FlowList is one page of flows, by name.
type FlowList struct {
	Data       []Flow  `json:"data" jsonschema:"the flows (latest versions), by name"`
	HasMore    bool    `json:"has_more" jsonschema:"whether another page follows"`
	NextCursor *string `json:"next_cursor" jsonschema:"pass as cursor to get the next page; null on the last page"`
}

// CreateFlowInput is a new flow: a name and its definition.
type CreateFlowInput struct {
	Name string `json:"name" jsonschema:"the flow's name: lower-case letters, digits, '.', '_', '-' (create_verification's flow names it)"`
	models.FlowDefinition
}

// CreateFlow stores a new flow as version 1.
var CreateFlow = Tool[CreateFlowInput, Flow]{
	Name: "create_flow",
	Examples: []string{`{"name":"onboarding-eu","steps":[{"type":"consent"},{"type":"document","document_types":["passport","id_card"],"countries":["D","FRA","NLD"]},` +
		`{"type":"selfie"},{"type":"liveness","liveness_mode":"active","challenges":2},{"type":"screening"}],` +
		`"policy":{"thresholds":{"face_match":0.6},"on_failure":{"liveness":"review"},"review_on_failure":true},` +
		`"session":{"expires_in":86400,"session_length":900},"branding":{"name":"Example Bank","primary_color":"#0b5fff","locales":["en","de"],"support_email":"kyc@example.com"}}`},
	Title: "Create flow",
	Description: "Create a named verification flow: its steps in order (consent, document, selfie, selfie_with_document, liveness, email, phone, questionnaire, proof_of_address, nfc, additional_document, screening), " +
		"its decision policy (thresholds per check, which failures reject or go to review, review_on_success / review_on_failure, auto_approve), session options and the hosted flow's branding. " +
		"create_verification with flow runs it. A flow with problems is refused with all of them listed; validate_flow checks one without storing it.",
	Brief:       "a named flow: ordered steps, decision policy, session options, branding; version 1",
	Scope:       ScopeFlowsWrite,
	Annotations: Annotations{ReadOnly: false, Destructive: false, Idempotent: false, OpenWorld: false},
	REST:        REST{Method: "POST", Path: "/flows", Status: 201},
	Creates:     true,
	Summary:     summarizeFlow,
	Handle:      createFlow,
}

func createFlow(ctx context.Context, d *Deps, c Caller, in CreateFlowInput) (Flow, error) {
	def := in.FlowDefinition
	raw, err := storedFlow(ctx, d, c, in.Name, true, &def)
	if err != nil {
		return Flow{}, err
	}
	now := d.Store.Now()
	f := &models.Flow{ID: db.NewID("flw", now), AccountID: c.AccountID, Mode: c.Mode, Name: in.Name, Version: 1, CreatedAt: now, UpdatedAt: now}
	if err := d.Store.CreateFlow(ctx, f, string(raw), c.KeyID); err != nil {
		if errors.Is(err, db.ErrNameTaken) {
			return Flow{}, Errorf(CodeConflict, "name", "a flow named %q exists in %s mode; update_flow makes a new version of it", in.Name, c.Mode)
		}
		return Flow{}, err
	}
	return toFlow(f, f.Version, def), nil
}

// storedFlow validates a definition (normalising it) and returns it as stored, or the
// error listing every problem.
func storedFlow(ctx context.Context, d *Deps, c Caller, name string, nameRequired bool, def *models.FlowDefinition) ([]byte, error) {
	ps, err := validateFlow(ctx, d, c, name, nameRequired, def)
	if err != nil {
		return nil, err
	}
	if len(ps) > 0 {
		return nil, flowError(ps)
	}
	return json.Marshal(def)
}

// UpdateFlowInput changes a flow: the given parts replace the latest version's, the rest stay.
type UpdateFlowInput struct {
	ID       string               `json:"id" jsonschema:"flow id (flw_…) or name" minLength:"1" maxLength:"100"`
	Steps    []models.FlowStep    `json:"steps,omitempty" jsonschema:"the new steps (replace the old ones)"`
	Policy   *models.FlowPolicy   `json:"policy,omitempty" jsonschema:"the new decision policy (replaces the old one)"`
	Session  *models.FlowSession  `json:"session,omitempty" jsonschema:"the new session options (replace the old ones)"`
	Branding *models.FlowBranding `json:"branding,omitempty" jsonschema:"the new branding (replaces the old one)"`
}

// UpdateFlow stores a new version of a flow.
var UpdateFlow = Tool[UpdateFlowInput, Flow]{
	Name:     "update_flow",
	Examples: []string{`{"id":"onboarding-eu","policy":{"thresholds":{"face_match":0.65},"review_on_failure":true}}`},
	Title:    "Update flow",
	Description: "Make a new version of a flow: the parts given (steps, policy, session, branding) replace the latest version's, the others are kept. " +
		"New verifications run the new version; running ones keep the version they started with. An archived flow cannot change (conflict).",
	Brief:       "a new version (given parts replace the latest's); running verifications keep theirs",
	Scope:       ScopeFlowsWrite,
	Annotations: Annotations{ReadOnly: false, Destructive: false, Idempotent: false, OpenWorld: false},
	REST:        REST{Method: "PATCH", Path: "/flows/{id}"},
	Summary:     summarizeFlow,
	Handle:      updateFlow,
}

func updateFlow(ctx context.Context, d *Deps, c Caller, in UpdateFlowInput) (Flow, error) {
	f, _, def, err := resolveFlow(ctx, d, c, in.ID, "id", false)
	if err != nil {
		return Flow{}, err
	}
	if in.Steps == nil && in.Policy == nil && in.Session == nil && in.Branding == nil {
		return Flow{}, invalid("steps", "give at least one of steps, policy, session and branding")
	}
	if in.Steps != nil {
		def.Steps = in.Steps
	}
	if in.Policy != nil {
		def.Policy = *in.Policy
	}
	if in.Session != nil {
		def.Session = *in.Session
	}
	if in.Branding != nil {
		def.Branding = *in.Branding
	}
	raw, err := storedFlow(ctx, d, c, "", false, &def)
	if err != nil {
		return Flow{}, err
	}
	f, err = d.Store.AddFlowVersion(ctx, c.scope(), f.ID, string(raw), c.KeyID)
	if errors.Is(err, db.ErrConflict) {
		return Flow{}, Errorf(CodeConflict, "id", "the flow is archived; create a new flow instead")
	}
	if err != nil {
		return Flow{}, storeErr(err, "flow", "id")
	}
	return toFlow(f, f.Version, def), nil
}

// GetFlowInput names a flow, optionally a version.
type GetFlowInput struct {
	ID string `json:"id" jsonschema:"flow id (flw_…) or name, optionally with @version (onboarding-eu@2); default the latest version" minLength:"1" maxLength:"100"`
}

// GetFlow reads one version of a flow.
var GetFlow = Tool[GetFlowInput, Flow]{
	Name:        "get_flow",
	Examples:    []string{`{"id":"onboarding-eu@1"}`},
	Title:       "Get flow",
	Description: "Read a flow by id or name: its latest version, or the one named with @version (the version a verification ran is in its flow.version).",
	Brief:       "one flow by id or name, latest or `name@version`",
	Scope:       ScopeFlowsRead,
	Annotations: Annotations{ReadOnly: true, Destructive: false, Idempotent: true, OpenWorld: false},
	REST:        REST{Method: "GET", Path: "/flows/{id}"},
	Summary:     summarizeFlow,
	Handle: func(ctx context.Context, d *Deps, c Caller, in GetFlowInput) (Flow, error) {
		f, version, def, err := resolveFlow(ctx, d, c, in.ID, "id", true)
		if err != nil {
			return Flow{}, err
		}
		return toFlow(f, version, def), nil
	},
}

// ListFlowsInput pages through flows.
type ListFlowsInput struct {
	Limit           int    `json:"limit,omitempty" jsonschema:"page size, 1 to 100; default 20" minimum:"1" maximum:"100"`
	Cursor          string `json:"cursor,omitempty" jsonschema:"next_cursor from the previous page" maxLength:"200"`
	IncludeArchived bool   `json:"include_archived,omitempty" jsonschema:"also list archived flows"`
}

// ListFlows lists the account's flows in the key's mode.
var ListFlows = Tool[ListFlowsInput, FlowList]{
	Name:        "list_flows",
	Examples:    []string{`{"limit":20}`},
	Title:       "List flows",
	Description: "List this account's verification flows in the key's mode, by name, each as its latest version (archived ones with include_archived).",
	Brief:       "flows by name, latest versions (archived ones on request)",
	Scope:       ScopeFlowsRead,
	Annotations: Annotations{ReadOnly: true, Destructive: false, Idempotent: true, OpenWorld: false},
	REST:        REST{Method: "GET", Path: "/flows"},
	Summary:     func(l FlowList) string { return fmt.Sprintf("%d flow(s)%s.", len(l.Data), moreNote(l.HasMore)) },
	Handle: func(ctx context.Context, d *Deps, c Caller, in ListFlowsInput) (FlowList, error) {
		after, err := decodeCursor(in.Cursor, "flowname")
		if err != nil {
			return FlowList{}, err
		}
		after = strings.TrimPrefix(after, "flowname_")
		rows, more, err := d.Store.ListFlows(ctx, c.scope(), after, in.IncludeArchived, pageLimit(in.Limit))
		if err != nil {
			return FlowList{}, err
		}
		out := FlowList{Data: make([]Flow, 0, len(rows)), HasMore: more}
		for i := range rows {
			def, err := flowDefinition(ctx, d, &rows[i], rows[i].Version)
			if err != nil {
				return FlowList{}, err
			}
			out.Data = append(out.Data, toFlow(&rows[i], rows[i].Version, *def))
		}
		if more {
			out.NextCursor = encodeCursor("flowname_" + rows[len(rows)-1].Name)
		}
		return out, nil
	},
}

// ArchiveFlowInput names the flow to archive.
type ArchiveFlowInput struct {
	ID string `json:"id" jsonschema:"flow id (flw_…) or name" minLength:"1" maxLength:"100"`
}

// ArchiveFlow stops a flow from taking new verifications.
var ArchiveFlow = Tool[ArchiveFlowInput, Flow]{
	Name:     "archive_flow",
	Examples: []string{`{"id":"onboarding-eu"}`},
	Title:    "Archive flow",
	Description: "Archive a flow: new verifications can no longer run it (nor API keys default to it), running ones finish with their version, and its versions stay readable. " +
		"Its name stays taken. Archiving an archived flow changes nothing.",
	Brief:       "no new verifications run it; running ones finish, versions stay readable",
	Scope:       ScopeFlowsWrite,
	Annotations: Annotations{ReadOnly: false, Destructive: true, Idempotent: true, OpenWorld: false},
	REST:        REST{Method: "POST", Path: "/flows/{id}/archive"},
	Summary:     summarizeFlow,
	Handle: func(ctx context.Context, d *Deps, c Caller, in ArchiveFlowInput) (Flow, error) {
		f, _, _, err := resolveFlow(ctx, d, c, in.ID, "id", false)
		if err != nil {
			return Flow{}, err
		}
		if f, err = d.Store.ArchiveFlow(ctx, c.scope(), f.ID); err != nil {
			return Flow{}, storeErr(err, "flow", "id")
		}
		def, err := flowDefinition(ctx, d, f, f.Version)
		if err != nil {
			return Flow{}, err
		}
		return toFlow(f, f.Version, *def), nil
	},
}

// ValidateFlowInput is a flow to check: create_flow's input, the name optional.
type ValidateFlowInput struct {
	Name string `json:"name,omitempty" jsonschema:"the flow's name, checked when given"`
	models.FlowDefinition
}

// FlowValidation is validate_flow's answer.
type FlowValidation struct {
	Valid    bool          `json:"valid" jsonschema:"true when create_flow would accept the flow"`
	Problems []FlowProblem `json:"problems" jsonschema:"every problem found, in input order; empty when valid"`
	Checks   []string      `json:"checks" jsonschema:"the checks the flow's verifications would run"`
}

// ValidateFlow checks a flow without storing it.
var ValidateFlow = Tool[ValidateFlowInput, FlowValidation]{
	Name:     "validate_flow",
	Examples: []string{`{"steps":[{"type":"selfie_with_document"},{"type":"document","countries":["XX"]}],"policy":{"thresholds":{"face_match":1.5}}}`},
	Title:    "Validate flow",
	Description: "Dry-run a flow definition (create_flow's input, name optional): every problem is listed with its path and a message " +
		"(a step that needs another before it, an unknown country code, a threshold outside 0..1, a questionnaire that does not exist), nothing is stored.",
	Brief:       "dry run: `{valid, problems: [{path, message}]}`, nothing stored",
	Scope:       ScopeFlowsRead,
	Annotations: Annotations{ReadOnly: true, Destructive: false, Idempotent: true, OpenWorld: false},
	REST:        REST{Method: "POST", Path: "/flows/validate"},
	Summary: func(v FlowValidation) string {
		if v.Valid {
			return "The flow is valid."
		}
		return fmt.Sprintf("The flow has %d problem(s); first: %s: %s", len(v.Problems), v.Problems[0].Path, v.Problems[0].Message)
	},
	Handle: func(ctx context.Context, d *Deps, c Caller, in ValidateFlowInput) (FlowValidation, error) {
		def := in.FlowDefinition
		ps, err := validateFlow(ctx, d, c, in.Name, false, &def)
		if err != nil {
			return FlowValidation{}, err
		}
		return FlowValidation{Valid: len(ps) == 0, Problems: append([]FlowProblem{}, ps...), Checks: nonNilStrings(flowChecks(def.Steps))}, nil
	},
}

func nonNilStrings(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func summarizeFlow(f Flow) string {
	return fmt.Sprintf("Flow %s (%s) version %d of %d, %s: %d step(s).", f.Name, f.ID, f.Version, f.Latest, f.Status, len(f.Steps))
}

func toFlow(f *models.Flow, version int, def models.FlowDefinition) Flow {
	status := "active"
	if f.ArchivedAt != nil {
		status = "archived"
	}
	if def.Steps == nil {
		def.Steps = []models.FlowStep{}
	}
	return Flow{ID: f.ID, Name: f.Name, Version: version, Latest: f.Version, Status: status, FlowDefinition: def,
		Checks: nonNilStrings(flowChecks(def.Steps)), ArchivedAt: f.ArchivedAt, CreatedAt: f.CreatedAt, UpdatedAt: f.UpdatedAt}
}

// flowDefinition reads a version's definition.
func flowDefinition(ctx context.Context, d *Deps, f *models.Flow, version int) (*models.FlowDefinition, error) {
	fv, err := d.Store.GetFlowVersion(ctx, f.ID, version)
	if err != nil {
		return nil, err
	}
	def := new(models.FlowDefinition)
	if err := json.Unmarshal([]byte(fv.Definition), def); err != nil {
		return nil, fmt.Errorf("decode flow %s version %d: %w", f.ID, version, err)
	}
	return def, nil
}

// resolveFlow finds a flow by id or name, with an optional @version (only when versioned is
// set; otherwise the latest).
func resolveFlow(ctx context.Context, d *Deps, c Caller, ref, field string, versioned bool) (*models.Flow, int, models.FlowDefinition, error) {
	ref = strings.TrimSpace(ref)
	name, version := ref, 0
	if i := strings.LastIndexByte(ref, '@'); i >= 0 {
		if !versioned {
			return nil, 0, models.FlowDefinition{}, invalid(field, "name the flow without @version: this acts on the flow as a whole")
		}
		n, err := strconv.Atoi(ref[i+1:])
		if err != nil || n < 1 {
			return nil, 0, models.FlowDefinition{}, invalid(field, "%q: after @ comes a version number (onboarding@2)", ref)
		}
		name, version = ref[:i], n
	}
	if name == "" {
		return nil, 0, models.FlowDefinition{}, invalid(field, "name a flow by id (flw_…) or name")
	}
	f, err := d.Store.GetFlow(ctx, c.scope(), name, !strings.HasPrefix(name, "flw_"))
	if errors.Is(err, db.ErrNotFound) {
		return nil, 0, models.FlowDefinition{}, Errorf(CodeNotFound, field, "no flow %q in this account's %s mode (list_flows shows them)", name, c.Mode)
	}
	if err != nil {
		return nil, 0, models.FlowDefinition{}, err
	}
	if version == 0 {
		version = f.Version
	}
	if version > f.Version {
		return nil, 0, models.FlowDefinition{}, Errorf(CodeNotFound, field, "flow %s has versions 1 to %d", f.Name, f.Version)
	}
	def, err := flowDefinition(ctx, d, f, version)
	if err != nil {
		return nil, 0, models.FlowDefinition{}, err
	}
	return f, version, *def, nil
}
