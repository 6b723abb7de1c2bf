//go:build !tesseract

package main

import "log"

func compareRecognizers(n int, degraded bool) {
	log.Printf("-compare needs Tesseract: go run -tags tesseract ./bench/document -compare %d", n)
}
