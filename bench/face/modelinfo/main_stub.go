//go:build !onnx

// Command modelinfo needs the ONNX runtime: build it with -tags onnx.
package main

import (
	"fmt"
	"os"
)

func main() {
	fmt.Fprintln(os.Stderr, "bench/face/modelinfo: needs the onnx build tag; run: go run -tags onnx ./bench/face/modelinfo")
	os.Exit(2)
}
