package synth

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/jpeg"
	"image/png"
	"math"
	"math/rand/v2"
	"strings"
	"sync"

	xdraw "golang.org/x/image/draw"
	"golang.org/x/image/font"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"
)

//go:embed fonts/OCRBS.otf
var ocrbOTF []byte

var (
	ocrbOnce sync.Once
	ocrbFont *opentype.Font
	ocrbErr  error
)

// OCRB returns the embedded OCR-B font (OCRBS.otf from fonts-ocr-b).
func OCRB() (*opentype.Font, error) {
	ocrbOnce.Do(func() {
		ocrbFont, ocrbErr = opentype.Parse(ocrbOTF)
		if ocrbErr != nil {
			ocrbErr = fmt.Errorf("parse embedded OCR-B font: %w", ocrbErr)
		}
	})
	return ocrbFont, ocrbErr
}

// Options control how a synthetic document is rendered and degraded. The
// zero value renders a clean, straight document into a 1200×850 photo.
type Options struct {
	Kind Kind
	// Width and Height of the output photo in pixels (default 1200×850).
	Width, Height int
	// Fill is the card's width as a fraction of the photo's width (default 0.85).
	Fill float64
	// Rotation is the in-plane rotation of the card in degrees (any value; 180 = upside down).
	Rotation float64
	// Perspective moves each card corner by up to this fraction of the card width.
	Perspective float64
	// Blur is the Gaussian blur sigma in output pixels.
	Blur float64
	// Noise is the Gaussian noise sigma in grey levels (0–255).
	Noise float64
	// JPEGQuality encodes the photo as JPEG at this quality; 0 encodes PNG.
	JPEGQuality int
	// Defects is the density of print defects (ink drop-outs and specks) in the MRZ, 0–1.
	Defects float64
	// Lighting is the strength of an uneven-illumination gradient, 0–1.
	Lighting float64
	// Portrait, when set, is the photo printed in the portrait box (scaled to fill it)
	// instead of the drawn face-like placeholder: the sandbox's sample passport carries
	// its sample applicant's face so face match has a real portrait to compare.
	Portrait image.Image
	// MRZFont overrides the OCR-B font of the machine-readable zone (training uses other monospaced fonts for robustness).
	MRZFont *opentype.Font
}

// Document is a rendered synthetic document with its ground truth.
type Document struct {
	Identity Identity `json:"identity"`
	Lines    []string `json:"lines"`
	// Front is the encoded photo of the front: the TD3 data page (which carries
	// the MRZ) or the TD1 card front (portrait and visual zone).
	Front []byte `json:"-"`
	// Back is the TD1 card back carrying the MRZ; nil for TD3.
	Back []byte `json:"-"`
	// PortraitBox is where the portrait sits in the front photo (axis-aligned hull).
	PortraitBox image.Rectangle `json:"portrait_box"`
	// MRZBox is the axis-aligned hull of the MRZ in the photo that carries it.
	MRZBox image.Rectangle `json:"mrz_box"`
	// Format is "jpeg" or "png".
	Format string `json:"format"`
}

// MRZImage returns the encoded photo that carries the MRZ.
func (d *Document) MRZImage() []byte {
	if d.Back != nil {
		return d.Back
	}
	return d.Front
}

// RandomOptions draws a realistic degradation profile for a phone photo or
// scan: a few degrees of skew, sometimes upside down, mild perspective, blur,
// sensor noise, JPEG compression and worn print.
func RandomOptions(r *rand.Rand, kind Kind) Options {
	o := Options{
		Kind:        kind,
		Width:       1000 + r.IntN(5)*100,
		Fill:        0.72 + 0.22*r.Float64(),
		Rotation:    (r.Float64()*2 - 1) * 4,
		Perspective: 0.04 * r.Float64(),
		Blur:        1.3 * r.Float64(),
		Noise:       10 * r.Float64(),
		JPEGQuality: 50 + r.IntN(46),
		Defects:     0.5 * r.Float64(),
		Lighting:    0.6 * r.Float64(),
	}
	o.Height = o.Width * 17 / 24
	if r.IntN(10) == 0 {
		o.Rotation += 180
	}
	return o
}

