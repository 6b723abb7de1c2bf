package dashboard

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/kycd/kycd/models"
	"github.com/kycd/kycd/tools"
)

func (h *Handler) routes() {
	m := h.mux
	m.HandleFunc("GET /dashboard/{$}", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, Prefix+"queue", http.StatusSeeOther)
	})
	m.HandleFunc("GET /dashboard/queue", h.queue)
	m.HandleFunc("GET /dashboard/cases/{id}", h.caseView)
	m.HandleFunc("GET /dashboard/cases/{id}/images/{image}", h.image)
	m.HandleFunc("GET /dashboard/cases/{id}/report.pdf", h.report)
	m.HandleFunc("POST /dashboard/cases/{id}/assign", h.assign)
	m.HandleFunc("POST /dashboard/cases/{id}/comment", h.comment)
	m.HandleFunc("POST /dashboard/cases/{id}/review", h.review)
	m.HandleFunc("POST /dashboard/cases/{id}/hits", h.resolveHit)
	m.HandleFunc("GET /dashboard/search", h.search)
	m.HandleFunc("GET /dashboard/verifications", h.verifications)
	m.HandleFunc("GET /dashboard/applicants", h.applicants)
	m.HandleFunc("GET /dashboard/businesses", h.businesses)
	m.HandleFunc("GET /dashboard/screening-lists", h.screeningLists)
	m.HandleFunc("GET /dashboard/settings/keys", h.keys)
	m.HandleFunc("POST /dashboard/settings/keys", h.createKey)
	m.HandleFunc("POST /dashboard/settings/keys/{id}/revoke", h.revokeKey)
	m.HandleFunc("GET /dashboard/settings/clients", h.clients)
	m.HandleFunc("POST /dashboard/settings/clients/{id}/revoke", h.revokeClient)
	m.HandleFunc("GET /dashboard/settings/webhooks", h.webhooks)
	m.HandleFunc("POST /dashboard/settings/deliveries/{id}/replay", h.replay)
	m.HandleFunc("GET /dashboard/analytics", h.analytics)
	h.settingsRoutes()
	m.HandleFunc("GET /dashboard/settings/notifications", h.notifications)
	m.HandleFunc("POST /dashboard/settings/notifications", h.saveNotifications)
}

// queueData is the review queue page.
type queueData struct {
	Queue   tools.ReviewQueue
	Filter  url.Values
	Checks  []models.Check
	NextURL string
}

func (h *Handler) queue(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	args := map[string]any{"limit": 50}
	for _, k := range []string{"failed_check", "country", "assignee", "cursor"} {
		if v := strings.TrimSpace(q.Get(k)); v != "" {
			args[k] = v
		}
	}
	for _, k := range []string{"min_age_hours", "max_age_hours"} {
		if v := strings.TrimSpace(q.Get(k)); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil {
				h.fail(w, r, tools.Errorf(tools.CodeInvalidArgument, k, "give a whole number of hours"))
				return
			}
			args[k] = n
		}
	}
	out, te := call[tools.ReviewQueue](r, tools.ListReviewQueue.Name, args)
	if te != nil {
		h.fail(w, r, te)
		return
	}
	t := table{Name: "review-queue", Columns: []string{"Reference", "Applicant", "Failed checks", "Country", "Waiting (h)", "Entered review", "Assignee"}}
	if h.masked(r, "") {
		for i, c := range out.Data {
			if c.ApplicantName != nil {
				name := maskText(*c.ApplicantName)
				out.Data[i].ApplicantName = &name
			}
		}
	}
	for _, c := range out.Data {
		t.Rows = append(t.Rows, []cell{{Text: c.Reference, Href: Prefix + "cases/" + c.ID}, {Text: deref(c.ApplicantName)},
			{Text: strings.Join(c.FailedChecks, ", ")}, {Text: deref(c.Country)}, {Text: strconv.FormatFloat(c.WaitingHours, 'f', 1, 64)},
			{Text: c.EnteredReview.Format(time.RFC3339)}, {Text: deref(c.Assignee)}})
	}
	if wantCSV(r) {
		writeCSV(w, t)
		return
	}
	d := queueData{Queue: out, Filter: q, Checks: models.AllChecks}
	if out.NextCursor != nil {
		nq := cloneValues(q)
		nq.Set("cursor", *out.NextCursor)
		d.NextURL = Prefix + "queue?" + nq.Encode()
	}
	h.render(w, r, "queue", "Review queue", "queue", 0, d)
}

