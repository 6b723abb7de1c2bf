//go:build onnx

package face

import (
	"errors"
	"fmt"
	"math"
	"path/filepath"

	"github.com/kycd/kycd/checks/face/imaging"
	"github.com/kycd/kycd/checks/face/onnx"
	guard "github.com/kycd/kycd/checks/imaging"
)

// Engine runs the face models. Create it once (loading takes ~1 s) and share
// it: every method is safe for concurrent use.
type Engine struct {
	cfg Config
	rt  *onnx.Runtime

	detect, landmark, liveness, age, eye, pose *onnx.Model
	features                                   []*onnx.Model // one per cfg.Embeddings
	featureInfo                                onnx.ModelInfo
	cross                                      *onnx.Model // cfg.CrossCheck; nil when off
}

// New loads ONNX Runtime and every model named in cfg. A missing library or
// model file is an error naming the file and how to install it.
func New(cfg Config) (*Engine, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	rt, err := onnx.Open(onnx.Options{LibraryPath: cfg.LibraryPath, Threads: cfg.Threads})
	if err != nil {
		return nil, fmt.Errorf("face engine: %w", err)
	}
	e := &Engine{cfg: cfg, rt: rt}
	load := func(dst **onnx.Model, path, name, source string, opt ...onnx.Optimization) {
		if err != nil {
			return
		}
		o := onnx.OptimizeAll
		if len(opt) > 0 {
			o = opt[0]
		}
		*dst, err = rt.Load(path, name, source, o)
	}
	model := func(name string) string { return filepath.Join(cfg.ModelsDir, name+".onnx") }
	load(&e.detect, model(ModelDetect), ModelDetect, ModelSource)
	load(&e.landmark, model(ModelLandmark), ModelLandmark, ModelSource)
	e.features = make([]*onnx.Model, len(cfg.Embeddings))
	for i, spec := range cfg.Embeddings {
		// Level "all" is the fastest for both embeddings with ONNX Runtime 1.24 (it was 3×
		// slower for fr_feature with an older one); see Config.EmbeddingOptimization.
		load(&e.features[i], spec.Path, spec.Name, spec.Source, cfg.EmbeddingOptimization)
	}
	if !cfg.NoCrossCheck {
		load(&e.cross, cfg.CrossCheck.Path, cfg.CrossCheck.Name, cfg.CrossCheck.Source, cfg.EmbeddingOptimization)
	}
	load(&e.liveness, model(ModelLiveness), ModelLiveness, ModelSource)
	load(&e.age, model(ModelAge), ModelAge, ModelSource)
	load(&e.eye, model(ModelEye), ModelEye, ModelSource)
	load(&e.pose, model(ModelPose), ModelPose, ModelSource)
	if err == nil {
		err = e.checkShapes()
	}
	if err == nil {
		e.featureInfo = fusedInfo(cfg.Embeddings, e.features)
	}
	if err != nil {
		_ = e.Close()
		return nil, fmt.Errorf("face engine: %w", err)
	}
	return e, nil
}

// checkShapes verifies the inputs the pre-processing below assumes, so a
// wrong file in the embedding slot fails at start-up, not with garbage.
func (e *Engine) checkShapes() error {
	type want struct {
		m     *onnx.Model
		shape []int64
	}
	checks := []want{
		{e.detect, []int64{1, 3, 240, 320}}, {e.landmark, []int64{1, 1, 64, 64}},
		{e.liveness, []int64{1, 3, 128, 128}},
		{e.age, []int64{1, 3, 64, 64}}, {e.eye, []int64{1, 1, 24, 24}}, {e.pose, []int64{1, 3, 224, 224}},
	}
	for i, m := range e.features {
		n := int64(e.cfg.Embeddings[i].Size)
		checks = append(checks, want{m, []int64{1, 3, n, n}})
	}
	if e.cross != nil {
		n := int64(e.cfg.CrossCheck.Size)
		checks = append(checks, want{e.cross, []int64{1, 3, n, n}})
	}
	for _, c := range checks {
		in := c.m.Inputs()[0].Shape
		if len(in) != len(c.shape) {
			return fmt.Errorf("model %s: input shape %v, want %v", c.m.Info.Name, in, c.shape)
		}
		for i := range in {
			if in[i] != c.shape[i] && in[i] > 0 {
				return fmt.Errorf("model %s: input shape %v, want %v", c.m.Info.Name, in, c.shape)
			}
		}
	}
	return nil
}

