// Package document turns photos of an identity document into a document
// result: it finds and reads the MRZ, validates it with checks/mrz, locates
// the portrait by layout and judges the document against a per-key Policy.
//
// The MRZ is read by a pure-Go fixed-pitch OCR-B classifier (package ocrb)
// rather than general OCR: the zone is monospaced, so cutting it into cells
// and classifying each cell, with each position restricted to the characters
// ICAO allows there, beats Tesseract's stock model by a wide margin (see
// docs/benchmarks/document.md). Tesseract stays available behind the
// `tesseract` build tag, as a fallback and for comparison.
//
// Only readings whose check digits all agree are trusted, and fields no
// check digit protects (names, state codes) must also have been read with
// confidence; everything else goes to review rather than fail, because a
// misreading is the engine's fault, not the applicant's.
//
//	eng, _ := document.NewEngine(document.Config{})
//	res, err := eng.Analyze(ctx, []document.Image{{Side: document.SideFront, Bytes: jpeg}},
//		document.Policy{MinAge: 18, AllowedDocTypes: []string{document.DocPassport}})
package document