// Generate renders a document from a seed: the same seed and options always
// give the same bytes. The identity is drawn from the seed.
func Generate(seed uint64, opts Options) (*Document, error) {
	r := rand.New(rand.NewPCG(seed, 0x6b796364))
	if opts.Kind == "" {
		opts.Kind = TD3
	}
	return Render(RandomIdentity(r, opts.Kind), opts, r)
}

// Render draws the given identity with the given options; r drives layout
// jitter and degradations.
func Render(id Identity, opts Options, r *rand.Rand) (*Document, error) {
	if id.Kind != TD1 && id.Kind != TD3 {
		return nil, fmt.Errorf("unknown document kind %q", id.Kind)
	}
	opts.Kind = id.Kind
	if opts.Width <= 0 {
		opts.Width = 1200
	}
	if opts.Height <= 0 {
		opts.Height = 850
	}
	if opts.Width < 200 || opts.Height < 150 || opts.Width > 8000 || opts.Height > 8000 {
		return nil, fmt.Errorf("output size %dx%d out of range 200x150..8000x8000", opts.Width, opts.Height)
	}
	if opts.Fill <= 0 {
		opts.Fill = 0.85
	}
	if opts.Fill > 1 {
		return nil, errors.New("fill must be at most 1")
	}
	lines, err := MRZLines(id)
	if err != nil {
		return nil, err
	}
	base, err := OCRB()
	if err != nil {
		return nil, err
	}
	mrzFont := opts.MRZFont
	if mrzFont == nil {
		mrzFont = base
	}
	cardW, cardH := 125.0, 88.0
	if id.Kind == TD1 {
		cardW, cardH = 85.6, 54.0
	}
	// Render the card at 1.5× its size in the photo so the warp downsamples.
	outPxPerMM := opts.Fill * float64(opts.Width) / cardW
	pxmm := math.Max(4, outPxPerMM*1.5)
	c := newCanvas(cardW, cardH, pxmm, r)
	c.background()

	doc := &Document{Identity: id, Lines: lines, Format: "png"}
	if opts.JPEGQuality > 0 {
		doc.Format = "jpeg"
	}
	var portraitMM, mrzMM rectMM
	switch id.Kind {
	case TD3:
		c.textMM(base, 40, 9, 4.2, "PASSPORT", color.RGBA{40, 40, 90, 255})
		c.textMM(base, 85, 9, 3.0, id.IssuingState, color.RGBA{40, 40, 90, 255})
		portraitMM = rectMM{5, 17, 37, 60}
		c.portraitOr(portraitMM, opts.Portrait)
		c.viz(base, id, 42, 20)
		mrzMM = c.mrz(mrzFont, lines, 6.0, cardH-13.5, 6.3, opts.Defects)
		img := warp(c, opts, r)
		doc.PortraitBox = img.project(portraitMM)
		doc.MRZBox = img.project(mrzMM)
		doc.Front, err = img.encode(opts, r)
		if err != nil {
			return nil, err
		}
	case TD1:
		c.textMM(base, 30, 6, 3.0, "IDENTITY CARD", color.RGBA{40, 40, 90, 255})
		portraitMM = rectMM{3, 10, 27, 42}
		c.portraitOr(portraitMM, opts.Portrait)
		c.viz(base, id, 30, 12)
		front := warp(c, opts, r)
		doc.PortraitBox = front.project(portraitMM)
		doc.Front, err = front.encode(opts, r)
		if err != nil {
			return nil, err
		}
		back := newCanvas(cardW, cardH, pxmm, r)
		back.background()
		back.textMM(base, 5, 8, 2.4, "AUTHORITY "+id.IssuingState+" "+strings.Repeat("X", 1+r.IntN(8)), color.RGBA{40, 40, 40, 255})
		back.textMM(base, 5, 13, 2.4, "ISSUED "+id.ExpiryDate[:4], color.RGBA{40, 40, 40, 255})
		mrzMM = back.mrz(mrzFont, lines, (cardW-30*2.54)/2, cardH-14.6, 4.4, opts.Defects)
		bimg := warp(back, opts, r)
		doc.MRZBox = bimg.project(mrzMM)
		doc.Back, err = bimg.encode(opts, r)
		if err != nil {
			return nil, err
		}
	}
	return doc, nil
}

