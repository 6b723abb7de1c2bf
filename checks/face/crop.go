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
	m, err := imaging.SimilarityFit(five[:], dst[:])
	if err != nil {
		return nil, fmt.Errorf("align: %w", err)
	}
	inv, err := m.Invert()
	if err != nil {
		return nil, fmt.Errorf("align: %w", err)
	}
	return imaging.WarpAffine(img, inv, size, size), nil
}
