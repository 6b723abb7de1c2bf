package ocrb

import (
	"bytes"
	_ "embed"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"sort"
	"sync"
)

// Alphabet is the MRZ character set in class order.
const Alphabet = "<0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"

// Cell feature geometry: a cell is resampled to FW×FH after normalising ink
// to 1 and paper to 0. The window is one pitch wide and WinH cap heights tall.
const (
	FW   = 16
	FH   = 20
	WinH = 1.5
	WinW = 1.05
)

// Features samples every cell of line l as FW×FH normalised vectors.
// Sampling follows the line direction, so skew and upside-down reading
// (a reversed line) need no image rotation.
func Features(g *Gray, l Line) [][]float32 {
	out := make([][]float32, l.N)
	const ss = 2 // supersampling per feature pixel
	// Steps along (u) and across (v) the line, in image pixels.
	vh := l.CapHeight * WinH
	nx, ny := -l.DirY, l.DirX
	all := make([]float64, 0, l.N*FW*FH)
	for i := 0; i < l.N; i++ {
		cx, cy := l.CellCenter(i)
		uw := l.LocalPitch(i) * WinW
		f := make([]float32, FW*FH)
		for fy := 0; fy < FH; fy++ {
			for fx := 0; fx < FW; fx++ {
				var s float32
				for sy := 0; sy < ss; sy++ {
					for sx := 0; sx < ss; sx++ {
						u := ((float64(fx)+(float64(sx)+0.5)/ss)/FW - 0.5) * uw
						v := ((float64(fy)+(float64(sy)+0.5)/ss)/FH - 0.5) * vh
						s += g.Bilinear(cx+u*l.DirX+v*nx, cy+u*l.DirY+v*ny)
					}
				}
				f[fy*FW+fx] = s / (ss * ss)
			}
		}
		for _, v := range f {
			all = append(all, float64(v))
		}
		out[i] = f
	}
	ink := quantileF(all, 0.04)
	for _, f := range out {
		vals := make([]float64, len(f))
		for k, v := range f {
			vals[k] = float64(v)
		}
		paper := quantileF(vals, 0.9)
		lo := math.Min(ink, quantileF(vals, 0.02))
		d := paper - lo
		if d < 20 {
			d = 20
		}
		for k, v := range f {
			x := (paper - float64(v)) / d
			f[k] = float32(math.Min(1, math.Max(0, x)))
		}
	}
	return out
}

func quantileF(v []float64, q float64) float64 {
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	return s[min(len(s)-1, int(q*float64(len(s))))]
}

// Model is a one-hidden-layer perceptron over cell features. It is small
// enough to train on two cores in minutes and to ship in the binary.
type Model struct {
	In, Hidden, Out int
	W1, B1, W2, B2  []float32
}

// NewModel returns a randomly initialised model (He initialisation).
func NewModel(in, hidden, out int, rnd func() float64) *Model {
	m := &Model{In: in, Hidden: hidden, Out: out,
		W1: make([]float32, hidden*in), B1: make([]float32, hidden),
		W2: make([]float32, out*hidden), B2: make([]float32, out)}
	s1 := math.Sqrt(2 / float64(in))
	for i := range m.W1 {
		m.W1[i] = float32(rnd() * s1)
	}
	s2 := math.Sqrt(2 / float64(hidden))
	for i := range m.W2 {
		m.W2[i] = float32(rnd() * s2)
	}
	return m
}

// Forward computes the hidden activations and class probabilities of x.
func (m *Model) Forward(x []float32, h, p []float32) {
	for j := 0; j < m.Hidden; j++ {
		w := m.W1[j*m.In : (j+1)*m.In]
		s := m.B1[j]
		for k, v := range x {
			s += w[k] * v
		}
		if s < 0 {
			s = 0
		}
		h[j] = s
	}
	mx := float32(math.Inf(-1))
	for o := 0; o < m.Out; o++ {
		w := m.W2[o*m.Hidden : (o+1)*m.Hidden]
		s := m.B2[o]
		for k, v := range h {
			s += w[k] * v
		}
		p[o] = s
		mx = max(mx, s)
	}
	var z float32
	for o := range p[:m.Out] {
		p[o] = float32(math.Exp(float64(p[o] - mx)))
		z += p[o]
	}
	for o := range p[:m.Out] {
		p[o] /= z
	}
}

const modelMagic = "OCRBMLP1"