type rectMM struct{ x0, y0, x1, y1 float64 }

type canvas struct {
	img          *image.RGBA
	pxmm         float64
	wmm, hmm     float64
	r            *rand.Rand
	paper, guill color.RGBA
}

func newCanvas(wmm, hmm, pxmm float64, r *rand.Rand) *canvas {
	w, h := int(math.Round(wmm*pxmm)), int(math.Round(hmm*pxmm))
	return &canvas{
		img: image.NewRGBA(image.Rect(0, 0, w, h)), pxmm: pxmm, wmm: wmm, hmm: hmm, r: r,
		paper: color.RGBA{uint8(215 + r.IntN(40)), uint8(215 + r.IntN(40)), uint8(210 + r.IntN(45)), 255},
		guill: color.RGBA{uint8(150 + r.IntN(90)), uint8(150 + r.IntN(90)), uint8(150 + r.IntN(90)), 255},
	}
}

// background paints paper with a guilloche pattern, the security print that
// makes binarisation of real documents hard.
func (c *canvas) background() {
	b := c.img.Bounds()
	f1 := (0.5 + c.r.Float64()) / c.pxmm
	f2 := (0.2 + 0.5*c.r.Float64()) / c.pxmm
	amp := 2 + 4*c.r.Float64()
	strength := 0.3 + 0.5*c.r.Float64()
	for y := 0; y < b.Dy(); y++ {
		for x := 0; x < b.Dx(); x++ {
			v := math.Sin(float64(x)*f1*2 + amp*math.Sin(float64(y)*f2))
			w := math.Sin(float64(y)*f1*1.3 + amp*math.Sin(float64(x)*f2*0.7))
			a := 0.0
			if math.Abs(v) < 0.12 {
				a = strength
			}
			if math.Abs(w) < 0.08 {
				a = math.Max(a, strength*0.7)
			}
			c.img.SetRGBA(x, y, mix(c.paper, c.guill, a))
		}
	}
}

func mix(a, b color.RGBA, t float64) color.RGBA {
	l := func(x, y uint8) uint8 { return uint8(float64(x)*(1-t) + float64(y)*t + 0.5) }
	return color.RGBA{l(a.R, b.R), l(a.G, b.G), l(a.B, b.B), 255}
}

func (c *canvas) face(f *opentype.Font, emMM float64) font.Face {
	face, err := opentype.NewFace(f, &opentype.FaceOptions{Size: emMM * c.pxmm, DPI: 72, Hinting: font.HintingNone})
	if err != nil {
		// NewFace only fails on invalid options, which are constants here.
		panic(fmt.Sprintf("synth: new face: %v", err))
	}
	return face
}

// textMM draws s with its baseline at (xmm, ymm).
func (c *canvas) textMM(f *opentype.Font, xmm, ymm, emMM float64, s string, col color.RGBA) {
	face := c.face(f, emMM)
	defer face.Close()
	d := font.Drawer{Dst: c.img, Src: image.NewUniform(col), Face: face,
		Dot: fixed.P(int(xmm*c.pxmm), int(ymm*c.pxmm))}
	d.DrawString(s)
}

func (c *canvas) viz(f *opentype.Font, id Identity, xmm, ymm float64) {
	ink := color.RGBA{20, 20, 30, 255}
	label := color.RGBA{90, 90, 120, 255}
	rows := [][2]string{
		{"SURNAME", id.Surname}, {"GIVEN NAMES", id.GivenNames}, {"NATIONALITY", id.Nationality},
		{"DATE OF BIRTH", id.DateOfBirth}, {"SEX", id.Sex}, {"DOCUMENT NO", id.DocumentNumber},
		{"DATE OF EXPIRY", id.ExpiryDate},
	}
	step := 6.0
	if id.Kind == TD1 {
		step = 4.2
	}
	for i, row := range rows {
		y := ymm + float64(i)*step
		if y > c.hmm-20 && id.Kind == TD3 {
			break
		}
		if y > c.hmm-3 {
			break
		}
		c.textMM(f, xmm, y, step*0.28, row[0], label)
		c.textMM(f, xmm, y+step*0.5, step*0.45, row[1], ink)
	}
}

