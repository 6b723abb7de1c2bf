package tools

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/google/jsonschema-go/jsonschema"

	"github.com/kycd/kycd/db"
)

// REST binds a tool to a route under /api/v1. Path parameters are written {field} and are
// the input fields of that name. For GET and DELETE the other input fields come from the
// query string; for POST, PUT and PATCH from the JSON body. So a binding never needs per-tool
// adapter code: the REST router and the OpenAPI document are generated from it.
type REST struct {
	// Method is GET, POST, PUT, PATCH or DELETE.
	Method string
	// Path is relative to /api/v1, e.g. "/verifications/{id}/cancel".
	Path string
	// Status is the success status; 0 means 200 OK.
	Status int
	// Also are further routes to the same tool, served and documented like the first: a tool
	// addressed by either of two fields takes one in the path and both in the query string
	// (DELETE /applicants/{id} and DELETE /applicants?external_ref=…).
	Also []REST
}

// Bindings returns every route of the tool: the declared one (or the fallback) first, then
// its Also routes.
func (b REST) Bindings(tool string) []REST {
	out := []REST{b.OrDefault(tool)}
	for _, a := range b.Also {
		out = append(out, a.OrDefault(tool))
	}
	return out
}

// IsZero reports an undeclared binding.
func (b REST) IsZero() bool { return b.Method == "" && b.Path == "" }

// OrDefault returns the binding, or the fallback POST /tools/{name} for a tool that declared none.
func (b REST) OrDefault(tool string) REST {
	if b.IsZero() {
		return REST{Method: http.MethodPost, Path: "/tools/" + tool, Status: http.StatusOK}
	}
	if b.Status == 0 {
		b.Status = http.StatusOK
	}
	return b
}

// BodyFields reports whether the non-path inputs travel in a JSON body (else in the query).
func (b REST) BodyFields() bool {
	switch b.Method {
	case http.MethodPost, http.MethodPut, http.MethodPatch:
		return true
	}
	return false
}

// PathParams lists the {names} in the path, in order.
func (b REST) PathParams() []string {
	var out []string
	for _, seg := range strings.Split(b.Path, "/") {
		if strings.HasPrefix(seg, "{") && strings.HasSuffix(seg, "}") {
			out = append(out, seg[1:len(seg)-1])
		}
	}
	return out
}

// Wait makes a tool able to wait for its result to become final (the wait_seconds input),
// so an agent need not poll. The registry runs the loop; the tool says only what "final" is
// and how to re-read.
type Wait[Out any] struct {
	// Done reports a final result: waiting stops.
	Done func(Out) bool
	// Reload reads the current state of a result.
	Reload func(ctx context.Context, d *Deps, c Caller, out Out) (Out, error)
	// Describe is the progress message for a result (optional).
	Describe func(Out) string
}

// The input fields every surface gets from the registry rather than from a tool's Go type.
const (
	// FieldIdempotencyKey is the idempotency key input of tools that create (Tool.Creates).
	FieldIdempotencyKey = "idempotency_key"
	// FieldWaitSeconds is the wait input of tools with a Wait.
	FieldWaitSeconds = "wait_seconds"
	// MaxWaitSeconds bounds wait_seconds, below common client and proxy timeouts.
	MaxWaitSeconds = 120
	// IdempotencyTTL is how long a stored response is replayed.
	IdempotencyTTL = 24 * time.Hour
	// idempotencyStale is when an unfinished claim counts as abandoned by a dead process.
	idempotencyStale = 2 * time.Minute
	// idempotencyWait is how long a repeat waits for the first call with its key to answer.
	idempotencyWait = 15 * time.Second
)

// addSurfaceInputs adds the registry-provided inputs to a tool's input schema.
func addSurfaceInputs(s *jsonschema.Schema, creates, waits bool) {
	if s.Properties == nil {
		s.Properties = map[string]*jsonschema.Schema{}
	}
	if creates {
		one, max := 1, 255
		s.Properties[FieldIdempotencyKey] = &jsonschema.Schema{Type: "string", MinLength: &one, MaxLength: &max,
			Description: "makes retries safe: the same key (a UUID, say) and arguments within 24 h return the first result; other arguments are a conflict"}
		s.PropertyOrder = append(s.PropertyOrder, FieldIdempotencyKey)
	}
	if waits {
		zero, max := 0.0, float64(MaxWaitSeconds)
		s.Properties[FieldWaitSeconds] = &jsonschema.Schema{Type: "integer", Minimum: &zero, Maximum: &max,
			Description: fmt.Sprintf("seconds (at most %d) to wait for a final status, with progress notifications where the surface has them; 0 = answer at once", MaxWaitSeconds)}
		s.PropertyOrder = append(s.PropertyOrder, FieldWaitSeconds)
	}
}

