package email_test

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha512"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kycd/kycd/checks/email"
)

// tgz packs files under package/ as npm does.
func tgz(t *testing.T, files map[string]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	tw := tar.NewWriter(zw)
	for name, body := range files {
		require.NoError(t, tw.WriteHeader(&tar.Header{Name: "package/" + name, Mode: 0o644, Size: int64(len(body)), Typeflag: tar.TypeReg}))
		_, err := tw.Write([]byte(body))
		require.NoError(t, err)
	}
	require.NoError(t, tw.Close())
	require.NoError(t, zw.Close())
	return buf.Bytes()
}

func domains(prefix string, n int) string {
	names := make([]string, n)
	for i := range names {
		names[i] = fmt.Sprintf("%s%d.example", prefix, i)
	}
	b, _ := json.Marshal(names)
	return string(b)
}

// registry serves one version of disposable-email-domains; integrity is what it states
// (the tarball's own sha512 unless the test lies).
func registry(t *testing.T, version string, tarball []byte, integrity string) *httptest.Server {
	t.Helper()
	if integrity == "" {
		sum := sha512.Sum512(tarball)
		integrity = "sha512-" + base64.StdEncoding.EncodeToString(sum[:])
	}
	mux := http.NewServeMux()
	var srv *httptest.Server
	mux.HandleFunc("/disposable-email-domains/latest", func(w http.ResponseWriter, r *http.Request) {
		_ = json.NewEncoder(w).Encode(map[string]any{"name": "disposable-email-domains", "version": version,
			"dist": map[string]any{"tarball": srv.URL + "/d.tgz", "integrity": integrity}})
	})
	mux.HandleFunc("/d.tgz", func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write(tarball) })
	srv = httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

func TestUpdateDisposable(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "disposable-email-domains-current")
	good := tgz(t, map[string]string{"index.json": domains("throwaway", 12000), "wildcard.json": `["33mail.com"]`,
		"package.json": `{"name":"disposable-email-domains","version":"1.0.99"}`})
	srv := registry(t, "1.0.99", good, "")
	u, err := email.UpdateDisposable(t.Context(), srv.Client(), srv.URL, dir)
	require.NoError(t, err)
	require.Equal(t, "1.0.99", u.Version)
	require.Equal(t, 12001, u.Domains)
	set, err := email.LoadDisposableDir(dir)
	require.NoError(t, err)
	require.True(t, set.Contains("throwaway11999.example"))
	require.True(t, set.Contains("x.33mail.com"))
	require.Contains(t, set.Version, "1.0.99")

	// Each broken release is refused and the installed list stays as it was.
	before, err := os.ReadFile(filepath.Join(dir, "index.json"))
	require.NoError(t, err)
	for name, srv := range map[string]*httptest.Server{
		"tampered tarball": registry(t, "1.0.100", good, "sha512-"+base64.StdEncoding.EncodeToString(make([]byte, 64))),
		"no sha512":        registry(t, "1.0.100", good, "sha1-abc"),
		"too few domains":  registry(t, "1.0.100", tgz(t, map[string]string{"index.json": domains("x", 50)}), ""),
		"not an array":     registry(t, "1.0.100", tgz(t, map[string]string{"index.json": `{"a":1}`}), ""),
		"no index.json":    registry(t, "1.0.100", tgz(t, map[string]string{"wildcard.json": `[]`}), ""),
		"not gzip":         registry(t, "1.0.100", []byte("hello"), ""),
	} {
		_, err := email.UpdateDisposable(t.Context(), srv.Client(), srv.URL, dir)
		require.Error(t, err, name)
		after, rerr := os.ReadFile(filepath.Join(dir, "index.json"))
		require.NoError(t, rerr)
		require.Equal(t, before, after, name)
	}
	_, err = email.UpdateDisposable(t.Context(), http.DefaultClient, "http://127.0.0.1:1", dir)
	require.Error(t, err)
	require.True(t, strings.Contains(err.Error(), "registry"), err)
}
