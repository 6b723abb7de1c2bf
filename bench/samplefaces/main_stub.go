//go:build !onnx

// Command samplefaces needs the face engine: build it with -tags onnx.
package main

import (
	"fmt"
	"os"
)

func main() {
	fmt.Fprintln(os.Stderr, "bench/samplefaces: face engine not available in this build; run: go run -tags onnx ./bench/samplefaces")
	os.Exit(2)
}
