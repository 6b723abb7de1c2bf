// Package face is the face engine: detection, a quality gate with actionable
// reasons, 68-point landmarks, landmark-aligned face embeddings, 1:1
// matching (selfie vs document portrait), and duplicate search over stored
// embeddings. It also runs the liveness, pose, eye and age models for the
// liveness and age packages, so each photo is decoded and detected once.
//
// Design: the models come from the npm package faceplugin-face-recognition-js
// 0.0.1 (installed by scripts/setup/onnx.sh); its JavaScript pre-processing was
// re-derived, not copied (its matchFeature, getBestFace and NMS are wrong, and it
// aligns with 3 points; a 5-point similarity alignment is much better). The
// default embedding is dlib's face recognition ResNet (face-api.js's port in
// @vladmandic/face-api, written out as ONNX by internal/tfjs2onnx) on dlib's own
// 150×150 face chip (AlignChip), flip-averaged: out of split it let ten times
// fewer different people through than the previous fusion of FaceRes and
// fr_feature (docs/benchmarks/face.md). The embedding is a slot of one or more
// models (EmbeddingSpec): each sees its own aligned crop, and the weighted
// concatenation of their unit vectors makes one embedding whose cosine is the
// weighted mean of theirs, so matching and the duplicate index need nothing
// special; any ONNX embedding can be configured, with its own threshold, and
// every result names the model SHA-256. A second model (CrossCheck, fr_feature)
// runs beside it and may only veto an accept: averaging its cosine with dlib's
// measured worse, but its mistakes are other ones, so requiring both to agree
// removed nearly all of dlib's out-of-split false accepts at ~1 % more reviews.
// Inference needs the "onnx" build tag; without it New returns
// onnx.ErrNotAvailable, while the pure-Go parts (Index, Embedding, quality
// rules, pose geometry) work in every build.
package face
