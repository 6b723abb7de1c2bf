//go:build onnx

package main

import (
	"encoding/csv"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/kycd/kycd/checks/face"
	"github.com/kycd/kycd/checks/face/imaging"
	"github.com/kycd/kycd/checks/face/onnx"
	"github.com/kycd/kycd/internal/tfjs2onnx"
)

// candidate is one embedding model with the crop and input scaling it is fed.
type candidate struct {
	Name   string
	File   string // under the cache's models dir
	Size   int    // input side
	Margin float64
	Chip   float64 // > 0: dlib's face chip with this padding (face.AlignChip) instead of the ArcFace layout
	BGR    bool
	NoFlip bool                         // embed the crop alone, without its mirror image
	Jitter []jitter                     // extra views: the landmarks moved by each similarity (dlib's num_jitters)
	Norm   func(v uint8, c int) float32 // c: the RGB channel v comes from
	model  *onnx.Model
}

func unit(v uint8, _ int) float32      { return float32(v) / 255 }
func raw(v uint8, _ int) float32       { return float32(v) }
func arcface(v uint8, _ int) float32   { return (float32(v) - 127.5) / 128 }
func symmetric(v uint8, _ int) float32 { return (float32(v) - 127.5) / 127.5 }

// caffe is Keras' "caffe" scaling (BGR order, ImageNet channel means
// subtracted), what HSE_FaceRec_tf's facial_analysis.py feeds FaceRes.
func caffe(v uint8, c int) float32 { return float32(v) - [3]float32{123.68, 116.779, 103.939}[c] }

// candidates are every model × pre-processing the models command measures;
// the pre-processing variants were compared on the tuning split only
// (models -noaug), the chosen ones on everything.
func candidates() []*candidate {
	hm := "human-models-3.0.4"
	fr := func(name, file string, margin float64, bgr bool, norm func(uint8, int) float32) *candidate {
		return &candidate{Name: name, File: filepath.Join(hm, file), Size: 224, Margin: margin, BGR: bgr, Norm: norm}
	}
	fa := func(name string, chip, margin float64, noflip bool) *candidate {
		return &candidate{Name: name, File: filepath.Join(tfjs2onnx.FaceAPIDir, "faceapi-recognition.onnx"), Size: tfjs2onnx.FaceAPIRecognitionInput,
			Chip: chip, Margin: margin, Norm: raw, NoFlip: noflip}
	}
	mf := func(name, file string, bgr bool, norm func(uint8, int) float32) *candidate {
		return &candidate{Name: name, File: filepath.Join(hm, file), Size: 112, Margin: 1, BGR: bgr, Norm: norm}
	}
	return []*candidate{
		{Name: "fr_feature", File: filepath.Join("faceplugin-0.0.1", "fr_feature.onnx"), Size: 112, Margin: 1, BGR: true, Norm: symmetric},
		{Name: "fr_feature/noflip", File: filepath.Join("faceplugin-0.0.1", "fr_feature.onnx"), Size: 112, Margin: 1, BGR: true, Norm: symmetric, NoFlip: true},
		mf("mobilefacenet", "mobilefacenet.onnx", false, arcface),
		mf("mobilefacenet/bgr", "mobilefacenet.onnx", true, arcface),
		mf("mobilefacenet/unit", "mobilefacenet.onnx", false, unit),
		mf("mobileface", "mobileface.onnx", false, raw),
		mf("mobileface/bgr", "mobileface.onnx", true, raw),
		fr("faceres", "faceres.onnx", 1.1, true, caffe),
		fr("faceres/m1.3", "faceres.onnx", 1.3, true, caffe),
		fr("faceres/human", "faceres.onnx", 1.3, false, raw),
		{Name: "faceres/noflip", File: filepath.Join(hm, "faceres.onnx"), Size: 224, Margin: 1.1, BGR: true, Norm: caffe, NoFlip: true},
		fr("faceres-deep", "faceres-deep.onnx", 1.1, true, caffe),
		fr("faceres-deep/m1.3", "faceres-deep.onnx", 1.3, true, caffe),
		fr("faceres-deep/human", "faceres-deep.onnx", 1.3, false, raw),
		// face-api.js's port of dlib's ResNet: RGB 0–255 (the graph subtracts
		// its means), dlib's chip with dlib's padding 0.25, or the ArcFace layout.
		fa("faceapi", 0.25, 0, false),
		fa("faceapi/noflip", 0.25, 0, true),
		fa("faceapi/chip0.4", 0.4, 0, false),
		fa("faceapi/arc1.2", 0, 1.2, false),
		jittered(fa("faceapi/jitter4", 0.25, 0, false), []jitter{{Rot: 3}, {Rot: -3}, {Scale: 1.04, DX: 0.02, DY: 0.02}, {Scale: 0.96, DX: -0.02, DY: -0.02}}),
		jittered(fa("faceapi/jitter2", 0.25, 0, false), []jitter{{Scale: 1.04, DX: 0.02, DY: 0.02}, {Scale: 0.96, DX: -0.02, DY: -0.02}}),
	}
}

