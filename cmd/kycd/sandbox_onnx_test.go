//go:build onnx && tesseract

package main

// faceEngine: this build reads passports and runs the face engine, so the seed makes its
// sample-face verifications.
const faceEngine = true
