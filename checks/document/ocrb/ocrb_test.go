package ocrb

import (
	"bytes"
	"image"
	_ "image/jpeg"
	_ "image/png"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kycd/kycd/checks/document/synth"
)

func TestRotate90RoundTrip(t *testing.T) {
	t.Parallel()
	g := &Gray{W: 3, H: 2, Pix: []float32{1, 2, 3, 4, 5, 6}}
	cw := g.Rotate90(1)
	require.Equal(t, 2, cw.W)
	require.Equal(t, 3, cw.H)
	// Clockwise: the bottom-left pixel (4) becomes the top-left.
	require.Equal(t, []float32{4, 1, 5, 2, 6, 3}, cw.Pix)
	require.Equal(t, g.Pix, cw.Rotate90(3).Pix)
	require.Equal(t, []float32{6, 5, 4, 3, 2, 1}, g.Rotate90(2).Pix)
	require.Equal(t, g.Rotate90(2).Pix, cw.Rotate90(1).Pix)
}

func TestResizeKeepsMean(t *testing.T) {
	t.Parallel()
	g := NewGray(40, 30)
	for i := range g.Pix {
		g.Pix[i] = float32(i % 7 * 30)
	}
	var sum float64
	for _, v := range g.Pix {
		sum += float64(v)
	}
	small := g.Resize(0.5)
	require.Equal(t, 20, small.W)
	require.Equal(t, 15, small.H)
	var s2 float64
	for _, v := range small.Pix {
		s2 += float64(v)
	}
	require.InDelta(t, sum/float64(len(g.Pix)), s2/float64(len(small.Pix)), 1)
}

func TestModelRoundTrip(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(1, 2))
	m := NewModel(FW*FH, 8, len(Alphabet), r.NormFloat64)
	b, err := m.MarshalBinary()
	require.NoError(t, err)
	m2, err := UnmarshalModel(b)
	require.NoError(t, err)
	require.Equal(t, m, m2)
	_, err = UnmarshalModel(b[:len(b)-1])
	require.Error(t, err)
	_, err = UnmarshalModel(append(b, 0))
	require.ErrorContains(t, err, "trailing")
	_, err = UnmarshalModel([]byte("garbage"))
	require.ErrorContains(t, err, "not an OCR-B model")
	bad := NewModel(10, 8, len(Alphabet), r.NormFloat64)
	bb, _ := bad.MarshalBinary()
	_, err = UnmarshalModel(bb)
	require.ErrorContains(t, err, "shape")
}

func TestDefaultModelLoads(t *testing.T) {
	t.Parallel()
	m, err := DefaultModel()
	require.NoError(t, err)
	require.Equal(t, len(Alphabet), m.Out)
}

func TestMasks(t *testing.T) {
	t.Parallel()
	td3 := Masks(2, 44, 'P', "P<UTO")
	require.Len(t, td3, 2)
	require.Equal(t, setLetters, td3[0][10], "name position")
	require.Equal(t, setDigitsF, td3[1][13], "date of birth")
	require.Equal(t, setSex, td3[1][20])
	require.Equal(t, setDigits, td3[1][43], "composite check digit")
	require.Equal(t, setAny, td3[1][0], "document number")
	visa := Masks(2, 44, 'V', "V<UTO")
	require.Equal(t, setAny, visa[1][43], "MRV-A optional data")
	td1 := Masks(3, 30, 'I', "I<UTO")
	require.Equal(t, setLetters, td1[2][0])
	require.Equal(t, setLetters, td1[1][16], "nationality")
	fra := Masks(2, 36, 'I', "IDFRATEST")
	require.Equal(t, setAny, fra[1][20], "French ID keeps its own layout")
	odd := Masks(1, 20, 'X', "")
	require.Equal(t, setAny, odd[0][5])
}

