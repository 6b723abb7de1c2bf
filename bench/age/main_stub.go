//go:build !onnx

// Command age needs the ONNX runtime: build it with -tags onnx.
package main

import (
	"fmt"
	"os"
)

func main() {
	fmt.Fprintln(os.Stderr, "bench/age: face engine not available in this build; run: go run -tags onnx ./bench/age")
	os.Exit(2)
}