func (c *compiled[In, Out]) decodeOut(raw []byte) (any, error) {
	var out Out
	if err := json.Unmarshal(raw, &out); err != nil {
		return nil, fmt.Errorf("decode stored %s result: %w", c.tool.Name, err)
	}
	return out, nil
}

func (c *compiled[In, Out]) waitDone(out any) bool {
	o, ok := out.(Out)
	return !ok || c.tool.Wait == nil || c.tool.Wait.Done(o)
}

func (c *compiled[In, Out]) reload(ctx context.Context, d *Deps, caller Caller, out any) (any, error) {
	o, ok := out.(Out)
	if !ok || c.tool.Wait == nil {
		return out, nil
	}
	return c.tool.Wait.Reload(ctx, d, caller, o)
}

func (c *compiled[In, Out]) describe(out any) string {
	o, ok := out.(Out)
	if ok && c.tool.Wait != nil && c.tool.Wait.Describe != nil {
		return c.tool.Wait.Describe(o)
	}
	return c.summarize(out)
}

// Progress is one progress report of a call that waits.
type Progress struct {
	// Elapsed and Total are seconds; Elapsed grows with every report.
	Elapsed, Total float64
	Message        string
}

// CallOptions are what a surface may add to a call beyond the arguments.
type CallOptions struct {
	// IdempotencyKey comes from a transport header (REST Idempotency-Key). It applies to any
	// tool that is not read-only; the idempotency_key argument applies to tools that create.
	IdempotencyKey string
	// Progress, when set, receives progress while a call waits (wait_seconds).
	Progress func(Progress)
	// WaitInterval is how often a waiting call re-reads its result (default 500 ms).
	WaitInterval time.Duration
	// Args, when set, reads the arguments once the call is counted against the rate limit
	// (raw is then ignored), so that a request whose arguments the surface itself refuses
	// (REST's unreadable body or unknown query parameter) still costs one request.
	Args func() (json.RawMessage, *Error)
}

// CallMeta tells a surface how a call was answered.
type CallMeta struct {
	// Replayed is true when the result is the stored response of an earlier call with the same idempotency key.
	Replayed bool
	// Rate is the caller's request budget after the call was counted (zero when no limiter
	// applies), for surfaces that show it (REST's X-RateLimit-* headers).
	Rate RateStatus
}

// CallWith is Call with the surface's options: idempotency keys, waiting with progress.
// Every call of a known tool is counted once against the caller's request budget, before
// anything else is checked, whatever the surface (a JSON-RPC batch counts each of its calls).
func (r *Registry) CallWith(ctx context.Context, caller Caller, name string, raw json.RawMessage, o CallOptions) (any, CallMeta, error) {
	var meta CallMeta
	t, ok := r.byName[name]
	if !ok {
		return nil, meta, Errorf(CodeNotFound, "", "no tool named %q", name)
	}
	if caller.recheck {
		if terr := StillValid(ctx, r.deps, caller); terr != nil {
			return nil, meta, terr
		}
	}
	var terr *Error
	if meta.Rate, terr = r.limit(caller); terr != nil {
		return nil, meta, terr
	}
	if o.Args != nil {
		if raw, terr = o.Args(); terr != nil {
			return nil, meta, terr
		}
	}
	info := t.info()
	if terr := authorize(caller, info); terr != nil {
		return nil, meta, terr
	}
	v, terr := decodeArgs(raw)
	if terr != nil {
		return nil, meta, terr
	}
	in, _ := t.schemas()
	dropNulls(v, in)
	if err := t.validateIn(v); err != nil {
		return nil, meta, schemaError(err, in)
	}
	args := v.(map[string]any)
	if terr := sessionTarget(caller, args); terr != nil {
		return nil, meta, terr
	}
	if terr := r.consentFirst(ctx, caller, info); terr != nil {
		return nil, meta, terr
	}
	idemKey, waitSecs, raw, terr := surfaceArgs(info, args, raw, o.IdempotencyKey)
	if terr != nil {
		return nil, meta, terr
	}
	var out any
	if idemKey != "" {
		var err error
		out, meta.Replayed, err = r.callIdempotent(ctx, t, caller, idemKey, args, raw)
		if err != nil {
			return nil, meta, err
		}
	} else {
		var err error
		if out, err = t.call(ctx, r.deps, caller, raw); err != nil {
			return nil, meta, r.toolError(ctx, caller, name, err)
		}
	}
	if waitSecs > 0 {
		var err error
		if out, err = r.wait(ctx, t, caller, out, waitSecs, o); err != nil {
			return nil, meta, r.toolError(ctx, caller, name, err)
		}
	}
	return out, meta, nil
}