// caseData is the case view.
type caseData struct {
	V          tools.Verification
	Review     tools.ReviewCase
	Events     []tools.Event
	Deliveries []tools.WebhookDelivery
	// DeliveriesNote says why deliveries are missing (the operator's role cannot read them).
	DeliveriesNote string
	Images         map[string][]tools.CaseImage
	Checks         []checkView
	ReasonCodes    []string
	Failed         []string
	Face           *faceView
	// Masked is set when the operator's role sees this case's personal data masked (mask.go);
	// RevealedUntil when a reveal shows it unmasked for a while.
	Masked        bool
	SignalsHidden bool
	RevealedUntil time.Time
}

// faceView puts the selfie beside the document portrait with the face match's score and threshold,
// and the second model's (the cross-check) when it was asked.
type faceView struct {
	Selfie, Portrait           *tools.CaseImage
	Score, Threshold           string
	CrossScore, CrossThreshold string
	Outcome                    string
}

// checkView is one check's outcome as the case view lays it out.
type checkView struct {
	models.CheckOutcome
	Fields [][2]string
	Hits   []hitView
	// Images are the kinds shown beside this check.
	Images []string
}

// hitView is a screening hit with what the resolve form needs.
type hitView struct {
	Source, SourceID, EntityName, MatchedName, Category, Fingerprint string
	Score, Threshold                                                 float64
	Explanation                                                      string
	Verdict                                                          string
}

func (h *Handler) caseView(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	v, te := call[tools.Verification](r, tools.GetVerification.Name, map[string]any{"id": id})
	if te != nil {
		h.fail(w, r, te)
		return
	}
	rc, te := call[tools.ReviewCase](r, tools.GetReview.Name, map[string]any{"id": id})
	if te != nil {
		h.fail(w, r, te)
		return
	}
	evs, te := call[tools.EventList](r, tools.ListVerificationEvents.Name, map[string]any{"id": id, "limit": 100})
	if te != nil {
		h.fail(w, r, te)
		return
	}
	d := caseData{V: v, Review: rc, Events: evs.Data, Images: map[string][]tools.CaseImage{}, ReasonCodes: reasonCodes(r)}
	for _, img := range rc.Images {
		if img.PurgedAt == nil {
			d.Images[img.Kind] = append(d.Images[img.Kind], img)
		}
	}
	if operator(r).Caller.Has(tools.ScopeWebhooksRead) {
		for _, ev := range evs.Data {
			dl, te := call[tools.WebhookDeliveryList](r, tools.ListWebhookDeliveries.Name, map[string]any{"event_id": ev.ID, "limit": 20})
			if te != nil {
				d.DeliveriesNote = te.Message
				break
			}
			d.Deliveries = append(d.Deliveries, dl.Data...)
		}
	} else {
		d.DeliveriesNote = "your role cannot read webhook deliveries"
	}
	if v.Result != nil {
		for _, c := range v.Result.Checks {
			d.Checks = append(d.Checks, toCheckView(c))
			if c.Outcome != models.OutcomePass {
				d.Failed = append(d.Failed, c.Check)
			}
		}
	}
	d.Face = faceOf(d)
	if h.masked(r, v.ID) {
		maskCase(&d)
	} else if masksPII(operator(r)) {
		d.RevealedUntil = h.reveals.until(sessionOf(operator(r)), v.ID, h.now())
	}
	h.render(w, r, "case", "Case "+v.Reference, "queue", 0, d)
}

// checkImages are the image kinds shown beside each check's evidence.
var checkImages = map[string][]string{
	string(models.CheckDocument):  {string(models.ArtifactDocumentFront), string(models.ArtifactDocumentBack)},
	string(models.CheckFaceMatch): {string(models.ArtifactSelfie), string(models.ArtifactDocumentPortrait)},
	string(models.CheckAge):       {string(models.ArtifactSelfie)},
	string(models.CheckLiveness):  {string(models.ArtifactSelfie), string(models.ArtifactLivenessFrame)},
}