// portraitOr prints photo into the box, or the placeholder when there is none.
func (c *canvas) portraitOr(rm rectMM, photo image.Image) {
	if photo == nil {
		c.portrait(rm)
		return
	}
	r := image.Rect(int(rm.x0*c.pxmm), int(rm.y0*c.pxmm), int(rm.x1*c.pxmm), int(rm.y1*c.pxmm))
	xdraw.CatmullRom.Scale(c.img, r, photo, photo.Bounds(), draw.Src, nil)
}

// portrait paints a face-like placeholder: hair, face, eyes, shoulders.
func (c *canvas) portrait(rm rectMM) {
	x0, y0 := int(rm.x0*c.pxmm), int(rm.y0*c.pxmm)
	x1, y1 := int(rm.x1*c.pxmm), int(rm.y1*c.pxmm)
	bg := color.RGBA{uint8(180 + c.r.IntN(60)), uint8(190 + c.r.IntN(50)), uint8(200 + c.r.IntN(50)), 255}
	draw.Draw(c.img, image.Rect(x0, y0, x1, y1), image.NewUniform(bg), image.Point{}, draw.Src)
	w, h := float64(x1-x0), float64(y1-y0)
	cx := float64(x0) + w/2
	skin := color.RGBA{uint8(140 + c.r.IntN(100)), uint8(100 + c.r.IntN(80)), uint8(70 + c.r.IntN(70)), 255}
	hair := color.RGBA{uint8(20 + c.r.IntN(100)), uint8(15 + c.r.IntN(70)), uint8(10 + c.r.IntN(40)), 255}
	cloth := color.RGBA{uint8(c.r.IntN(200)), uint8(c.r.IntN(200)), uint8(c.r.IntN(200)), 255}
	c.ellipse(cx, float64(y1)+h*0.05, w*0.55, h*0.3, cloth, image.Rect(x0, y0, x1, y1))
	c.ellipse(cx, float64(y0)+h*0.38, w*0.34, h*0.3, hair, image.Rect(x0, y0, x1, y1))
	c.ellipse(cx, float64(y0)+h*0.45, w*0.27, h*0.27, skin, image.Rect(x0, y0, x1, y1))
	eye := color.RGBA{30, 30, 30, 255}
	c.ellipse(cx-w*0.1, float64(y0)+h*0.42, w*0.035, h*0.02, eye, image.Rect(x0, y0, x1, y1))
	c.ellipse(cx+w*0.1, float64(y0)+h*0.42, w*0.035, h*0.02, eye, image.Rect(x0, y0, x1, y1))
	c.ellipse(cx, float64(y0)+h*0.58, w*0.08, h*0.015, color.RGBA{120, 40, 40, 255}, image.Rect(x0, y0, x1, y1))
}

func (c *canvas) ellipse(cx, cy, rx, ry float64, col color.RGBA, clip image.Rectangle) {
	for y := int(cy - ry); y <= int(cy+ry); y++ {
		for x := int(cx - rx); x <= int(cx+rx); x++ {
			dx, dy := (float64(x)-cx)/rx, (float64(y)-cy)/ry
			if dx*dx+dy*dy <= 1 && image.Pt(x, y).In(clip) {
				c.img.SetRGBA(x, y, col)
			}
		}
	}
}

