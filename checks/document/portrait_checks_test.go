package document

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/draw"
	"image/jpeg"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kycd/kycd/checks/document/synth"
	"github.com/kycd/kycd/checks/mrz"
	"github.com/kycd/kycd/internal/testfiles"
)

func TestParsePrintedDates(t *testing.T) {
	t.Parallel()
	got := func(text string) []string {
		var out []string
		for _, d := range parsePrintedDates(text) {
			out = append(out, d.iso(2040))
		}
		return out
	}
	require.Equal(t, []string{"1974-08-12", "2012-04-15"}, got("Date of birth 12 AUG/AOUT 1974\nDate of expiry 15 APR /AVR 2012"))
	require.Equal(t, []string{"1974-08-12", "2012-04-15"}, got("12 AUG 74 15 APR 12"), "two-digit years: 20yy unless after the pivot")
	require.Equal(t, []string{"2031-07-30", "1990-03-14"}, got("DATE OF EXPIRY 2031-07-30 x 14.03.1990"))
	require.Equal(t, []string{"2001-02-03"}, got("03/02/2001 31.02.2001 99.99.1999"), "impossible dates are dropped")
	require.Empty(t, got("L898902C36UTO7408122F1204159"))
}

func TestComparePrintedDates(t *testing.T) {
	t.Parallel()
	m := &mrz.Result{DateOfBirth: "1974-08-12", ExpiryDate: "2032-04-15"}
	// The page prints the expiry of 2012, the MRZ says 2032: the reported attack.
	res := &Result{}
	pd := comparePrintedDates("12 AUG 1974   16 APR 2007   15 APR 2012", m, res)
	require.True(t, pd.BirthConfirmed)
	require.False(t, pd.ExpiryConfirmed)
	require.Equal(t, []string{ReasonPrintedDateMismatch}, res.Reasons)
	require.Equal(t, "expiry_date", res.ValidationErrors[0].Field)
	// Agreeing dates, or dates the OCR did not read, are no reason.
	// An issue date sharing the expiry's day and month counts only as the latest date on a page
	// whose birth date was read too: alone (the OCR read one date) it is no reason.
	for _, text := range []string{"12 AUG 1974 15 APR 2032", "12 AUG 74 15 APR 32", "", "12 AUG 1974", "16 APR 2007",
		"15 APR 2012", "01 JAN 1970 15 APR 2012"} {
		res := &Result{}
		comparePrintedDates(text, m, res)
		require.Empty(t, res.Reasons, text)
	}
}

// pasteBytes re-encodes a document with a JPEG photo pasted over its portrait: the photo is
// compressed at photoQuality on its own, pasted at the portrait's (unaligned) corner, and the
// page saved at pageQuality — what an edit in an image editor does.
func pasteBytes(t *testing.T, page []byte, box image.Rectangle, photo image.Image, photoQuality, pageQuality int) []byte {
	t.Helper()
	img, _, err := image.Decode(bytes.NewReader(page))
	require.NoError(t, err)
	canvas := image.NewRGBA(img.Bounds())
	draw.Draw(canvas, canvas.Bounds(), img, image.Point{}, draw.Src)
	// Scale the photo to the box (nearest neighbour is enough for a test), then compress it.
	scaled := image.NewRGBA(image.Rect(0, 0, box.Dx(), box.Dy()))
	pb := photo.Bounds()
	for y := range box.Dy() {
		for x := range box.Dx() {
			scaled.Set(x, y, photo.At(pb.Min.X+x*pb.Dx()/box.Dx(), pb.Min.Y+y*pb.Dy()/box.Dy()))
		}
	}
	var pj bytes.Buffer
	require.NoError(t, jpeg.Encode(&pj, scaled, &jpeg.Options{Quality: photoQuality}))
	pasted, err := jpeg.Decode(&pj)
	require.NoError(t, err)
	draw.Draw(canvas, box, pasted, image.Point{}, draw.Src)
	var out bytes.Buffer
	require.NoError(t, jpeg.Encode(&out, canvas, &jpeg.Options{Quality: pageQuality}))
	return out.Bytes()
}

func facePhoto(t *testing.T, elem ...string) image.Image {
	t.Helper()
	b, err := os.ReadFile(testfiles.Path(t, elem...))
	require.NoError(t, err)
	img, _, err := image.Decode(bytes.NewReader(b))
	require.NoError(t, err)
	return img
}

