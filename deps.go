//go:build tools

// Package kycd pins modules that packages under construction will import,
// so that go mod tidy keeps them while helpers work in parallel.
package kycd

import (
	_ "github.com/chromedp/chromedp"
	_ "github.com/getkin/kin-openapi/openapi3"
	_ "github.com/google/jsonschema-go/jsonschema"
	_ "github.com/gorilla/websocket"
	_ "github.com/jackc/pgx/v5/stdlib"
	_ "github.com/mark3labs/mcp-go/server"
	_ "github.com/mozillazg/go-unidecode"
	_ "github.com/otiai10/gosseract/v2"
	_ "github.com/riverqueue/river"
	_ "github.com/riverqueue/river/riverdriver/riverpgxv5"
	_ "github.com/riverqueue/river/riverdriver/riversqlite"
	_ "github.com/riverqueue/river/rivermigrate"
	_ "github.com/skip2/go-qrcode"
	_ "github.com/sourcegraph/jsonrpc2"
	_ "github.com/stretchr/testify/require"
	_ "github.com/uptrace/bun"
	_ "github.com/uptrace/bun/dialect/pgdialect"
	_ "github.com/uptrace/bun/dialect/sqlitedialect"
	_ "github.com/yalue/onnxruntime_go"
	_ "golang.org/x/crypto/sha3"
	_ "golang.org/x/image/webp"
	_ "golang.org/x/time/rate"
	_ "modernc.org/sqlite"
)
