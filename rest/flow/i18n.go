package flow

import (
	"embed"
	"encoding/json"
	"fmt"
	"path"
	"sort"
	"strconv"
	"strings"
)

//go:embed messages/*.json
var messageFiles embed.FS

// DefaultLang is the language used when neither the verification nor the browser names one
// of the catalogues.
const DefaultLang = "en"

// catalog is one language's messages, keyed like "intro.title".
type catalog struct {
	lang string
	msgs map[string]string
}

// missingMark wraps a key that has no message, so a test that renders every page in every
// language can find gaps by searching for it.
const missingMark = "⟦missing:"

// T returns the message for key with {name} placeholders filled from pairs (name, value, …).
func (c *catalog) T(key string, pairs ...any) string {
	msg, ok := c.msgs[key]
	if !ok {
		return missingMark + key + "⟧"
	}
	for i := 0; i+1 < len(pairs); i += 2 {
		msg = strings.ReplaceAll(msg, "{"+fmt.Sprint(pairs[i])+"}", fmt.Sprint(pairs[i+1]))
	}
	return msg
}

// Has reports whether the catalogue has a message for key.
func (c *catalog) Has(key string) bool { _, ok := c.msgs[key]; return ok }

// loadCatalogs reads every embedded catalogue and checks they have the same keys, so a
// message added in one language and forgotten in another fails at start-up, not in front of
// an applicant.
func loadCatalogs() (map[string]*catalog, error) {
	entries, err := messageFiles.ReadDir("messages")
	if err != nil {
		return nil, fmt.Errorf("read message catalogues: %w", err)
	}
	out := map[string]*catalog{}
	for _, e := range entries {
		lang := strings.TrimSuffix(e.Name(), ".json")
		b, err := messageFiles.ReadFile(path.Join("messages", e.Name()))
		if err != nil {
			return nil, fmt.Errorf("read catalogue %s: %w", lang, err)
		}
		c := &catalog{lang: lang}
		if err := json.Unmarshal(b, &c.msgs); err != nil {
			return nil, fmt.Errorf("catalogue %s: %w", lang, err)
		}
		out[lang] = c
	}
	base, ok := out[DefaultLang]
	if !ok {
		return nil, fmt.Errorf("no %s catalogue", DefaultLang)
	}
	for lang, c := range out {
		for k := range base.msgs {
			if !c.Has(k) {
				return nil, fmt.Errorf("catalogue %s lacks %q", lang, k)
			}
		}
		for k := range c.msgs {
			if !base.Has(k) {
				return nil, fmt.Errorf("catalogue %s has %q, which %s lacks", lang, k, DefaultLang)
			}
		}
	}
	return out, nil
}

// chooseLang picks a catalogue: the verification's locale when we have it, else the best
// Accept-Language entry we have, else DefaultLang. A tag with a region takes that region's
// catalogue when there is one (pt-BR → pt-BR) and its language's otherwise (pt-AO → pt);
// catalogue names are matched without regard to case.
func chooseLang(have map[string]*catalog, locale, acceptLanguage string) string {
	if l := match(have, locale); l != "" {
		return l
	}
	for _, tag := range parseAcceptLanguage(acceptLanguage) {
		if l := match(have, tag); l != "" {
			return l
		}
	}
	return DefaultLang
}

// match is the catalogue for tag: its own, or its base language's; "" when neither.
func match(have map[string]*catalog, tag string) string {
	tag = strings.ReplaceAll(strings.ToLower(strings.TrimSpace(tag)), "_", "-")
	if tag == "" {
		return ""
	}
	for _, want := range []string{tag, baseLang(tag)} {
		for name := range have {
			if strings.ToLower(name) == want {
				return name
			}
		}
	}
	return ""
}

func baseLang(tag string) string {
	tag = strings.ToLower(strings.TrimSpace(tag))
	if i := strings.IndexAny(tag, "-_"); i >= 0 {
		tag = tag[:i]
	}
	return tag
}

// parseAcceptLanguage returns the header's language tags (lower case) by descending weight
// (RFC 9110 §12.5.4); entries with q=0 or a malformed weight are dropped, "*" is ignored.
func parseAcceptLanguage(h string) []string {
	type entry struct {
		lang string
		q    float64
		i    int
	}
	var es []entry
	for i, part := range strings.Split(h, ",") {
		if len(es) >= 20 { // a header is small; do not let a huge one cost much
			break
		}
		tag, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		q := 1.0
		if p := strings.TrimSpace(params); p != "" {
			v, ok := strings.CutPrefix(p, "q=")
			if !ok {
				continue
			}
			f, err := strconv.ParseFloat(v, 64)
			if err != nil || f < 0 || f > 1 {
				continue
			}
			q = f
		}
		l := strings.ToLower(strings.TrimSpace(tag))
		if l == "" || l == "*" || q == 0 || len(l) > 35 {
			continue
		}
		es = append(es, entry{l, q, i})
	}
	sort.SliceStable(es, func(a, b int) bool { return es[a].q > es[b].q })
	out := make([]string, len(es))
	for i, e := range es {
		out[i] = e.lang
	}
	return out
}
