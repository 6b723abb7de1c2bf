package flow

import (
	"context"
	"slices"
	"strconv"
	"strings"

	"github.com/kycd/kycd/models"
	"github.com/kycd/kycd/tools"
)

// The flow steps no check asks for (issue #22): selfie_with_document (the applicant holds
// their document next to their face) and additional_document (an extra document by label,
// kept as evidence). Their pages are capture pages like the selfie's and the document's,
// each upload one tool call; a document step listing several document types lets the
// applicant choose among them.

var (
	toolSelfieDoc  = tools.SubmitSelfieWithDocument.Name
	toolAdditional = tools.SubmitAdditionalDocument.Name
)

const (
	// stepSelfieDoc is the page of the selfie_with_document step.
	stepSelfieDoc = string(models.StepSelfieWithDocument)
	// stepAdditional begins the page names of additional_document steps: a flow may list
	// several, so the n-th is additional_document_n.
	stepAdditional = string(models.StepAdditionalDocument) + "_"
)

func additionalPage(n int) string { return stepAdditional + strconv.Itoa(n) }

// isAdditional reports whether a page is an additional document's.
func isAdditional(page string) bool { return strings.HasPrefix(page, stepAdditional) }

// additionalStep is the flow step of an additional document page (the n-th
// additional_document of get_verification_flow's steps: the flow's, then the session's).
func (s *session) additionalStep(page string) (models.FlowStep, bool) {
	n, err := strconv.Atoi(strings.TrimPrefix(page, stepAdditional))
	if s.flow == nil || !isAdditional(page) || err != nil || n < 1 {
		return models.FlowStep{}, false
	}
	i := 0
	for _, fs := range s.flow.Steps {
		if fs.Type == models.StepAdditionalDocument {
			if i++; i == n {
				return fs, true
			}
		}
	}
	return models.FlowStep{}, false
}

// withExtraSteps adds the pages of the verification's selfie_with_document and
// additional_document steps (when their tools are registered) to the pages its checks need,
// before the questionnaire and the confirmation; orderSteps then puts a flow's in its order.
func (h *Handler) withExtraSteps(s *session, steps []string) []string {
	if s.flow == nil {
		return steps
	}
	var extra []string
	n := 0
	for _, fs := range s.flow.Steps {
		switch fs.Type {
		case models.StepSelfieWithDocument:
			if h.hasTool(toolSelfieDoc) && !slices.Contains(extra, stepSelfieDoc) {
				extra = append(extra, stepSelfieDoc)
			}
		case models.StepAdditionalDocument:
			n++
			if h.hasTool(toolAdditional) {
				extra = append(extra, additionalPage(n))
			}
		}
	}
	at := slices.IndexFunc(steps, func(p string) bool { return p == stepQuestionnaire || p == stepConfirm })
	if at < 0 {
		at = len(steps)
	}
	return slices.Insert(slices.Clone(steps), at, extra...)
}

// flowPage is the page of the i-th step of the flow (n counts its additional documents so
// far), "" for a step without one here.
func flowPage(fs models.FlowStep, n *int) string {
	if fs.Type == models.StepAdditionalDocument {
		*n++
		return additionalPage(*n)
	}
	return flowPages[fs.Type]
}

// stepLabel is a page's name in the progress bar.
func stepLabel(c *catalog, page string) string {
	if isAdditional(page) {
		return c.T("step.additional_document")
	}
	return c.T("step." + page)
}

// collectKey is the intro's "what we collect" item of an extra page ("" for other pages).
func collectKey(page string) string {
	switch {
	case page == stepSelfieDoc:
		return "intro.collect." + stepSelfieDoc
	case isAdditional(page):
		return "intro.collect.additional_document"
	}
	return ""
}

// extraCapture fills a capture page of an extra step; false for other pages.
func (s *session) extraCapture(p *page, name string) bool {
	switch {
	case name == stepSelfieDoc:
		p.Capture = name
		return true
	case isAdditional(name):
		st, ok := s.additionalStep(name)
		if !ok {
			return false
		}
		p.Capture, p.AddLabel, p.AddOptional = name, st.Label, st.Optional
		return true
	}
	return false
}

// extraOp is the tool call of an extra step's upload (ok false for an unknown op).
func (s *session) extraOp(op, image string) (step, tool string, args map[string]any, ok bool) {
	switch {
	case op == stepSelfieDoc:
		return stepSelfieDoc, toolSelfieDoc, map[string]any{"image": image}, true
	case isAdditional(op):
		st, found := s.additionalStep(op)
		if !found {
			return "", "", nil, false
		}
		return op, toolAdditional, map[string]any{"label": st.Label, "image": image}, true
	}
	return "", "", nil, false
}

// markExtraDone marks the extra pages done only once their upload is stored (they are no
// check's input, so the checks' missing list does not say).
func (h *Handler) markExtraDone(ctx context.Context, s *session, done map[string]bool) {
	var extra []string
	for _, st := range s.steps {
		if st == stepSelfieDoc || isAdditional(st) {
			extra = append(extra, st)
		}
	}
	if len(extra) == 0 {
		return
	}
	labels, selfieDoc, err := tools.AdditionalUploaded(ctx, h.reg.Deps(), s.caller)
	for _, st := range extra {
		done[st] = false
		if err != nil {
			continue
		}
		if st == stepSelfieDoc {
			done[st] = selfieDoc
			continue
		}
		if fs, ok := s.additionalStep(st); ok {
			done[st] = slices.ContainsFunc(labels, func(l string) bool { return tools.SameLabel(l, fs.Label) })
		}
	}
}

// docChoice are the document types the applicant chooses among: the document step's
// document_types when it lists several and the verification fixed none.
func (s *session) docChoice() []string {
	if s.flow == nil || (s.v.DocumentType != nil && *s.v.DocumentType != "") {
		return nil
	}
	for _, fs := range s.flow.Steps {
		if fs.Type == models.StepDocument && len(fs.DocumentTypes) > 1 {
			return fs.DocumentTypes
		}
	}
	return nil
}