// Close frees the sessions and the runtime handle.
func (e *Engine) Close() error {
	var errs []error
	for _, m := range append([]*onnx.Model{e.detect, e.landmark, e.liveness, e.age, e.eye, e.pose, e.cross}, e.features...) {
		errs = append(errs, m.Close())
	}
	if e.rt != nil {
		errs = append(errs, e.rt.Close())
		e.rt = nil
	}
	return errors.Join(errs...)
}

// Threshold is the configured match threshold.
func (e *Engine) Threshold() float64 { return e.cfg.MatchThreshold }

// EmbeddingModel identifies the embedding: the model file, or for a fusion
// a name and hash covering every model and its weight (embeddings made with
// another set are not comparable, and stored ones carry this hash).
func (e *Engine) EmbeddingModel() onnx.ModelInfo { return e.featureInfo }

// CrossCheckModel identifies the cross-check embedding (zero when it is off).
func (e *Engine) CrossCheckModel() onnx.ModelInfo {
	if e.cross == nil {
		return onnx.ModelInfo{}
	}
	return e.cross.Info
}

// Models lists every loaded model file.
func (e *Engine) Models() []onnx.ModelInfo {
	var out []onnx.ModelInfo
	for _, m := range append([]*onnx.Model{e.detect, e.landmark, e.liveness, e.age, e.eye, e.pose}, e.features...) {
		out = append(out, m.Info)
	}
	if e.cross != nil {
		out = append(out, e.cross.Info)
	}
	return out
}

// RuntimeVersion is the loaded ONNX Runtime version.
func (e *Engine) RuntimeVersion() string { return e.rt.Version() }

// Config is the engine's configuration with its defaults filled in, so a check that loads
// models of its own (checks/age) finds them, and the runtime, where the engine does.
func (e *Engine) Config() Config { return e.cfg }

// planar converts an RGB image into a 1×3×H×W tensor; bgr swaps the
// channel order; norm maps a byte of channel c to the model's range.
func planar(m *imaging.RGB, bgr bool, norm func(v uint8, c int) float32) []float32 {
	n := m.W * m.H
	out := make([]float32, 3*n)
	for i := 0; i < n; i++ {
		for c := 0; c < 3; c++ {
			src := c
			if bgr {
				src = 2 - c
			}
			out[c*n+i] = norm(m.Pix[3*i+src], src)
		}
	}
	return out
}

func softmax(v []float32) []float64 {
	mx := math.Inf(-1)
	for _, x := range v {
		mx = math.Max(mx, float64(x))
	}
	out := make([]float64, len(v))
	var s float64
	for i, x := range v {
		out[i] = math.Exp(float64(x) - mx)
		s += out[i]
	}
	for i := range out {
		out[i] /= s
	}
	return out
}

