package face

import (
	"fmt"

	"github.com/kycd/kycd/checks/face/imaging"
)

// AlignTo warps the face to a size×size crop laid out like the 112×112
// ArcFace template, zoomed out by margin (1 = the template itself; 1.4 shows
// 40 % more around the face, the context models trained on loose crops want).
func AlignTo(img *imaging.RGB, l *Landmarks, size int, margin float64) (*imaging.RGB, error) {
	if size <= 0 || margin <= 0 {
		return nil, fmt.Errorf("align: size %d and margin %v must be positive", size, margin)
	}
	k := float64(size) / 112 / margin
	var dst [5]imaging.Point
	for i, p := range ArcFaceTemplate {
		dst[i] = imaging.Point{X: (p.X-56)*k + float64(size)/2, Y: (p.Y-56)*k + float64(size)/2}
	}
	five := l.Five()
	return warpOnto(img, five[:], dst[:], size)
}

// warpOnto crops the size×size picture in which the points src of img land
// on dst (a least-squares similarity).
func warpOnto(img *imaging.RGB, src, dst []imaging.Point, size int) (*imaging.RGB, error) {
	m, err := imaging.SimilarityFit(src, dst)
	if err != nil {
		return nil, fmt.Errorf("align: %w", err)
	}
	inv, err := m.Invert()
	if err != nil {
		return nil, fmt.Errorf("align: %w", err)
	}
	return imaging.WarpAffine(img, inv, size, size), nil
}

// align crops the face as the embedding model wants it.
func (s EmbeddingSpec) align(img *imaging.RGB, l *Landmarks) (*imaging.RGB, error) {
	if s.Chip > 0 {
		return AlignChip(img, l, s.Size, s.Chip)
	}
	return AlignTo(img, l, s.Size, s.Margin)
}

// dlibMeanFace is dlib's mean face shape (get_face_chip_details in
// dlib/image_transforms/interpolation.h) for landmarks 17–67 of the
// 68-point scheme, in a unit square: the layout dlib's face recognition
// network was trained on.
var dlibMeanFace = [51][2]float64{
	{0.000213256, 0.106454}, {0.0752622, 0.038915}, {0.18113, 0.0187482}, {0.29077, 0.0344891}, {0.393397, 0.0773906},
	{0.586856, 0.0773906}, {0.689483, 0.0344891}, {0.799124, 0.0187482}, {0.904991, 0.038915}, {0.98004, 0.106454},
	{0.490127, 0.203352}, {0.490127, 0.307009}, {0.490127, 0.409805}, {0.490127, 0.515625}, {0.36688, 0.587326},
	{0.426036, 0.609345}, {0.490127, 0.628106}, {0.554217, 0.609345}, {0.613373, 0.587326}, {0.121737, 0.216423},
	{0.187122, 0.178758}, {0.265825, 0.179852}, {0.334606, 0.231733}, {0.260918, 0.245099}, {0.182743, 0.244077},
	{0.645647, 0.231733}, {0.714428, 0.179852}, {0.793132, 0.178758}, {0.858516, 0.216423}, {0.79751, 0.244077},
	{0.719335, 0.245099}, {0.254149, 0.780233}, {0.340985, 0.745405}, {0.428858, 0.727388}, {0.490127, 0.742578},
	{0.551395, 0.727388}, {0.639268, 0.745405}, {0.726104, 0.780233}, {0.642159, 0.864805}, {0.556721, 0.902192},
	{0.490127, 0.909281}, {0.423532, 0.902192}, {0.338094, 0.864805}, {0.290379, 0.784792}, {0.428096, 0.778746},
	{0.490127, 0.785343}, {0.552157, 0.778746}, {0.689874, 0.784792}, {0.553364, 0.824182}, {0.490127, 0.831803},
	{0.42689, 0.824182},
}

// AlignChip warps the face to dlib's size×size face chip: landmarks 17–67
// fitted (similarity, least squares) to dlib's mean face, with padding
// around it as a share of the face (dlib's face recognition uses 0.25).
func AlignChip(img *imaging.RGB, l *Landmarks, size int, padding float64) (*imaging.RGB, error) {
	if size <= 0 || padding < 0 {
		return nil, fmt.Errorf("align: size %d must be positive and padding %v not negative", size, padding)
	}
	src := make([]imaging.Point, len(dlibMeanFace))
	dst := make([]imaging.Point, len(dlibMeanFace))
	for i, p := range dlibMeanFace {
		src[i] = l[17+i]
		dst[i] = imaging.Point{X: (padding + p[0]) / (2*padding + 1) * float64(size), Y: (padding + p[1]) / (2*padding + 1) * float64(size)}
	}
	return warpOnto(img, src, dst, size)
}
