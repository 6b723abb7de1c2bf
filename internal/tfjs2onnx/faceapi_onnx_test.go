//go:build onnx

package tfjs2onnx

import (
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kycd/kycd/checks/face/onnx"
)

// faceAPIReference runs face-api.js's own FaceRecognitionNet (the package's
// bundled build) on a 1×150×150×3 input and returns its descriptor.
func faceAPIReference(t *testing.T, dir string, in []float32) []float32 {
	t.Helper()
	esm := filepath.Join(dir, "dist", "face-api.esm.js")
	_, err := os.Stat(esm)
	require.NoError(t, err, "run scripts/setup/faceapi.sh --test")
	tmp := t.TempDir()
	writeFloats(t, filepath.Join(tmp, "in.bin"), in)
	script, err := filepath.Abs(filepath.Join("testdata", "jsref", "faceapi.mjs"))
	require.NoError(t, err)
	out, err := exec.Command("node", script, esm, filepath.Join(dir, "face_recognition_model-weights_manifest.json"),
		filepath.Join(tmp, "in.bin"), filepath.Join(tmp, "out.bin")).CombinedOutput()
	require.NoError(t, err, "node faceapi.mjs: %s", out)
	return readFloats(t, filepath.Join(tmp, "out.bin"))
}

// TestFaceAPIRecognitionMatchesFaceAPI converts the installed weights the way
// scripts/setup/faceapi.sh does and compares ONNX Runtime's descriptor with
// face-api.js's own code on the same inputs: the graph written from the
// weights manifest must be the network the package runs.
func TestFaceAPIRecognitionMatchesFaceAPI(t *testing.T) {
	dir := filepath.Join(onnx.CacheDir(), "models", FaceAPIDir)
	m, err := LoadFaceAPIRecognition(filepath.Join(dir, "face_recognition_model-weights_manifest.json"))
	require.NoError(t, err, "run scripts/setup/faceapi.sh --test")
	o := Options{NCHW: true, InputName: "input", Batch: 1, Outputs: []string{"descriptor=embedding"}}
	model := runConverted(t, m, o, "faceapi-recognition")

	const side = FaceAPIRecognitionInput
	nhwc := []int64{1, side, side, 3}
	r := rand.New(rand.NewPCG(15, 16))
	noise := make([]float32, side*side*3)
	for i := range noise {
		noise[i] = 255 * r.Float32()
	}
	// A smooth picture with a few dark and bright blobs: activations of the
	// size a face gives, not only noise's.
	smooth := make([]float32, side*side*3)
	for y := 0; y < side; y++ {
		for x := 0; x < side; x++ {
			for c := 0; c < 3; c++ {
				v := 90 + 60*math.Sin(float64(x)/17+float64(c)) + 50*math.Cos(float64(y)/23)
				for _, b := range [][3]float64{{50, 60, -80}, {100, 60, -80}, {75, 110, 70}} {
					d := (float64(x)-b[0])*(float64(x)-b[0]) + (float64(y)-b[1])*(float64(y)-b[1])
					v += b[2] * math.Exp(-d/120)
				}
				smooth[(y*side+x)*3+c] = float32(math.Max(0, math.Min(255, v)))
			}
		}
	}
	var descriptors [][]float32
	for name, in := range map[string][]float32{"noise": noise, "smooth": smooth} {
		want := faceAPIReference(t, dir, in)
		require.Len(t, want, 128, name)
		got, err := model.Run(toNCHW(in, nhwc), 1, 3, side, side)
		require.NoError(t, err)
		g := got["embedding"]
		require.Len(t, g, 128, name)
		d, scale := 0.0, 1.0
		for i := range g {
			d = math.Max(d, math.Abs(float64(g[i])-float64(want[i])))
			scale = math.Max(scale, math.Abs(float64(want[i])))
		}
		require.LessOrEqual(t, d/scale, tolerance, "%s: max abs difference %g", name, d)
		t.Logf("%s: max abs difference %.2g against face-api.js", name, d)
		descriptors = append(descriptors, g)
	}
	require.NotEqual(t, descriptors[0], descriptors[1], "different inputs must give different descriptors")
}
