package imaging

import (
	"errors"
	"math"
)

// Affine is a 2×3 matrix [a b c; d e f] mapping (x, y) to
// (a·x + b·y + c, d·x + e·y + f).
type Affine [6]float64

// Apply maps one point.
func (m Affine) Apply(x, y float64) (float64, float64) {
	return m[0]*x + m[1]*y + m[2], m[3]*x + m[4]*y + m[5]
}

// Invert returns the inverse transform, or an error when it is singular.
func (m Affine) Invert() (Affine, error) {
	det := m[0]*m[4] - m[1]*m[3]
	if math.Abs(det) < 1e-12 || math.IsNaN(det) {
		return Affine{}, errors.New("affine transform is singular")
	}
	ia, ib := m[4]/det, -m[1]/det
	id, ie := -m[3]/det, m[0]/det
	return Affine{ia, ib, -(ia*m[2] + ib*m[5]), id, ie, -(id*m[2] + ie*m[5])}, nil
}

// Point is a 2-D point in pixels.
type Point struct{ X, Y float64 }

// SimilarityFit returns the least-squares similarity transform (rotation,
// uniform scale, translation: Umeyama 1991) taking src onto dst. A similarity
// keeps the face's proportions, which a full affine fit to 3 points does not.
func SimilarityFit(src, dst []Point) (Affine, error) {
	n := len(src)
	if n < 2 || n != len(dst) {
		return Affine{}, errors.New("similarity fit needs ≥2 matching point pairs")
	}
	var msx, msy, mdx, mdy float64
	for i := range src {
		msx += src[i].X
		msy += src[i].Y
		mdx += dst[i].X
		mdy += dst[i].Y
	}
	fn := float64(n)
	msx, msy, mdx, mdy = msx/fn, msy/fn, mdx/fn, mdy/fn
	// For 2-D similarity the closed form reduces to two sums:
	// a = Σ(s·d)/Σ|s|², b = Σ(s×d)/Σ|s|² with centred points.
	var sxx, sdot, scross float64
	for i := range src {
		sx, sy := src[i].X-msx, src[i].Y-msy
		dx, dy := dst[i].X-mdx, dst[i].Y-mdy
		sxx += sx*sx + sy*sy
		sdot += sx*dx + sy*dy
		scross += sx*dy - sy*dx
	}
	if sxx < 1e-9 {
		return Affine{}, errors.New("similarity fit: source points coincide")
	}
	a, b := sdot/sxx, scross/sxx
	return Affine{a, -b, mdx - (a*msx - b*msy), b, a, mdy - (b*msx + a*msy)}, nil
}

// WarpAffine renders a dw×dh image whose pixel (x, y) is src sampled
// bilinearly at dstToSrc(x, y); samples outside src are black.
func WarpAffine(src *RGB, dstToSrc Affine, dw, dh int) *RGB {
	out := NewRGB(dw, dh)
	for y := 0; y < dh; y++ {
		for x := 0; x < dw; x++ {
			sx, sy := dstToSrc.Apply(float64(x), float64(y))
			r, g, b := src.bilinear(sx, sy)
			o := 3 * (y*dw + x)
			out.Pix[o], out.Pix[o+1], out.Pix[o+2] = r, g, b
		}
	}
	return out
}

// bilinear samples at a real position; outside pixels count as black.
func (m *RGB) bilinear(x, y float64) (uint8, uint8, uint8) {
	if x <= -1 || y <= -1 || x >= float64(m.W) || y >= float64(m.H) || math.IsNaN(x) || math.IsNaN(y) {
		return 0, 0, 0
	}
	x0f, y0f := math.Floor(x), math.Floor(y)
	x0, y0 := int(x0f), int(y0f)
	fx, fy := x-x0f, y-y0f
	var acc [3]float64
	for _, c := range [4]struct {
		dx, dy int
		w      float64
	}{{0, 0, (1 - fx) * (1 - fy)}, {1, 0, fx * (1 - fy)}, {0, 1, (1 - fx) * fy}, {1, 1, fx * fy}} {
		xx, yy := x0+c.dx, y0+c.dy
		if c.w == 0 || xx < 0 || yy < 0 || xx >= m.W || yy >= m.H {
			continue
		}
		i := 3 * (yy*m.W + xx)
		acc[0] += c.w * float64(m.Pix[i])
		acc[1] += c.w * float64(m.Pix[i+1])
		acc[2] += c.w * float64(m.Pix[i+2])
	}
	return clamp8(acc[0]), clamp8(acc[1]), clamp8(acc[2])
}

func clamp8(v float64) uint8 {
	v = math.Round(v)
	if v < 0 {
		return 0
	}
	if v > 255 {
		return 255
	}
	return uint8(v)
}

// Rect is an axis-aligned rectangle in real pixel coordinates.
type Rect struct{ X, Y, W, H float64 }

