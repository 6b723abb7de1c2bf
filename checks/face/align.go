package face

import "github.com/kycd/kycd/checks/face/imaging"

// Align warps the face to the 112×112 ArcFace template with a 5-point
// similarity transform.
func Align(img *imaging.RGB, l *Landmarks) (*imaging.RGB, error) {
	return AlignTo(img, l, 112, 1)
}
