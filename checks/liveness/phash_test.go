package liveness

import (
	"os"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kycd/kycd/checks/face/imaging"
	"github.com/kycd/kycd/internal/testfiles"
)

func decodeFile(t *testing.T, elem ...string) *imaging.RGB {
	t.Helper()
	b, err := os.ReadFile(testfiles.Path(t, elem...))
	require.NoError(t, err)
	img, err := imaging.Decode(b)
	require.NoError(t, err)
	return img
}

// crop cuts frac of the width and height off, split between the sides.
func crop(img *imaging.RGB, frac float64) *imaging.RGB {
	dx, dy := frac*float64(img.W)/2, frac*float64(img.H)/2
	w, h := float64(img.W)-2*dx, float64(img.H)-2*dy
	return imaging.CropResize(img, imaging.Rect{X: dx, Y: dy, W: w, H: h}, int(w), int(h), [3]uint8{})
}

func TestPHashSurvivesReencodingAndCropsNotNewPictures(t *testing.T) {
	t.Parallel()
	obama := decodeFile(t, "faces", "face_recognition", "tests", "test_images", "obama.jpg")
	h := PHash(obama)
	require.Equal(t, h, PHash(obama), "deterministic")
	for name, img := range map[string]*imaging.RGB{
		"jpeg q60":        reencode(obama, 60),
		"jpeg q30":        reencode(obama, 30),
		"3% crop":         crop(obama, 0.03),
		"crop, then q50":  reencode(crop(obama, 0.04), 50),
		"half size":       imaging.CropResize(obama, imaging.Rect{W: float64(obama.W), H: float64(obama.H)}, obama.W/2, obama.H/2, [3]uint8{}),
		"half size, q70":  reencode(imaging.CropResize(obama, imaging.Rect{W: float64(obama.W), H: float64(obama.H)}, obama.W/2, obama.H/2, [3]uint8{}), 70),
		"one pixel shift": shiftImg(obama, 1),
	} {
		require.LessOrEqual(t, Hamming(h, PHash(img)), ReplayDistance, name)
	}
	// Other pictures: other people, the same person in another photo, the same photo turned.
	for _, other := range [][]string{
		{"faces", "face_recognition", "tests", "test_images", "obama2.jpg"},
		{"faces", "face_recognition", "tests", "test_images", "biden.jpg"},
		{"faces", "face_recognition", "examples", "knn_examples", "train", "rose_leslie", "img1.jpg"},
	} {
		require.Greater(t, Hamming(h, PHash(decodeFile(t, other...))), ReplayDistance, other[len(other)-1])
	}

	s := FormatPHash(h)
	require.Len(t, s, 16)
	back, err := ParsePHash(s)
	require.NoError(t, err)
	require.Equal(t, h, back)
	_, err = ParsePHash("xyz")
	require.Error(t, err)
}

func shiftImg(img *imaging.RGB, d int) *imaging.RGB {
	out := imaging.NewRGB(img.W, img.H)
	for y := range img.H {
		for x := range img.W {
			sx := min(img.W-1, x+d)
			copy(out.Pix[3*(y*img.W+x):3*(y*img.W+x)+3], img.Pix[3*(y*img.W+sx):3*(y*img.W+sx)+3])
		}
	}
	return out
}

func TestReplayOf(t *testing.T) {
	t.Parallel()
	a := []uint64{0x0, 0xFFFF, 0xFFFF0000, 0xFFFF00000000, 0xFFFF000000000000}
	near := func(h uint64) uint64 { return h ^ 0b101 } // 2 bits off
	earlier := map[string][]uint64{
		"lch_old":   {near(a[0]), near(a[1]), near(a[2]), near(a[3]), near(a[4])},
		"lch_other": {^uint64(0)},
	}
	key, at := ReplayOf(a, earlier)
	require.Equal(t, "lch_old", key)
	require.Equal(t, 0, at)

	// A retry that repeats some poses (three of five frames) is not a replay.
	partial := map[string][]uint64{"lch_old": {near(a[1]), near(a[2]), near(a[4])}}
	key, at = ReplayOf(a, partial)
	require.Empty(t, key)
	require.Equal(t, -1, at)
	// Four of five, in order, are.
	partial["lch_old"] = []uint64{near(a[1]), near(a[2]), a[3], near(a[4])}
	key, at = ReplayOf(a, partial)
	require.Equal(t, "lch_old", key)
	require.Equal(t, 1, at)
	// The same poses in another order are a new capture, not a replay.
	key, _ = ReplayOf(a, map[string][]uint64{"lch_old": {a[4], a[3], a[2], a[1], a[0]}})
	require.Empty(t, key)
	// One earlier frame matches one new frame only: a still photo captured once does not
	// make every later frame of it a replay.
	key, _ = ReplayOf([]uint64{7, 7, 7, 7, 7}, map[string][]uint64{"lch_old": {7}})
	require.Empty(t, key)
	key, _ = ReplayOf(a, nil)
	require.Empty(t, key)
}