// Detect finds faces, best (highest score) first. The photo is letterboxed
// into the detector's 320×240 input, so faces keep their proportions.
func (e *Engine) Detect(img *imaging.RGB) ([]Box, error) {
	if img == nil {
		return nil, errors.New("detect: no image")
	}
	if img.W < imaging.MinSide || img.H < imaging.MinSide {
		// The photo's fault, typed as every other image refusal so callers answer 422.
		return nil, &guard.Error{Code: guard.CodeTooSmall, Message: fmt.Sprintf("image is %d×%d pixels; at least %d×%d is needed", img.W, img.H, imaging.MinSide, imaging.MinSide)}
	}
	const dw, dh = 320, 240
	scale := math.Min(float64(dw)/float64(img.W), float64(dh)/float64(img.H))
	cw, ch := dw/scale, dh/scale // canvas size in image pixels
	r := imaging.Rect{X: (float64(img.W) - cw) / 2, Y: (float64(img.H) - ch) / 2, W: cw, H: ch}
	in := imaging.CropResize(img, r, dw, dh, [3]uint8{127, 127, 127})
	out, err := e.detect.Run(planar(in, false, func(v uint8, _ int) float32 { return (float32(v) - 127) / 128 }), 1, 3, dh, dw)
	if err != nil {
		return nil, fmt.Errorf("detect: %w", err)
	}
	scores, boxes := out["scores"], out["boxes"]
	if len(scores)*2 != len(boxes) {
		return nil, fmt.Errorf("detect: %d scores for %d box values", len(scores), len(boxes))
	}
	var cand []Box
	for i := 0; i < len(scores)/2; i++ {
		s := float64(scores[2*i+1])
		if s < e.cfg.DetectThreshold {
			continue
		}
		b := Box{
			X1: r.X + float64(boxes[4*i])*cw, Y1: r.Y + float64(boxes[4*i+1])*ch,
			X2: r.X + float64(boxes[4*i+2])*cw, Y2: r.Y + float64(boxes[4*i+3])*ch, Score: s,
		}
		b.X1, b.Y1 = math.Max(b.X1, 0), math.Max(b.Y1, 0)
		b.X2, b.Y2 = math.Min(b.X2, float64(img.W)), math.Min(b.Y2, float64(img.H))
		cand = append(cand, b)
	}
	return NMS(cand, 0.4), nil
}

// square is the landmark model's crop: a square of the box's height around
// its centre (the detector's boxes are taller than wide).
func square(b Box) imaging.Rect {
	s := b.H()
	cx, cy := (b.X1+b.X2)/2, (b.Y1+b.Y2)/2
	return imaging.Rect{X: cx - s/2, Y: cy - s/2, W: s, H: s}
}

// Landmarks predicts the 68 points of the face in box b.
func (e *Engine) Landmarks(img *imaging.RGB, b Box) (Landmarks, error) {
	var l Landmarks
	r := square(b)
	crop := imaging.CropResize(img, r, 64, 64, [3]uint8{})
	g := crop.Gray()
	in := make([]float32, len(g))
	for i, v := range g {
		in[i] = float32(v) / 256
	}
	out, err := e.landmark.Run(in, 1, 1, 64, 64)
	if err != nil {
		return l, fmt.Errorf("landmarks: %w", err)
	}
	pts := out["output"]
	if len(pts) != 136 {
		return l, fmt.Errorf("landmarks: model returned %d values, want 136", len(pts))
	}
	for i := range l {
		l[i] = imaging.Point{X: r.X + float64(pts[2*i])*r.W, Y: r.Y + float64(pts[2*i+1])*r.H}
	}
	return l, nil
}

// Embed computes the face's embedding from the photo and its landmarks:
// each configured model sees its own aligned crop and its mirror image
// (when FlipAverage is on and the model's NoFlip is not), and the unit vectors are concatenated with
// their fusion weights (see EmbeddingSpec.Weight).
func (e *Engine) Embed(img *imaging.RGB, lm *Landmarks) (Embedding, error) {
	if img == nil || lm == nil {
		return nil, errors.New("embed: no image or landmarks")
	}
	parts := make([][]float32, len(e.cfg.Embeddings))
	weights := make([]float64, len(e.cfg.Embeddings))
	for i, spec := range e.cfg.Embeddings {
		crop, err := spec.align(img, lm)
		if err != nil {
			return nil, fmt.Errorf("embed: %w", err)
		}
		if parts[i], err = e.embedCrop(spec, e.features[i], crop); err != nil {
			return nil, err
		}
		weights[i] = spec.Weight
	}
	return Fuse(parts, weights)
}

