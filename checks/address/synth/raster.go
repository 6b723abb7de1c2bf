package synth

import (
	"image"
	"image/color"
	"image/draw"
	"sync"

	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"
)

var (
	fontsOnce     sync.Once
	regular, bold *opentype.Font
)

func loadFonts() {
	fontsOnce.Do(func() {
		var err error
		if regular, err = opentype.Parse(goregular.TTF); err != nil {
			panic(err)
		}
		if bold, err = opentype.Parse(gobold.TTF); err != nil {
			panic(err)
		}
	})
}

// Rasterize draws the page at dpi as an 8-bit grey image (white paper, black ink) with the
// Go fonts, which are metric-close enough to Helvetica for the layout to hold.
func Rasterize(p *Page, dpi float64) *image.Gray {
	loadFonts()
	s := dpi / 72
	img := image.NewGray(image.Rect(0, 0, int(PageW*s), int(PageH*s)))
	draw.Draw(img, img.Bounds(), image.White, image.Point{}, draw.Src)
	faces := map[[2]float64]font.Face{}
	face := func(size float64, b bool) font.Face {
		k := [2]float64{size, 0}
		if b {
			k[1] = 1
		}
		if f, ok := faces[k]; ok {
			return f
		}
		f := regular
		if b {
			f = bold
		}
		fc, err := opentype.NewFace(f, &opentype.FaceOptions{Size: size, DPI: dpi, Hinting: font.HintingFull})
		if err != nil {
			panic(err)
		}
		faces[k] = fc
		return fc
	}
	for _, it := range p.Items {
		if it.IsRect {
			r := image.Rect(int(it.X*s), int(it.Y*s), int((it.X+it.W)*s), int((it.Y+it.H)*s))
			draw.Draw(img, r, image.NewUniform(color.Gray{Y: uint8(it.Gray * 255)}), image.Point{}, draw.Src)
			continue
		}
		d := font.Drawer{Dst: img, Src: image.Black, Face: face(it.Size, it.Bold),
			Dot: fixed.P(int(it.X*s), int(it.Y*s))}
		d.DrawString(it.Text)
	}
	for _, f := range faces {
		_ = f.Close()
	}
	return img
}