// jitter is a small similarity applied to the landmarks before the crop:
// rotation in degrees, scale (0 = 1) and shift as a share of the face's width.
type jitter struct{ Rot, Scale, DX, DY float64 }

func jittered(c *candidate, js []jitter) *candidate {
	c.Jitter = js
	return c
}

// apply moves the landmarks by the similarity about their centroid.
func (j jitter) apply(lm *face.Landmarks) *face.Landmarks {
	var cx, cy float64
	minX, maxX := lm[0].X, lm[0].X
	for _, p := range lm {
		cx += p.X / float64(len(lm))
		cy += p.Y / float64(len(lm))
		minX, maxX = math.Min(minX, p.X), math.Max(maxX, p.X)
	}
	s := j.Scale
	if s == 0 {
		s = 1
	}
	sin, cos := math.Sincos(j.Rot * math.Pi / 180)
	w := maxX - minX
	out := *lm
	for i, p := range lm {
		x, y := p.X-cx, p.Y-cy
		out[i].X = cx + s*(cos*x-sin*y) + j.DX*w
		out[i].Y = cy + s*(sin*x+cos*y) + j.DY*w
	}
	return &out
}

// embed computes the flip-averaged, L2-normalised embedding of the face.
func (c *candidate) embed(img *imaging.RGB, lm *face.Landmarks) ([]float32, error) {
	align := func(lm *face.Landmarks) (*imaging.RGB, error) {
		if c.Chip > 0 {
			return face.AlignChip(img, lm, c.Size, c.Chip)
		}
		return face.AlignTo(img, lm, c.Size, c.Margin)
	}
	crop, err := align(lm)
	if err != nil {
		return nil, err
	}
	var sum []float32
	views := []*imaging.RGB{crop, crop.FlipH()}
	if c.NoFlip {
		views = views[:1]
	}
	for _, j := range c.Jitter {
		m, err := align(j.apply(lm))
		if err != nil {
			return nil, err
		}
		views = append(views, m, m.FlipH())
	}
	for _, m := range views {
		n := m.W * m.H
		in := make([]float32, 3*n)
		for i := 0; i < n; i++ {
			for ch := 0; ch < 3; ch++ {
				src := ch
				if c.BGR {
					src = 2 - ch
				}
				in[ch*n+i] = c.Norm(m.Pix[3*i+src], src)
			}
		}
		out, err := c.model.Run(in, 1, 3, int64(c.Size), int64(c.Size))
		if err != nil {
			return nil, err
		}
		var v []float32
		for _, o := range out {
			v = o
		}
		if err := face.Normalize(v); err != nil {
			return nil, err
		}
		if sum == nil {
			sum = make([]float32, len(v))
		}
		for i := range v {
			sum[i] += v[i]
		}
	}
	return sum, face.Normalize(sum)
}

// deepfacePhotos lists the deepface photos that master.csv and
// face-recognition-pivot.csv label, with identities from their "Yes" pairs
// (connected components); a "No" pair inside one component is an error in
// the labels and is reported.
func deepfacePhotos(testdata string) ([]photo, error) {
	dir := filepath.Join(testdata, "faces", "deepface")
	parent := map[string]string{}
	var find func(string) string
	find = func(x string) string {
		if parent[x] == "" || parent[x] == x {
			parent[x] = x
			return x
		}
		parent[x] = find(parent[x])
		return parent[x]
	}
	var no [][2]string
	for _, name := range []string{"master.csv", "face-recognition-pivot.csv"} {
		f, err := os.Open(filepath.Join(dir, name))
		if err != nil {
			return nil, err
		}
		rows, err := csv.NewReader(f).ReadAll()
		_ = f.Close()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		for _, r := range rows[1:] {
			if len(r) < 3 {
				return nil, fmt.Errorf("%s: row %v has %d fields, want ≥ 3", name, r, len(r))
			}
			a, b, d := filepath.Base(strings.TrimSpace(r[0])), filepath.Base(strings.TrimSpace(r[1])), strings.TrimSpace(r[2])
			find(a)
			find(b)
			if strings.EqualFold(d, "Yes") {
				parent[find(a)] = find(b)
			} else {
				no = append(no, [2]string{a, b})
			}
		}
	}
	for _, p := range no {
		if find(p[0]) == find(p[1]) {
			return nil, fmt.Errorf("deepface labels: %s and %s are labelled different but linked as the same person", p[0], p[1])
		}
	}
	var out []photo
	for name := range parent {
		out = append(out, photo{Path: filepath.Join(dir, name), Name: "faces/deepface/" + name, Identity: "deepface:" + find(name)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}
