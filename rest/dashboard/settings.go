package dashboard

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/kycd/kycd/tools"
)

// The settings pages of issue #25 beyond keys, clients and webhooks: flows, operators
// (users), retention, and the monitoring page. Each calls the registry's tools with the
// operator's Caller; a role without the tool's scope gets the tool's own refusal.

func (h *Handler) settingsRoutes() {
	m := h.mux
	m.HandleFunc("GET /dashboard/settings/flows", h.flows)
	m.HandleFunc("POST /dashboard/settings/flows", h.saveFlow)
	m.HandleFunc("GET /dashboard/settings/flows/{id}", h.flowView)
	m.HandleFunc("POST /dashboard/settings/flows/{id}", h.saveFlow)
	m.HandleFunc("POST /dashboard/settings/flows/{id}/archive", h.archiveFlow)
	m.HandleFunc("GET /dashboard/settings/users", h.users)
	m.HandleFunc("POST /dashboard/settings/users", h.createUser)
	m.HandleFunc("POST /dashboard/settings/users/{id}", h.updateUser)
	m.HandleFunc("GET /dashboard/settings/retention", h.retention)
	m.HandleFunc("POST /dashboard/settings/retention", h.setRetention)
	m.HandleFunc("POST /dashboard/cases/{id}/reveal", h.reveal)
	m.HandleFunc("GET /dashboard/monitoring", h.monitoring)
	m.HandleFunc("GET /dashboard/monitoring/runs", h.monitoringRuns)
}

// flowsData is the flows page: the list and the new-flow form.
type flowsData struct {
	Flows tools.FlowList
	Form  flowForm
	// NextURL pages the list.
	NextURL string
}

// flowForm is the JSON editor of a flow (new or a new version) with validate_flow's answer.
type flowForm struct {
	Name       string
	Definition string
	Problems   []tools.FlowProblem
	Error      string
	// Checked is set after a validation without problems.
	Checked bool
	Checks  []string
}

// newFlowExample is what the new-flow editor starts with: a valid flow to edit.
const newFlowExample = `{
  "steps": [
    {"type": "consent"},
    {"type": "document", "document_types": ["passport", "id_card"]},
    {"type": "selfie"},
    {"type": "screening"}
  ],
  "policy": {"review_on_failure": true}
}`

func (h *Handler) flows(w http.ResponseWriter, r *http.Request) {
	h.flowsPage(w, r, flowForm{Definition: newFlowExample}, 0)
}

func (h *Handler) flowsPage(w http.ResponseWriter, r *http.Request, form flowForm, status int) {
	args := map[string]any{"limit": 100, "include_archived": true}
	if c := r.URL.Query().Get("cursor"); c != "" {
		args["cursor"] = c
	}
	list, te := call[tools.FlowList](r, tools.ListFlows.Name, args)
	if te != nil {
		h.fail(w, r, te)
		return
	}
	if wantCSV(r) {
		t := table{Name: "flows", Columns: []string{"Flow", "Name", "Version", "Status", "Checks", "Updated"}}
		for _, f := range list.Data {
			t.Rows = append(t.Rows, []cell{{Text: f.ID}, {Text: f.Name}, {Text: strconv.Itoa(f.Latest)}, {Text: f.Status},
				{Text: strings.Join(f.Checks, " ")}, {Text: f.UpdatedAt.Format(time.RFC3339)}})
		}
		writeCSV(w, t)
		return
	}
	d := flowsData{Flows: list, Form: form}
	if list.NextCursor != nil {
		d.NextURL = Prefix + "settings/flows?cursor=" + url.QueryEscape(*list.NextCursor)
	}
	h.render(w, r, "flows", "Flows", "settings", status, d)
}

// flowData is one flow version with the editor for its next version.
type flowData struct {
	Flow     tools.Flow
	JSON     string
	Versions []int
	Form     flowForm
}

func (h *Handler) flowView(w http.ResponseWriter, r *http.Request) {
	h.flowPage(w, r, nil, 0)
}

func (h *Handler) flowPage(w http.ResponseWriter, r *http.Request, form *flowForm, status int) {
	id := r.PathValue("id")
	if v := r.URL.Query().Get("version"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			h.fail(w, r, tools.Errorf(tools.CodeInvalidArgument, "version", "give a version number from 1"))
			return
		}
		id += "@" + strconv.Itoa(n)
	}
	f, te := call[tools.Flow](r, tools.GetFlow.Name, map[string]any{"id": id})
	if te != nil {
		h.fail(w, r, te)
		return
	}
	def := definitionJSON(f)
	d := flowData{Flow: f, JSON: def}
	for v := f.Latest; v >= 1; v-- {
		d.Versions = append(d.Versions, v)
	}
	if form != nil {
		d.Form = *form
	} else {
		d.Form = flowForm{Name: f.Name, Definition: def}
	}
	h.render(w, r, "flow", "Flow "+f.Name, "settings", status, d)
}