func toCheckView(c models.CheckOutcome) checkView {
	cv := checkView{CheckOutcome: c, Images: checkImages[c.Check]}
	keys := make([]string, 0, len(c.Details))
	for k := range c.Details {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if k == "hits" {
			continue
		}
		cv.Fields = append(cv.Fields, [2]string{k, describe(c.Details[k])})
	}
	if hits, ok := c.Details["hits"].([]any); ok {
		for _, raw := range hits {
			m, _ := raw.(map[string]any)
			hv := hitView{Source: str(m["source"]), SourceID: str(m["source_id"]), EntityName: str(m["entity_name"]),
				MatchedName: str(m["matched_name"]), Category: str(m["category"]), Fingerprint: str(m["fingerprint"])}
			hv.Score, _ = m["score"].(float64)
			hv.Threshold, _ = m["threshold"].(float64)
			if ex, ok := m["explanation"].(map[string]any); ok {
				hv.Explanation = describe(ex)
			}
			if dec, ok := m["decision"].(map[string]any); ok {
				hv.Verdict = str(dec["verdict"])
			}
			cv.Hits = append(cv.Hits, hv)
		}
	}
	return cv
}

func faceOf(d caseData) *faceView {
	latest := func(kind string) *tools.CaseImage {
		if l := d.Images[kind]; len(l) > 0 {
			return &l[len(l)-1]
		}
		return nil
	}
	f := &faceView{Selfie: latest(string(models.ArtifactSelfie)), Portrait: latest(string(models.ArtifactDocumentPortrait))}
	if f.Selfie == nil && f.Portrait == nil {
		return nil
	}
	for _, c := range d.Checks {
		if c.Check != string(models.CheckFaceMatch) {
			continue
		}
		f.Outcome = string(c.Outcome)
		if m, ok := c.Details["match"].(map[string]any); ok {
			f.Score, f.Threshold = describe(m["score"]), describe(m["threshold"])
			if cc, ok := m["cross_check"].(map[string]any); ok {
				f.CrossScore, f.CrossThreshold = describe(cc["score"]), describe(cc["threshold"])
			}
		}
	}
	return f
}

