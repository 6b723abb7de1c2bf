package flow

import (
	"bytes"
	"compress/gzip"
	"net/http"
	"strings"
)

// The pages, the static files and the SDK are sent gzip-compressed to browsers that accept it
// (every current one): the pages are 18–22 KB and compress about four to one, which matters on
// the slow phone connections applicants often have. Static files are compressed once at start;
// pages per response, above minCompress. Brotli would save a little more but has no encoder in
// Go's standard library.

// minCompress is the smallest body worth compressing.
const minCompress = 1024

// acceptsGzip reports whether the request accepts gzip (and does not refuse it with q=0).
func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		coding, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if !strings.EqualFold(strings.TrimSpace(coding), "gzip") && strings.TrimSpace(coding) != "*" {
			continue
		}
		q := strings.ReplaceAll(strings.TrimSpace(params), " ", "")
		return q != "q=0" && q != "q=0.0" && q != "q=0.00" && q != "q=0.000"
	}
	return false
}

// gzipped compresses b at the best ratio (for bodies compressed once and served many times).
func gzipped(b []byte, level int) []byte {
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, level)
	_, _ = zw.Write(b)
	_ = zw.Close()
	return buf.Bytes()
}

// compressed is what to send for body: gzip when the client takes it and it is worth it,
// with the headers set (Vary always, since the answer depends on Accept-Encoding).
func compressed(w http.ResponseWriter, r *http.Request, body, gz []byte) []byte {
	w.Header().Add("Vary", "Accept-Encoding")
	if len(body) < minCompress || !acceptsGzip(r) {
		return body
	}
	if gz == nil {
		gz = gzipped(body, gzip.DefaultCompression)
	}
	w.Header().Set("Content-Encoding", "gzip")
	return gz
}
