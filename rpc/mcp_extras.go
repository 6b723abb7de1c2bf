package rpc

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/kycd/kycd/tools"
)

// The resource templates. Each is read by calling a tool through the registry, so scope,
// account and mode checks are the tools' own.
const (
	verificationURI       = "kycd://verifications/{id}"
	verificationEventsURI = "kycd://verifications/{id}/events"
	uriPrefix             = "kycd://verifications/"
	screeningListsURI     = "kycd://screening/lists"
)

// progressSender returns a CallOptions.Progress that sends notifications/progress for the
// request's progressToken, or nil when the client asked for none.
func progressSender(ctx context.Context, req mcp.CallToolRequest) func(tools.Progress) {
	if req.Params.Meta == nil || req.Params.Meta.ProgressToken == nil {
		return nil
	}
	token := req.Params.Meta.ProgressToken
	srv := server.ServerFromContext(ctx)
	if srv == nil {
		return nil
	}
	return func(p tools.Progress) {
		_ = srv.SendNotificationToClient(ctx, "notifications/progress", map[string]any{
			"progressToken": token, "progress": p.Elapsed, "total": p.Total, "message": p.Message,
		})
	}
}

// resourceVisibility says which tools each resource, template and prompt calls, so that a
// caller is listed only those it can use.
func resourceVisibility(reg *tools.Registry) visibility {
	return visibility{reg: reg, needs: map[string][]string{
		verificationURI:         {tools.GetVerification.Name},
		verificationEventsURI:   {tools.ListVerificationEvents.Name},
		screeningListsURI:       {tools.ListScreeningLists.Name},
		sandboxURI:              {tools.ListSandboxValues.Name},
		"prompt:onboard_person": {tools.CreateVerification.Name},
		"prompt:review_case":    {tools.GetVerification.Name, tools.ListVerificationEvents.Name},
	}}
}

// addResourcesAndPrompts adds the verification resource templates and the prompts, when the
// registry has the tools they use.
func addResourcesAndPrompts(s *server.MCPServer, reg *tools.Registry) {
	_, hasGet := reg.Tool(tools.GetVerification.Name)
	_, hasEvents := reg.Tool(tools.ListVerificationEvents.Name)
	_, hasCreate := reg.Tool(tools.CreateVerification.Name)
	if hasGet {
		s.AddResourceTemplate(mcp.NewResourceTemplate(verificationURI, "verification",
			mcp.WithTemplateDescription("A verification: status, applicant data given, hosted link and, once decided, the result with evidence and reasons (get_verification)."),
			mcp.WithTemplateMIMEType("application/json")),
			resourceHandler(reg, tools.GetVerification.Name, false))
	}
	if hasEvents {
		s.AddResourceTemplate(mcp.NewResourceTemplate(verificationEventsURI, "verification events",
			mcp.WithTemplateDescription("A verification's timeline, oldest first: the first 100 events (list_verification_events)."),
			mcp.WithTemplateMIMEType("application/json")),
			resourceHandler(reg, tools.ListVerificationEvents.Name, true))
	}
	if _, ok := reg.Tool(tools.ListScreeningLists.Name); ok {
		s.AddResource(mcp.NewResource(screeningListsURI, "screening lists",
			mcp.WithResourceDescription("The sanctions and PEP list versions this server screens against: source, SHA-256, entity count, load time (list_screening_lists)."),
			mcp.WithMIMEType("application/json")),
			func(ctx context.Context, req mcp.ReadResourceRequest) ([]mcp.ResourceContents, error) {
				return readTool(ctx, reg, tools.ListScreeningLists.Name, map[string]any{}, req.Params.URI)
			})
	}
	addSandboxResource(s, reg)
	addToolSchemaResource(s, reg)
	if hasCreate {
		s.AddPrompt(mcp.NewPrompt("onboard_person",
			mcp.WithPromptDescription("Verify a person's identity: create a verification, hand the applicant the link, and follow it to a decision."),
			mcp.WithArgument("name", mcp.ArgumentDescription("the person's full name"), mcp.RequiredArgument()),
			mcp.WithArgument("email", mcp.ArgumentDescription("their email address, if known")),
			mcp.WithArgument("country", mcp.ArgumentDescription("their country, ISO 3166-1 alpha-2 (DE, US), if known")),
			mcp.WithArgument("external_ref", mcp.ArgumentDescription("your id for this person, if any")),
		), onboardPrompt)
	}
	if hasGet && hasEvents {
		s.AddPrompt(mcp.NewPrompt("review_case",
			mcp.WithPromptDescription("Review a verification that needs a person's decision: the evidence, the reasons and a recommendation."),
			mcp.WithArgument("verification_id", mcp.ArgumentDescription("the verification to review (ver_…)"), mcp.RequiredArgument()),
		), reviewPrompt(reg))
	}
}

// parseVerificationURI returns the id of kycd://verifications/{id}[/events].
func parseVerificationURI(uri string, events bool) (string, error) {
	rest, ok := strings.CutPrefix(uri, uriPrefix)
	if !ok {
		return "", fmt.Errorf("unknown resource %q: want %s", uri, verificationURI)
	}
	if events {
		if rest, ok = strings.CutSuffix(rest, "/events"); !ok {
			return "", fmt.Errorf("unknown resource %q: want %s", uri, verificationEventsURI)
		}
	}
	if rest == "" || strings.Contains(rest, "/") {
		return "", fmt.Errorf("resource %q: the id is missing or malformed", uri)
	}
	return rest, nil
}

