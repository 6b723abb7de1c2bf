//go:build tesseract

package main

import (
	"bytes"
	"fmt"
	"image"
	"image/png"
	"log"
	"strings"

	"github.com/otiai10/gosseract/v2"

	"github.com/kycd/kycd/checks/document"
	"github.com/kycd/kycd/checks/document/ocrb"
	"github.com/kycd/kycd/checks/document/synth"
)

// compareRecognizers measures the two recognisers alone on the same zones:
// the finder locates the MRZ of n synthetic documents (clean or degraded),
// then the OCR-B classifier and stock Tesseract (eng, whitelist A–Z0–9<,
// one block, on the straightened zone) each read it once; character error
// rate is against the truth, before any check-digit repair.
func compareRecognizers(n int, degraded bool) {
	m, err := ocrb.DefaultModel()
	if err != nil {
		log.Fatal(err)
	}
	c := gosseract.NewClient()
	defer c.Close()
	if err := c.SetWhitelist(ocrb.Alphabet); err != nil {
		log.Fatal(err)
	}
	if err := c.SetPageSegMode(gosseract.PSM_SINGLE_BLOCK); err != nil {
		log.Fatal(err)
	}
	var chars, errCls, errTess, docs, exactCls, exactTess int
	for s := 0; s < n; s++ {
		kind := synth.TD3
		if s%2 == 1 {
			kind = synth.TD1
		}
		var doc *synth.Document
		var opts synth.Options
		if degraded {
			doc, opts, err = synth.RandomDocument(uint64(s), kind)
		} else {
			opts = synth.Options{Kind: kind}
			doc, err = synth.Generate(uint64(s), opts)
		}
		if err != nil {
			log.Fatal(err)
		}
		img, _, err := image.Decode(bytes.NewReader(doc.MRZImage()))
		if err != nil {
			log.Fatal(err)
		}
		g := ocrb.FromImage(img)
		g = g.Resize(ocrb.WorkingScale(g.W, g.H))
		zones := ocrb.FindZones(g, ocrb.DefaultParams)
		if len(zones) == 0 || len(zones[0].Lines) != len(doc.Lines) || zones[0].Lines[0].N != len(doc.Lines[0]) {
			continue
		}
		z := zones[0]
		if up := opts.Rotation > 90 && opts.Rotation < 270; up {
			z = z.Reverse()
		}
		docs++
		rd := m.ReadZone(g, z)
		rd.Decode(ocrb.Masks(len(rd.Lines), len(rd.Lines[0]), rd.Lines[0][0], rd.Lines[0]))
		var b bytes.Buffer
		if err := png.Encode(&b, document.Straighten(g, z, 32).ToImage()); err != nil {
			log.Fatal(err)
		}
		if err := c.SetImageFromBytes(b.Bytes()); err != nil {
			log.Fatal(err)
		}
		text, err := c.Text()
		if err != nil {
			log.Fatal(err)
		}
		tl := document.MRZLinesFromText(text, len(doc.Lines[0]))
		truth := strings.Join(doc.Lines, "\n")
		chars += len(truth) - len(doc.Lines) + 1
		errCls += levenshtein(strings.Join(rd.Lines, "\n"), truth)
		errTess += levenshtein(strings.Join(tl, "\n"), truth)
		if strings.Join(rd.Lines, "\n") == truth {
			exactCls++
		}
		if strings.Join(tl, "\n") == truth {
			exactTess++
		}
	}
	kind := "clean"
	if degraded {
		kind = "degraded (bench profile)"
	}
	fmt.Printf("### Recognisers alone on the same zones: %s synthetic documents\n\n", kind)
	fmt.Printf("| recogniser | documents | character error rate | zones read exactly |\n|---|---|---|---|\n")
	fmt.Printf("| OCR-B classifier (ocrb-mlp, position masks) | %d | %.3f %% | %d |\n", docs, 100*float64(errCls)/float64(chars), exactCls)
	fmt.Printf("| Tesseract %s eng (whitelist, psm 6, straightened zone) | %d | %.3f %% | %d |\n\n", gosseract.Version(), docs, 100*float64(errTess)/float64(chars), exactTess)
}
