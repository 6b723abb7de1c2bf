package document

import (
	"context"
	"fmt"
	"image"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/kycd/kycd/checks/mrz"
)

// ReasonPrintedDateMismatch is the review reason when a date printed in the visual zone
// contradicts the MRZ: the MRZ says one expiry (or birth), the page prints the same day and
// month in another year — what an edited MRZ on a genuine, expired page looks like.
const ReasonPrintedDateMismatch = "printed_date_mismatch"

// PrintedDates is what the visual-zone OCR read of the dates, for the record.
type PrintedDates struct {
	// Read are the dates found in the printed text (YYYY-MM-DD; a two-digit year is 20yy
	// unless that is after the MRZ's expiry year, then 19yy).
	Read []string `json:"read"`
	// BirthConfirmed and ExpiryConfirmed say whether the MRZ's date is among them.
	BirthConfirmed  bool `json:"birth_confirmed"`
	ExpiryConfirmed bool `json:"expiry_confirmed"`
	// Skipped says why the zone was not read ("" when it was).
	Skipped string `json:"skipped,omitempty"`
}

// printedDate is one date found in text; shortYear when only two digits were printed.
type printedDate struct {
	y, m, d   int
	shortYear bool
}

// months maps month names and abbreviations of the languages ID documents print (EN, FR,
// DE, ES, IT, NL, PT, Nordic) to month numbers.
var months = func() map[string]int {
	m := map[string]int{}
	for i, names := range [][]string{
		{"JAN", "JANV", "JANVIER", "JANUARY", "ENE", "GEN", "JANEIRO", "JANUAR", "TAM"},
		{"FEB", "FEV", "FEVR", "FÉV", "FÉVR", "FEBRUARY", "FEBR", "FEVEREIRO", "HELMI"},
		{"MAR", "MARS", "MÄR", "MAERZ", "MARCH", "MRT", "MARZO", "MARÇO"},
		{"APR", "AVR", "AVRIL", "APRIL", "ABR", "ABRIL", "APRILE"},
		{"MAY", "MAI", "MEI", "MAG", "MAYO", "MAIO", "MAJ"},
		{"JUN", "JUIN", "JUNE", "JUNI", "GIU", "JUNIO", "JUNHO"},
		{"JUL", "JUIL", "JULY", "JULI", "LUG", "JULIO", "JULHO"},
		{"AUG", "AOU", "AOUT", "AOÛT", "AUGUST", "AGO", "AGOSTO", "AUGUSTUS"},
		{"SEP", "SEPT", "SEPTEMBER", "SET", "SEPTIEMBRE", "SETEMBRO"},
		{"OCT", "OKT", "OCTOBER", "OTT", "OUT", "OCTUBRE", "OUTUBRO", "OKTOBER"},
		{"NOV", "NOVEMBER", "NOVEMBRE", "NOVIEMBRE", "NOVEMBRO"},
		{"DEC", "DEZ", "DIC", "DECEMBER", "DÉC", "DEZEMBER", "DICIEMBRE", "DEZEMBRO"},
	} {
		for _, n := range names {
			m[n] = i + 1
		}
	}
	return m
}()

var (
	// 15 APR 2012, 15 APR/AVR 12, 15.APR.2012
	reNamed = regexp.MustCompile(`(?i)\b(\d{1,2})[ .\-/]{0,2}([A-ZÀ-Ü]{3,9})(?:\s*/\s*[A-ZÀ-Ü]{3,9})?[ .\-/]{0,2}(\d{4}|\d{2})\b`)
	// 15.04.2012, 15/04/2012, 15-04-2012, 15 04 2012, 15.04.12
	reDMY = regexp.MustCompile(`\b(\d{1,2})[ .\-/](\d{1,2})[ .\-/](\d{4}|\d{2})\b`)
	// 2012-04-15, 2012.04.15
	reYMD = regexp.MustCompile(`\b(\d{4})[.\-/](\d{1,2})[.\-/](\d{1,2})\b`)
)

// parsePrintedDates finds the dates in OCR text. Ambiguous numeric dates are read day first
// (the ICAO order); impossible ones are dropped.
func parsePrintedDates(text string) []printedDate {
	text = strings.ToUpper(text)
	var out []printedDate
	add := func(y, m, d int, short bool) {
		if m < 1 || m > 12 || d < 1 || d > 31 {
			return
		}
		if !short && (y < 1900 || y > 2100) {
			return
		}
		if !short && time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC).Day() != d {
			return
		}
		for _, p := range out {
			if p == (printedDate{y, m, d, short}) {
				return
			}
		}
		out = append(out, printedDate{y, m, d, short})
	}
	atoi := func(s string) int { n, _ := strconv.Atoi(s); return n }
	for _, g := range reNamed.FindAllStringSubmatch(text, -1) {
		if mo, ok := months[g[2]]; ok {
			add(atoi(g[3]), mo, atoi(g[1]), len(g[3]) == 2)
		}
	}
	for _, g := range reYMD.FindAllStringSubmatch(text, -1) {
		add(atoi(g[1]), atoi(g[2]), atoi(g[3]), false)
	}
	for _, g := range reDMY.FindAllStringSubmatch(text, -1) {
		add(atoi(g[3]), atoi(g[2]), atoi(g[1]), len(g[3]) == 2)
	}
	return out
}

// same reports whether a printed date is the ISO date iso (two-digit years compare mod 100).
func (p printedDate) same(iso string) bool {
	t, err := time.Parse("2006-01-02", iso)
	if err != nil {
		return false
	}
	if p.m != int(t.Month()) || p.d != t.Day() {
		return false
	}
	if p.shortYear {
		return p.y == t.Year()%100
	}
	return p.y == t.Year()
}

