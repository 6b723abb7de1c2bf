package screening

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestCanon(t *testing.T) {
	t.Parallel()
	for _, g := range [][]string{
		{"iurii", "yuriy", "yury", "yuri"},
		{"moussa", "musa"},
		{"alexey", "aleksei", "aleksey"},
		{"evgeniy", "yevgeniy", "evgeny"},
		{"wladimir", "vladimir"},
		{"rasheed", "rashid"},
		{"tatiana", "tatyana"},
		{"iakushev", "yakushev"},
		{"gennadiy", "genadii"},
		{"djafar", "dzhafar", "jafar"},
	} {
		for _, s := range g[1:] {
			require.Equal(t, canon(g[0]), canon(s), "%s / %s", g[0], s)
		}
	}
	require.True(t, nisbaDiffers("kmal", "kamali"))
	require.False(t, nisbaDiffers("krimi", "karimi"))
	// What tells names apart stays: a word-initial J is a consonant, kh is not h, vowels differ.
	for _, p := range [][2]string{{"jamal", "yamal"}, {"khan", "han"}, {"maria", "mario"}, {"nikolay", "mykola"}} {
		require.NotEqual(t, canon(p[0]), canon(p[1]), "%s / %s", p[0], p[1])
	}
}

func TestEditDistance(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		a, b string
		max  int
		want int
	}{
		{"gusev", "gurev", 2, 1},
		{"kozlov", "kolosov", 2, 3}, // beyond max: max+1
		{"ahmad", "ahmda", 2, 1},    // a transposition is one edit
		{"klinger", "klinpauer", 2, 3},
		{"abc", "abc", 0, 0},
	} {
		require.Equal(t, c.want, editDistance(c.a, c.b, c.max), "%s / %s", c.a, c.b)
	}
}

// Spellings that are one name in another romanisation, or a typo of it, find the listed
// person; words that only look alike to Jaro-Winkler do not.
func TestSpellingModel(t *testing.T) {
	t.Parallel()
	ix := realIndex(t)
	score := func(q Query, name string) (float64, *Hit) {
		q.Threshold = 0.3
		q.Limit = 50
		for _, h := range ix.Screen(q) {
			if h.MatchedName == name {
				return h.Score, &h
			}
		}
		return 0, nil
	}
	for _, c := range []struct{ q, name, kind string }{
		{"Iurii Sivakov", "SIVAKOV, Yury", "transliteration"},      // ICAO vs BGN romanisation
		{"Moussa Al-Hariri", "AL-HARIRI, Musa", "transliteration"}, // French vs English
		{"Oleksiy Minin", "MININ, Alexey Valerevich", "variant"},   // Ukrainian form the lists give for ALEKSEY
		{"Ahmet Jabril", "JABRIL, Ahmad", "fuzzy"},                 // Turkish final devoicing: one phonetic key
		{"Abu Bakr Shekau", "SHEKAU, Abubakar", "joined"},          // particle written apart
		{"Reza Mozaffjrinsa", "MOZAFFARINIA, Reza", "fuzzy"},       // two letters mistyped in a long word
	} {
		s, h := score(Query{Name: c.q, Type: "person"}, c.name)
		require.NotNil(t, h, "%q must find %q", c.q, c.name)
		require.GreaterOrEqual(t, s, DefaultThreshold, "%q → %q", c.q, c.name)
		var kinds []string
		for _, tk := range h.Explanation.Tokens {
			kinds = append(kinds, tk.Kind)
		}
		require.Contains(t, kinds, c.kind, "%q → %q", c.q, c.name)
	}
	for _, c := range []struct{ q, name, why string }{
		{"Roderick Gerlach", "GRECH, Roderick", "GERLACH is three edits from GRECH and sounds otherwise"},
		{"Aren Stepanyan", "STEPANYAN, Karen", "AREN is not KAREN with a letter mistyped: it starts with another sound"},
		{"Hubert Robert", "ROBERT J. SHUBERT, SR.", "HUBERT is not SHUBERT"},
		{"朱立诚", "LI, Cheng He", "Zhu Licheng is not Li Chenghe: every CJK syllable is part of the name"},
		{"潘文昊", "PAN, Hao", "Pan Wenhao is not Pan Hao"},
		{"کمال علی", "KAMALI, Ali", "Persian script writes the nisba -i: Kamal is not Kamali"},
	} {
		s, _ := score(Query{Name: c.q, Type: "person"}, c.name)
		require.Less(t, s, DefaultThreshold, "%q → %q: %s", c.q, c.name, c.why)
	}
}