// CrossEmbed computes the cross-check model's embedding of the face (nil
// when the cross-check is off).
func (e *Engine) CrossEmbed(img *imaging.RGB, lm *Landmarks) (Embedding, error) {
	if e.cross == nil {
		return nil, nil
	}
	if img == nil || lm == nil {
		return nil, errors.New("cross-check embed: no image or landmarks")
	}
	crop, err := e.cfg.CrossCheck.align(img, lm)
	if err != nil {
		return nil, fmt.Errorf("cross-check embed: %w", err)
	}
	v, err := e.embedCrop(e.cfg.CrossCheck, e.cross, crop)
	return Embedding(v), err
}

// embedCrop runs an embedding model on its aligned crop, averaging with the
// mirror image when configured, and returns the unit vector.
func (e *Engine) embedCrop(spec EmbeddingSpec, m *onnx.Model, crop *imaging.RGB) ([]float32, error) {
	in := inputScalings[spec.Input]
	run := func(img *imaging.RGB) ([]float32, error) {
		out, err := m.Run(planar(img, in.bgr, in.scale), 1, 3, int64(spec.Size), int64(spec.Size))
		if err != nil {
			return nil, fmt.Errorf("embed: %w", err)
		}
		for _, v := range out {
			if err := Normalize(v); err != nil {
				return nil, fmt.Errorf("embed %s: %w", spec.Name, err)
			}
			return v, nil
		}
		return nil, fmt.Errorf("embed %s: model has no output", spec.Name)
	}
	v, err := run(crop)
	if err != nil || !*e.cfg.FlipAverage || spec.NoFlip {
		return v, err
	}
	f, err := run(crop.FlipH())
	if err != nil {
		return nil, err
	}
	if len(f) != len(v) {
		return nil, errors.New("embed: mirrored output size differs")
	}
	for i := range v {
		v[i] += f[i]
	}
	if err := Normalize(v); err != nil {
		return nil, fmt.Errorf("embed %s: %w", spec.Name, err)
	}
	return v, nil
}

// contextBox is the Silent-Face style context crop: r grown by scale
// (capped so it fits the image) and shifted, not padded, to lie inside.
func contextBox(img *imaging.RGB, r imaging.Rect, scale float64) imaging.Rect {
	W, H := float64(img.W), float64(img.H)
	scale = math.Min(scale, math.Min((H-1)/r.H, (W-1)/r.W))
	nw, nh := r.W*scale, r.H*scale
	cx, cy := r.X+r.W/2, r.Y+r.H/2
	x0, y0 := cx-nw/2, cy-nh/2
	x0 = math.Max(0, math.Min(x0, W-1-nw))
	y0 = math.Max(0, math.Min(y0, H-1-nh))
	return imaging.Rect{X: x0, Y: y0, W: nw, H: nh}
}

// Liveness is the passive liveness model's probability that the face is a
// live person (class 0 of 3). The model expects BGR bytes unscaled and the
// detector's own (not squared) box grown 2.7×: with the squared box the real
// Silent-Face sample scored 0.35 instead of 0.96.
func (e *Engine) Liveness(img *imaging.RGB, b Box) (float64, error) {
	crop := imaging.CropResize(img, contextBox(img, imaging.Rect{X: b.X1, Y: b.Y1, W: b.W(), H: b.H()}, 2.7), 128, 128, [3]uint8{})
	out, err := e.liveness.Run(planar(crop, true, func(v uint8, _ int) float32 { return float32(v) }), 1, 3, 128, 128)
	if err != nil {
		return 0, fmt.Errorf("liveness: %w", err)
	}
	p := softmax(out["output"])
	if len(p) != 3 {
		return 0, fmt.Errorf("liveness: model returned %d classes, want 3", len(p))
	}
	return p[0], nil
}