// mrz draws the MRZ lines at a fixed 2.54 mm pitch (10 characters per inch,
// ICAO 9303 part 3) and returns the zone it covers. The first line's
// character centre line is at ymm; lines are spaced by spacing mm.
func (c *canvas) mrz(f *opentype.Font, lines []string, xmm, ymm, spacing, defects float64) rectMM {
	const pitch = 2.54
	const capMM = 2.35
	face := c.face(f, 1)
	bounds, _, _ := face.GlyphBounds('H')
	face.Close()
	capRatio := float64(-bounds.Min.Y) / 64 / c.pxmm // cap height of a 1 mm em, in mm
	if capRatio <= 0 {
		capRatio = 0.7
	}
	em := capMM / capRatio
	face = c.face(f, em)
	defer face.Close()
	ink := color.RGBA{uint8(c.r.IntN(40)), uint8(c.r.IntN(40)), uint8(c.r.IntN(50)), 255}
	src := image.NewUniform(ink)
	for li, line := range lines {
		base := ymm + float64(li)*spacing + capMM/2
		for i := 0; i < len(line); i++ {
			ch := string(line[i])
			adv := font.MeasureString(face, ch)
			cx := (xmm + (float64(i)+0.5)*pitch) * c.pxmm
			d := font.Drawer{Dst: c.img, Src: src, Face: face,
				Dot: fixed.Point26_6{X: fixed.Int26_6((cx - float64(adv)/128) * 64), Y: fixed.Int26_6(base * c.pxmm * 64)}}
			d.DrawString(ch)
		}
	}
	zone := rectMM{xmm, ymm - capMM, xmm + float64(len(lines[0]))*pitch, ymm + float64(len(lines)-1)*spacing + capMM}
	if defects > 0 {
		// Worn print: paper-coloured drop-outs and stray ink specks.
		n := int(defects * float64(len(lines)*len(lines[0])) * 1.5)
		for k := 0; k < n; k++ {
			x := (zone.x0 + c.r.Float64()*(zone.x1-zone.x0)) * c.pxmm
			y := (zone.y0 + c.r.Float64()*(zone.y1-zone.y0)) * c.pxmm
			rad := (0.08 + 0.12*c.r.Float64()) * c.pxmm
			col := c.paper
			if c.r.IntN(3) == 0 {
				col = ink
			}
			c.ellipse(x, y, rad, rad, col, c.img.Bounds())
		}
	}
	return zone
}

// photo is a warped card in a photo, with the homography that placed it.
type photo struct {
	img  *image.RGBA
	h    [9]float64 // card pixel -> photo pixel
	pxmm float64
}

func (p *photo) project(rm rectMM) image.Rectangle {
	pts := [][2]float64{{rm.x0, rm.y0}, {rm.x1, rm.y0}, {rm.x0, rm.y1}, {rm.x1, rm.y1}}
	out := image.Rectangle{Min: image.Pt(math.MaxInt32, math.MaxInt32), Max: image.Pt(math.MinInt32, math.MinInt32)}
	for _, q := range pts {
		x, y := apply(p.h, q[0]*p.pxmm, q[1]*p.pxmm)
		out.Min.X = min(out.Min.X, int(math.Floor(x)))
		out.Min.Y = min(out.Min.Y, int(math.Floor(y)))
		out.Max.X = max(out.Max.X, int(math.Ceil(x)))
		out.Max.Y = max(out.Max.Y, int(math.Ceil(y)))
	}
	return out.Intersect(p.img.Bounds())
}

func (p *photo) encode(opts Options, r *rand.Rand) ([]byte, error) {
	var buf bytes.Buffer
	if opts.JPEGQuality > 0 {
		if err := jpeg.Encode(&buf, p.img, &jpeg.Options{Quality: min(opts.JPEGQuality, 100)}); err != nil {
			return nil, fmt.Errorf("encode jpeg: %w", err)
		}
		return buf.Bytes(), nil
	}
	if err := png.Encode(&buf, p.img); err != nil {
		return nil, fmt.Errorf("encode png: %w", err)
	}
	return buf.Bytes(), nil
}