func resourceHandler(reg *tools.Registry, tool string, events bool) server.ResourceTemplateHandlerFunc {
	return func(ctx context.Context, req mcp.ReadResourceRequest) ([]mcp.ResourceContents, error) {
		id, err := parseVerificationURI(req.Params.URI, events)
		if err != nil {
			return nil, &resourceError{uri: req.Params.URI, err: tools.Errorf(tools.CodeNotFound, "", "%v", err)}
		}
		args := map[string]any{"id": id}
		if events {
			args["limit"] = 100
		}
		return readTool(ctx, reg, tool, args, req.Params.URI)
	}
}

// readTool serves a resource by calling a tool as the request's caller (the call path counts
// it against the rate limit). A tool error is a *resourceError, which resourceErrorHook turns
// into the error code the specification gives.
func readTool(ctx context.Context, reg *tools.Registry, tool string, args map[string]any, uri string) ([]mcp.ResourceContents, error) {
	caller, ok := CallerFrom(ctx)
	if !ok {
		return nil, &resourceError{uri: uri, err: tools.Errorf(tools.CodeUnauthenticated, "", "no API key")}
	}
	raw, _ := json.Marshal(args)
	out, err := reg.Call(ctx, caller, tool, raw)
	if err != nil {
		return nil, &resourceError{uri: uri, err: tools.AsError(err)}
	}
	body, err := json.MarshalIndent(out, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("encode resource: %w", err)
	}
	return []mcp.ResourceContents{mcp.TextResourceContents{URI: uri, MIMEType: "application/json", Text: string(body)}}, nil
}

func onboardPrompt(_ context.Context, req mcp.GetPromptRequest) (*mcp.GetPromptResult, error) {
	a := req.Params.Arguments
	name := strings.TrimSpace(a["name"])
	if name == "" {
		return nil, &resourceError{err: tools.Errorf(tools.CodeInvalidArgument, "name", "argument name: required")}
	}
	applicant := map[string]string{"name": name}
	for _, k := range []string{"email", "country"} {
		if v := strings.TrimSpace(a[k]); v != "" {
			applicant[k] = v
		}
	}
	args := map[string]any{"applicant": applicant}
	if ref := strings.TrimSpace(a["external_ref"]); ref != "" {
		args["external_ref"] = ref
	}
	argJSON, _ := json.Marshal(args)
	text := fmt.Sprintf(`Verify the identity of %s with kycd.

1. Call create_verification with these arguments (add an idempotency_key, e.g. a fresh UUID, so a retry cannot create twice):
%s
2. Give the applicant the hosted_url from the result (it is a secret link: share it only with them). Tell them it expires at expires_at.
3. Follow the verification with get_verification and wait_seconds (up to %d) until the status is approved, needs_review or rejected; or read the resource kycd://verifications/{id}.
4. Report the decision with its reasons. For needs_review, say which reasons need a person's look; never approve on your own.`,
		name, argJSON, tools.MaxWaitSeconds)
	return mcp.NewGetPromptResult("Onboard "+name, []mcp.PromptMessage{
		mcp.NewPromptMessage(mcp.RoleUser, mcp.NewTextContent(text)),
	}), nil
}

func reviewPrompt(reg *tools.Registry) server.PromptHandlerFunc {
	return func(ctx context.Context, req mcp.GetPromptRequest) (*mcp.GetPromptResult, error) {
		id := strings.TrimSpace(req.Params.Arguments["verification_id"])
		if id == "" {
			return nil, &resourceError{err: tools.Errorf(tools.CodeInvalidArgument, "verification_id", "argument verification_id: required")}
		}
		if _, ok := CallerFrom(ctx); !ok {
			return nil, fmt.Errorf("unauthenticated: no API key")
		}
		msgs := []mcp.PromptMessage{mcp.NewPromptMessage(mcp.RoleUser, mcp.NewTextContent(fmt.Sprintf(
			`Review kycd verification %s. Below are the verification and its timeline.
Summarise: the decision so far, each check's outcome, every reason code with what it means, and anything inconsistent between the applicant data given and what the checks found.
Then recommend approve, reject or ask the applicant for more, with the reasons that decide it. Do not change the verification yourself: a person confirms the decision, which is then recorded with review_verification.`, id)))}
		for _, r := range []struct {
			tool, uri string
			events    bool
		}{{tools.GetVerification.Name, uriPrefix + id, false}, {tools.ListVerificationEvents.Name, uriPrefix + id + "/events", true}} {
			contents, err := resourceHandler(reg, r.tool, r.events)(ctx, mcp.ReadResourceRequest{Params: mcp.ReadResourceParams{URI: r.uri}})
			if err != nil {
				return nil, err
			}
			for _, c := range contents {
				msgs = append(msgs, mcp.NewPromptMessage(mcp.RoleUser, mcp.NewEmbeddedResource(c)))
			}
		}
		return mcp.NewGetPromptResult("Review "+id, msgs), nil
	}
}