var imagenetMean, imagenetStd = [3]float32{0.485, 0.456, 0.406}, [3]float32{0.229, 0.224, 0.225}

func imagenet(v uint8, c int) float32 { return (float32(v)/255 - imagenetMean[c]) / imagenetStd[c] }

// Age estimates age in years (SSR-Net: three stages of soft bins).
func (e *Engine) Age(img *imaging.RGB, b Box) (float64, error) {
	crop := imaging.CropResize(img, contextBox(img, square(b), 1.4), 64, 64, [3]uint8{})
	out, err := e.age.Run(planar(crop, false, imagenet), 1, 3, 64, 64)
	if err != nil {
		return 0, fmt.Errorf("age: %w", err)
	}
	return ssrMerge(out)
}

// ssrMerge combines SSR-Net's stage outputs into one number of years.
func ssrMerge(out map[string][]float32) (float64, error) {
	get := func(name string, n int) ([]float32, error) {
		v := out[name]
		if len(v) != n {
			return nil, fmt.Errorf("age: output %s has %d values, want %d", name, len(v), n)
		}
		return v, nil
	}
	const s, lambdaLocal, lambdaD, V = 3, 1.0, 1.0, 101.0
	denom := 1.0
	total := 0.0
	for stage := 1; stage <= 3; stage++ {
		p, err := get(fmt.Sprintf("prob_stage_%d", stage), s)
		if err != nil {
			return 0, err
		}
		off, err := get(fmt.Sprintf("index_offset_stage%d", stage), s)
		if err != nil {
			return 0, err
		}
		dk, err := get(fmt.Sprintf("stage%d_delta_k", stage), 1)
		if err != nil {
			return 0, err
		}
		var sum float64
		for i := 0; i < s; i++ {
			sum += (float64(i) + lambdaLocal*float64(off[i])) * float64(p[i])
		}
		denom *= s * (1 + lambdaD*float64(dk[0]))
		total += sum / denom
	}
	age := total * V
	if math.IsNaN(age) || math.IsInf(age, 0) {
		return 0, errors.New("age: model produced a non-finite estimate")
	}
	return age, nil
}

// eyeOpenClass is the eye model's output index for "open" (measured on
// open-eyed test photos, see docs/benchmarks/face.md).
const eyeOpenClass = 1

// EyesOpen returns, for the eye on the image's left and right, the eye
// model's probability that it is open.
func (e *Engine) EyesOpen(img *imaging.RGB, l *Landmarks) ([2]float64, error) {
	var res [2]float64
	for k, idx := range [2][6]int{{36, 37, 38, 39, 40, 41}, {42, 43, 44, 45, 46, 47}} {
		var cx, cy float64
		for _, i := range idx {
			cx += l[i].X / 6
			cy += l[i].Y / 6
		}
		size := 1.6 * math.Hypot(l[idx[3]].X-l[idx[0]].X, l[idx[3]].Y-l[idx[0]].Y)
		if size < 2 {
			return res, errors.New("eyes: eye too small to measure")
		}
		crop := imaging.CropResize(img, imaging.Rect{X: cx - size/2, Y: cy - size/2, W: size, H: size}, 24, 24, [3]uint8{})
		g := crop.Gray()
		in := make([]float32, len(g))
		for i, v := range g {
			in[i] = float32(v) / 255
		}
		out, err := e.eye.Run(in, 1, 1, 24, 24)
		if err != nil {
			return res, fmt.Errorf("eyes: %w", err)
		}
		p := softmax(out["output"])
		if len(p) != 2 {
			return res, fmt.Errorf("eyes: model returned %d classes, want 2", len(p))
		}
		res[k] = p[eyeOpenClass]
	}
	return res, nil
}

