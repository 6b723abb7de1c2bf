package synth

// Page is one A4 page as drawing operations in PDF points (1/72 in), origin top-left
// (the PDF writer flips y). The same Page is written as a PDF text layer and rasterised for
// image-only PDFs and photos, so every variant shows the same document.
type Page struct {
	Items []Item
}

// Item is a piece of text or a filled rectangle.
type Item struct {
	X, Y   float64 // top-left of a rectangle; the baseline start of text
	W, H   float64 // rectangle size
	Text   string
	Size   float64 // font size in points
	Bold   bool
	Gray   float64 // 0 black … 1 white
	IsRect bool
}

// A4 in points.
const (
	PageW = 595.0
	PageH = 842.0
)

func (p *Page) text(x, y, size float64, bold bool, s string) {
	p.Items = append(p.Items, Item{X: x, Y: y, Size: size, Bold: bold, Text: s})
}

func (p *Page) rect(x, y, w, h, gray float64) {
	p.Items = append(p.Items, Item{X: x, Y: y, W: w, H: h, Gray: gray, IsRect: true})
}
