package face

import (
	"math"

	"github.com/kycd/kycd/checks/face/imaging"
)

// Five returns the 5 alignment points (eye centres, nose tip, mouth
// corners) from the 68 landmarks, in the order of the ArcFace template.
func (l *Landmarks) Five() [5]imaging.Point {
	avg := func(idx ...int) imaging.Point {
		var p imaging.Point
		for _, i := range idx {
			p.X += l[i].X
			p.Y += l[i].Y
		}
		p.X /= float64(len(idx))
		p.Y /= float64(len(idx))
		return p
	}
	return [5]imaging.Point{
		avg(36, 37, 38, 39, 40, 41),
		avg(42, 43, 44, 45, 46, 47),
		l[30],
		avg(48, 60),
		avg(54, 64),
	}
}

// ArcFaceTemplate is the standard 5-point destination in a 112×112 crop.
var ArcFaceTemplate = [5]imaging.Point{
	{X: 38.2946, Y: 51.6963}, {X: 73.5318, Y: 51.5014}, {X: 56.0252, Y: 71.7366},
	{X: 41.5493, Y: 92.3655}, {X: 70.7299, Y: 92.2041},
}

// GeometryPose estimates head pose from 2-D landmarks alone. It is rough
// (a cylinder model for yaw, a ratio for pitch), good enough to reject a
// clearly turned head; roll is exact up to landmark noise.
//
// Yaw: after removing roll, where the nose tip sits between the two jaw ends
// (points 0 and 16): centred for a frontal face, toward one side when turned.
// Pitch: where the nose tip sits between the eye line and the chin, relative
// to a frontal face's typical ratio.
func (l *Landmarks) GeometryPose() Pose {
	f := l.Five()
	le, re := f[0], f[1]
	roll := math.Atan2(re.Y-le.Y, re.X-le.X)
	c, s := math.Cos(-roll), math.Sin(-roll)
	rot := func(p imaging.Point) imaging.Point {
		return imaging.Point{X: c*p.X - s*p.Y, Y: s*p.X + c*p.Y}
	}
	j0, j16, nose, chin := rot(l[0]), rot(l[16]), rot(l[30]), rot(l[8])
	eyeY := (rot(le).Y + rot(re).Y) / 2
	width := j16.X - j0.X
	var yaw, pitch float64
	if width > 1e-6 {
		r := 2*(nose.X-j0.X)/width - 1 // −1..1, 0 when centred
		yaw = math.Asin(math.Max(-1, math.Min(1, r))) * 180 / math.Pi
	}
	if h := chin.Y - eyeY; h > 1e-6 {
		// A frontal face has the nose tip at about 0.33 of eye-to-chin with
		// these landmarks (median over the frontal test photos).
		r := (nose.Y-eyeY)/h - 0.33
		pitch = math.Asin(math.Max(-1, math.Min(1, 2.5*r))) * 180 / math.Pi
	}
	return Pose{Yaw: yaw, Pitch: pitch, Roll: roll * 180 / math.Pi}
}
