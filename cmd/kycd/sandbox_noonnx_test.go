//go:build !(onnx && tesseract)

package main

// faceEngine: this build cannot both read passports and compare faces, so the sample-face
// verifications are not decided here (or not made: the seed says which).
const faceEngine = false
