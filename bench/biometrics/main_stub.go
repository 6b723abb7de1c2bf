//go:build !onnx

// Command biometrics needs the onnx build tag: go run -tags onnx ./bench/biometrics.
package main

import (
	"fmt"
	"os"
)

func main() {
	fmt.Fprintln(os.Stderr, "biometrics: build with -tags onnx (and run scripts/setup/onnx.sh)")
	os.Exit(2)
}