// MarshalBinary encodes the model as little-endian float32 arrays.
func (m *Model) MarshalBinary() ([]byte, error) {
	var b bytes.Buffer
	b.WriteString(modelMagic)
	for _, v := range []uint32{uint32(m.In), uint32(m.Hidden), uint32(m.Out)} {
		_ = binary.Write(&b, binary.LittleEndian, v)
	}
	for _, a := range [][]float32{m.W1, m.B1, m.W2, m.B2} {
		if err := binary.Write(&b, binary.LittleEndian, a); err != nil {
			return nil, fmt.Errorf("encode model: %w", err)
		}
	}
	return b.Bytes(), nil
}

// UnmarshalModel decodes a model written by MarshalBinary.
func UnmarshalModel(data []byte) (*Model, error) {
	if len(data) < len(modelMagic)+12 || string(data[:len(modelMagic)]) != modelMagic {
		return nil, errors.New("decode model: not an OCR-B model file")
	}
	r := bytes.NewReader(data[len(modelMagic):])
	var dims [3]uint32
	if err := binary.Read(r, binary.LittleEndian, &dims); err != nil {
		return nil, fmt.Errorf("decode model header: %w", err)
	}
	in, hid, out := int(dims[0]), int(dims[1]), int(dims[2])
	if in != FW*FH || out != len(Alphabet) || hid <= 0 || hid > 4096 {
		return nil, fmt.Errorf("decode model: shape %d-%d-%d does not match features %d and alphabet %d", in, hid, out, FW*FH, len(Alphabet))
	}
	m := &Model{In: in, Hidden: hid, Out: out,
		W1: make([]float32, hid*in), B1: make([]float32, hid),
		W2: make([]float32, out*hid), B2: make([]float32, out)}
	for _, a := range [][]float32{m.W1, m.B1, m.W2, m.B2} {
		if err := binary.Read(r, binary.LittleEndian, a); err != nil {
			return nil, fmt.Errorf("decode model weights: %w", err)
		}
	}
	if r.Len() != 0 {
		return nil, fmt.Errorf("decode model: %d trailing bytes", r.Len())
	}
	return m, nil
}

//go:embed model.bin
var modelBin []byte

var (
	defaultOnce  sync.Once
	defaultModel *Model
	defaultErr   error
)

// DefaultModel returns the embedded model trained by checks/document/train.
func DefaultModel() (*Model, error) {
	defaultOnce.Do(func() { defaultModel, defaultErr = UnmarshalModel(modelBin) })
	return defaultModel, defaultErr
}

// Reading is the classifier's reading of one zone.
type Reading struct {
	Lines []string
	// Probs are each cell's class probabilities (Alphabet order).
	Probs [][][]float32
	// Conf is each character's probability; Alt its runner-up class.
	Conf [][]float32
	Alt  [][]byte
	// AltConf is the runner-up's probability.
	AltConf [][]float32
	// MeanConf is the mean character probability, MinConf the lowest.
	MeanConf, MinConf float64
	Zone              Zone
}

// ReadZone classifies every cell of z.
func (m *Model) ReadZone(g *Gray, z Zone) Reading {
	rd := Reading{Zone: z, MinConf: 1}
	h := make([]float32, m.Hidden)
	p := make([]float32, m.Out)
	var sum float64
	var n int
	for _, l := range z.Lines {
		feats := Features(g, l)
		line := make([]byte, l.N)
		conf := make([]float32, l.N)
		alt := make([]byte, l.N)
		altc := make([]float32, l.N)
		probs := make([][]float32, l.N)
		for i, f := range feats {
			m.Forward(f, h, p)
			probs[i] = append([]float32(nil), p...)
			b1, b2 := 0, -1
			for o := 1; o < m.Out; o++ {
				if p[o] > p[b1] {
					b2, b1 = b1, o
				} else if b2 < 0 || p[o] > p[b2] {
					b2 = o
				}
			}
			line[i], conf[i] = Alphabet[b1], p[b1]
			alt[i], altc[i] = Alphabet[b2], p[b2]
			sum += float64(p[b1])
			n++
			rd.MinConf = math.Min(rd.MinConf, float64(p[b1]))
		}
		rd.Lines = append(rd.Lines, string(line))
		rd.Conf = append(rd.Conf, conf)
		rd.Alt = append(rd.Alt, alt)
		rd.AltConf = append(rd.AltConf, altc)
		rd.Probs = append(rd.Probs, probs)
	}
	if n > 0 {
		rd.MeanConf = sum / float64(n)
	}
	return rd
}

// ModelBytes returns the embedded model file, so callers can fingerprint
// the model version they report.
func ModelBytes() []byte { return modelBin }
