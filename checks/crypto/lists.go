package crypto

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
)

// SourceOFACFiles names entries loaded by LoadOFACDir.
const SourceOFACFiles = "ofac_sdn_digital_currency_addresses"

// Entry is one listed address.
type Entry struct {
	// Source is the list the entry came from (for example
	// SourceOFACFiles, or "ofac_sdn" for addresses parsed from SDN remarks).
	Source string `json:"source"`
	// ListedAs is the currency code as the list wrote it (XBT, USDT, …).
	ListedAs string `json:"listed_as"`
	// Chain is the ledger the address was indexed under; empty when the
	// address validated on no chain and is matched only as exact text.
	Chain Chain `json:"chain,omitempty"`
	// Address is the address exactly as listed.
	Address string `json:"address"`
	// EntityRef identifies the listed party (the SDN entity number) when
	// the source gives one.
	EntityRef string `json:"entity_ref,omitempty"`
	// Note explains an oddity of the listing (see Anomaly).
	Note string `json:"note,omitempty"`
}

// Anomaly is a listed address that does not validate for the currency it
// is listed under. It is still recorded: a sanctions list is authoritative
// about the exact string even when it is malformed.
type Anomaly struct {
	Source   string `json:"source"`
	ListedAs string `json:"listed_as"`
	Address  string `json:"address"`
	Problem  string `json:"problem"`
	// IndexedAs lists the chains the address does validate on, under
	// which it was indexed instead; empty means exact-text matching only.
	IndexedAs []Chain `json:"indexed_as,omitempty"`
}

// AnomalyError is returned by AddListed when the entry was recorded but is
// odd; callers loading a list should log it and carry on.
type AnomalyError struct{ Anomaly Anomaly }

// Error implements error.
func (e *AnomalyError) Error() string {
	return fmt.Sprintf("%s: %s %q: %s", e.Anomaly.Source, e.Anomaly.ListedAs, e.Anomaly.Address, e.Anomaly.Problem)
}

// ListVersion identifies the list data a screening used, so a verdict can
// be reproduced: the hash covers every entry of the source in sorted order.
type ListVersion struct {
	Source string `json:"source"`
	Hash   string `json:"hash"`
	Count  int    `json:"count"`
}

// Lists is a thread-safe set of listed addresses with per-chain
// normalisation. The zero value is not usable; call NewLists.
type Lists struct {
	mu        sync.RWMutex
	exact     map[string][]Entry // Address.matchKey → entries
	byKey     map[string][]Entry // Address.keyID → entries
	raw       map[string][]Entry // exact listed text, for entries valid nowhere
	lines     map[string]map[string]struct{}
	versions  []ListVersion // cache, nil when stale
	anomalies []Anomaly
}

// NewLists returns an empty set.
func NewLists() *Lists {
	return &Lists{
		exact: map[string][]Entry{},
		byKey: map[string][]Entry{},
		raw:   map[string][]Entry{},
		lines: map[string]map[string]struct{}{},
	}
}

// AddListed records one listed address: source names the list, chain is the
// currency code as listed (XBT, ETH, USDT, …), entityRef the listed party.
// A nil error means the address validated for that chain. An
// *AnomalyError means it was recorded anyway (under the chains it does
// validate on, or as exact text); any other error means nothing was
// recorded because a field was empty.
func (l *Lists) AddListed(source, chain, address, entityRef string) error {
	source, chain, address = strings.TrimSpace(source), strings.TrimSpace(chain), strings.TrimSpace(address)
	switch {
	case source == "":
		return errors.New("add listed address: source is empty")
	case chain == "":
		return fmt.Errorf("add listed address %q: chain is empty", truncate(address, 120))
	case address == "":
		return fmt.Errorf("add listed address (%s %s): address is empty", source, chain)
	}
	listedAs := strings.ToUpper(chain)
	base := Entry{Source: source, ListedAs: listedAs, Address: address, EntityRef: strings.TrimSpace(entityRef)}

	l.mu.Lock()
	defer l.mu.Unlock()
	l.addLine(source, listedAs+"\t"+address+"\t"+base.EntityRef)

	ch, _, rerr := ResolveChain(chain, address)
	var problem string
	if rerr == nil {
		a, verr := Validate(ch, address)
		if verr == nil {
			e := base
			e.Chain = ch
			l.index(a, e)
			return nil
		}
		problem = verr.Error()
	} else {
		problem = rerr.Error()
	}
	an := Anomaly{Source: source, ListedAs: listedAs, Address: address, Problem: problem}
	l.raw[address] = append(l.raw[address], withNote(base, "matched as exact text: "+problem))
	for _, a := range Detect(address) {
		e := base
		e.Chain = a.Chain
		e.Note = fmt.Sprintf("listed under %s, where it is not valid; valid %s address", listedAs, a.Chain)
		l.index(a, e)
		an.IndexedAs = append(an.IndexedAs, a.Chain)
	}
	l.anomalies = append(l.anomalies, an)
	return &AnomalyError{Anomaly: an}
}

