package flow

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"time"

	"github.com/kycd/kycd/tools"
)

// statusView is what the pages poll: no applicant data, no result details.
type statusView struct {
	Status    string `json:"status"`
	Reference string `json:"reference"`
	Final     bool   `json:"final"`
	Redirect  string `json:"redirect,omitempty"`
}

func (h *Handler) status(w http.ResponseWriter, r *http.Request, s *session) {
	writeJSON(w, http.StatusOK, h.statusOf(s))
}

// statusOf is what /status and /events tell the page: no applicant data.
func (h *Handler) statusOf(s *session) statusView {
	st := s.shownStatus(h.now())
	out := statusView{Status: st, Reference: s.v.Reference, Final: slices.Contains(finalStatuses, st)}
	if out.Final {
		out.Redirect = h.redirectURL(s, st)
	}
	return out
}

// Server-Sent Events limits: a stream ends after eventsMaxAge (EventSource reconnects by
// itself, re-authenticating the session) and sends a comment every eventsKeepAlive so
// proxies do not close an idle connection.
const (
	eventsMaxAge    = 5 * time.Minute
	eventsKeepAlive = 15 * time.Second
)

// events streams the status as Server-Sent Events (`event: status`, the same JSON as /status)
// to the desktop page following a phone and to the result page awaiting the decision, so they
// move as soon as it changes. The server re-reads the verification through get_verification
// every PollInterval and sends only changes; the stream ends after a final status. The pages
// fall back to polling /status when EventSource is missing or the stream keeps failing (a
// proxy that buffers responses).
func (h *Handler) events(w http.ResponseWriter, r *http.Request, s *session) {
	rc := http.NewResponseController(w)
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Referrer-Policy", "no-referrer")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("X-Accel-Buffering", "no") // nginx: do not buffer the stream
	w.WriteHeader(http.StatusOK)
	if _, err := fmt.Fprintf(w, "retry: %d\n\n", h.opts.PollInterval.Milliseconds()); err != nil || rc.Flush() != nil {
		return
	}
	ctx := r.Context()
	tick := time.NewTicker(h.opts.PollInterval)
	defer tick.Stop()
	end := time.NewTimer(eventsMaxAge)
	defer end.Stop()
	last, quiet := "", time.Now()
	for {
		st := h.statusOf(s)
		b, err := json.Marshal(st)
		if err != nil {
			return
		}
		if string(b) != last {
			if _, err := fmt.Fprintf(w, "event: status\ndata: %s\n\n", b); err != nil || rc.Flush() != nil {
				return
			}
			last, quiet = string(b), time.Now()
		} else if time.Since(quiet) >= eventsKeepAlive {
			if _, err := io.WriteString(w, ": keep-alive\n\n"); err != nil || rc.Flush() != nil {
				return
			}
			quiet = time.Now()
		}
		if st.Final {
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-end.C:
			return
		case <-tick.C:
		}
		out, err := h.reg.Call(ctx, s.caller, toolGet, idArgs(s.caller.VerificationID, nil))
		if err != nil {
			if ctx.Err() == nil {
				h.log.WarnContext(ctx, "flow: events: re-read verification", "verification", s.caller.VerificationID, "err", err)
			}
			return // the page reconnects, or falls back to polling
		}
		v, ok := out.(tools.Verification)
		if !ok {
			return
		}
		s.v = v
	}
}
