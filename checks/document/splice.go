package document

import (
	"fmt"
	"image"
)

// ReasonPortraitSplice is the review reason when the portrait's border is a one-pixel-sharp
// rectangle on an otherwise photographed page: the mark of a photo pasted in digitally.
const ReasonPortraitSplice = "portrait_splice_suspected"

// Splice is the splice detector's look at the portrait area: how far a one-pixel-sharp
// rectangle runs around it.
type Splice struct {
	Suspected bool `json:"suspected"`
	// HardEdges are [vertical, horizontal]: how much of the box's height (width) two
	// columns (rows) a third of it apart step by at least hardStep grey levels within one
	// pixel — the two sides of a pasted rectangle.
	HardEdges [2]float64 `json:"hard_edges"`
}

// grayOf converts rectangle r of an image (in image-relative coordinates) to luma values
// 0–255, stride = r.Dx().
func grayOf(img image.Image, r image.Rectangle) ([]float64, int) {
	b := img.Bounds()
	w, h := r.Dx(), r.Dy()
	g := make([]float64, w*h)
	for y := range h {
		for x := range w {
			cr, cg, cb, _ := img.At(b.Min.X+r.Min.X+x, b.Min.Y+r.Min.Y+y).RGBA()
			g[y*w+x] = (0.299*float64(cr) + 0.587*float64(cg) + 0.114*float64(cb)) / 257
		}
	}
	return g, w
}

// checkSplice looks for a pasted rectangle at the portrait: a long one-pixel-sharp column
// and row in its layout box. A document photographed or scanned has soft edges (optics,
// resampling), so a hard rectangle there was drawn in digitally. A born-digital rendering
// (a PDF specimen, a generated document) has hard edges everywhere and is not judged by
// this: see docs/benchmarks/face-decisions.md for where it holds.
func checkSplice(img image.Image, box *Box, res *Result) *Splice {
	b := img.Bounds()
	// The layout box, grown a little: a pasted photo may overhang the expected frame.
	mx, my := box.Width/7, box.Height/7
	r := image.Rect(box.X-mx, box.Y-my, box.X+box.Width+mx, box.Y+box.Height+my).Intersect(image.Rect(0, 0, b.Dx(), b.Dy()))
	s := &Splice{}
	if r.Dx() < 32 || r.Dy() < 32 {
		return s
	}
	gray, stride := grayOf(img, r)
	s.HardEdges = hardEdges(gray, stride, r.Sub(r.Min))
	if s.HardEdges[0] >= minHardEdge && s.HardEdges[1] >= minHardEdge {
		s.Suspected = true
		res.addError(ReasonPortraitSplice, "portrait", fmt.Sprintf(
			"the portrait's border is a one-pixel-sharp rectangle (%.0f %% of its height, %.0f %% of its width) where a printed and photographed portrait is soft: it may have been pasted in",
			100*s.HardEdges[0], 100*s.HardEdges[1]))
	}
	return s
}

// Hard-edge limits: a step of hardStep grey levels or more between two pixels whose other
// neighbours step by at most a quarter of it, along minHardEdge of a line.
const (
	hardStep    = 12.0
	minHardEdge = 0.3
)

// isSharp reports a step b→c of at least hardStep with the steps a→b and c→d at most a
// quarter of it: an edge one pixel wide.
func isSharp(a, b, c, d float64) bool {
	abs := func(v float64) float64 {
		if v < 0 {
			return -v
		}
		return v
	}
	st := abs(c - b)
	return st >= hardStep && abs(b-a) <= st/4 && abs(d-c) <= st/4
}

// hardEdges returns, for region r, how far two opposite sides of a sharp rectangle run:
// per axis, the share of rows in which a column of r has a one-pixel-sharp step, for the
// best column and the best one at least a third of the width away (the other side), and the
// smaller of the two; the same for rows. A pasted photo's border is exactly such a pair of
// columns and rows, where a printed portrait photographed with the page is soft.
func hardEdges(gray []float64, stride int, r image.Rectangle) [2]float64 {
	var out [2]float64
	if r.Dx() < 8 || r.Dy() < 8 {
		return out
	}
	cols := make([]float64, r.Dx())
	for x := r.Min.X + 1; x < r.Max.X-2; x++ {
		n := 0
		for y := r.Min.Y; y < r.Max.Y; y++ {
			i := y*stride + x
			if isSharp(gray[i-1], gray[i], gray[i+1], gray[i+2]) {
				n++
			}
		}
		cols[x-r.Min.X] = float64(n) / float64(r.Dy())
	}
	rows := make([]float64, r.Dy())
	for y := r.Min.Y + 1; y < r.Max.Y-2; y++ {
		n := 0
		for x := r.Min.X; x < r.Max.X; x++ {
			i := y*stride + x
			if isSharp(gray[i-stride], gray[i], gray[i+stride], gray[i+2*stride]) {
				n++
			}
		}
		rows[y-r.Min.Y] = float64(n) / float64(r.Dx())
	}
	return [2]float64{pairOf(cols), pairOf(rows)}
}

// pairOf is the smaller of the best line and the best line a third of the span away from it.
func pairOf(lines []float64) float64 {
	best := 0
	for i, v := range lines {
		if v > lines[best] {
			best = i
		}
	}
	other := 0.0
	for i, v := range lines {
		if (i-best) >= len(lines)/3 || (best-i) >= len(lines)/3 {
			other = max(other, v)
		}
	}
	return min(lines[best], other)
}