// warp places the card on a desk-coloured background with rotation and
// perspective, then applies lighting, blur and noise.
func warp(c *canvas, o Options, r *rand.Rand) *photo {
	W, H := o.Width, o.Height
	cw, ch := float64(c.img.Bounds().Dx()), float64(c.img.Bounds().Dy())
	scale := o.Fill * float64(W) / cw
	if ch*scale > float64(H)*0.97 {
		scale = float64(H) * 0.97 / ch
	}
	ang := o.Rotation * math.Pi / 180
	cx, cy := float64(W)/2+(r.Float64()-0.5)*0.04*float64(W), float64(H)/2+(r.Float64()-0.5)*0.04*float64(H)
	src := [4][2]float64{{0, 0}, {cw, 0}, {cw, ch}, {0, ch}}
	var dst [4][2]float64
	for i, s := range src {
		x := (s[0] - cw/2) * scale
		y := (s[1] - ch/2) * scale
		x += (r.Float64()*2 - 1) * o.Perspective * cw * scale
		y += (r.Float64()*2 - 1) * o.Perspective * cw * scale
		dst[i] = [2]float64{cx + x*math.Cos(ang) - y*math.Sin(ang), cy + x*math.Sin(ang) + y*math.Cos(ang)}
	}
	hm := homography(src, dst)
	inv := invert3(hm)
	out := image.NewRGBA(image.Rect(0, 0, W, H))
	desk := color.RGBA{uint8(40 + r.IntN(160)), uint8(40 + r.IntN(150)), uint8(40 + r.IntN(140)), 255}
	lx, ly := r.Float64()*2-1, r.Float64()*2-1
	for y := 0; y < H; y++ {
		for x := 0; x < W; x++ {
			u, v := apply(inv, float64(x)+0.5, float64(y)+0.5)
			var col color.RGBA
			if u < 0 || v < 0 || u >= cw || v >= ch {
				col = desk
			} else {
				col = bilinear(c.img, u-0.5, v-0.5)
			}
			if o.Lighting > 0 {
				f := 1 + o.Lighting*0.35*((float64(x)/float64(W)-0.5)*lx+(float64(y)/float64(H)-0.5)*ly)*2
				col = scaleCol(col, f)
			}
			out.SetRGBA(x, y, col)
		}
	}
	if o.Blur > 0 {
		gaussBlur(out, o.Blur)
	}
	if o.Noise > 0 {
		pix := out.Pix
		for i := 0; i < len(pix); i += 4 {
			n := r.NormFloat64() * o.Noise
			for k := 0; k < 3; k++ {
				pix[i+k] = clamp8(float64(pix[i+k]) + n + r.NormFloat64()*o.Noise*0.3)
			}
		}
	}
	return &photo{img: out, h: hm, pxmm: c.pxmm}
}

func scaleCol(c color.RGBA, f float64) color.RGBA {
	return color.RGBA{clamp8(float64(c.R) * f), clamp8(float64(c.G) * f), clamp8(float64(c.B) * f), 255}
}

func clamp8(v float64) uint8 {
	if v < 0 {
		return 0
	}
	if v > 255 {
		return 255
	}
	return uint8(v + 0.5)
}

func bilinear(img *image.RGBA, x, y float64) color.RGBA {
	b := img.Bounds()
	x0, y0 := int(math.Floor(x)), int(math.Floor(y))
	fx, fy := x-float64(x0), y-float64(y0)
	at := func(xx, yy int) []uint8 {
		xx = min(max(xx, 0), b.Dx()-1)
		yy = min(max(yy, 0), b.Dy()-1)
		i := yy*img.Stride + xx*4
		return img.Pix[i : i+4]
	}
	p00, p10, p01, p11 := at(x0, y0), at(x0+1, y0), at(x0, y0+1), at(x0+1, y0+1)
	var out [3]uint8
	for k := 0; k < 3; k++ {
		v := float64(p00[k])*(1-fx)*(1-fy) + float64(p10[k])*fx*(1-fy) + float64(p01[k])*(1-fx)*fy + float64(p11[k])*fx*fy
		out[k] = clamp8(v)
	}
	return color.RGBA{out[0], out[1], out[2], 255}
}

