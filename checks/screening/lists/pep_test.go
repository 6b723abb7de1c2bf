package lists

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// The PEP format, CSV and JSON lines, on data generated here; bad rows name file, line and field.
func TestPEPList(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	csvPath := filepath.Join(dir, "peps.csv")
	require.NoError(t, os.WriteFile(csvPath, []byte("name,aliases,position,country,start_date,end_date,dob,source_url\n"+
		"Jana Testova,Jana Novakova|J. Testova,Minister of Transport,Czechia,2021-12,,1970-03-04,https://www.wikidata.org/wiki/Q1\n"+
		"Jana Testova,,Minister of Transport,Czechia,2021-12,,,\n"+
		"Piet Voorbeeldmans,,Mayor,NL,2019,2023,,\n"), 0o600))
	l, err := Load(SourcePEP, csvPath)
	require.NoError(t, err)
	require.Len(t, l.Entities, 2, "rows of one person in one function merge")
	var jana *Entity
	for i := range l.Entities {
		if l.Entities[i].PrimaryName() == "Jana Testova" {
			jana = &l.Entities[i]
		}
	}
	require.NotNil(t, jana)
	require.Equal(t, TypePerson, jana.Type)
	require.Equal(t, []string{TopicPEP}, jana.Topics)
	require.Equal(t, []string{"CZ"}, jana.Countries)
	require.Equal(t, []string{"1970-03-04"}, jana.DatesOfBirth)
	require.Equal(t, []string{"Minister of Transport (2021-12 – present)"}, jana.Programs)
	require.Equal(t, "https://www.wikidata.org/wiki/Q1", jana.URL)
	require.Len(t, jana.Names, 3)

	jsonPath := filepath.Join(dir, "peps.jsonl")
	require.NoError(t, os.WriteFile(jsonPath, []byte(`{"id":"Q1","name":"Jana Testova","aliases":["Jana Novakova"],"position":"Minister","country":"CZ"}`+"\n"), 0o600))
	l, err = Load(SourcePEP, jsonPath)
	require.NoError(t, err)
	require.Equal(t, "Q1", l.Entities[0].SourceID)

	for _, tc := range []struct{ data, field string }{
		{"name,position\n,Mayor\n", "name"},
		{"name,start_date\nX Y,last spring\n", "start_date"},
		{"name,source_url\nX Y,ftp://example.org\n", "source_url"},
		{"name,salary\nX Y,1\n", "salary"},
		{"position\nMayor\n", "name"},
	} {
		p := filepath.Join(dir, "bad.csv")
		require.NoError(t, os.WriteFile(p, []byte(tc.data), 0o600))
		_, err := Load(SourcePEP, p)
		var pe *ParseError
		require.ErrorAs(t, err, &pe, tc.data)
		require.Equal(t, tc.field, pe.Field, tc.data)
	}
	p := filepath.Join(dir, "bad.jsonl")
	require.NoError(t, os.WriteFile(p, []byte(`{"name":"X","salary":1}`+"\n"), 0o600))
	_, err = Load(SourcePEP, p)
	require.ErrorContains(t, err, "salary")
}
