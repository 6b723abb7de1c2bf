// Package face is the face engine: detection, a quality gate with actionable
// reasons, 68-point landmarks, 5-point aligned ArcFace-style embeddings, 1:1
// matching (selfie vs document portrait), and duplicate search over stored
// embeddings. It also runs the liveness, pose, eye and age models for the
// liveness and age packages, so each photo is decoded and detected once.
//
// Design: the models come from the npm package faceplugin-face-recognition-js
// 0.0.1 (installed by scripts/setup/onnx.sh); its JavaScript pre-processing was
// re-derived, not copied (its matchFeature, getBestFace and NMS are wrong, and it
// aligns with 3 points; a 5-point similarity alignment is much better). The
// embedding model is a slot: any 112×112 → 512-d ArcFace-style ONNX file can be
// configured with its own threshold, and every result names the model file's
// SHA-256. Inference needs the "onnx" build tag; without it New returns
// onnx.ErrNotAvailable, while the pure-Go parts (Index, Embedding, quality
// rules, pose geometry) work in every build.
package face
