package email

import (
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// DisposablePackage is the npm package (and pinned version) that scripts/setup/email.sh
// installs; DefaultDisposableDir is where.
const DisposablePackage = "disposable-email-domains@1.0.62"

// DefaultDisposableDir is the folder with the newest list `kycd lists update` installed
// (DisposableCurrentDir) when there is one, else ${KYCD_CACHE_DIR:-$HOME/.cache/kycd}/lists/disposable-email-domains-<version>,
// the folder scripts/setup/email.sh fills with index.json and wildcard.json.
func DefaultDisposableDir() string {
	if cur := DisposableCurrentDir(); fileExists(filepath.Join(cur, "index.json")) {
		return cur
	}
	return pinnedDisposableDir()
}

func fileExists(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.Mode().IsRegular()
}

// pinnedDisposableDir is where the set-up installs the pinned DisposablePackage.
func pinnedDisposableDir() string {
	base := os.Getenv("KYCD_CACHE_DIR")
	if base == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			home = "."
		}
		base = filepath.Join(home, ".cache", "kycd")
	}
	return filepath.Join(base, "lists", strings.ReplaceAll(DisposablePackage, "@", "-"))
}

// DomainSet is an immutable set of domains: exact names, plus wildcard names whose every
// subdomain is in the set too. It is safe for concurrent use.
type DomainSet struct {
	exact    map[string]struct{}
	wildcard map[string]struct{}
	// Version names the list a result was computed with, for reproducibility: the package
	// and version when known, and always a hash of the content.
	Version string
}

// NewDomainSet builds a set from exact and wildcard domain names (lower-cased, trimmed; blank
// and comment lines starting with # are skipped).
func NewDomainSet(version string, exact, wildcard []string) *DomainSet {
	s := &DomainSet{exact: make(map[string]struct{}, len(exact)), wildcard: make(map[string]struct{}, len(wildcard)), Version: version}
	add := func(m map[string]struct{}, names []string) {
		for _, n := range names {
			n = strings.TrimSuffix(strings.ToLower(strings.TrimSpace(n)), ".")
			n = strings.TrimPrefix(n, "*.")
			if n == "" || strings.HasPrefix(n, "#") {
				continue
			}
			m[n] = struct{}{}
		}
	}
	add(s.exact, exact)
	add(s.wildcard, wildcard)
	return s
}

// Len is the number of exact plus wildcard entries.
func (s *DomainSet) Len() int {
	if s == nil {
		return 0
	}
	return len(s.exact) + len(s.wildcard)
}

// Match reports whether domain (lower-case ASCII form) is in the set: listed exactly, or
// equal to or under a wildcard entry. The matched entry is returned for the explanation.
func (s *DomainSet) Match(domain string) (entry string, ok bool) {
	if s == nil {
		return "", false
	}
	if _, ok := s.exact[domain]; ok {
		return domain, true
	}
	for d := domain; ; {
		if _, ok := s.wildcard[d]; ok {
			return d, true
		}
		i := strings.IndexByte(d, '.')
		if i < 0 {
			return "", false
		}
		d = d[i+1:]
	}
}

// Contains is Match without the entry.
func (s *DomainSet) Contains(domain string) bool {
	_, ok := s.Match(domain)
	return ok
}

// readJSONList reads a JSON array of strings and returns it with the file's SHA-256.
func readJSONList(path string) ([]string, string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, "", fmt.Errorf("read domain list: %w", err)
	}
	var names []string
	if err := json.Unmarshal(b, &names); err != nil {
		return nil, "", fmt.Errorf("parse domain list %s (want a JSON array of strings): %w", path, err)
	}
	sum := sha256.Sum256(b)
	return names, hex.EncodeToString(sum[:8]), nil
}

// LoadDomainSetFiles loads a set from a JSON array of exact domains and, when wildcardPath
// is not empty, a JSON array of wildcard domains. name prefixes the version string.
func LoadDomainSetFiles(name, exactPath, wildcardPath string) (*DomainSet, error) {
	exact, h1, err := readJSONList(exactPath)
	if err != nil {
		return nil, err
	}
	var wild []string
	version := name + " sha256:" + h1
	if wildcardPath != "" {
		var h2 string
		if wild, h2, err = readJSONList(wildcardPath); err != nil {
			return nil, err
		}
		version += "+" + h2
	}
	return NewDomainSet(version, exact, wild), nil
}

// ErrListMissing is returned when the disposable-domain list is not installed.
var ErrListMissing = errors.New("disposable email domain list not installed (run scripts/setup/email.sh)")

// LoadDisposableDir loads index.json and wildcard.json as the npm package
// disposable-email-domains ships them (scripts/setup/email.sh extracts them into dir).
func LoadDisposableDir(dir string) (*DomainSet, error) {
	idx := filepath.Join(dir, "index.json")
	if _, err := os.Stat(idx); err != nil {
		return nil, fmt.Errorf("%w: %s", ErrListMissing, idx)
	}
	wild := filepath.Join(dir, "wildcard.json")
	if _, err := os.Stat(wild); err != nil {
		wild = ""
	}
	name := "disposable-email-domains"
	if b, err := os.ReadFile(filepath.Join(dir, "package.json")); err == nil {
		var p struct{ Name, Version string }
		if json.Unmarshal(b, &p) == nil && p.Version != "" {
			name = p.Name + "@" + p.Version
		}
	}
	return LoadDomainSetFiles(name, idx, wild)
}

//go:embed free_domains.txt
var freeDomainsTxt string

// EmbeddedFreeProviders is the built-in list of large free webmail providers. It is short on
// purpose: it marks "free but not disposable" for the big consumer providers of many
// countries; LoadDomainSetFiles can load a longer list (the npm free-email-domains package).
func EmbeddedFreeProviders() *DomainSet {
	lines := strings.Split(freeDomainsTxt, "\n")
	sum := sha256.Sum256([]byte(freeDomainsTxt))
	return NewDomainSet("kycd-embedded-free sha256:"+hex.EncodeToString(sum[:8]), lines, nil)
}