// surfaceArgs takes the registry-provided fields out of the arguments, so the tool's own
// input type never sees them, and reconciles the key given as an argument with a header's.
func surfaceArgs(info Info, args map[string]any, raw json.RawMessage, headerKey string) (string, int, json.RawMessage, *Error) {
	key, _ := args[FieldIdempotencyKey].(string)
	waitSecs := 0
	if w, ok := args[FieldWaitSeconds].(float64); ok {
		waitSecs = int(w)
	}
	_, hasKey := args[FieldIdempotencyKey]
	_, hasWait := args[FieldWaitSeconds]
	if hasKey || hasWait {
		delete(args, FieldIdempotencyKey)
		delete(args, FieldWaitSeconds)
		b, err := json.Marshal(args)
		if err != nil {
			return "", 0, nil, Errorf(CodeMalformed, "", "arguments cannot be re-encoded: %v", err)
		}
		raw = b
	}
	headerKey = strings.TrimSpace(headerKey)
	switch {
	case headerKey == "":
	case info.Annotations.ReadOnly:
		headerKey = "" // a read is safe to repeat; the key means nothing
	case len(headerKey) > 255:
		return "", 0, nil, Errorf(CodeInvalidArgument, "Idempotency-Key", "longer than 255 characters")
	case key != "" && key != headerKey:
		return "", 0, nil, Errorf(CodeInvalidArgument, FieldIdempotencyKey, "differs from the Idempotency-Key header; send one of them")
	default:
		key = headerKey
	}
	return key, waitSecs, raw, nil
}

// callIdempotent runs a call at most once per (account, mode, key): a repeat with the same
// tool and arguments gets the stored response, one with other arguments a conflict. The key
// is claimed in the database before the call, so concurrent repeats — on any process sharing
// the database — cannot both create.
func (r *Registry) callIdempotent(ctx context.Context, t Descriptor, caller Caller, key string, args map[string]any, raw json.RawMessage) (any, bool, error) {
	name := t.info().Name
	canon, err := json.Marshal(args) // map keys sort, so equal arguments hash equal
	if err != nil {
		return nil, false, Errorf(CodeMalformed, "", "arguments cannot be encoded: %v", err)
	}
	sum := sha256.Sum256(append([]byte(name+"\n"), canon...))
	hash := hex.EncodeToString(sum[:])
	sc := caller.scope()
	store := r.deps.Store
	// A repeat that arrives while the first is still running waits for its answer (and
	// replays it) rather than failing: clients retry on timeouts, and both databases behave
	// the same. Only a first call running longer than idempotencyWait gets a 409 to retry.
	deadline := time.Now().Add(idempotencyWait)
	var claim db.IdempotencyClaim
	for {
		var err error
		claim, err = store.ClaimIdempotencyKey(ctx, sc, key, hash, IdempotencyTTL, idempotencyStale)
		inFlight := errors.Is(err, db.ErrConflict) ||
			(err == nil && !claim.Claimed && claim.Existing.RequestHash == hash && claim.Existing.Response == db.IdempotencyInFlight)
		if err != nil && !inFlight {
			return nil, false, r.toolError(ctx, caller, name, err)
		}
		if !inFlight {
			break
		}
		if time.Now().After(deadline) {
			return nil, false, &Error{Code: CodeConflict, Field: FieldIdempotencyKey, RetryAfterSeconds: 1,
				Message: "a request with this idempotency key is still being processed; retry shortly"}
		}
		select {
		case <-ctx.Done():
			return nil, false, Errorf(CodeUnavailable, "", "cancelled while waiting for the first request with this idempotency key")
		case <-time.After(50 * time.Millisecond):
		}
	}
	if !claim.Claimed {
		ex := claim.Existing
		if ex.Response == db.IdempotencyErased {
			return nil, false, Errorf(CodeConflict, FieldIdempotencyKey, "the request made with this idempotency key in the last 24 h created an object "+
				"whose applicant was since erased (delete_applicant), and its stored response went with the personal data; use a new key")
		}
		if ex.RequestHash != hash {
			return nil, false, Errorf(CodeConflict, FieldIdempotencyKey, "this idempotency key was used with other arguments (or another tool) in the last 24 h; use a new key")
		}
		out, err := t.decodeOut([]byte(ex.Response))
		if err != nil {
			return nil, false, r.toolError(ctx, caller, name, err)
		}
		return out, true, nil
	}
	out, callErr := t.call(ctx, r.deps, caller, raw)
	if callErr != nil {
		// Only successes are remembered: a caller who fixes the request may retry with the key.
		if err := store.ReleaseIdempotencyKey(context.WithoutCancel(ctx), sc, key); err != nil {
			r.deps.logger().ErrorContext(ctx, "release idempotency key", "err", err)
		}
		return nil, false, r.toolError(ctx, caller, name, callErr)
	}
	body, err := json.Marshal(out)
	if err == nil {
		err = store.CompleteIdempotencyKey(context.WithoutCancel(ctx), sc, key, string(body))
	}
	if err != nil {
		// The object exists; failing now would invite a duplicate. Answer, and log.
		r.deps.logger().ErrorContext(ctx, "store idempotent response", "tool", name, "err", err)
	}
	return out, false, nil
}

