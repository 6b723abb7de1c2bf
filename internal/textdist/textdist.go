// Package textdist holds string distances more than one check engine uses (screening's typo
// model, e-mail's domain typo detection), so each is written and tested once.
package textdist

// OSA is the optimal-string-alignment distance of two byte strings (substitutions,
// insertions, deletions and adjacent transpositions each cost 1), or max+1 as soon as it is
// known to exceed max. Strings over 64 bytes count as too far apart (max+1): both callers
// compare words or domain labels, and the bound keeps the work on the stack.
func OSA(a, b string, max int) int {
	la, lb := len(a), len(b)
	if la-lb > max || lb-la > max || la > 64 || lb > 64 {
		return max + 1
	}
	var rows [3][65]int
	prev2, prev, cur := &rows[0], &rows[1], &rows[2]
	for j := 0; j <= lb; j++ {
		prev[j] = j
	}
	for i := 1; i <= la; i++ {
		cur[0] = i
		best := cur[0]
		for j := 1; j <= lb; j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			v := min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				v = min(v, prev2[j-2]+1)
			}
			cur[j] = v
			best = min(best, v)
		}
		if best > max {
			return max + 1
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[lb]
}