// sameDayOtherYear reports whether a printed date has the day and month of iso but another year.
func (p printedDate) sameDayOtherYear(iso string) bool {
	t, err := time.Parse("2006-01-02", iso)
	if err != nil || p.m != int(t.Month()) || p.d != t.Day() {
		return false
	}
	return !p.same(iso)
}

// year expands a two-digit year: 20yy unless that is after pivot (the MRZ's expiry year),
// then 19yy.
func (p printedDate) year(pivot int) int {
	if !p.shortYear {
		return p.y
	}
	if 2000+p.y > pivot {
		return 1900 + p.y
	}
	return 2000 + p.y
}

func (p printedDate) iso(pivot int) string {
	return fmt.Sprintf("%04d-%02d-%02d", p.year(pivot), p.m, p.d)
}

// comparePrintedDates compares the printed dates with the MRZ's and adds the review reason
// on a contradiction. Only the contradiction the MRZ cannot explain is a reason: a printed
// date with the MRZ date's day and month but another year, while the MRZ's own date is not
// printed. A date the OCR simply did not read is no evidence either way.
func comparePrintedDates(text string, m *mrz.Result, res *Result) *PrintedDates {
	dates := parsePrintedDates(text)
	pd := &PrintedDates{Read: []string{}}
	pivot := 2040
	if t, err := time.Parse("2006-01-02", m.ExpiryDate); err == nil {
		pivot = t.Year()
	}
	for _, d := range dates {
		pd.Read = append(pd.Read, d.iso(pivot))
	}
	// The expiry is the latest date a document prints and the birth the earliest: a date with
	// the MRZ date's day and month in another year is the printed counterpart only there.
	latest, earliest := -1, -1
	for i, d := range dates {
		if earliest < 0 || d.iso(pivot) < dates[earliest].iso(pivot) {
			earliest = i
		}
		if latest < 0 || d.iso(pivot) > dates[latest].iso(pivot) {
			latest = i
		}
	}
	// The latest date is taken for the expiry only when the birth date was read and confirmed
	// too (so the OCR is reading this page's dates). It can still be an issue date sharing the
	// expiry's day and month on a page whose expiry the OCR missed: a review, not a rejection.
	for _, f := range []struct {
		iso, field, name string
		at, need         int
		confirmed        *bool
	}{{m.DateOfBirth, "date_of_birth", "date of birth", earliest, 2, &pd.BirthConfirmed}, {m.ExpiryDate, "expiry_date", "expiry date", latest, 2, &pd.ExpiryConfirmed}} {
		if f.iso == "" {
			continue
		}
		for _, d := range dates {
			if d.same(f.iso) {
				*f.confirmed = true
			}
		}
		if f.field == "expiry_date" && !pd.BirthConfirmed {
			continue
		}
		if !*f.confirmed && len(dates) >= f.need && f.at >= 0 && dates[f.at].sameDayOtherYear(f.iso) {
			res.addError(ReasonPrintedDateMismatch, f.field, fmt.Sprintf("the MRZ's %s is %s but the page prints %s", f.name, f.iso, dates[f.at].iso(pivot)))
		}
	}
	return pd
}

// vizRegion is the visual zone above the MRZ (TD3, TD2, visas: the page above the MRZ), or
// the whole front of a TD1 card, in image coordinates; empty when the MRZ is too skewed for
// an upright crop.
func vizRegion(imgs []image.Image, in []Image, rd *mrzRead, mrzImg int, m *mrz.Result) (int, image.Rectangle) {
	if m.Format == mrz.FormatTD1 {
		for i, im := range in {
			if i != mrzImg && im.Side != SideBack {
				return i, imgs[i].Bounds()
			}
		}
		return -1, image.Rectangle{}
	}
	if math.Abs(rd.dirY) > 0.05 || rd.dirX <= 0 {
		return -1, image.Rectangle{} // rotated: the OCR would need a straightened page
	}
	top := rd.originY - 26*rd.pitch
	r := image.Rect(int(rd.originX-2*rd.pitch), int(top), int(rd.originX+45*rd.pitch), int(rd.originY-0.8*rd.pitch))
	return mrzImg, r.Intersect(imgs[mrzImg].Bounds())
}

// checkPrintedDates reads the visual zone's dates and compares them with the MRZ.
func (e *Engine) checkPrintedDates(ctx context.Context, imgs []image.Image, in []Image, rd *mrzRead, mrzImg int, m *mrz.Result, res *Result) {
	if e.viz == nil {
		res.PrintedDates = &PrintedDates{Read: []string{}, Skipped: "no visual-zone OCR in this build (needs the tesseract build tag)"}
		return
	}
	i, r := vizRegion(imgs, in, rd, mrzImg, m)
	if i < 0 || r.Dx() < 50 || r.Dy() < 30 {
		res.PrintedDates = &PrintedDates{Read: []string{}, Skipped: "no upright visual zone to read"}
		return
	}
	scale := 1.0
	if rd.pitch > 0 && m.Format != mrz.FormatTD1 {
		scale = math.Min(3, math.Max(0.5, 28/rd.pitch)) // MRZ pitch ≈ 28 px: printed text ≈ 20–30 px high
	}
	text, err := e.viz.text(ctx, imgs[i], r, scale)
	if err != nil {
		res.PrintedDates = &PrintedDates{Read: []string{}, Skipped: "visual-zone OCR failed: " + err.Error()}
		return
	}
	res.PrintedDates = comparePrintedDates(text, m, res)
}