// wait re-reads a result until it is final, the time is up (the current result is the
// answer) or ctx ends (the client cancelled: an error).
func (r *Registry) wait(ctx context.Context, t Descriptor, caller Caller, out any, secs int, o CallOptions) (any, error) {
	interval := o.WaitInterval
	if interval <= 0 {
		interval = 500 * time.Millisecond
	}
	start := time.Now()
	deadline := start.Add(time.Duration(secs) * time.Second)
	report := func(cur any) {
		if o.Progress != nil {
			o.Progress(Progress{Elapsed: time.Since(start).Seconds(), Total: float64(secs), Message: t.describe(cur)})
		}
	}
	timer := time.NewTimer(interval)
	defer timer.Stop()
	for {
		if t.waitDone(out) {
			return out, nil
		}
		report(out)
		left := time.Until(deadline)
		if left <= 0 {
			return out, nil
		}
		timer.Reset(min(interval, left))
		select {
		case <-ctx.Done():
			return nil, Errorf(CodeUnavailable, "", "cancelled while waiting: %v", context.Cause(ctx))
		case <-timer.C:
		}
		if terr := StillValid(ctx, r.deps, caller); terr != nil {
			return nil, terr // the key was revoked while its call waited
		}
		next, err := t.reload(ctx, r.deps, caller, out)
		if err != nil {
			return nil, err
		}
		out = next
	}
}

// Tool returns the description of one tool.
func (r *Registry) Tool(name string) (Info, bool) {
	t, ok := r.byName[name]
	if !ok {
		return Info{}, false
	}
	return t.info(), true
}

// ConsentRequired begins the message of the conflict a session gets before consent, so the
// hosted flow can send the applicant back to the intro.
const ConsentRequired = "consent_required"

// consentFirst holds the applicant to the order the hosted flow shows: nothing but reading
// and consenting may happen through a session before consent is on the verification's
// timeline — no upload, no challenge, no submission, whatever URL the page was opened at.
// API keys are the integrator's, who collects consent in their own product.
func (r *Registry) consentFirst(ctx context.Context, caller Caller, info Info) *Error {
	if !caller.IsSession() || info.Annotations.ReadOnly || info.Name == RecordConsent.Name {
		return nil
	}
	ok, err := r.deps.Verify.ConsentGiven(ctx, caller.scope(), caller.VerificationID)
	if err != nil {
		return r.toolError(ctx, caller, info.Name, err)
	}
	if !ok {
		return &Error{Code: CodeConflict, Field: "id", Message: ConsentRequired + ": the applicant has not agreed to the processing yet; record_consent comes first"}
	}
	return nil
}
