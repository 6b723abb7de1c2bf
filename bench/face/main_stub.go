//go:build !onnx

// Command face needs the ONNX runtime: build it with -tags onnx.
package main

import (
	"fmt"
	"os"
)

func main() {
	fmt.Fprintln(os.Stderr, "bench/face: face engine not available in this build; run: go run -tags onnx ./bench/face <explore|pairs|liveness|speed|stages>")
	os.Exit(2)
}
