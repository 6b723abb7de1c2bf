package address

import (
	"bytes"
	"image"
	"image/jpeg"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kycd/kycd/checks/address/synth"
)

// fillQuad draws a page: the quadrilateral q at brightness paper over a surface, with dark
// text-like bars inside it and a shadow darkening the left of the photo by up to half.
func fillQuad(w, h int, q [4][2]float64, surface, paper float64) *gray {
	g := &gray{w: w, h: h, p: make([]uint8, w*h)}
	inside := func(x, y float64) bool {
		for i := range q {
			j := (i + 1) % 4
			if (q[j][0]-q[i][0])*(y-q[i][1])-(q[j][1]-q[i][1])*(x-q[i][0]) < 0 {
				return false
			}
		}
		return true
	}
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			v := surface
			if inside(float64(x), float64(y)) {
				v = paper
				if (y/20)%3 == 0 && (x/9)%4 != 0 && x > w/4 && x < 3*w/4 {
					v = 30 // a line of "text"
				}
			}
			v *= 1 - 0.5*math.Max(0, 1-2*float64(x)/float64(w))
			g.p[y*w+x] = uint8(v)
		}
	}
	return g
}

func TestPageQuadFindsTheCorners(t *testing.T) {
	t.Parallel()
	want := [4][2]float64{{150, 120}, {1580, 170}, {1540, 2230}, {110, 2150}}
	g := fillQuad(1700, 2400, want, 90, 230)
	q, ok := g.pageQuad()
	require.True(t, ok)
	for i := range want {
		require.InDelta(t, want[i][0], q[i][0], 12, "corner %d x: %v", i, q)
		require.InDelta(t, want[i][1], q[i][1], 12, "corner %d y: %v", i, q)
	}
	r, ok := g.warp(q, 1000)
	require.True(t, ok)
	require.Equal(t, 1000, max(r.w, r.h))
	// The warped page is paper to its edges: no surface left in the corners.
	for _, c := range [][2]int{{3, 3}, {r.w - 4, 3}, {r.w - 4, r.h - 4}, {3, r.h - 4}} {
		require.Greater(t, int(r.p[c[1]*r.w+c[0]]), 100, "corner %v", c)
	}
}

func TestPageQuadLeavesScansAlone(t *testing.T) {
	t.Parallel()
	// A page filling the frame (a scan, a rendered PDF): no surface around it, no warp.
	g := fillQuad(1200, 1700, [4][2]float64{{-5, -5}, {1205, -5}, {1205, 1705}, {-5, 1705}}, 90, 235)
	_, ok := g.pageQuad()
	require.False(t, ok)
	// A uniform dark image is not a page either.
	d := &gray{w: 800, h: 1000, p: make([]uint8, 800*1000)}
	_, ok = d.pageQuad()
	require.False(t, ok)
}

// A generated phone photo (slant, rotation, shadow, blur, noise) comes out as an upright
// page of A4's proportions with even paper.
func TestPrepareRectifiesPhoto(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(11, 12))
	page := synth.Compose(r, synth.Content{Layout: synth.LayoutUtility, Lang: "en", Country: "GB",
		Person: synth.Person{Declared: "John Smith", Printed: "Mr John Smith"},
		Addr:   synth.Addr{Country: "GB", Printed: []string{"12 High Street", "London", "SW4 7AB"}, Line1: "12 High Street", City: "London", PostalCode: "SW4 7AB"},
		Issue:  synth.Now})
	photo := synth.Photo(synth.Rasterize(page, 100), synth.PhotoOptions{Keystone: 0.04, Rotate: 3.5, Blur: 0.8, Shadow: 0.45, Noise: 4, Quality: 80}, r)
	img, err := jpeg.Decode(bytes.NewReader(photo))
	require.NoError(t, err)
	g := toGray(img)
	q, ok := g.pageQuad()
	require.True(t, ok)
	w, _ := g.warp(q, 1200)
	require.InDelta(t, synth.PageW/synth.PageH, float64(w.w)/float64(w.h), 0.03)
	f := w.flatten()
	// The shadowed left and the lit right of the paper are alike once flattened.
	mean := func(x0, x1 int) float64 {
		s, n := 0.0, 0
		for y := f.h / 3; y < f.h/2; y++ {
			for x := x0; x < x1; x++ {
				if v := f.p[y*f.w+x]; v > 150 {
					s += float64(v)
					n++
				}
			}
		}
		return s / float64(max(n, 1))
	}
	require.InDelta(t, mean(f.w-60, f.w-20), mean(20, 60), 20)
}

// Words Tesseract gave as one line stay one row even when one box reaches lower (a speck
// read into it), and a word a space away from its row's previous one is joined with one
// space: "MEGAN ROBINSON", not two columns (measured boxes of a generated photo).
func TestLayoutKeepsANameTogether(t *testing.T) {
	t.Parallel()
	w := func(s string, x0, y0, x1, y1, line int) ocrWord {
		return ocrWord{text: s, box: image.Rect(x0, y0, x1, y1), conf: 0.96, line: [3]int{1, 1, line}}
	}
	pg := layout([]ocrWord{
		w("Return", 234, 442, 323, 466, 3), w("address:", 334, 441, 451, 466, 3),
		w("MEGAN", 235, 487, 395, 522, 4), w("ROBINSON", 413, 487, 655, 556, 4),
		w("Account", 1390, 512, 1524, 540, 4), w("number:", 1536, 510, 1669, 540, 4),
		w("57", 236, 546, 281, 580, 5), w("Queen's", 295, 545, 456, 585, 5), w("Ave", 471, 546, 545, 580, 5),
		w("Please", 234, 900, 330, 926, 9), w("check", 340, 900, 420, 926, 9), w("your", 430, 902, 500, 926, 9),
		w("statement", 510, 900, 650, 926, 9), w("and", 660, 900, 710, 926, 9), w("tell", 720, 900, 770, 926, 9),
	})
	var got []string
	for _, l := range pg.lines {
		got = append(got, strings.Join(strings.Fields(l), " "))
	}
	require.Contains(t, strings.Join(pg.lines, "\n"), "MEGAN ROBINSON")
	require.Contains(t, got, "57 Queen's Ave")
}

// An Austrian address line "Hauptstr. 6/3/18" (house 6, stair 3, door 18) is not a date of
// 6 March 2018: the addressee block's lines are not searched for dates (a genuine bill of
// seed 20261210 was rejected as eight years old for it).
func TestAddressBlockIsNoDate(t *testing.T) {
	t.Parallel()
	e, err := NewEngine(Config{SkipTextLayerCheck: true})
	require.NoError(t, err)
	lines := []string{
		"Wiener Netze GmbH",
		"",
		"Herrn Florian Schneider                        Kundennummer 4711",
		"Landstraßer Hauptstr. 6/3/18                   Fällig am 20.02.2026",
		"1120 Wien",
		"",
		"Ihre Stromrechnung",
	}
	decl, err := ParseDeclared("Landstraßer Hauptstraße 6/3/18, 1120 Wien, AT", nil)
	require.NoError(t, err)
	res := e.decide(reading{lines: lines, conf: 1, textLayer: true, engine: "text_layer"}, rules["AT"],
		Input{DeclaredName: "Florian Schneider", DeclaredAddress: decl}, synth.Now, 90)
	require.NotEqual(t, "2018-03-06", res.DocumentDate, "%+v", res.Reasons)
	for _, r := range res.Reasons {
		require.NotEqual(t, ReasonDocumentTooOld, r.Code, "%+v", res.Reasons)
	}
	require.NotEqual(t, StatusRejected, res.Status, "%+v", res.Reasons)
}
