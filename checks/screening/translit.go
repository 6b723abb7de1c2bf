package screening

// Romanisation-neutral spelling. The same Cyrillic or Arabic name reaches Latin script through
// several systems (BGN/PCGN, ICAO 9303, the Ukrainian national system, French and German
// habits): Юрий is YURIY, YURY, YURI or IURII; Ярослав YAROSLAV or IAROSLAV; Евгений EVGENIY or
// YEVGENIY; Муса MUSA or MOUSSA; Рашид RASHID or RASHEED. Jaro-Winkler sees these as typos at
// best ("IURII"/"YURY" 0.64). canon folds the differences the systems make — not the letters
// that tell names apart — so two spellings of one name get one key:
//
//	iu/yu → yu, ia/ya → ya (ICAO writes the iotated vowels with "i")
//	initial ye → e (Yevgeniy/Evgeniy, Yelena/Elena)
//	final -iy/-ii/-yi/-ij/-y after a consonant → -i; final -ey/-ay → -ei/-ai
//	x → ks, w → v, ph → f, ck → k, tz → ts, dj/dzh → j
//	ou → u (French transliteration: Moussa, Youssef, Mourad), ee → i, oo → u (English: Rasheed,
//	Mahmood), doubled consonants single (Gennadiy, Hussein, Mohammed)
//
// Equal keys score canonSim; the key also proposes candidates (Index.canon), so a spelling no
// list uses still finds the listed one.
func canon(s string) string {
	if len(s) < 3 || len(s) > 40 {
		return s
	}
	var buf [96]byte
	b := buf[:0]
	n := len(s)
	for i := 0; i < n; i++ {
		c := s[i]
		var next byte
		if i+1 < n {
			next = s[i+1]
		}
		switch {
		case (c == 'i' || c == 'y' || c == 'j' && i > 0 && vowel(s[i-1])) && (next == 'u' || next == 'a'):
			// iu/yu, ia/ya (and ja/ju after a vowel: "Maja"); a word-initial "j" is too often the
			// consonant of Arabic or Spanish names (Jamal, Juan) to fold.
			b = append(b, 'y', next)
			i++
			continue
		case i == 0 && c == 'y' && next == 'e':
			b = append(b, 'e')
			i++
			continue
		case c == 'x':
			b = append(b, 'k', 's')
			continue
		case c == 'w':
			c = 'v'
		case c == 'p' && next == 'h':
			b = append(b, 'f')
			i++
			continue
		case c == 'c' && next == 'k':
			b = append(b, 'k')
			i++
			continue
		case c == 'd' && (next == 'j' || next == 'z' && i+2 < n && s[i+2] == 'h'):
			b = append(b, 'j') // dj, dzh: French and English spellings of j (DJAFAR, DZHAFAR)
			i++
			if next == 'z' {
				i++
			}
			continue
		case c == 't' && next == 'z':
			b = append(b, 't', 's')
			i++
			continue
		case c == 'o' && next == 'u':
			b = append(b, 'u')
			i++
			continue
		case c == 'e' && next == 'e':
			b = append(b, 'i')
			i++
			continue
		case c == 'o' && next == 'o':
			b = append(b, 'u')
			i++
			continue
		}
		if len(b) > 0 && b[len(b)-1] == c && !vowel(c) {
			continue // doubled consonant
		}
		b = append(b, c)
	}
	// Endings.
	if k := len(b); k >= 4 {
		last, prev := b[k-1], b[k-2]
		switch {
		case (prev == 'i' || prev == 'y') && (last == 'y' || last == 'i' || last == 'j'):
			b = append(b[:k-2], 'i') // -iy, -ii, -yi, -ij
		case (prev == 'e' || prev == 'a') && (last == 'y' || last == 'j'):
			b[k-1] = 'i' // -ey → -ei, -ay → -ai
		case last == 'y' && !vowel(prev):
			b[k-1] = 'i' // Yury, Dmitry
		}
	}
	return string(b)
}

// canonSim is the similarity of two different spellings with the same canon key: a spelling
// match in another romanisation, a little below a variant the lists themselves give.
const canonSim = 0.88

// nisbaDiffers reports whether one of two Arabic-script-derived tokens carries the nisba ending
// "-i" and the other does not: Arabic and Persian script write that long vowel, so "KAMAL" and
// "KAMALI", "HASHIM" and "HASHEMI" are two names (the second a surname made from the first),
// which the consonant skeleton alone cannot tell apart.
func nisbaDiffers(a, b string) bool {
	if len(a) < 4 || len(b) < 4 {
		return false
	}
	na := a[len(a)-1] == 'i' && !vowel(a[len(a)-2])
	nb := b[len(b)-1] == 'i' && !vowel(b[len(b)-2])
	return na != nb
}