// CropResize renders the region r of src into a dw×dh image. When the region
// is several times larger than the output each output pixel averages a grid
// of samples (an area filter), so downscaling a 1-megapixel photo does not
// alias; parts of r outside src are filled with fill.
func CropResize(src *RGB, r Rect, dw, dh int, fill [3]uint8) *RGB {
	out := NewRGB(dw, dh)
	sxScale, syScale := r.W/float64(dw), r.H/float64(dh)
	nx := int(math.Ceil(sxScale))
	ny := int(math.Ceil(syScale))
	nx, ny = min(max(nx, 1), 8), min(max(ny, 1), 8)
	if nx == 1 && ny == 1 {
		for y := 0; y < dh; y++ {
			for x := 0; x < dw; x++ {
				o := 3 * (y*dw + x)
				sx := r.X + (float64(x)+0.5)*sxScale - 0.5
				sy := r.Y + (float64(y)+0.5)*syScale - 0.5
				if sx < -0.5 || sy < -0.5 || sx > float64(src.W)-0.5 || sy > float64(src.H)-0.5 {
					out.Pix[o], out.Pix[o+1], out.Pix[o+2] = fill[0], fill[1], fill[2]
					continue
				}
				sx = math.Min(math.Max(sx, 0), float64(src.W-1))
				sy = math.Min(math.Max(sy, 0), float64(src.H-1))
				out.Pix[o], out.Pix[o+1], out.Pix[o+2] = src.bilinear(sx, sy)
			}
		}
		return out
	}
	// Area average of nx×ny samples per output pixel. A sample's source column depends only
	// on (x, i) and its row only on (y, j), so both are computed once (the same expressions,
	// so the same pixels as computing them per sample) instead of per sample: on a 1 MP
	// photo downscaled for the detector that was most of the time "detect" took.
	cols := make([]int, dw*nx) // 3 × source x, or -1 outside the image
	for x := 0; x < dw; x++ {
		for i := 0; i < nx; i++ {
			sx := int(math.Floor(r.X + (float64(x)+(float64(i)+0.5)/float64(nx))*sxScale))
			if sx < 0 || sx >= src.W {
				sx = -1
			} else {
				sx *= 3
			}
			cols[x*nx+i] = sx
		}
	}
	rows := make([]int, dh*ny) // 3 × source y × width, or -1 outside the image
	for y := 0; y < dh; y++ {
		for j := 0; j < ny; j++ {
			sy := int(math.Floor(r.Y + (float64(y)+(float64(j)+0.5)/float64(ny))*syScale))
			if sy < 0 || sy >= src.H {
				sy = -1
			} else {
				sy *= 3 * src.W
			}
			rows[y*ny+j] = sy
		}
	}
	cnt := nx * ny
	f0, f1, f2 := int(fill[0]), int(fill[1]), int(fill[2])
	acc := make([]int, 3*dw) // one output row's sums, source row by source row (cache-friendly)
	for y := 0; y < dh; y++ {
		clear(acc)
		for _, ro := range rows[y*ny : y*ny+ny] {
			if ro < 0 {
				for x := 0; x < dw; x++ {
					acc[3*x], acc[3*x+1], acc[3*x+2] = acc[3*x]+nx*f0, acc[3*x+1]+nx*f1, acc[3*x+2]+nx*f2
				}
				continue
			}
			row := src.Pix[ro : ro+3*src.W]
			for x := 0; x < dw; x++ {
				var a0, a1, a2 int
				for _, co := range cols[x*nx : x*nx+nx] {
					if co < 0 {
						a0, a1, a2 = a0+f0, a1+f1, a2+f2
						continue
					}
					px := row[co : co+3 : co+3]
					a0, a1, a2 = a0+int(px[0]), a1+int(px[1]), a2+int(px[2])
				}
				a := acc[3*x : 3*x+3 : 3*x+3]
				a[0], a[1], a[2] = a[0]+a0, a[1]+a1, a[2]+a2
			}
		}
		o := out.Pix[3*y*dw : 3*(y+1)*dw]
		for i, v := range acc {
			o[i] = uint8((v + cnt/2) / cnt)
		}
	}
	return out
}

// Gray returns BT.601 luma per pixel, row-major.
func (m *RGB) Gray() []uint8 {
	g := make([]uint8, m.W*m.H)
	for i := range g {
		r, gg, b := int(m.Pix[3*i]), int(m.Pix[3*i+1]), int(m.Pix[3*i+2])
		g[i] = uint8((299*r + 587*gg + 114*b + 500) / 1000)
	}
	return g
}

// MeanLuma is the average BT.601 luma (0..255): the brightness gate.
func (m *RGB) MeanLuma() float64 {
	if m.W*m.H == 0 {
		return 0
	}
	var s int
	for _, v := range m.Gray() {
		s += int(v)
	}
	return float64(s) / float64(m.W*m.H)
}

// LaplacianVariance is the variance of the 4-neighbour Laplacian of the luma:
// a sharp face has strong edges and a high variance, a blurred one a low one.
// Compare values only between crops of the same size.
func (m *RGB) LaplacianVariance() float64 {
	if m.W < 3 || m.H < 3 {
		return 0
	}
	g := m.Gray()
	var sum, sum2 float64
	n := 0
	for y := 1; y < m.H-1; y++ {
		for x := 1; x < m.W-1; x++ {
			i := y*m.W + x
			l := float64(int(g[i-1]) + int(g[i+1]) + int(g[i-m.W]) + int(g[i+m.W]) - 4*int(g[i]))
			sum += l
			sum2 += l * l
			n++
		}
	}
	mean := sum / float64(n)
	return sum2/float64(n) - mean*mean
}