func withNote(e Entry, note string) Entry {
	e.Note = note
	return e
}

func (l *Lists) addLine(source, line string) {
	m := l.lines[source]
	if m == nil {
		m = map[string]struct{}{}
		l.lines[source] = m
	}
	m[line] = struct{}{}
	l.versions = nil
}

func (l *Lists) index(a *Address, e Entry) {
	for _, old := range l.exact[a.matchKey] {
		if old == e {
			return // the same entry loaded twice (.txt and .json)
		}
	}
	l.exact[a.matchKey] = append(l.exact[a.matchKey], e)
	if a.keyID != "" {
		l.byKey[a.keyID] = append(l.byKey[a.keyID], e)
	}
}

// lookup returns entries listing exactly this destination, and entries
// listing the same key or script hash in another form or on another chain.
func (l *Lists) lookup(a *Address) (exact, sameKey []Entry) {
	l.mu.RLock()
	defer l.mu.RUnlock()
	exact = append(exact, l.exact[a.matchKey]...)
	raw := l.raw[a.Input]
	if a.Normalized != a.Input {
		raw = append(append([]Entry(nil), raw...), l.raw[a.Normalized]...)
	}
	for _, e := range raw {
		// An anomalous entry indexed under the chain it is valid on is
		// also kept as text; report the listing once.
		if !containsListing(exact, e) {
			exact = append(exact, e)
		}
	}
	if a.keyID == "" {
		return exact, nil
	}
	for _, e := range l.byKey[a.keyID] {
		if !containsListing(exact, e) && !containsListing(sameKey, e) {
			sameKey = append(sameKey, e)
		}
	}
	return exact, sameKey
}

// lookupRaw matches text that is not a valid address against entries that
// are not valid addresses either.
func (l *Lists) lookupRaw(s string) []Entry {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return append([]Entry(nil), l.raw[strings.TrimSpace(s)]...)
}

// containsListing compares the listing itself, ignoring how it was indexed.
func containsListing(es []Entry, e Entry) bool {
	for _, x := range es {
		if x.Source == e.Source && x.ListedAs == e.ListedAs && x.Address == e.Address && x.EntityRef == e.EntityRef {
			return true
		}
	}
	return false
}