func (h *Handler) image(w http.ResponseWriter, r *http.Request) {
	if h.masked(r, r.PathValue("id")) {
		http.Error(w, "images are hidden for your role: reveal the case's personal data first", http.StatusForbidden)
		return
	}
	img, te := call[tools.VerificationImage](r, tools.GetVerificationImage.Name, map[string]any{"id": r.PathValue("id"), "image_id": r.PathValue("image")})
	if te != nil {
		http.Error(w, te.Message, te.Code.HTTPStatus())
		return
	}
	b, err := base64.StdEncoding.DecodeString(img.Data)
	if err != nil {
		http.Error(w, "bad image", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", img.ContentType)
	w.Header().Set("Content-Disposition", "inline")
	_, _ = w.Write(b)
}

func (h *Handler) report(w http.ResponseWriter, r *http.Request) {
	if h.masked(r, r.PathValue("id")) {
		h.fail(w, r, tools.Errorf(tools.CodePermissionDenied, "", "the report holds the applicant's personal data and images, which your role sees masked: reveal the case's personal data first"))
		return
	}
	rep, te := call[tools.Report](r, tools.GetReport.Name, map[string]any{"id": r.PathValue("id")})
	if te != nil {
		h.fail(w, r, te)
		return
	}
	b, err := base64.StdEncoding.DecodeString(rep.Data)
	if err != nil {
		http.Error(w, "bad report", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", `attachment; filename="`+rep.Filename+`"`)
	_, _ = w.Write(b)
}

func caseURL(r *http.Request) string { return Prefix + "cases/" + url.PathEscape(r.PathValue("id")) }

func (h *Handler) assign(w http.ResponseWriter, r *http.Request) {
	who := r.PostFormValue("assignee")
	if r.PostFormValue("me") != "" {
		who = "me"
	}
	_, te := call[tools.ReviewAssignment](r, tools.AssignReview.Name, map[string]any{"id": r.PathValue("id"), "assignee": who})
	back(w, r, caseURL(r), "Assignment saved.", te)
}

func (h *Handler) comment(w http.ResponseWriter, r *http.Request) {
	_, te := call[tools.ReviewComment](r, tools.AddReviewComment.Name, map[string]any{"id": r.PathValue("id"), "body": r.PostFormValue("body")})
	back(w, r, caseURL(r), "Comment added.", te)
}

func (h *Handler) review(w http.ResponseWriter, r *http.Request) {
	args := map[string]any{"id": r.PathValue("id"), "decision": r.PostFormValue("decision"), "reason": r.PostFormValue("reason")}
	if codes := r.PostForm["reason_codes"]; len(codes) > 0 {
		args["reason_codes"] = codes
	}
	if checks := r.PostForm["checks"]; len(checks) > 0 && r.PostFormValue("decision") == "request_resubmission" {
		args["checks"] = checks
	}
	v, te := call[tools.Verification](r, tools.ReviewVerification.Name, args)
	notice := ""
	if te == nil {
		notice = "Decision recorded: " + v.Status + "."
		if v.Status == "pending" {
			notice = "Resubmission requested: the applicant has a fresh link for " + strings.Join(v.Checks, ", ") + "."
		}
	}
	back(w, r, caseURL(r), notice, te)
}

func (h *Handler) resolveHit(w http.ResponseWriter, r *http.Request) {
	v, te := call[tools.Verification](r, tools.GetVerification.Name, map[string]any{"id": r.PathValue("id")})
	if te == nil {
		args := map[string]any{"subject_ref": v.ApplicantID, "source": r.PostFormValue("source"), "source_id": r.PostFormValue("source_id"),
			"verdict": r.PostFormValue("verdict"), "reason": r.PostFormValue("reason")}
		if fp := r.PostFormValue("fingerprint"); fp != "" {
			args["fingerprint"] = fp
		}
		_, te = call[tools.ScreeningDecision](r, tools.ResolveScreeningHit.Name, args)
	}
	back(w, r, caseURL(r), "Verdict recorded.", te)
}

func (h *Handler) search(w http.ResponseWriter, r *http.Request) {
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	t := table{Name: "search", Columns: []string{"Reference", "Applicant", "Status", "External ref", "Created"}, Query: q}
	if q != "" {
		out, te := call[tools.SearchResult](r, tools.SearchVerifications.Name, map[string]any{"query": q, "limit": 100})
		if te != nil {
			h.fail(w, r, te)
			return
		}
		mask := h.masked(r, "")
		for _, m := range out.Data {
			t.Rows = append(t.Rows, []cell{{Text: m.Reference, Href: Prefix + "cases/" + m.ID}, {Text: maskIf(mask, deref(m.ApplicantName))},
				{Text: m.Status}, {Text: deref(m.ExternalRef)}, {Text: m.CreatedAt.Format(time.RFC3339)}})
		}
	}
	h.list(w, r, "Search", "search", t)
}

func (h *Handler) verifications(w http.ResponseWriter, r *http.Request) {
	args := pageArgs(r)
	if s := r.URL.Query().Get("status"); s != "" {
		args["status"] = []string{s}
	}
	out, te := call[tools.VerificationList](r, tools.ListVerifications.Name, args)
	if te != nil {
		h.fail(w, r, te)
		return
	}
	t := table{Name: "verifications", Columns: []string{"Reference", "Applicant", "Status", "Checks", "External ref", "Created"}, Statuses: models.AllStatuses}
	mask := h.masked(r, "")
	for _, v := range out.Data {
		name := ""
		if v.Applicant != nil {
			name = maskIf(mask, v.Applicant.Name)
		}
		t.Rows = append(t.Rows, []cell{{Text: v.Reference, Href: Prefix + "cases/" + v.ID}, {Text: name}, {Text: v.Status},
			{Text: strings.Join(v.Checks, ", ")}, {Text: deref(v.ExternalRef)}, {Text: v.CreatedAt.Format(time.RFC3339)}})
	}
	t.setNext(r, out.NextCursor)
	h.list(w, r, "Verifications", "verifications", t)
}

func (h *Handler) applicants(w http.ResponseWriter, r *http.Request) {
	args := pageArgs(r)
	out, te := call[tools.ApplicantList](r, tools.ListApplicants.Name, args)
	if te != nil {
		h.fail(w, r, te)
		return
	}
	t := table{Name: "applicants", Columns: []string{"Applicant", "Name", "Country", "External ref", "Created", "Erased"}}
	mask := h.masked(r, "")
	for _, a := range out.Data {
		name, country := "", ""
		if a.Data != nil {
			name, country = maskIf(mask, a.Data.Name), a.Data.Country
		}
		t.Rows = append(t.Rows, []cell{{Text: a.ID, Href: Prefix + "search?q=" + url.QueryEscape(deref(a.ExternalRef))}, {Text: name}, {Text: country},
			{Text: deref(a.ExternalRef)}, {Text: a.CreatedAt.Format(time.RFC3339)}, {Text: timeOr(a.DeletedAt)}})
		if a.ExternalRef == nil {
			t.Rows[len(t.Rows)-1][0].Href = ""
		}
	}
	t.setNext(r, out.NextCursor)
	h.list(w, r, "Applicants", "applicants", t)
}

func (h *Handler) businesses(w http.ResponseWriter, r *http.Request) {
	args := pageArgs(r)
	out, te := call[tools.BusinessList](r, tools.ListBusinesses.Name, args)
	t := table{Name: "businesses", Columns: []string{"Business", "Status", "Risk", "LEI", "External ref", "Reasons"}}
	if te != nil && te.Code == tools.CodeUnavailable { // KYB not configured here: an empty list that says why
		t.Note = te.Message
	} else if te != nil {
		h.fail(w, r, te)
		return
	}
	for _, b := range out.Data {
		var codes []string
		for _, re := range b.Reasons {
			codes = append(codes, re.Code)
		}
		t.Rows = append(t.Rows, []cell{{Text: b.ID}, {Text: b.Status}, {Text: b.RiskLevel}, {Text: b.LEI}, {Text: deref(b.ExternalRef)}, {Text: strings.Join(codes, ", ")}})
	}
	t.setNext(r, out.NextCursor)
	h.list(w, r, "Businesses", "businesses", t)
}

func (h *Handler) screeningLists(w http.ResponseWriter, r *http.Request) {
	out, te := call[tools.ScreeningLists](r, tools.ListScreeningLists.Name, map[string]any{})
	t := table{Name: "screening-lists", Columns: []string{"List", "Entities", "SHA-256", "Loaded", "Fetched", "In service", "Origin"}}
	if te != nil && te.Code == tools.CodeUnavailable { // screening not configured here
		t.Note = te.Message
	} else if te != nil {
		h.fail(w, r, te)
		return
	}
	for _, l := range out.Lists {
		t.Rows = append(t.Rows, []cell{{Text: l.Source}, {Text: strconv.Itoa(l.Entities)}, {Text: l.SHA256}, {Text: l.LoadedAt.Format(time.RFC3339)},
			{Text: timeOr(l.FetchedAt)}, {Text: strconv.FormatBool(l.InService)}, {Text: l.Origin}})
	}
	h.list(w, r, "Screening lists", "screening-lists", t)
}

// list renders a table page, or its CSV with ?format=csv.
func (h *Handler) list(w http.ResponseWriter, r *http.Request, title, nav string, t table) {
	if wantCSV(r) {
		writeCSV(w, t)
		return
	}
	t.Title = title
	t.CSVURL = csvURL(r)
	h.render(w, r, "table", title, nav, 0, t)
}

// keysData is the API keys page.
type keysData struct {
	Keys      tools.APIKeyList
	NewSecret string
	NewKey    string
	Scopes    []string
	Checks    []string
	Error     string
}

func (h *Handler) keys(w http.ResponseWriter, r *http.Request) {
	h.keysPage(w, r, "", "", nil)
}

func (h *Handler) keysPage(w http.ResponseWriter, r *http.Request, secret, keyID string, createErr *tools.Error) {
	keys, te := call[tools.APIKeyList](r, tools.ListAPIKeys.Name, map[string]any{"include_revoked": true})
	if te != nil {
		h.fail(w, r, te)
		return
	}
	d := keysData{Keys: keys, NewSecret: secret, NewKey: keyID}
	for _, c := range models.AllChecks {
		d.Checks = append(d.Checks, string(c))
	}
	for _, s := range operator(r).Caller.Scopes {
		if s != tools.ScopeUsersAdmin {
			d.Scopes = append(d.Scopes, string(s))
		}
	}
	status := 0
	if createErr != nil {
		d.Error, status = createErr.Message, createErr.Code.HTTPStatus()
		if createErr.Field != "" {
			d.Error = createErr.Field + ": " + d.Error
		}
	}
	if wantCSV(r) {
		t := table{Name: "api-keys", Columns: []string{"Key", "Name", "Prefix", "Mode", "Scopes", "Checks", "Rate limit", "Face match threshold", "Liveness threshold", "Embed origins", "Created", "Revoked"}}
		for _, k := range keys.Data {
			t.Rows = append(t.Rows, []cell{{Text: k.ID}, {Text: k.Name}, {Text: k.Prefix}, {Text: k.Mode}, {Text: strings.Join(k.Scopes, " ")},
				{Text: strings.Join(k.Checks, " ")}, {Text: strconv.Itoa(k.RateLimit)}, {Text: strconv.FormatFloat(k.FaceMatchThreshold, 'f', -1, 64)},
				{Text: strconv.FormatFloat(k.LivenessThreshold, 'f', -1, 64)}, {Text: strings.Join(k.EmbedOrigins, " ")},
				{Text: k.CreatedAt.Format(time.RFC3339)}, {Text: timeOr(k.RevokedAt)}})
		}
		writeCSV(w, t)
		return
	}
	h.render(w, r, "keys", "API keys", "settings", status, d)
}

func (h *Handler) createKey(w http.ResponseWriter, r *http.Request) {
	args := map[string]any{"name": r.PostFormValue("name")}
	if s := r.PostForm["scopes"]; len(s) > 0 {
		args["scopes"] = s
	}
	if v := strings.TrimSpace(r.PostFormValue("rate_limit")); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			h.keysPage(w, r, "", "", tools.Errorf(tools.CodeInvalidArgument, "rate_limit", "give a whole number of requests per minute"))
			return
		}
		args["rate_limit"] = n
	}
	if v := strings.TrimSpace(r.PostFormValue("expires_in_days")); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			h.keysPage(w, r, "", "", tools.Errorf(tools.CodeInvalidArgument, "expires_in_days", "give a whole number of days"))
			return
		}
		args["expires_in_days"] = n
	}
	if c := r.PostForm["checks"]; len(c) > 0 {
		args["checks"] = c
	}
	for _, f := range []string{"face_match_threshold", "liveness_threshold"} {
		if v := strings.TrimSpace(r.PostFormValue(f)); v != "" {
			x, err := strconv.ParseFloat(v, 64)
			if err != nil {
				h.keysPage(w, r, "", "", tools.Errorf(tools.CodeInvalidArgument, f, "give a number between 0 and 1, e.g. 0.6"))
				return
			}
			args[f] = x
		}
	}
	if v := strings.TrimSpace(r.PostFormValue("embed_origins")); v != "" {
		args["embed_origins"] = strings.Fields(v) // one per line (or space)
	}
	created, te := call[tools.CreatedAPIKey](r, tools.CreateAPIKey.Name, args)
	if te != nil {
		h.keysPage(w, r, "", "", te)
		return
	}
	// The secret is shown in this response only (no redirect: it must not land in a URL).
	h.keysPage(w, r, created.Secret, created.Key.ID, nil)
}

