//go:build onnx

package liveness

import (
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kycd/kycd/checks/face"
	"github.com/kycd/kycd/checks/face/imaging"
	"github.com/kycd/kycd/internal/testfiles"
)

// renderPaperMask is a printed face with holes cut at the eyes, worn: inside the holes the
// wearer's own eyes, a little offset and in the shadow of the paper, with the cut's edge.
func renderPaperMask(src *imaging.RGB, l *face.Landmarks, seed uint64) *imaging.RGB {
	printed := renderPrint(src, 5, 45, seed)
	out := imaging.NewRGB(src.W, src.H)
	copy(out.Pix, printed.Pix)
	for _, eye := range [][2]int{{36, 42}, {42, 48}} {
		var cx, cy, w float64
		for i := eye[0]; i < eye[1]; i++ {
			cx += l[i].X / 6
			cy += l[i].Y / 6
		}
		w = math.Abs(l[eye[0]+3].X - l[eye[0]].X)
		rx, ry := 0.9*w, 0.55*w
		for y := int(cy - ry - 2); y <= int(cy+ry+2); y++ {
			for x := int(cx - rx - 2); x <= int(cx+rx+2); x++ {
				if x < 0 || y < 0 || x >= src.W || y >= src.H {
					continue
				}
				d := math.Hypot((float64(x)-cx)/rx, (float64(y)-cy)/ry)
				i := 3 * (y*src.W + x)
				switch {
				case d < 0.93: // the wearer's eye, shadowed
					sx := min(src.W-1, x+2)
					j := 3 * (y*src.W + sx)
					for ch := range 3 {
						out.Pix[i+ch] = clampByte(0.6 * float64(src.Pix[j+ch]))
					}
				case d < 1.07: // the cut edge of the paper
					for ch := range 3 {
						out.Pix[i+ch] = 245
					}
				}
			}
		}
	}
	return reencode(out, 85)
}

// spoofVerdict is the passive verdict with the cues: the model's score, the cues, and
// whether the check would let it through (live on both opinions).
type spoofVerdict struct {
	score float64
	cues  SpoofCues
	ok    bool // the gate let the photo through
}

func (v spoofVerdict) modelLive() bool { return v.score >= DefaultPassiveThreshold }
func (v spoofVerdict) passes() bool    { return v.ok && v.modelLive() && !v.cues.Spoof }

func judge(t *testing.T, c *Checker, img *imaging.RGB) spoofVerdict {
	t.Helper()
	a, err := c.eng.Analyze(img, face.KindSelfie, face.Want{Liveness: true, IgnoreQuality: true})
	require.NoError(t, err)
	if a.Face == nil || a.Face.Liveness == nil {
		return spoofVerdict{}
	}
	return spoofVerdict{score: *a.Face.Liveness, cues: Cues(img, a.Face.Box, 0), ok: a.Quality.OK || a.Quality.Reason == face.ReasonNotFrontal}
}

// TestSpoofEval prints the passive APCER/BPCER table of docs/benchmarks/face.md:
//
//	KYCD_LIVENESS_EVAL=tuning|heldout go test -tags onnx -run TestSpoofEval -v ./checks/liveness/
func TestSpoofEval(t *testing.T) {
	split := os.Getenv("KYCD_LIVENESS_EVAL")
	if split == "" {
		t.Skip("set KYCD_LIVENESS_EVAL=tuning or heldout")
	}
	c, err := New(engine(t), Config{})
	require.NoError(t, err)
	var files []string
	if split == "tuning" {
		seeds, people := tuningSet(t)
		seen := map[string]bool{}
		for _, g := range append([][]string{seeds}, people...) {
			for _, f := range g {
				if !seen[f] {
					seen[f] = true
					files = append(files, f)
				}
			}
		}
	} else {
		for _, g := range deepfacePeople(t) {
			files = append(files, g...)
		}
	}
	type tally struct{ n, model, cues, both int }
	count := map[string]*tally{}
	add := func(kind string, v spoofVerdict) {
		if count[kind] == nil {
			count[kind] = &tally{}
		}
		tl := count[kind]
		tl.n++
		if !v.modelLive() {
			tl.model++
		}
		if v.cues.Spoof {
			tl.cues++
		}
		if !v.passes() {
			tl.both++
		}
	}
	for i, f := range files {
		img := decodePath(t, f)
		v := judge(t, c, img)
		if !v.ok {
			continue
		}
		add("bona fide", v)
		o, err := c.eng.Analyze(img, face.KindSelfie, face.Want{IgnoreQuality: true})
		require.NoError(t, err)
		seed := uint64(i)
		for kind, att := range map[string]*imaging.RGB{
			"print":      renderPrint(img, 4+float64(i%4), 15+float64(15*(i%3)), seed),
			"screen":     renderScreen(img, 6+float64(i%5), float64(10*(i%7)), seed),
			"paper mask": renderPaperMask(img, &o.Face.Landmarks, seed),
		} {
			av := judge(t, c, att)
			add(kind, av)
			t.Logf("%s %s: model %.3f periodicity %.1f", filepath.Base(f), kind, av.score, av.cues.Periodicity)
		}
		t.Logf("%s bona fide: model %.3f periodicity %.1f (window %d)", filepath.Base(f), v.score, v.cues.Periodicity, v.cues.Window)
	}
	for _, sf := range []string{"image_F1.jpg", "image_F2.jpg", "image_T1.jpg"} {
		img := decodePath(t, testfiles.Path(t, "faces", "Silent-Face-Anti-Spoofing", "images", "sample", sf))
		v := judge(t, c, img)
		t.Logf("Silent-Face %s: model %.3f periodicity %.1f gate %v", sf, v.score, v.cues.Periodicity, v.ok)
	}
	for _, k := range []string{"bona fide", "print", "screen", "paper mask"} {
		tl := count[k]
		if tl == nil {
			continue
		}
		t.Logf("%s %-10s n=%d  flagged by model %d, by cues %d, by either %d", split, k, tl.n, tl.model, tl.cues, tl.both)
	}
}

// The periodicity cue sees halftone dots and screen moiré that the model misses, and not
// the grain of real photos.
func TestCuesSeeHalftoneAndMoire(t *testing.T) {
	t.Parallel()
	c, err := New(engine(t), Config{})
	require.NoError(t, err)
	for _, name := range []string{"img2.jpg", "img3.jpg"} { // held-out photos
		img := decodePath(t, testfiles.Path(t, "faces", "deepface", name))
		real := judge(t, c, img)
		require.True(t, real.ok, name)
		require.False(t, real.cues.Spoof, "%s: periodicity %.1f", name, real.cues.Periodicity)
		require.Greater(t, real.cues.Window, 0)
		for kind, att := range map[string]*imaging.RGB{"print": renderPrint(img, 5, 30, 1), "screen": renderScreen(img, 7, 20, 1)} {
			v := judge(t, c, att)
			require.True(t, v.cues.Spoof, "%s %s: periodicity %.1f", name, kind, v.cues.Periodicity)
			require.Equal(t, []string{CuePeriodic}, v.cues.Reasons)
		}
	}
	// Too small a face is not measured rather than guessed.
	img := decodePath(t, testfiles.Path(t, "faces", "deepface", "img2.jpg"))
	require.Zero(t, Cues(img, face.Box{X1: 10, Y1: 10, X2: 40, Y2: 40}, 0).Window)
}
