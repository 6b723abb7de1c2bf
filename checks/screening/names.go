package screening

// NameTokens is the screening normaliser for other engines that compare a person's name
// with a name read from a document (checks/address): NFKC, transliteration to lower-case
// ASCII, joined punctuation ("O'Brien" → "obrien"), honorifics dropped. Sharing it keeps
// every engine's idea of "the same name" the same.
func NameTokens(name string) []string {
	toks := tokenize(name)
	out := make([]string, len(toks))
	for i, t := range toks {
		out[i] = t.s
	}
	return out
}

// TokenSimilarity is the similarity (0–1) of two normalised name tokens as the screening
// matcher scores them: Jaro-Winkler, stricter on short words.
func TokenSimilarity(a, b string) float64 { return tokenSim(a, b, false) }

// IsNameParticle reports whether a normalised token is a particle ("van", "de", "al") that
// carries little weight in a name.
func IsNameParticle(s string) bool { return particles[s] }

// JaroWinkler is the screening matcher's Jaro-Winkler similarity of two strings (0–1).
func JaroWinkler(a, b string) float64 { return jaroWinkler(a, b) }