func (h *Handler) revokeKey(w http.ResponseWriter, r *http.Request) {
	k, te := call[tools.APIKey](r, tools.RevokeAPIKey.Name, map[string]any{"id": r.PathValue("id")})
	notice := ""
	if te == nil {
		notice = "Key " + k.Name + " (" + k.Prefix + ") revoked."
	}
	back(w, r, Prefix+"settings/keys", notice, te)
}

// clients is the connected OAuth clients page (#26): who connected which client with which
// scopes, its last use, and a revoke button (all its tokens stop working).
func (h *Handler) clients(w http.ResponseWriter, r *http.Request) {
	grants, te := call[tools.OAuthGrantList](r, tools.ListOAuthGrants.Name, map[string]any{"limit": 100})
	if te != nil {
		h.fail(w, r, te)
		return
	}
	if wantCSV(r) {
		t := table{Name: "oauth-clients", Columns: []string{"Grant", "Client", "Client id", "Operator", "Scopes", "Connected", "Last used", "Revoked"}}
		for _, g := range grants.Data {
			t.Rows = append(t.Rows, []cell{{Text: g.ID}, {Text: g.ClientName}, {Text: g.ClientID}, {Text: g.UserID}, {Text: strings.Join(g.Scopes, " ")},
				{Text: g.CreatedAt.Format(time.RFC3339)}, {Text: timeOr(g.LastUsedAt)}, {Text: timeOr(g.RevokedAt)}})
		}
		writeCSV(w, t)
		return
	}
	h.render(w, r, "clients", "Connected clients", "settings", 0, grants)
}

