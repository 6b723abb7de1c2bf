// Package surfaces measures what each surface adds over a direct registry call.
//
//	go test ./bench/surfaces -run '^$' -bench . -benchtime 3s
//
// Each surface runs the same calls (get_verification of one verification: a database read;
// read_mrz: no database) as the same caller, in process, so the difference to …/direct is
// the adapter: decoding the request, routing, glue, encoding the answer. Authentication (a
// database lookup of the key) is measured on its own, as every surface pays it per request.
package surfaces

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/mark3labs/mcp-go/server"

	"github.com/kycd/kycd/db"
	"github.com/kycd/kycd/db/dbtest"
	"github.com/kycd/kycd/internal/tooltest"
	"github.com/kycd/kycd/models"
	"github.com/kycd/kycd/rest"
	"github.com/kycd/kycd/rpc"
	"github.com/kycd/kycd/tools"
	"github.com/kycd/kycd/verify"
)

type fixture struct {
	env *tooltest.Env
	id  string
}

func setup(b *testing.B, open func(testing.TB) *db.Store) fixture {
	b.Helper()
	env := tooltest.New(b, open(b), map[models.Check]verify.CheckRunner{models.CheckScreening: tooltest.Check{Outcome: models.OutcomePass}})
	env.Reg.SetRateLimiter(tools.NewRateLimiter(1<<30, 1))
	var v tools.Verification
	if te := env.Call(b, env.Test, "create_verification", map[string]any{"checks": []string{"screening"}, "applicant": map[string]any{"name": "Ada Lovelace"}}, &v); te != nil {
		b.Fatal(te)
	}
	return fixture{env: env, id: v.ID}
}

var stores = []struct {
	name string
	open func(testing.TB) *db.Store
}{{"sqlite", dbtest.SQLite}, {"postgres", dbtest.Postgres}}

// call is one tool call as each surface spells it.
type call struct {
	name             string
	tool             string
	args             string
	method, restPath string
}

func calls(id string) []call {
	mrz, _ := json.Marshal(map[string]string{"text": "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10"})
	return []call{
		// A database read: what most calls are.
		{"get_verification", "get_verification", fmt.Sprintf(`{"id":%q}`, id), "GET", "/api/v1/verifications/" + id},
		// No database: the adapter's share is easiest to see.
		{"read_mrz", "read_mrz", string(mrz), "POST", "/api/v1/mrz/read"},
	}
}