func TestDecodeRespectsMask(t *testing.T) {
	t.Parallel()
	// One cell whose best class is '0' but whose mask allows only letters.
	p := make([]float32, len(Alphabet))
	p[strings.IndexByte(Alphabet, '0')] = 0.6
	p[strings.IndexByte(Alphabet, 'O')] = 0.3
	p[strings.IndexByte(Alphabet, 'D')] = 0.1
	rd := Reading{Lines: []string{"0"}, Probs: [][][]float32{{p}}, Conf: [][]float32{{0.6}}}
	rd.Decode([][]string{{setLetters}})
	require.Equal(t, "O", rd.Lines[0])
	require.InDelta(t, 0.9, rd.MinConf, 1e-6, "the forbidden lookalike's mass carries over")
	// Where digits are allowed the '0' stands.
	rd = Reading{Lines: []string{"0"}, Probs: [][][]float32{{p}}, Conf: [][]float32{{0.6}}}
	rd.Decode([][]string{{setAny}})
	require.Equal(t, "0", rd.Lines[0])
	require.InDelta(t, 0.6, rd.MinConf, 1e-6)
}

// TestFindAndRead renders documents and checks that the finder sizes the
// zone right and the classifier reads it, upright and upside down.
func TestFindAndRead(t *testing.T) {
	t.Parallel()
	m, err := DefaultModel()
	require.NoError(t, err)
	for _, tc := range []struct {
		kind synth.Kind
		rot  float64
	}{{synth.TD3, 2}, {synth.TD1, -3}, {synth.TD3, 181}} {
		doc, err := synth.Generate(7, synth.Options{Kind: tc.kind, Rotation: tc.rot, Blur: 0.7, Noise: 4, JPEGQuality: 85})
		require.NoError(t, err)
		img, _, err := image.Decode(bytes.NewReader(doc.MRZImage()))
		require.NoError(t, err)
		g := FromImage(img)
		g = g.Resize(WorkingScale(g.W, g.H))
		zones := FindZones(g, DefaultParams)
		require.NotEmpty(t, zones, "%s rot %v", tc.kind, tc.rot)
		z := zones[0]
		require.Len(t, z.Lines, len(doc.Lines))
		require.Equal(t, len(doc.Lines[0]), z.Lines[0].N)
		up, down := m.ReadZone(g, z), m.ReadZone(g, z.Reverse())
		rd := up
		if down.MeanConf > up.MeanConf {
			rd = down
		}
		require.Equal(t, doc.Lines, rd.Lines, "%s rot %v", tc.kind, tc.rot)
		require.Greater(t, rd.MeanConf, 0.9)
	}
}

func TestFindNothingOnBlank(t *testing.T) {
	t.Parallel()
	g := NewGray(900, 600)
	require.Empty(t, FindZones(g, DefaultParams))
}

func TestDecodeLookalikeKeepsConfidence(t *testing.T) {
	t.Parallel()
	cell := func(probs map[byte]float32) []float32 {
		p := make([]float32, len(Alphabet))
		for c, v := range probs {
			p[strings.IndexByte(Alphabet, c)] = v
		}
		return p
	}
	for _, tc := range []struct {
		name  string
		probs map[byte]float32
		want  string
		conf  float64
	}{
		// A font that draws O like 0: the favourite is forbidden, its lookalike inherits.
		{"0 drawn for O", map[byte]float32{'0': 0.97, 'O': 0.02, 'D': 0.01}, "O", 0.99},
		// The runner-up is not the lookalike: no inheritance, so low confidence.
		{"U half-read as 0", map[byte]float32{'0': 0.6, 'U': 0.3, 'O': 0.1}, "U", 0.3},
		{"D above O", map[byte]float32{'0': 0.9, 'D': 0.06, 'O': 0.04}, "D", 0.06},
	} {
		rd := Reading{Lines: []string{"0"}, Probs: [][][]float32{{cell(tc.probs)}}, Conf: [][]float32{{0}}}
		rd.Decode([][]string{{setLetters}})
		require.Equal(t, tc.want, rd.Lines[0], tc.name)
		require.InDelta(t, tc.conf, rd.MinConf, 1e-6, tc.name)
	}
}