// Versions returns one ListVersion per source, sorted by source.
func (l *Lists) Versions() []ListVersion {
	l.mu.RLock()
	if l.versions != nil {
		out := append([]ListVersion(nil), l.versions...)
		l.mu.RUnlock()
		return out
	}
	l.mu.RUnlock()
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make([]ListVersion, 0, len(l.lines))
	for src, m := range l.lines {
		lines := make([]string, 0, len(m))
		for k := range m {
			lines = append(lines, k)
		}
		sort.Strings(lines)
		h := sha256.New()
		for _, ln := range lines {
			h.Write([]byte(ln))
			h.Write([]byte{'\n'})
		}
		out = append(out, ListVersion{Source: src, Hash: "sha256:" + hex.EncodeToString(h.Sum(nil)), Count: len(lines)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Source < out[j].Source })
	l.versions = out
	return append([]ListVersion(nil), out...)
}

// Count is the number of distinct listed entries over all sources.
func (l *Lists) Count() int {
	l.mu.RLock()
	defer l.mu.RUnlock()
	n := 0
	for _, m := range l.lines {
		n += len(m)
	}
	return n
}

// Anomalies returns the listed addresses that did not validate for their
// listed currency.
func (l *Lists) Anomalies() []Anomaly {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return append([]Anomaly(nil), l.anomalies...)
}

// LoadReport summarises a directory load.
type LoadReport struct {
	Files     []string  `json:"files"`
	Entries   int       `json:"entries"`
	Anomalies []Anomaly `json:"anomalies,omitempty"`
}

// LoadOFACDir loads the per-currency files of the OFAC digital-currency
// address extraction (sanctioned_addresses_<CUR>.txt, one address a line;
// the .json array form is read only when no .txt exists for the currency).
func (l *Lists) LoadOFACDir(dir string) (*LoadReport, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("load OFAC crypto addresses: %w", err)
	}
	txt := map[string]string{}
	js := map[string]string{}
	for _, e := range ents {
		name := e.Name()
		if e.IsDir() || !strings.HasPrefix(name, "sanctioned_addresses_") {
			continue
		}
		cur := strings.TrimPrefix(name, "sanctioned_addresses_")
		switch filepath.Ext(cur) {
		case ".txt":
			txt[strings.TrimSuffix(cur, ".txt")] = name
		case ".json":
			js[strings.TrimSuffix(cur, ".json")] = name
		}
	}
	for cur, name := range js {
		if _, ok := txt[cur]; !ok {
			txt[cur] = name
		}
	}
	if len(txt) == 0 {
		return nil, fmt.Errorf("load OFAC crypto addresses: no sanctioned_addresses_<CUR>.txt files in %s", dir)
	}
	curs := make([]string, 0, len(txt))
	for c := range txt {
		curs = append(curs, c)
	}
	sort.Strings(curs)
	rep := &LoadReport{}
	for _, cur := range curs {
		name := txt[cur]
		f, err := os.Open(filepath.Join(dir, name))
		if err != nil {
			return rep, fmt.Errorf("load OFAC crypto addresses: %w", err)
		}
		n, anomalies, err := l.loadOFACFile(f, cur, strings.HasSuffix(name, ".json"))
		f.Close()
		if err != nil {
			return rep, fmt.Errorf("load OFAC crypto addresses: %s: %w", name, err)
		}
		rep.Files = append(rep.Files, name)
		rep.Entries += n
		rep.Anomalies = append(rep.Anomalies, anomalies...)
	}
	return rep, nil
}

// LoadOFACFile loads one currency's file (text: one address a line; or a
// JSON array of strings when isJSON).
func (l *Lists) LoadOFACFile(r io.Reader, currency string, isJSON bool) (int, []Anomaly, error) {
	return l.loadOFACFile(r, currency, isJSON)
}

func (l *Lists) loadOFACFile(r io.Reader, currency string, isJSON bool) (int, []Anomaly, error) {
	var addrs []string
	if isJSON {
		if err := json.NewDecoder(io.LimitReader(r, 64<<20)).Decode(&addrs); err != nil {
			return 0, nil, fmt.Errorf("decode JSON array of addresses: %w", err)
		}
	} else {
		sc := bufio.NewScanner(r)
		sc.Buffer(make([]byte, 0, 4096), 1<<20)
		for sc.Scan() {
			if s := strings.TrimSpace(sc.Text()); s != "" && !strings.HasPrefix(s, "#") {
				addrs = append(addrs, s)
			}
		}
		if err := sc.Err(); err != nil {
			return 0, nil, fmt.Errorf("read lines: %w", err)
		}
	}
	var anomalies []Anomaly
	for _, a := range addrs {
		err := l.AddListed(SourceOFACFiles, currency, a, "")
		var ae *AnomalyError
		switch {
		case errors.As(err, &ae):
			anomalies = append(anomalies, ae.Anomaly)
		case err != nil:
			return 0, anomalies, err
		}
	}
	return len(addrs), anomalies, nil
}
