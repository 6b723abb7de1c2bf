package screening_test

import (
	"fmt"

	"github.com/kycd/kycd/checks/screening"
	"github.com/kycd/kycd/checks/screening/lists"
)

// Build an index from a list held in memory (a test, or a list converted elsewhere) and
// screen a name spelt differently from the listing; the date of birth sharpens the score.
func ExampleNewIndex() {
	list := screening.LoadedList{
		Version: screening.ListVersion{Source: "ftm", Label: "example", SHA256: "not-a-real-file"},
		Entities: []screening.Entity{
			{Source: "ftm", SourceID: "P-1", Type: lists.TypePerson, DatesOfBirth: []string{"1951-06-19"},
				Names: []screening.Name{{Full: "Ayman al-Zawahiri", Kind: lists.KindPrimary, Quality: lists.QualityStrong}}},
			{Source: "ftm", SourceID: "P-2", Type: lists.TypePerson,
				Names: []screening.Name{{Full: "Maria Rossi", Kind: lists.KindPrimary, Quality: lists.QualityStrong}}},
			{Source: "ftm", SourceID: "O-1", Type: lists.TypeOrganization,
				Names: []screening.Name{{Full: "Banco Nacional de Cuba", Kind: lists.KindPrimary, Quality: lists.QualityStrong}}},
		},
	}
	ix := screening.NewIndex(list)
	for _, h := range ix.Screen(screening.Query{Name: "Aiman al Zawahri", DOB: "1951-06-19", Type: "person"}) {
		fmt.Printf("%s %s %q score %.2f (threshold %.2f)\n", h.Source, h.SourceID, h.MatchedName, h.Score, h.Threshold)
	}
	fmt.Println(len(ix.Screen(screening.Query{Name: "Erika Mustermann", Type: "person"})), "hits for Erika Mustermann")
	// Output:
	// ftm P-1 "Ayman al-Zawahiri" score 0.93 (threshold 0.85)
	// 0 hits for Erika Mustermann
}
