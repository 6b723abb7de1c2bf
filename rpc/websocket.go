package rpc

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
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
		batch := func(msg []byte) ([]byte, bool) { return s.ServeBytes(r.Context(), caller, msg) }
		_ = s.ServeStream(r.Context(), &wsStream{conn: conn, batch: batch}, caller, logger, "rpc/ws")
	})
}

// wsStream is a jsonrpc2.ObjectStream over a gorilla connection, like jsonrpc2/websocket's,
// but a message that is not JSON is answered with a parse error (-32700) instead of ending
// the connection, a batch is answered as over HTTP, and writes are serialised (gorilla
// allows one writer at a time).
type wsStream struct {
	conn *websocket.Conn
	wmu  sync.Mutex
	// batch answers a batch (a JSON array) itself, since jsonrpc2's streams take single objects.
	batch func(msg []byte) ([]byte, bool)
}

// WriteObject sends obj as one text message.
func (s *wsStream) WriteObject(obj any) error {
	b, err := json.Marshal(obj)
	if err != nil {
		return err
	}
	s.wmu.Lock()
	defer s.wmu.Unlock()
	_ = s.conn.SetWriteDeadline(time.Now().Add(30 * time.Second))
	return s.conn.WriteMessage(websocket.TextMessage, b)
}

// ReadObject reads the next message that is JSON into v.
func (s *wsStream) ReadObject(v any) error {
	for {
		_, msg, err := s.conn.ReadMessage()
		var ce *websocket.CloseError
		if errors.As(err, &ce) {
			return io.EOF
		}
		if err != nil {
			return err
		}
		if t := bytes.TrimSpace(msg); len(t) > 0 && t[0] == '[' && s.batch != nil {
			if out, some := s.batch(t); some {
				s.wmu.Lock()
				err := s.conn.WriteMessage(websocket.TextMessage, out)
				s.wmu.Unlock()
				if err != nil {
					return err
				}
			}
			continue
		}
		if err := json.Unmarshal(msg, v); err != nil {
			if werr := s.WriteObject(response{ID: nullID, Error: parseError()}); werr != nil {
				return werr
			}
			continue
		}
		return nil
	}
}

// Close ends the connection with a normal closure.
func (s *wsStream) Close() error {
	s.wmu.Lock()
	_ = s.conn.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""), time.Now().Add(time.Second))
	s.wmu.Unlock()
	return s.conn.Close()
}