func gaussBlur(img *image.RGBA, sigma float64) {
	rad := int(math.Ceil(sigma * 2.5))
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
	W, H := img.Bounds().Dx(), img.Bounds().Dy()
	tmp := make([]float64, W*H*3)
	for y := 0; y < H; y++ {
		for x := 0; x < W; x++ {
			var acc [3]float64
			for j, w := range k {
				xx := min(max(x+j-rad, 0), W-1)
				p := img.Pix[y*img.Stride+xx*4:]
				acc[0] += w * float64(p[0])
				acc[1] += w * float64(p[1])
				acc[2] += w * float64(p[2])
			}
			copy(tmp[(y*W+x)*3:], acc[:])
		}
	}
	for y := 0; y < H; y++ {
		for x := 0; x < W; x++ {
			var acc [3]float64
			for j, w := range k {
				yy := min(max(y+j-rad, 0), H-1)
				t := tmp[(yy*W+x)*3:]
				acc[0] += w * t[0]
				acc[1] += w * t[1]
				acc[2] += w * t[2]
			}
			p := img.Pix[y*img.Stride+x*4:]
			p[0], p[1], p[2] = clamp8(acc[0]), clamp8(acc[1]), clamp8(acc[2])
		}
	}
}

// Homography solves the 3×3 projective map taking src[i] to dst[i] (row-major, h[8] = 1);
// the proof-of-address generator (checks/address/synth) photographs its pages with it too.
func Homography(src, dst [4][2]float64) [9]float64 { return homography(src, dst) }

// homography solves the 3×3 projective map taking src[i] to dst[i].
func homography(src, dst [4][2]float64) [9]float64 {
	var a [8][9]float64
	for i := 0; i < 4; i++ {
		x, y, u, v := src[i][0], src[i][1], dst[i][0], dst[i][1]
		a[2*i] = [9]float64{x, y, 1, 0, 0, 0, -u * x, -u * y, u}
		a[2*i+1] = [9]float64{0, 0, 0, x, y, 1, -v * x, -v * y, v}
	}
	for col := 0; col < 8; col++ {
		piv := col
		for r := col + 1; r < 8; r++ {
			if math.Abs(a[r][col]) > math.Abs(a[piv][col]) {
				piv = r
			}
		}
		a[col], a[piv] = a[piv], a[col]
		for r := 0; r < 8; r++ {
			if r == col || a[col][col] == 0 {
				continue
			}
			f := a[r][col] / a[col][col]
			for k := col; k < 9; k++ {
				a[r][k] -= f * a[col][k]
			}
		}
	}
	var h [9]float64
	for i := 0; i < 8; i++ {
		h[i] = a[i][8] / a[i][i]
	}
	h[8] = 1
	return h
}

func invert3(m [9]float64) [9]float64 {
	det := m[0]*(m[4]*m[8]-m[5]*m[7]) - m[1]*(m[3]*m[8]-m[5]*m[6]) + m[2]*(m[3]*m[7]-m[4]*m[6])
	inv := [9]float64{
		m[4]*m[8] - m[5]*m[7], m[2]*m[7] - m[1]*m[8], m[1]*m[5] - m[2]*m[4],
		m[5]*m[6] - m[3]*m[8], m[0]*m[8] - m[2]*m[6], m[2]*m[3] - m[0]*m[5],
		m[3]*m[7] - m[4]*m[6], m[1]*m[6] - m[0]*m[7], m[0]*m[4] - m[1]*m[3],
	}
	for i := range inv {
		inv[i] /= det
	}
	return inv
}

func apply(h [9]float64, x, y float64) (float64, float64) {
	w := h[6]*x + h[7]*y + h[8]
	return (h[0]*x + h[1]*y + h[2]) / w, (h[3]*x + h[4]*y + h[5]) / w
}

// RandomDocument is the bench and test sample: seed s draws the identity and
// a RandomOptions degradation profile of the given kind.
func RandomDocument(s uint64, kind Kind) (*Document, Options, error) {
	r := rand.New(rand.NewPCG(s, 1))
	opts := RandomOptions(r, kind)
	doc, err := Render(RandomIdentity(r, kind), opts, r)
	return doc, opts, err
}