// HeadPose runs the pose model (66 bins of 3° per angle, Hopenet-style) on
// the box grown by a quarter on each side.
func (e *Engine) HeadPose(img *imaging.RGB, b Box) (Pose, error) {
	w, h := b.W(), b.H()
	x1, y1 := math.Max(0, b.X1-w/4), math.Max(0, b.Y1-h/4)
	x2, y2 := math.Min(float64(img.W), b.X2+w/4), math.Min(float64(img.H), b.Y2+h/4)
	crop := imaging.CropResize(img, imaging.Rect{X: x1, Y: y1, W: x2 - x1, H: y2 - y1}, 224, 224, [3]uint8{})
	out, err := e.pose.Run(planar(crop, false, imagenet), 1, 3, 224, 224)
	if err != nil {
		return Pose{}, fmt.Errorf("pose: %w", err)
	}
	angle := func(name string) (float64, error) {
		v := out[name]
		if len(v) != 66 {
			return 0, fmt.Errorf("pose: output %q has %d bins, want 66", name, len(v))
		}
		var a float64
		for i, p := range softmax(v) {
			a += p * float64(i)
		}
		return a*3 - 99, nil
	}
	yaw, err := angle("output")
	if err != nil {
		return Pose{}, err
	}
	pitch, err := angle("617")
	if err != nil {
		return Pose{}, err
	}
	roll, err := angle("618")
	if err != nil {
		return Pose{}, err
	}
	// The model's yaw grows as the nose turns to the image's left; Pose
	// uses the opposite sign, shared with GeometryPose (checked on mirrored
	// photos in the tests).
	return Pose{Yaw: -yaw, Pitch: pitch, Roll: roll}, nil
}

// policy returns the quality gate for a kind of photo.
func (e *Engine) policy(k Kind) (QualityPolicy, error) {
	switch k {
	case KindSelfie:
		return e.cfg.Selfie, nil
	case KindDocument:
		return e.cfg.Document, nil
	}
	return QualityPolicy{}, fmt.Errorf("unknown photo kind %d", k)
}

// AnalyzeBytes decodes a JPEG/PNG/WebP photo (applying EXIF orientation) and analyses it.
func (e *Engine) AnalyzeBytes(data []byte, kind Kind, want Want) (*Analysis, error) {
	img, err := imaging.Decode(data)
	if err != nil {
		return nil, err
	}
	return e.Analyze(img, kind, want)
}

// Analyze detects faces, judges the best one with the kind's quality gate,
// and computes what want asks for. A failed gate is not an error: the
// Analysis carries the reason, and Face has no embedding.
func (e *Engine) Analyze(img *imaging.RGB, kind Kind, want Want) (*Analysis, error) {
	pol, err := e.policy(kind)
	if err != nil {
		return nil, fmt.Errorf("analyze: %w", err)
	}
	boxes, err := e.Detect(img)
	if err != nil {
		return nil, fmt.Errorf("analyze: %w", err)
	}
	a := &Analysis{Width: img.W, Height: img.H, Detections: boxes, Models: []onnx.ModelInfo{e.detect.Info}}
	if len(boxes) == 0 {
		a.Quality = pol.Judge(Measurements{})
		return a, nil
	}
	best := boxes[0]
	lm, err := e.Landmarks(img, best)
	if err != nil {
		return nil, fmt.Errorf("analyze: %w", err)
	}
	a.Models = append(a.Models, e.landmark.Info)
	f := &Face{Box: best, Landmarks: lm, LandmarkPose: lm.GeometryPose()}
	a.Face = f
	crop := imaging.CropResize(img, imaging.Rect{X: best.X1, Y: best.Y1, W: best.W(), H: best.H()}, 112, 112, [3]uint8{})
	a.Quality = pol.Judge(Measurements{Boxes: boxes, Brightness: crop.MeanLuma(), Sharpness: crop.LaplacianVariance(), Pose: f.LandmarkPose})
	if !a.Quality.OK && !want.IgnoreQuality {
		return a, nil
	}
	if want.Embedding {
		if f.Embedding, err = e.Embed(img, &lm); err != nil {
			return nil, fmt.Errorf("analyze: %w", err)
		}
		for _, m := range e.features {
			a.Models = append(a.Models, m.Info)
		}
		if e.cross != nil && want.CrossCheck {
			if f.CrossCheck, err = e.CrossEmbed(img, &lm); err != nil {
				return nil, fmt.Errorf("analyze: %w", err)
			}
			a.Models = append(a.Models, e.cross.Info)
		}
	}
	if want.Liveness {
		p, err := e.Liveness(img, best)
		if err != nil {
			return nil, fmt.Errorf("analyze: %w", err)
		}
		f.Liveness = &p
		a.Models = append(a.Models, e.liveness.Info)
	}
	if want.Age {
		y, err := e.Age(img, best)
		if err != nil {
			return nil, fmt.Errorf("analyze: %w", err)
		}
		f.Age = &y
		a.Models = append(a.Models, e.age.Info)
	}
	if want.Eyes {
		eyes, err := e.EyesOpen(img, &lm)
		if err != nil {
			return nil, fmt.Errorf("analyze: %w", err)
		}
		f.EyesOpen = &eyes
		a.Models = append(a.Models, e.eye.Info)
	}
	if want.ModelPose {
		p, err := e.HeadPose(img, best)
		if err != nil {
			return nil, fmt.Errorf("analyze: %w", err)
		}
		f.ModelPose = &p
		a.Models = append(a.Models, e.pose.Info)
	}
	return a, nil
}

