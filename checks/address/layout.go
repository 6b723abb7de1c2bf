package address

import (
	"context"
	"errors"
	"image"
	"sort"
	"strings"
)

// errNoOCR: images and image-only PDFs need a build with -tags tesseract.
var errNoOCR = errors.New("address: this build has no OCR (build with -tags tesseract); send a PDF with a text layer")

// IsNoOCR reports whether err says this build cannot OCR (images and scanned PDFs need
// -tags tesseract).
func IsNoOCR(err error) bool { return errors.Is(err, errNoOCR) }

// ocrEngine reads a page image into laid-out text.
type ocrEngine interface {
	Read(ctx context.Context, img image.Image, langs string) (page, error)
	Version() string
}

// page is text read from one page, with the mean word confidence (0–1, 1 for a text layer).
type page struct {
	lines []string
	conf  float64
	words int
}

type ocrWord struct {
	text string
	box  image.Rectangle
	conf float64
	line [3]int
}

// layout turns OCR words into rows of text the way `pdftotext -layout` prints a page: words
// of one Tesseract line joined, lines at the same height put on one row at their horizontal
// position (in character widths), so side-by-side columns stay apart by three or more
// spaces and the block finder reads the address window as one column.
func layout(ws []ocrWord) page {
	type tline struct {
		x0, x1, y0, y1 int
		words          []ocrWord
	}
	idx := map[[3]int]*tline{}
	var tls []*tline
	var cw []float64
	confSum, n := 0.0, 0
	ws = splitMergedLines(ws)
	for _, w := range ws {
		l := idx[w.line]
		if l == nil {
			l = &tline{x0: w.box.Min.X, x1: w.box.Max.X, y0: w.box.Min.Y, y1: w.box.Max.Y}
			idx[w.line] = l
			tls = append(tls, l)
		}
		l.words = append(l.words, w)
		l.x0, l.x1 = min(l.x0, w.box.Min.X), max(l.x1, w.box.Max.X)
		l.y0, l.y1 = min(l.y0, w.box.Min.Y), max(l.y1, w.box.Max.Y)
		if r := len([]rune(w.text)); r >= 3 {
			cw = append(cw, float64(w.box.Dx())/float64(r))
		}
		confSum += w.conf
		n++
	}
	if n == 0 {
		return page{}
	}
	charW := 20.0
	if len(cw) > 0 {
		sort.Float64s(cw)
		charW = max(4, cw[len(cw)/2])
	}
	// Split a Tesseract line where its words are far apart: two columns Tesseract joined.
	type seg struct {
		x, x1, y0, y1 int
		text          string
	}
	var segs []seg
	for _, l := range tls {
		sort.Slice(l.words, func(i, j int) bool { return l.words[i].box.Min.X < l.words[j].box.Min.X })
		w0 := l.words[0].box
		cur := seg{x: w0.Min.X, x1: w0.Max.X, y0: l.y0, y1: l.y1, text: l.words[0].text}
		for i := 1; i < len(l.words); i++ {
			b := l.words[i].box
			gap := float64(b.Min.X - l.words[i-1].box.Max.X)
			if gap > 3*charW {
				segs = append(segs, cur)
				cur = seg{x: b.Min.X, x1: b.Max.X, y0: l.y0, y1: l.y1, text: l.words[i].text}
				continue
			}
			cur.text += " " + l.words[i].text
			cur.x1 = b.Max.X
		}
		segs = append(segs, cur)
	}
	sort.Slice(segs, func(i, j int) bool { return segs[i].y0+segs[i].y1 < segs[j].y0+segs[j].y1 })
	var rows [][]seg
	var rowY []float64
	var heights []float64
	for _, s := range segs {
		heights = append(heights, float64(s.y1-s.y0))
	}
	sort.Float64s(heights)
	lh := max(8, heights[len(heights)/2])
	for _, s := range segs {
		cy := float64(s.y0+s.y1) / 2
		if k := len(rows) - 1; k >= 0 && cy-rowY[k] < 0.5*lh {
			rows[k] = append(rows[k], s)
			continue
		}
		rows = append(rows, []seg{s})
		rowY = append(rowY, cy)
	}
	var out []string
	for i, r := range rows {
		if i > 0 && rowY[i]-rowY[i-1] > 2.2*lh {
			out = append(out, "")
		}
		sort.Slice(r, func(a, b int) bool { return r[a].x < r[b].x })
		var b strings.Builder
		col := 0
		for j, s := range r {
			want := int(float64(s.x)/charW + 0.5)
			if j > 0 {
				want = max(want, col+3)
				// A word a space away from the previous segment continues it (a name whose
				// surname Tesseract put on a line of its own): one space, not a column gap.
				if gap := float64(s.x - r[j-1].x1); gap >= 0 && gap < 1.5*charW {
					want = col + 1
				}
			}
			for col < want {
				b.WriteByte(' ')
				col++
			}
			b.WriteString(s.text)
			col += len([]rune(s.text))
		}
		out = append(out, b.String())
	}
	return page{lines: out, conf: confSum / float64(n), words: n}
}

// splitMergedLines splits a Tesseract line whose words sit on two or more text rows (it joins
// neighbouring lines of a photo taken at a slant): words are clustered by their vertical
// centre, a new row starting where the gap exceeds half the median word height.
func splitMergedLines(ws []ocrWord) []ocrWord {
	var hs []float64
	for _, w := range ws {
		hs = append(hs, float64(w.box.Dy()))
	}
	if len(hs) == 0 {
		return ws
	}
	sort.Float64s(hs)
	h := max(4, hs[len(hs)/2])
	byLine := map[[3]int][]int{}
	var order [][3]int
	for i, w := range ws {
		if _, ok := byLine[w.line]; !ok {
			order = append(order, w.line)
		}
		byLine[w.line] = append(byLine[w.line], i)
	}
	out := make([]ocrWord, 0, len(ws))
	sub := 0
	for _, key := range order {
		idx := byLine[key]
		sort.Slice(idx, func(a, b int) bool {
			return ws[idx[a]].box.Min.Y+ws[idx[a]].box.Max.Y < ws[idx[b]].box.Min.Y+ws[idx[b]].box.Max.Y
		})
		prev := -1.0
		var last image.Rectangle
		row := 0
		for n, i := range idx {
			cy := float64(ws[i].box.Min.Y+ws[i].box.Max.Y) / 2
			// A word whose box reaches below the others' (a descender, a speck read into
			// it) still overlaps them: only a word beside little of the previous one's
			// height starts a new row.
			b := ws[i].box
			overlap := min(b.Max.Y, last.Max.Y) - max(b.Min.Y, last.Min.Y)
			if n > 0 && cy-prev > 0.5*h && float64(overlap) < 0.4*float64(min(b.Dy(), last.Dy())) {
				row++
			}
			prev, last = cy, b
			w := ws[i]
			if row > 0 {
				sub++
				w.line = [3]int{key[0], key[1], 100000 + key[2]*100 + row}
			}
			out = append(out, w)
		}
	}
	return out
}
