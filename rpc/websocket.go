package rpc

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/gorilla/websocket"

	"github.com/kycd/kycd/tools"
)

// DefaultBodyLimit caps a POST /rpc body or one WebSocket message when BodyLimit is 0: room
// for a 15 MB image sent base64-encoded (submit_selfie, compare_faces, read_mrz).
const DefaultBodyLimit = 20 << 20

// upgrader keeps gorilla's default origin check: a browser page from another origin cannot
// open the socket (and could not send the Authorization header anyway).
var upgrader = websocket.Upgrader{ReadBufferSize: 4096, WriteBufferSize: 4096}

// WebSocketHandler serves JSON-RPC 2.0 over WebSocket: authenticate with Authorization:
// Bearer on the upgrade request, then send one JSON-RPC object per text message. Connection
// errors go to logger (nil = slog.Default()).
func (s *JSONRPC) WebSocketHandler(auth func(r *http.Request) (tools.Caller, *tools.Error), logger *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		caller, terr := auth(r)
		if terr != nil {
			tools.WriteHTTPError(w, terr, 0)
			return
		}
		conn, err := upgrader.Upgrade(w, r, nil)
		if err != nil {
			return // the upgrader has answered with the reason
		}
		conn.SetReadLimit(s.bodyLimit())
		s.serveWebSocket(r.Context(), conn, caller, logger)
	})
}

// serveWebSocket answers each text (or binary) message of conn as one JSON-RPC message
// (Handle) until the peer closes, the connection fails or ctx ends. When the peer closes
// with a close frame, the answers to the messages it sent before are still sent, then the
// close frame is echoed; when the connection fails or ctx ends, the calls in flight are
// cancelled. A message over the read limit closes the connection with 1009 (RFC 6455).
func (s *JSONRPC) serveWebSocket(ctx context.Context, conn *websocket.Conn, caller tools.Caller, logger *slog.Logger) {
	if logger == nil {
		logger = slog.Default()
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	ss := newStreamServer(s, caller, func(b []byte) error {
		_ = conn.SetWriteDeadline(time.Now().Add(30 * time.Second))
		return conn.WriteMessage(websocket.TextMessage, b)
	})
	closing := websocket.CloseNormalClosure
	peerClosed := false
	conn.SetCloseHandler(func(code int, _ string) error { // answer first, echo the close after
		peerClosed, closing = true, code
		if code == websocket.CloseNoStatusReceived {
			closing = websocket.CloseNormalClosure
		}
		return nil
	})
	stop := context.AfterFunc(ctx, func() { _ = conn.Close() }) // a server shutting down ends ReadMessage
	defer stop()
	// The key is checked again while the connection lives, not only at the upgrade: a revoked
	// key closes it with 1008 (policy violation) within KeyRecheck, idle or not, and no
	// message read after the revocation is served.
	revoked := make(chan struct{})
	var revokeOnce sync.Once
	revoke := func() {
		revokeOnce.Do(func() {
			close(revoked)
			ss.out.mu.Lock()
			_ = conn.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.ClosePolicyViolation, "API key revoked"), time.Now().Add(time.Second))
			ss.out.mu.Unlock()
			cancel()
		})
	}
	go func() {
		t := time.NewTicker(KeyRecheck)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				if terr := tools.StillValid(ctx, s.reg.Deps(), caller); terr != nil && terr.Code == tools.CodeUnauthenticated {
					revoke()
					return
				}
			}
		}
	}()
	for {
		msg, release, err := s.readMessage(ctx, conn, ss)
		if err == nil {
			if terr := tools.StillValid(ctx, s.reg.Deps(), caller); terr != nil && terr.Code == tools.CodeUnauthenticated {
				release()
				revoke()
				break
			}
		}
		if errors.Is(err, errUploadBusy) {
			continue // answered; the connection goes on
		}
		if err != nil {
			var ce *websocket.CloseError
			if !errors.As(err, &ce) && ctx.Err() == nil && !errors.Is(err, net.ErrClosed) {
				logger.With("surface", "rpc/ws").Debug("read a message", "err", err)
			}
			break
		}
		if !ss.serve(ctx, msg, release) {
			break
		}
	}
	if !peerClosed {
		cancel() // nobody is left to answer
	}
	ss.wg.Wait()
	select {
	case <-revoked: // the policy-violation close was sent
	default:
		ss.out.mu.Lock()
		_ = conn.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(closing, ""), time.Now().Add(time.Second))
		ss.out.mu.Unlock()
	}
	_ = conn.Close()
}

// UploadWait is how long a large WebSocket message waits for the upload budget before it is
// answered "busy" (as LimitUploads does for HTTP bodies).
var UploadWait = 2 * time.Minute

var errUploadBusy = errors.New("rpc: upload budget busy")

// readMessage reads conn's next message. Its first tools.LargeBody bytes are read freely; a
// longer message waits for the process's upload budget — charged the read limit, since a
// WebSocket message's length is not known before it is read, as for an HTTP body of unknown
// length — so a burst of large messages on many connections queues instead of holding every
// image in memory at once. The returned release gives the memory back (call it once the
// message is handled). When the budget stays busy for UploadWait, the rest of the message is
// discarded unread into memory, the call is answered with the busy error (its id when the
// message names it first), and errUploadBusy is returned.
func (s *JSONRPC) readMessage(ctx context.Context, conn *websocket.Conn, ss *streamServer) ([]byte, func(), error) {
	noop := func() {}
	_, r, err := conn.NextReader()
	if err != nil {
		return nil, noop, err
	}
	var buf bytes.Buffer
	if _, err := io.CopyN(&buf, r, tools.LargeBody); err == io.EOF {
		return buf.Bytes(), noop, nil
	} else if err != nil {
		return nil, noop, err
	}
	release, terr := tools.ReserveUpload(ctx, s.bodyLimit(), UploadWait)
	if terr != nil {
		if _, err := io.Copy(io.Discard, r); err != nil {
			return nil, noop, err
		}
		_ = ss.out.send(encode(response{ID: peekID(buf.Bytes()), Error: rpcError(terr)}))
		return nil, noop, errUploadBusy
	}
	if _, err := buf.ReadFrom(r); err != nil {
		release()
		return nil, noop, err
	}
	return buf.Bytes(), release, nil
}

// peekID finds the top-level "id" of a JSON-RPC request from the start of its message, when
// it comes before anything that cannot be read from that start (null otherwise).
func peekID(head []byte) json.RawMessage {
	dec := json.NewDecoder(bytes.NewReader(head))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nullID
	}
	for dec.More() {
		k, err := dec.Token()
		if err != nil {
			return nullID
		}
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nullID
		}
		if k == "id" {
			return v
		}
	}
	return nullID
}

// KeyRecheck is how often an open WebSocket re-checks its API key while idle (every message
// is checked too). A variable so tests can shorten it.
var KeyRecheck = 5 * time.Second
