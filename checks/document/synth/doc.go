// Package synth renders synthetic TD1 and TD3 identity documents with
// random identities (valid check digits) in OCR-B, a face-like portrait
// placeholder and photo degradations, deterministically from a seed.
//
// The MRZ is drawn glyph by glyph at the ICAO 10 cpi pitch rather than as a
// string, so the rendered zone is exactly monospaced whatever the font's
// advance widths; the OCR-B font is embedded so renders are hermetic.
package synth