// definitionJSON is a flow's definition (steps, policy, session, branding) as indented JSON:
// what update_flow takes.
func definitionJSON(f tools.Flow) string {
	b, err := json.Marshal(f.FlowDefinition)
	if err != nil {
		return "{}"
	}
	var out bytes.Buffer
	if json.Indent(&out, b, "", "  ") != nil {
		return string(b)
	}
	return out.String()
}

// parseDefinition reads the editor's JSON: an object with the definition's fields.
func parseDefinition(s string) (map[string]any, *tools.Error) {
	var def map[string]any
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	if err := dec.Decode(&def); err != nil {
		off, what := int64(len(s)), err.Error()
		var se *json.SyntaxError
		var te *json.UnmarshalTypeError
		switch {
		case errors.As(err, &se):
			off = se.Offset
		case errors.As(err, &te):
			off, what = te.Offset, "give a JSON object with steps (and optionally policy, session, branding), not "+te.Value
		case errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF):
			what = "it ends before the object is closed"
		}
		line, col := position(s, off)
		return nil, tools.Errorf(tools.CodeInvalidArgument, "definition", "not valid JSON at line %d, column %d: %s", line, col, what)
	}
	if def == nil {
		return nil, tools.Errorf(tools.CodeInvalidArgument, "definition", "give a JSON object with steps (and optionally policy, session, branding)")
	}
	if dec.More() {
		return nil, tools.Errorf(tools.CodeInvalidArgument, "definition", "give one JSON object, nothing after it")
	}
	return def, nil
}

// position turns a byte offset into a 1-based line and column.
func position(s string, off int64) (int, int) {
	if off > int64(len(s)) {
		off = int64(len(s))
	}
	before := s[:off]
	line := strings.Count(before, "\n") + 1
	col := int(off) - strings.LastIndex(before, "\n")
	return line, col
}

// saveFlow validates a flow with validate_flow (every problem listed beside the editor) and,
// unless only a validation was asked, stores it: create_flow on the list page, update_flow
// (a new version) on a flow's page.
func (h *Handler) saveFlow(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	form := flowForm{Name: strings.TrimSpace(r.PostFormValue("name")), Definition: r.PostFormValue("definition")}
	show := func(status int) {
		if id == "" {
			h.flowsPage(w, r, form, status)
		} else {
			h.flowPage(w, r, &form, status)
		}
	}
	def, te := parseDefinition(form.Definition)
	if te != nil {
		form.Error = te.Field + ": " + te.Message
		show(te.Code.HTTPStatus())
		return
	}
	if _, ok := def["name"]; ok && id != "" {
		form.Error = "definition.name: a flow keeps its name; remove name (a new name is a new flow)"
		show(http.StatusUnprocessableEntity)
		return
	}
	if id == "" && form.Name == "" {
		form.Error = "name: give the flow a name (lower-case letters, digits, '.', '_', '-')"
		show(http.StatusUnprocessableEntity)
		return
	}
	vargs := map[string]any{}
	for k, v := range def {
		vargs[k] = v
	}
	if id == "" {
		vargs["name"] = form.Name
	}
	val, te := call[tools.FlowValidation](r, tools.ValidateFlow.Name, vargs)
	if te != nil {
		form.Error = errText(te)
		show(te.Code.HTTPStatus())
		return
	}
	form.Problems, form.Checks = val.Problems, val.Checks
	if !val.Valid {
		show(http.StatusUnprocessableEntity)
		return
	}
	if r.PostFormValue("action") == "validate" {
		form.Checked = true
		show(0)
		return
	}
	var f tools.Flow
	if id == "" {
		f, te = call[tools.Flow](r, tools.CreateFlow.Name, vargs)
	} else {
		uargs := map[string]any{"id": id}
		for k, v := range def {
			uargs[k] = v
		}
		f, te = call[tools.Flow](r, tools.UpdateFlow.Name, uargs)
	}
	if te != nil {
		form.Error = errText(te)
		show(te.Code.HTTPStatus())
		return
	}
	back(w, r, Prefix+"settings/flows/"+url.PathEscape(f.ID), fmt.Sprintf("Flow %s saved as version %d.", f.Name, f.Version), nil)
}

func (h *Handler) archiveFlow(w http.ResponseWriter, r *http.Request) {
	f, te := call[tools.Flow](r, tools.ArchiveFlow.Name, map[string]any{"id": r.PathValue("id")})
	if te != nil {
		back(w, r, Prefix+"settings/flows/"+url.PathEscape(r.PathValue("id")), "", te)
		return
	}
	back(w, r, Prefix+"settings/flows/"+url.PathEscape(f.ID), "Flow "+f.Name+" archived: no new verifications run it.", nil)
}

