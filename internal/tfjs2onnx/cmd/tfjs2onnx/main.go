// Command tfjs2onnx converts a TensorFlow.js graph model into an ONNX file.
//
//	tfjs2onnx -in model.json -out model.onnx [-nchw] [-input name] [-batch 1] [-output tf_name=onnx_name ...]
//
// With -faceapi-recognition, -in is instead the weights manifest of
// face-api.js's FaceRecognitionNet (a weights-only format whose network is
// code; see tfjs2onnx.LoadFaceAPIRecognition).
package main

import (
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/kycd/kycd/internal/tfjs2onnx"
)

type list []string

func (l *list) String() string     { return strings.Join(*l, ",") }
func (l *list) Set(v string) error { *l = append(*l, v); return nil }

func main() {
	in := flag.String("in", "", "TensorFlow.js model.json (weight shards beside it)")
	out := flag.String("out", "", "ONNX file to write")
	nchw := flag.Bool("nchw", false, "make the graph input N×C×H×W")
	input := flag.String("input", "", "name of the graph input (default: the placeholder's)")
	batch := flag.Int64("batch", 0, "fix a dynamic batch dimension to this size (0: keep it dynamic)")
	faceAPI := flag.Bool("faceapi-recognition", false, "-in is face-api.js's face_recognition_model-weights_manifest.json")
	var outputs list
	flag.Var(&outputs, "output", "TensorFlow tensor to output, optionally renamed: tf_name=onnx_name (repeatable; default: the signature)")
	flag.Parse()
	if *in == "" || *out == "" {
		fmt.Fprintln(os.Stderr, "usage: tfjs2onnx -in model.json -out model.onnx [-nchw] [-input name] [-batch 1] [-output tf=onnx ...]")
		os.Exit(2)
	}
	load := tfjs2onnx.Load
	if *faceAPI {
		load = tfjs2onnx.LoadFaceAPIRecognition
	}
	if err := run(load, *in, *out, tfjs2onnx.Options{Outputs: outputs, NCHW: *nchw, InputName: *input, Batch: *batch}); err != nil {
		fmt.Fprintln(os.Stderr, "tfjs2onnx:", err)
		os.Exit(1)
	}
}

func run(load func(string) (*tfjs2onnx.Model, error), in, out string, o tfjs2onnx.Options) error {
	m, err := load(in)
	if err != nil {
		return err
	}
	b, err := tfjs2onnx.Convert(m, o)
	if err != nil {
		return fmt.Errorf("%s: %w", in, err)
	}
	tmp := out + ".tmp"
	if err := os.WriteFile(tmp, b, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, out)
}
