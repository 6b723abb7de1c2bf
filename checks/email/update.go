package email

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha512"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
)

// DisposableCurrentDir is where UpdateDisposable puts the newest list, beside the pinned one
// the set-up installs; DefaultDisposableDir prefers it once it is there.
func DisposableCurrentDir() string {
	return filepath.Join(filepath.Dir(pinnedDisposableDir()), "disposable-email-domains-current")
}

// DefaultNPMRegistry is the registry UpdateDisposable asks when none is given (npm's own, or
// $NPM_CONFIG_REGISTRY).
func DefaultNPMRegistry() string {
	if r := os.Getenv("NPM_CONFIG_REGISTRY"); r != "" {
		return r
	}
	return "https://registry.npmjs.org"
}

const (
	maxTarball = 64 << 20 // the package is ~1 MB; anything this large is not it
	maxMember  = 32 << 20
	// minDisposable is the fewest domains a real release lists (1.0.62 has ~120,000): a
	// release that lists far fewer is broken, and replacing the list with it would quietly
	// call disposable addresses fine.
	minDisposable = 10000
)

// Updated describes the list UpdateDisposable installed.
type Updated struct {
	Version   string // the package's version
	Domains   int    // exact plus wildcard entries
	Integrity string // the registry's sha512 of the tarball, which the download matched
	Dir       string
}

// UpdateDisposable fetches the newest disposable-email-domains release from an npm registry,
// checks the tarball against the sha512 the registry states for it, validates both lists and
// replaces the files in dir (normally DisposableCurrentDir) atomically. On any failure the
// files already in dir stay as they were. A running server reads the list at start.
func UpdateDisposable(ctx context.Context, client *http.Client, registry, dir string) (*Updated, error) {
	if registry == "" {
		registry = DefaultNPMRegistry()
	}
	meta := struct {
		Version string `json:"version"`
		Dist    struct {
			Tarball   string `json:"tarball"`
			Integrity string `json:"integrity"`
		} `json:"dist"`
	}{}
	body, err := get(ctx, client, strings.TrimSuffix(registry, "/")+"/disposable-email-domains/latest", 1<<20)
	if err != nil {
		return nil, fmt.Errorf("registry: %w", err)
	}
	if err := json.Unmarshal(body, &meta); err != nil || meta.Version == "" || meta.Dist.Tarball == "" {
		return nil, fmt.Errorf("registry: not a package version document (want version, dist.tarball, dist.integrity)")
	}
	want, ok := strings.CutPrefix(meta.Dist.Integrity, "sha512-")
	if !ok {
		return nil, fmt.Errorf("registry: %s has no sha512 integrity (%q); refusing an unverifiable download", meta.Version, meta.Dist.Integrity)
	}
	if u, err := url.Parse(meta.Dist.Tarball); err != nil || (u.Scheme != "https" && u.Scheme != "http") {
		return nil, fmt.Errorf("registry: tarball URL %q is not http(s)", meta.Dist.Tarball)
	}
	tgz, err := get(ctx, client, meta.Dist.Tarball, maxTarball)
	if err != nil {
		return nil, fmt.Errorf("tarball: %w", err)
	}
	sum := sha512.Sum512(tgz)
	if base64.StdEncoding.EncodeToString(sum[:]) != want {
		return nil, fmt.Errorf("tarball of %s does not match the registry's sha512; refusing", meta.Version)
	}
	files, err := untar(tgz, "package/index.json", "package/wildcard.json", "package/package.json")
	if err != nil {
		return nil, fmt.Errorf("tarball of %s: %w", meta.Version, err)
	}
	if files["package/index.json"] == nil {
		return nil, fmt.Errorf("tarball of %s has no index.json", meta.Version)
	}
	var exact, wild []string
	if err := json.Unmarshal(files["package/index.json"], &exact); err != nil {
		return nil, fmt.Errorf("index.json of %s is not a JSON array of strings: %w", meta.Version, err)
	}
	if b := files["package/wildcard.json"]; b != nil {
		if err := json.Unmarshal(b, &wild); err != nil {
			return nil, fmt.Errorf("wildcard.json of %s is not a JSON array of strings: %w", meta.Version, err)
		}
	}
	set := NewDomainSet(meta.Version, exact, wild)
	if set.Len() < minDisposable {
		return nil, fmt.Errorf("%s lists only %d domains (fewer than %d); keeping the current list", meta.Version, set.Len(), minDisposable)
	}
	if err := replaceDir(dir, files); err != nil {
		return nil, err
	}
	return &Updated{Version: meta.Version, Domains: set.Len(), Integrity: meta.Dist.Integrity, Dir: dir}, nil
}

func get(ctx context.Context, client *http.Client, u string, limit int64) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/json, application/octet-stream")
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: %s", u, resp.Status)
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("GET %s: larger than %d bytes", u, limit)
	}
	return b, nil
}

// untar reads the named members of a .tgz.
func untar(tgz []byte, names ...string) (map[string][]byte, error) {
	zr, err := gzip.NewReader(bytes.NewReader(tgz))
	if err != nil {
		return nil, fmt.Errorf("not gzip: %w", err)
	}
	want := map[string]bool{}
	for _, n := range names {
		want[n] = true
	}
	out := map[string][]byte{}
	tr := tar.NewReader(zr)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("not a tar archive: %w", err)
		}
		if !want[h.Name] || h.Typeflag != tar.TypeReg {
			continue
		}
		b, err := io.ReadAll(io.LimitReader(tr, maxMember+1))
		if err != nil {
			return nil, err
		}
		if len(b) > maxMember {
			return nil, fmt.Errorf("%s is larger than %d bytes", h.Name, maxMember)
		}
		out[h.Name] = b
	}
}

// replaceDir writes the files into a fresh sibling folder and swaps it in with renames, so a
// reader sees the old list or the new one, never a mix.
func replaceDir(dir string, files map[string][]byte) error {
	parent := filepath.Dir(dir)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return err
	}
	tmp, err := os.MkdirTemp(parent, ".disposable-*")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	for name, b := range files {
		if err := os.WriteFile(filepath.Join(tmp, strings.TrimPrefix(name, "package/")), b, 0o644); err != nil {
			return err
		}
	}
	if err := os.Chmod(tmp, 0o755); err != nil {
		return err
	}
	old := dir + ".old"
	_ = os.RemoveAll(old)
	if err := os.Rename(dir, old); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	if err := os.Rename(tmp, dir); err != nil {
		_ = os.Rename(old, dir)
		return err
	}
	return os.RemoveAll(old)
}
