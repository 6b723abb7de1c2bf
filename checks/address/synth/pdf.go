package synth

import (
	"bytes"
	"fmt"
	"strings"
)

// winAnsi maps the runes outside Latin-1 that WinAnsiEncoding has to their codes; Latin-1
// (U+00A0–U+00FF) maps to itself.
var winAnsi = map[rune]byte{'€': 0x80, '‚': 0x82, '„': 0x84, '…': 0x85, '‘': 0x91, '’': 0x92, '“': 0x93, '”': 0x94,
	'•': 0x95, '–': 0x96, '—': 0x97, 'Œ': 0x8C, 'œ': 0x9C, 'Š': 0x8A, 'š': 0x9A, 'Ž': 0x8E, 'ž': 0x9E, 'Ÿ': 0x9F}

func pdfString(s string) string {
	var b strings.Builder
	b.WriteByte('(')
	for _, r := range s {
		var c byte
		switch {
		case r < 0x80 || (r >= 0xA0 && r <= 0xFF):
			c = byte(r)
		default:
			if w, ok := winAnsi[r]; ok {
				c = w
			} else {
				c = '?'
			}
		}
		if c == '(' || c == ')' || c == '\\' {
			b.WriteByte('\\')
		}
		b.WriteByte(c)
	}
	b.WriteByte(')')
	return b.String()
}

// pdfWriter assembles objects and the cross-reference table.
type pdfWriter struct {
	buf  bytes.Buffer
	offs []int
}

func (w *pdfWriter) obj(body string) int {
	w.offs = append(w.offs, w.buf.Len())
	n := len(w.offs)
	fmt.Fprintf(&w.buf, "%d 0 obj\n%s\nendobj\n", n, body)
	return n
}

func (w *pdfWriter) stream(dict string, data []byte) int {
	w.offs = append(w.offs, w.buf.Len())
	n := len(w.offs)
	fmt.Fprintf(&w.buf, "%d 0 obj\n<< %s /Length %d >>\nstream\n", n, dict, len(data))
	w.buf.Write(data)
	w.buf.WriteString("\nendstream\nendobj\n")
	return n
}

// PageContent is what one PDF page shows: drawing items as text (Helvetica, WinAnsi), a
// full-page JPEG, or both — the JPEG with the items drawn invisibly on top (text render
// mode 3), which is how scanners add a searchable text layer, and how a doctored PDF hides
// a text layer that differs from its picture.
type PageContent struct {
	Page      *Page
	JPEG      []byte
	JPEGW     int
	JPEGH     int
	JPEGColor bool
}

// WritePDF writes pages into a minimal PDF 1.4 file.
func WritePDF(pages []PageContent) []byte {
	w := &pdfWriter{}
	w.buf.WriteString("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
	// Reserve 1 catalog, 2 pages, 3 Helvetica, 4 Helvetica-Bold.
	w.offs = make([]int, 4)
	var kids []int
	type pending struct{ content, image int }
	var ps []pending
	for _, pc := range pages {
		var c bytes.Buffer
		img := 0
		if pc.JPEG != nil {
			cs := "/DeviceGray"
			if pc.JPEGColor {
				cs = "/DeviceRGB"
			}
			img = w.stream(fmt.Sprintf("/Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace %s /BitsPerComponent 8 /Filter /DCTDecode",
				pc.JPEGW, pc.JPEGH, cs), pc.JPEG)
			fmt.Fprintf(&c, "q %.2f 0 0 %.2f 0 0 cm /Im0 Do Q\n", PageW, PageH)
		}
		if pc.Page != nil {
			for _, it := range pc.Page.Items {
				if it.IsRect {
					if pc.JPEG == nil {
						fmt.Fprintf(&c, "%.3f g %.2f %.2f %.2f %.2f re f\n", it.Gray, it.X, PageH-it.Y-it.H, it.W, it.H)
					}
					continue
				}
				font := "/F1"
				if it.Bold {
					font = "/F2"
				}
				mode := 0
				if pc.JPEG != nil {
					mode = 3
				}
				fmt.Fprintf(&c, "BT 0 g %d Tr %s %.1f Tf %.2f %.2f Td %s Tj ET\n", mode, font, it.Size, it.X, PageH-it.Y, pdfString(it.Text))
			}
		}
		ps = append(ps, pending{content: w.stream("", c.Bytes()), image: img})
	}
	for _, p := range ps {
		xo := ""
		if p.image != 0 {
			xo = fmt.Sprintf(" /XObject << /Im0 %d 0 R >>", p.image)
		}
		kids = append(kids, w.obj(fmt.Sprintf("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %.0f %.0f] /Contents %d 0 R /Resources << /Font << /F1 3 0 R /F2 4 0 R >>%s >> >>",
			PageW, PageH, p.content, xo)))
	}
	set := func(n int, body string) {
		w.offs[n-1] = w.buf.Len()
		fmt.Fprintf(&w.buf, "%d 0 obj\n%s\nendobj\n", n, body)
	}
	set(1, "<< /Type /Catalog /Pages 2 0 R >>")
	var k strings.Builder
	for _, id := range kids {
		fmt.Fprintf(&k, "%d 0 R ", id)
	}
	set(2, fmt.Sprintf("<< /Type /Pages /Kids [%s] /Count %d >>", k.String(), len(kids)))
	set(3, "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
	set(4, "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>")
	xref := w.buf.Len()
	fmt.Fprintf(&w.buf, "xref\n0 %d\n0000000000 65535 f \n", len(w.offs)+1)
	for _, o := range w.offs {
		fmt.Fprintf(&w.buf, "%010d 00000 n \n", o)
	}
	fmt.Fprintf(&w.buf, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(w.offs)+1, xref)
	return w.buf.Bytes()
}