// Match compares a selfie with a document portrait (both encoded images).
// When either photo fails its quality gate the result says which and why
// instead of a low score.
func (e *Engine) Match(selfie, document []byte) (*MatchResult, error) {
	s, err := e.AnalyzeBytes(selfie, KindSelfie, Want{Embedding: true, CrossCheck: true})
	if err != nil {
		return nil, fmt.Errorf("match: selfie: %w", err)
	}
	d, err := e.AnalyzeBytes(document, KindDocument, Want{Embedding: true, CrossCheck: true})
	if err != nil {
		return nil, fmt.Errorf("match: document: %w", err)
	}
	return e.MatchAnalyses(s, d)
}

// MatchAnalyses scores two analyses made with Want{Embedding: true}.
func (e *Engine) MatchAnalyses(selfie, document *Analysis) (*MatchResult, error) {
	if selfie == nil || document == nil {
		return nil, errors.New("match: missing analysis")
	}
	r := &MatchResult{Threshold: e.cfg.MatchThreshold, Selfie: selfie.Quality, Document: document.Quality,
		Model: e.featureInfo, Models: e.Models()}
	switch {
	case !selfie.Quality.OK:
		r.Reason, r.Message = "selfie:"+selfie.Quality.Reason, "Selfie: "+selfie.Quality.Message
		return r, nil
	case !document.Quality.OK:
		r.Reason, r.Message = "document:"+document.Quality.Reason, "Document portrait: "+document.Quality.Message
		return r, nil
	case selfie.Face == nil || document.Face == nil || selfie.Face.Embedding == nil || document.Face.Embedding == nil:
		return nil, errors.New("match: analyses carry no embeddings (use Want{Embedding: true})")
	}
	score, err := Cosine(selfie.Face.Embedding, document.Face.Embedding)
	if err != nil {
		return nil, fmt.Errorf("match: %w", err)
	}
	r.Score = score
	r.Match = score >= r.Threshold
	if selfie.Face.CrossCheck != nil && document.Face.CrossCheck != nil {
		c, err := Cosine(selfie.Face.CrossCheck, document.Face.CrossCheck)
		if err != nil {
			return nil, fmt.Errorf("match: cross-check: %w", err)
		}
		r.CrossCheckScore = &c
		r.Match = r.Match && c >= e.cfg.CrossCheckThreshold
	}
	return r, nil
}
