package face

import (
	"fmt"

	"github.com/kycd/kycd/checks/face/imaging"
)

// Align warps the face to the 112×112 ArcFace template with a 5-point
// similarity transform.
func Align(img *imaging.RGB, l *Landmarks) (*imaging.RGB, error) {
	five := l.Five()
	m, err := imaging.SimilarityFit(five[:], ArcFaceTemplate[:])
	if err != nil {
		return nil, fmt.Errorf("align: %w", err)
	}
	inv, err := m.Invert()
	if err != nil {
		return nil, fmt.Errorf("align: %w", err)
	}
	return imaging.WarpAffine(img, inv, 112, 112), nil
}