func errText(te *tools.Error) string {
	if te.Field != "" {
		return te.Field + ": " + te.Message
	}
	return te.Message
}

// usersData is the operators page; SetupURL is a one-time link shown in the response to the
// POST that made it (never in a redirect).
type usersData struct {
	Users    tools.UserList
	SetupURL string
	SetupFor string
	Error    string
	Roles    []string
}

func (h *Handler) users(w http.ResponseWriter, r *http.Request) { h.usersPage(w, r, "", "", nil) }

func (h *Handler) usersPage(w http.ResponseWriter, r *http.Request, link, who string, fail *tools.Error) {
	list, te := call[tools.UserList](r, tools.ListUsers.Name, map[string]any{})
	if te != nil {
		h.fail(w, r, te)
		return
	}
	if wantCSV(r) {
		t := table{Name: "operators", Columns: []string{"Operator", "E-mail", "Role", "Status", "TOTP", "Created", "Last sign-in"}}
		for _, u := range list.Data {
			t.Rows = append(t.Rows, []cell{{Text: u.ID}, {Text: u.Email}, {Text: u.Role}, {Text: u.Status}, {Text: strconv.FormatBool(u.TOTP)},
				{Text: u.CreatedAt.Format(time.RFC3339)}, {Text: timeOr(u.LastLoginAt)}})
		}
		writeCSV(w, t)
		return
	}
	d := usersData{Users: list, SetupURL: link, SetupFor: who, Roles: []string{"viewer", "reviewer", "admin"}}
	status := 0
	if fail != nil {
		d.Error, status = errText(fail), fail.Code.HTTPStatus()
	}
	h.render(w, r, "users", "Operators", "settings", status, d)
}

func (h *Handler) createUser(w http.ResponseWriter, r *http.Request) {
	u, te := call[tools.User](r, tools.CreateUser.Name, map[string]any{"email": strings.TrimSpace(r.PostFormValue("email")), "role": r.PostFormValue("role")})
	if te != nil {
		h.usersPage(w, r, "", "", te)
		return
	}
	h.usersPage(w, r, u.SetupURL, u.Email, nil)
}

// updateUser is the row buttons: disable, enable, reset (a new setup link), sign out
// everywhere, change role.
func (h *Handler) updateUser(w http.ResponseWriter, r *http.Request) {
	args := map[string]any{"id": r.PathValue("id")}
	action := r.PostFormValue("action")
	switch action {
	case "disable":
		args["disabled"] = true
	case "enable":
		args["disabled"] = false
	case "reset":
		args["reset_setup"] = true
	case "signout":
		args["revoke_sessions"] = true
	case "role":
		args["role"] = r.PostFormValue("role")
	default:
		h.usersPage(w, r, "", "", tools.Errorf(tools.CodeInvalidArgument, "action", "give disable, enable, reset, signout or role"))
		return
	}
	u, te := call[tools.User](r, tools.UpdateUser.Name, args)
	if te != nil {
		h.usersPage(w, r, "", "", te)
		return
	}
	if u.SetupURL != "" {
		h.usersPage(w, r, u.SetupURL, u.Email, nil)
		return
	}
	back(w, r, Prefix+"settings/users", fmt.Sprintf("Operator %s: %s, %s.", u.Email, u.Role, u.Status), nil)
}

// retentionData is the retention page.
type retentionData struct {
	Policy tools.RetentionPolicy
	Error  string
}

func (h *Handler) retention(w http.ResponseWriter, r *http.Request) { h.retentionPage(w, r, nil) }

func (h *Handler) retentionPage(w http.ResponseWriter, r *http.Request, fail *tools.Error) {
	p, te := call[tools.RetentionPolicy](r, tools.GetRetentionPolicy.Name, map[string]any{})
	if te != nil {
		h.fail(w, r, te)
		return
	}
	d := retentionData{Policy: p}
	status := 0
	if fail != nil {
		d.Error, status = errText(fail), fail.Code.HTTPStatus()
	}
	h.render(w, r, "retention", "Retention", "settings", status, d)
}