func (h *Handler) revokeClient(w http.ResponseWriter, r *http.Request) {
	g, te := call[tools.OAuthGrant](r, tools.RevokeOAuthGrant.Name, map[string]any{"id": r.PathValue("id")})
	notice := ""
	if te == nil {
		notice = "Client " + g.ClientName + " disconnected: its tokens no longer work."
	}
	back(w, r, Prefix+"settings/clients", notice, te)
}

// webhooksData is the webhooks page: endpoints and the delivery log.
type webhooksData struct {
	Endpoints  tools.WebhookEndpointList
	Deliveries tools.WebhookDeliveryList
	Endpoint   string
	Status     string
	NextURL    string
}

func (h *Handler) webhooks(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	eps, te := call[tools.WebhookEndpointList](r, tools.ListWebhookEndpoints.Name, map[string]any{"limit": 100})
	if te != nil {
		h.fail(w, r, te)
		return
	}
	args := map[string]any{"limit": 50}
	for _, k := range []string{"endpoint_id", "status", "cursor"} {
		if v := q.Get(k); v != "" {
			args[k] = v
		}
	}
	dl, te := call[tools.WebhookDeliveryList](r, tools.ListWebhookDeliveries.Name, args)
	if te != nil {
		h.fail(w, r, te)
		return
	}
	if wantCSV(r) {
		t := table{Name: "webhook-deliveries", Columns: []string{"Delivery", "Event", "Type", "URL", "Status", "Attempts", "Last status", "Created"}}
		for _, d := range dl.Data {
			code := ""
			if d.StatusCode != nil {
				code = strconv.Itoa(*d.StatusCode)
			}
			t.Rows = append(t.Rows, []cell{{Text: d.ID}, {Text: d.EventID}, {Text: d.EventType}, {Text: d.URL}, {Text: d.Status},
				{Text: strconv.Itoa(d.Attempts)}, {Text: code}, {Text: d.CreatedAt.Format(time.RFC3339)}})
		}
		writeCSV(w, t)
		return
	}
	d := webhooksData{Endpoints: eps, Deliveries: dl, Endpoint: q.Get("endpoint_id"), Status: q.Get("status")}
	if dl.NextCursor != nil {
		nq := cloneValues(q)
		nq.Set("cursor", *dl.NextCursor)
		d.NextURL = Prefix + "settings/webhooks?" + nq.Encode()
	}
	h.render(w, r, "webhooks", "Webhooks", "settings", 0, d)
}

func (h *Handler) replay(w http.ResponseWriter, r *http.Request) {
	d, te := call[tools.WebhookDelivery](r, tools.ReplayWebhookDelivery.Name, map[string]any{"id": r.PathValue("id")})
	notice := ""
	if te == nil {
		notice = fmt.Sprintf("Replay %s queued.", d.ID)
	}
	back(w, r, Prefix+"settings/webhooks", notice, te)
}

func reasonCodes(r *http.Request) []string {
	// The codes review_verification accepts, as its input schema lists them.
	info, ok := r.Context().Value(handlerKey{}).(*Handler).reg.Tool(tools.ReviewVerification.Name)
	if !ok {
		return nil
	}
	return schemaEnum(info.InputSchema, "reason_codes")
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func timeOr(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

func cloneValues(v url.Values) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = slices.Clone(vs)
	}
	return out
}