func BenchmarkAdapters(b *testing.B) {
	for _, st := range stores {
		b.Run(st.name, func(b *testing.B) {
			f := setup(b, st.open)
			reg, caller := f.env.Reg, f.env.Test
			ctx := context.Background()
			fixed := func(*http.Request) (tools.Caller, *tools.Error) { return caller, nil }
			restH, err := rest.New(reg, rest.Options{Authenticate: fixed})
			if err != nil {
				b.Fatal(err)
			}
			jr, err := rpc.NewJSONRPC(reg, "bench")
			if err != nil {
				b.Fatal(err)
			}
			rpcH := jr.HTTPHandler(fixed)
			mcpS := rpc.NewMCPServer(reg, "bench")
			mctx := rpc.WithCaller(ctx, caller)
			mcpS.HandleMessage(mctx, json.RawMessage(`{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"b","version":"1"}}}`))
			mcpH := rpc.HTTPHandler(rpc.NewMCPServer(reg, "bench"), "/mcp", fixed, server.WithStateLess(true))

			for _, c := range calls(f.id) {
				args := json.RawMessage(c.args)
				b.Run(c.name+"/direct", func(b *testing.B) {
					for b.Loop() {
						if _, err := reg.Call(ctx, caller, c.tool, args); err != nil {
							b.Fatal(err)
						}
					}
				})
				b.Run(c.name+"/rest", func(b *testing.B) {
					for b.Loop() {
						var body io.Reader
						if c.method == "POST" {
							body = strings.NewReader(c.args)
						}
						req := httptest.NewRequest(c.method, c.restPath, body)
						if body != nil {
							req.Header.Set("Content-Type", "application/json")
						}
						w := httptest.NewRecorder()
						restH.ServeHTTP(w, req)
						if w.Code != 200 {
							b.Fatal(w.Code, w.Body.String())
						}
					}
				})
				rpcBody := `{"jsonrpc":"2.0","id":1,"method":"` + c.tool + `","params":` + c.args + `}`
				b.Run(c.name+"/jsonrpc", func(b *testing.B) {
					for b.Loop() {
						w := httptest.NewRecorder()
						rpcH.ServeHTTP(w, httptest.NewRequest("POST", "/rpc", strings.NewReader(rpcBody)))
						if w.Code != 200 || strings.Contains(w.Body.String(), `"error"`) {
							b.Fatal(w.Code, w.Body.String())
						}
					}
				})
				mcpBody := `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"` + c.tool + `","arguments":` + c.args + `}}`
				b.Run(c.name+"/mcp", func(b *testing.B) {
					msg := json.RawMessage(mcpBody)
					for b.Loop() {
						raw, _ := json.Marshal(mcpS.HandleMessage(mctx, msg))
						if strings.Contains(string(raw), `"isError":true`) || strings.Contains(string(raw), `"error"`) {
							b.Fatal(string(raw))
						}
					}
				})
				b.Run(c.name+"/mcp_http", func(b *testing.B) {
					// Streamable HTTP, stateless: one POST per call.
					for b.Loop() {
						req := httptest.NewRequest("POST", "/mcp", strings.NewReader(mcpBody))
						req.Header.Set("Content-Type", "application/json")
						req.Header.Set("Accept", "application/json, text/event-stream")
						req.Header.Set("Mcp-Protocol-Version", "2025-11-25")
						w := httptest.NewRecorder()
						mcpH.ServeHTTP(w, req)
						if w.Code != 200 || strings.Contains(w.Body.String(), `"isError":true`) {
							b.Fatal(w.Code, w.Body.String())
						}
					}
				})
			}

			b.Run("authenticate", func(b *testing.B) {
				secret, _, err := f.env.Store.CreateAPIKey(ctx, db.NewKey{AccountID: "acct_a", Name: "bench", Mode: models.ModeTest, Scopes: []string{"verifications:read"}})
				if err != nil {
					b.Fatal(err)
				}
				for b.Loop() {
					if _, err := tools.Authenticate(ctx, reg.Deps(), secret); err != nil {
						b.Fatal(err)
					}
				}
			})
		})
	}
}

// BenchmarkCreateREST is the load benchmark's request in process: POST /api/v1/verifications
// with real authentication, from parallel goroutines (-cpu sets how many per core), so a CPU
// profile shows where a creation's time goes without a network in between.
func BenchmarkCreateREST(b *testing.B) {
	for _, st := range stores {
		b.Run(st.name, func(b *testing.B) {
			f := setup(b, st.open)
			secret, _, err := f.env.Store.CreateAPIKey(context.Background(), db.NewKey{AccountID: "acct_a", Name: "bench", Mode: models.ModeTest, Scopes: []string{"verifications:write"}})
			if err != nil {
				b.Fatal(err)
			}
			h, err := rest.New(f.env.Reg, rest.Options{})
			if err != nil {
				b.Fatal(err)
			}
			body := `{"checks":["screening"],"applicant":{"name":"Load Test","country":"DE"}}`
			b.SetParallelism(16)
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					req := httptest.NewRequest("POST", "/api/v1/verifications", strings.NewReader(body))
					req.Header.Set("Content-Type", "application/json")
					req.Header.Set("Authorization", "Bearer "+secret)
					w := httptest.NewRecorder()
					h.ServeHTTP(w, req)
					if w.Code != 201 {
						b.Error(w.Code, w.Body.String())
						return
					}
				}
			})
		})
	}
}