func (h *Handler) setRetention(w http.ResponseWriter, r *http.Request) {
	days, err := strconv.Atoi(strings.TrimSpace(r.PostFormValue("delete_after_days")))
	if err != nil {
		h.retentionPage(w, r, tools.Errorf(tools.CodeInvalidArgument, "delete_after_days", "give a whole number of days (0 = keep until deleted)"))
		return
	}
	p, te := call[tools.RetentionPolicy](r, tools.SetRetentionPolicy.Name, map[string]any{"delete_after_days": days, "legal_hold": r.PostFormValue("legal_hold") == "on"})
	if te != nil {
		h.retentionPage(w, r, te)
		return
	}
	hold := "off"
	if p.LegalHold {
		hold = "on"
	}
	back(w, r, Prefix+"settings/retention", fmt.Sprintf("Retention saved (%s mode): erase %d day(s) after the last verification ended; legal hold %s.", p.Mode, p.DeleteAfterDays, hold), nil)
}

// monitoring lists what ongoing screening found: the screening.match events it recorded on
// verifications (list_events); monitoringRuns lists the runs (list_monitoring_runs).
func (h *Handler) monitoring(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	days := 30
	if v := q.Get("days"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 3660 {
			h.fail(w, r, tools.Errorf(tools.CodeInvalidArgument, "days", "give a whole number of days from 1 to 3660"))
			return
		}
		days = n
	}
	since := h.now().Add(-time.Duration(days) * 24 * time.Hour).UTC()
	args := map[string]any{"types": []string{"screening.match"}, "since": since, "limit": 100}
	if c := q.Get("cursor"); c != "" {
		args["cursor"] = c
	}
	out, te := call[tools.LoggedEventList](r, tools.ListEvents.Name, args)
	if te != nil {
		h.fail(w, r, te)
		return
	}
	t := table{Name: "monitoring", Columns: []string{"When", "Case", "Hits", "Status before", "Detail"},
		Note: fmt.Sprintf("Matches that ongoing screening raised in the last %d day(s), oldest first: each moved its case to review. (?days=N shows another period.)", days),
		See:  []cell{{Text: "Monitoring runs", Href: Prefix + "monitoring/runs"}}}
	mask := h.masked(r, "")
	for _, e := range out.Data {
		hits := ""
		if l, ok := e.Data["hits"].([]any); ok {
			hits = strconv.Itoa(len(l))
		}
		// The hits name the applicant's screened name: the case shows them (masked for a viewer
		// until a reveal); here, how many and the rest of the event.
		detail := map[string]any{}
		for k, v := range e.Data {
			if k != "hits" {
				detail[k] = v
			}
		}
		var shown any = detail
		if mask {
			shown = redactor{}.value("", jsonValue(detail))
		}
		t.Rows = append(t.Rows, []cell{{Text: e.CreatedAt.UTC().Format(time.RFC3339)}, {Text: e.ObjectID, Href: Prefix + "cases/" + e.ObjectID},
			{Text: hits}, {Text: str(e.Data["previous_status"])}, {Text: describe(shown)}})
	}
	t.setNext(r, out.NextCursor)
	if !out.HasMore {
		t.NextURL = ""
	}
	h.list(w, r, "Monitoring", "monitoring", t)
}

// monitoringRuns lists the ongoing-screening runs as they touched this account and mode.
func (h *Handler) monitoringRuns(w http.ResponseWriter, r *http.Request) {
	args := pageArgs(r)
	out, te := call[tools.MonitoringRunList](r, tools.ListMonitoringRuns.Name, args)
	if te != nil {
		h.fail(w, r, te)
		return
	}
	t := table{Name: "monitoring-runs", Columns: []string{"Finished", "Cause", "Lists", "Applicants", "With hits", "New hits", "Flagged", "Moved to review", "Businesses", "Businesses changed", "Took"},
		Note: "Every ongoing-screening run (after a list update, on the schedule, or `kycd lists monitor`) that re-screened something of this account and mode, newest first.",
		See:  []cell{{Text: "Matches raised", Href: Prefix + "monitoring"}}}
	for _, m := range out.Data {
		lists := make([]string, 0, len(m.Lists))
		for src, sha := range m.Lists {
			lists = append(lists, src+" "+sha[:min(12, len(sha))])
		}
		slices.Sort(lists)
		t.Rows = append(t.Rows, []cell{{Text: m.FinishedAt.Format(time.RFC3339)}, {Text: m.Cause}, {Text: strings.Join(lists, ", ")},
			{Text: strconv.Itoa(m.Subjects)}, {Text: strconv.Itoa(m.WithHits)}, {Text: strconv.Itoa(m.NewHits)}, {Text: strconv.Itoa(m.Flagged)},
			{Text: strconv.Itoa(m.Moved)}, {Text: strconv.Itoa(m.BusinessesChecked)}, {Text: strconv.Itoa(m.BusinessesChanged)},
			{Text: m.FinishedAt.Sub(m.StartedAt).Round(time.Millisecond).String()}})
	}
	t.setNext(r, out.NextCursor)
	h.list(w, r, "Monitoring runs", "monitoring", t)
}