// TestSpliceDetectorOnGeneratedDocuments pastes real face photos over the portraits of
// generated passports photographed (slight blur, noise, skew: what an applicant uploads) and
// compares with the same photos untouched. Figures: docs/benchmarks/face-decisions.md.
func TestSpliceDetectorOnGeneratedDocuments(t *testing.T) {
	t.Parallel()
	e := testEngine(t)
	photos := []image.Image{
		facePhoto(t, "faces", "face_recognition", "tests", "test_images", "obama.jpg"),
		facePhoto(t, "faces", "face_recognition", "tests", "test_images", "biden.jpg"),
		facePhoto(t, "faces", "deepface", "img1.jpg"),
		facePhoto(t, "faces", "deepface", "img13.jpg"),
	}
	const n = 24
	flaggedClean, flaggedPasted := 0, 0
	for seed := range uint64(n) {
		r := rand.New(rand.NewPCG(seed, 11))
		id := synth.RandomIdentity(r, synth.TD3)
		id.ExpiryDate = "2031-07-30" // valid on testNow
		q := 80 + r.IntN(16)
		doc, err := synth.Render(id, synth.Options{Width: 1400, Height: 1400 * 17 / 24, Fill: 0.86, JPEGQuality: q,
			Rotation: 3*r.Float64() - 1.5, Perspective: 0.01 * r.Float64(), Blur: 0.5 + 0.7*r.Float64(), Noise: 2 + 4*r.Float64()}, r)
		require.NoError(t, err)
		clean, err := e.Analyze(context.Background(), []Image{{Side: SideFront, Bytes: doc.Front}}, Policy{})
		require.NoError(t, err)
		require.NotNil(t, clean.Splice, "seed %d: %v", seed, clean.Reasons)
		if slices.Contains(clean.Reasons, ReasonPortraitSplice) {
			flaggedClean++
			t.Logf("seed %d untouched flagged: %+v", seed, clean.Splice)
		}
		pasted := pasteBytes(t, doc.Front, doc.PortraitBox, photos[seed%uint64(len(photos))], 55+r.IntN(30), q)
		res, err := e.Analyze(context.Background(), []Image{{Side: SideFront, Bytes: pasted}}, Policy{})
		require.NoError(t, err)
		t.Logf("seed %d: hard edges untouched %.2f/%.2f, pasted %.2f/%.2f", seed, clean.Splice.HardEdges[0], clean.Splice.HardEdges[1], res.Splice.HardEdges[0], res.Splice.HardEdges[1])
		if slices.Contains(res.Reasons, ReasonPortraitSplice) {
			flaggedPasted++
			require.Equal(t, VerdictReview, res.Verdict)
		} else {
			t.Logf("seed %d pasted missed: %+v (box at %v)", seed, res.Splice, doc.PortraitBox.Min)
		}
	}
	t.Logf("splice detector on %d generated passports: pasted portraits flagged %d/%d, untouched flagged %d/%d",
		n, flaggedPasted, n, flaggedClean, n)
	require.Zero(t, flaggedClean, "no untouched document may be flagged")
	require.GreaterOrEqual(t, flaggedPasted, n*3/4)
}

// TestPortraitChecksOnSpecimens runs the document checks over the real specimen images: the
// untouched specimens must not be flagged (false positives), whatever the OCR reads.
func TestPortraitChecksOnSpecimens(t *testing.T) {
	t.Parallel()
	e, err := NewEngine(Config{AllowSpecimen: true, Now: func() time.Time { return time.Date(2010, 1, 1, 0, 0, 0, 0, time.UTC) }})
	require.NoError(t, err)
	dir := testfiles.Path(t, "mrz", "images")
	b, err := os.ReadFile(filepath.Join("testdata", "specimens.json"))
	require.NoError(t, err)
	var labels []specimenLabel
	require.NoError(t, json.Unmarshal(b, &labels))
	judged, splJudged, spliced, mismatched, confirmed, dated := 0, 0, 0, 0, 0, 0
	var notes []string
	for _, l := range labels {
		if !l.Readable {
			continue
		}
		data, err := os.ReadFile(filepath.Join(dir, l.File))
		require.NoError(t, err)
		res, err := e.Analyze(context.Background(), []Image{{Side: SideUnknown, Bytes: data}}, Policy{})
		require.NoError(t, err, l.File)
		judged++
		if res.Splice != nil {
			splJudged++
			notes = append(notes, fmt.Sprintf("%s: hard edges %.2f/%.2f", l.File, res.Splice.HardEdges[0], res.Splice.HardEdges[1]))
		}
		if slices.Contains(res.Reasons, ReasonPortraitSplice) {
			spliced++
			notes = append(notes, l.File+": splice "+strings.Join(res.Reasons, ","))
		}
		if slices.Contains(res.Reasons, ReasonPrintedDateMismatch) {
			mismatched++
			notes = append(notes, l.File+": dates "+res.ValidationErrors[len(res.ValidationErrors)-1].Message)
		}
		if pd := res.PrintedDates; pd != nil && pd.Skipped == "" {
			dated++
			if pd.BirthConfirmed || pd.ExpiryConfirmed {
				confirmed++
			}
			notes = append(notes, l.File+": printed dates "+strings.Join(pd.Read, " "))
		}
	}
	t.Logf("%d readable specimens: portrait border judged on %d, splice flagged %d; visual zone read on %d, an MRZ date confirmed on %d, printed-date mismatch %d\n%s",
		judged, splJudged, spliced, dated, confirmed, mismatched, strings.Join(notes, "\n"))
	require.Zero(t, spliced, "untouched specimens flagged as spliced")
	require.Zero(t, mismatched, "untouched specimens flagged with a date mismatch")
}
