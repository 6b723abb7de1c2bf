// Package ocrb finds the machine-readable zone of an identity document and
// reads it with a fixed-pitch OCR-B glyph classifier in pure Go.
//
// The MRZ is monospaced at 10 characters per inch, so instead of general OCR
// the finder fits a regular grid to runs of glyph-sized ink components and a
// small perceptron (model.bin, trained by checks/document/train) classifies
// each grid cell; a misplaced or missing component cannot shift the text.
package ocrb
