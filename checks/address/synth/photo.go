package synth

import (
	"bytes"
	"image"
	"image/color"
	"image/jpeg"
	"math"
	"math/rand/v2"

	docsynth "github.com/kycd/kycd/checks/document/synth"
)

// PhotoOptions say how bad the phone photo is.
type PhotoOptions struct {
	Keystone float64 // corner displacement as a fraction of the side (perspective), e.g. 0.03
	Rotate   float64 // degrees
	Blur     float64 // Gaussian sigma in output pixels
	Shadow   float64 // 0–1: how dark the shadow band across the page gets
	Noise    float64 // sensor noise, standard deviation in grey levels
	Quality  int     // JPEG quality
}

// RandomPhoto draws photo options typical of a handheld phone shot.
func RandomPhoto(r *rand.Rand) PhotoOptions {
	return PhotoOptions{Keystone: 0.01 + 0.03*r.Float64(), Rotate: -4 + 8*r.Float64(), Blur: 0.4 + 0.8*r.Float64(),
		Shadow: 0.15 + 0.35*r.Float64(), Noise: 2 + 6*r.Float64(), Quality: 60 + r.IntN(26)}
}

// Photo turns a rasterised page into a JPEG like a phone's: the page on a darker desk,
// seen at a slant (a homography), turned, blurred, shadowed on one side, with noise.
func Photo(page *image.Gray, o PhotoOptions, r *rand.Rand) []byte {
	pw, ph := float64(page.Rect.Dx()), float64(page.Rect.Dy())
	margin := 0.06
	W, H := int(pw*(1+2*margin)), int(ph*(1+2*margin))
	// Where the page corners land in the photo.
	a := o.Rotate * math.Pi / 180
	cx, cy := float64(W)/2, float64(H)/2
	corners := [4][2]float64{{0, 0}, {pw, 0}, {pw, ph}, {0, ph}}
	var dst [4][2]float64
	for i, c := range corners {
		x := c[0] - pw/2 + (r.Float64()*2-1)*o.Keystone*pw
		y := c[1] - ph/2 + (r.Float64()*2-1)*o.Keystone*ph
		dst[i] = [2]float64{cx + x*math.Cos(a) - y*math.Sin(a), cy + x*math.Sin(a) + y*math.Cos(a)}
	}
	hm := docsynth.Homography(dst, corners) // photo → page
	out := image.NewGray(image.Rect(0, 0, W, H))
	desk := 70 + r.Float64()*50
	sx := r.Float64()
	for y := 0; y < H; y++ {
		for x := 0; x < W; x++ {
			px, py := apply(hm, float64(x), float64(y))
			v := desk
			if px >= 0 && py >= 0 && px < pw-1 && py < ph-1 {
				v = bilinear(page, px, py)
				v = 235*(v/255) + 8 // paper is never pure white in a photo
			}
			// A shadow falling from one side.
			f := float64(x)/float64(W)*(1-sx) + float64(y)/float64(H)*sx
			v *= 1 - o.Shadow*math.Max(0, 1-2*f)
			out.Pix[y*out.Stride+x] = uint8(math.Max(0, math.Min(255, v)))
		}
	}
	blurred := gaussian(out, o.Blur)
	rgb := image.NewRGBA(blurred.Rect)
	for y := 0; y < H; y++ {
		for x := 0; x < W; x++ {
			v := float64(blurred.Pix[y*blurred.Stride+x]) + r.NormFloat64()*o.Noise
			g := uint8(math.Max(0, math.Min(255, v)))
			rgb.SetRGBA(x, y, color.RGBA{R: g, G: uint8(float64(g) * 0.97), B: uint8(float64(g) * 0.9), A: 255})
		}
	}
	var b bytes.Buffer
	_ = jpeg.Encode(&b, rgb, &jpeg.Options{Quality: o.Quality})
	return b.Bytes()
}

func bilinear(g *image.Gray, x, y float64) float64 {
	x0, y0 := int(x), int(y)
	fx, fy := x-float64(x0), y-float64(y0)
	p := func(x, y int) float64 { return float64(g.Pix[y*g.Stride+x]) }
	return (1-fy)*((1-fx)*p(x0, y0)+fx*p(x0+1, y0)) + fy*((1-fx)*p(x0, y0+1)+fx*p(x0+1, y0+1))
}

func gaussian(g *image.Gray, sigma float64) *image.Gray {
	if sigma < 0.3 {
		return g
	}
	rad := int(math.Ceil(2.5 * sigma))
	k := make([]float64, 2*rad+1)
	sum := 0.0
	for i := range k {
		d := float64(i - rad)
		k[i] = math.Exp(-d * d / (2 * sigma * sigma))
		sum += k[i]
	}
	for i := range k {
		k[i] /= sum
	}
	w, h := g.Rect.Dx(), g.Rect.Dy()
	tmp := make([]float64, w*h)
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			v := 0.0
			for i, kv := range k {
				xx := min(max(x+i-rad, 0), w-1)
				v += kv * float64(g.Pix[y*g.Stride+xx])
			}
			tmp[y*w+x] = v
		}
	}
	out := image.NewGray(g.Rect)
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			v := 0.0
			for i, kv := range k {
				yy := min(max(y+i-rad, 0), h-1)
				v += kv * tmp[yy*w+x]
			}
			out.Pix[y*out.Stride+x] = uint8(v + 0.5)
		}
	}
	return out
}

func apply(h [9]float64, x, y float64) (float64, float64) {
	w := h[6]*x + h[7]*y + h[8]
	return (h[0]*x + h[1]*y + h[2]) / w, (h[3]*x + h[4]*y + h[5]) / w
}

// JPEG encodes a grey page for an image-only PDF.
func JPEG(g *image.Gray, quality int) []byte {
	var b bytes.Buffer
	_ = jpeg.Encode(&b, g, &jpeg.Options{Quality: quality})
	return b.Bytes()
}
