package screening

import (
	"encoding/csv"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kycd/kycd/checks/screening/lists"
	"github.com/kycd/kycd/internal/testfiles"
)

// Every registration-like identifier in OFAC's SDN remarks (2019 and 2024 files) is parsed and
// screening on it finds its own entity, and only entities listing the same number. The items are
// picked from the raw CSV here with a plain regular expression, independently of the loader's
// grammar.
func TestOFACRegistrationNumbersFound(t *testing.T) {
	t.Parallel()
	dir := testfiles.Path(t, "sanctions")
	regLike := regexp.MustCompile(`(?i)(registration|registry|register|company number|c\.r\.|rif #|chamber of comm|incorporation|folio mercantil|matricula mercantil|trade license|enterprise number|business number|credit code|tax id no)`)
	for _, sub := range []string{"ofac_sdn", "ofac_sdn_2024-05-03"} {
		t.Run(sub, func(t *testing.T) {
			l, err := LoadList("ofac_sdn", filepath.Join(dir, sub))
			require.NoError(t, err)
			ix := NewIndex(l)
			byID := map[string]*Entity{}
			for i := range l.Entities {
				byID[l.Entities[i].SourceID] = &l.Entities[i]
			}
			f, err := os.Open(filepath.Join(dir, sub, "sdn.csv"))
			require.NoError(t, err)
			defer f.Close()
			r := csv.NewReader(f)
			r.FieldsPerRecord, r.LazyQuotes = -1, true
			items, missing := 0, []string{}
			for {
				rec, err := r.Read()
				if err == io.EOF {
					break
				}
				require.NoError(t, err)
				if len(rec) < 12 {
					continue
				}
				for _, item := range strings.Split(rec[11], ";") {
					item = strings.TrimSpace(item)
					d := strings.IndexAny(item, "0123456789")
					if d <= 0 || strings.HasPrefix(item, "Linked To") || strings.Contains(item, "Vessel Registration") || !regLike.MatchString(item[:d]) {
						continue
					}
					// The number's first run of digits must be inside one of the entity's identifiers.
					core := regexp.MustCompile(`[0-9][0-9.\-/]*`).FindString(item[d:])
					core = strings.TrimRight(core, ".-/")
					e := byID[strings.TrimSpace(rec[0])]
					require.NotNil(t, e, rec[0])
					items++
					var id *Identifier
					for k := range e.Identifiers {
						if strings.Contains(e.Identifiers[k].Value, core) {
							id = &e.Identifiers[k]
						}
					}
					if id == nil {
						missing = append(missing, rec[0]+": "+item)
						continue
					}
					hits := ix.Screen(Query{Identifiers: []Identifier{{Type: lists.IDRegistration, Value: id.Value}}, Limit: 50})
					own := false
					for _, h := range hits {
						own = own || h.SourceID == e.SourceID
						require.Equal(t, "identifier", h.MatchKind)
						require.Equal(t, identifierKey(*h.Explanation.IdentifierMatch), identifierKey(*id), "%s hit %s via another number", item, h.SourceID)
					}
					require.True(t, own || len(identifierKey(*id)) < 2+shortID && id.Type != lists.IDRegistration, "%s: %q does not find its entity", e.SourceID, id.Value)
				}
			}
			require.Greater(t, items, 500)
			require.Empty(t, missing, "registration-like items not parsed")
		})
	}
}

// BANK SADERAT PLC's UK company number finds it; a short listed number is matched only as the
// type asked for.
func TestRegistrationNumberScreening(t *testing.T) {
	t.Parallel()
	ix := realIndex(t)
	hits := ix.Screen(Query{Identifiers: []Identifier{{Type: lists.IDRegistration, Value: "01126618"}}})
	require.NotEmpty(t, hits)
	require.Equal(t, "BANK SADERAT PLC", hits[0].EntityName)
	e := Entity{Source: "t", SourceID: "1", Type: lists.TypeOrganization, Names: []Name{{Full: "X", Kind: "primary"}},
		Identifiers: []Identifier{{Type: lists.IDRegistration, Value: "2377"}, {Type: lists.IDOther, Value: "365"}}}
	small := NewIndex(LoadedList{Entities: []Entity{e}, Version: ListVersion{Source: "t"}})
	require.Len(t, small.Screen(Query{Identifiers: []Identifier{{Type: lists.IDRegistration, Value: "2377"}}}), 1)
	require.Empty(t, small.Screen(Query{Identifiers: []Identifier{{Type: lists.IDRegistration, Value: "365"}}}), "a short number of another type")
	require.Empty(t, small.Screen(Query{Identifiers: []Identifier{{Value: "2377"}}}), "a short number of no stated type")
}
