// Package tfjs2onnx converts a TensorFlow.js graph model (model.json plus
// weight shards) into an ONNX model that ONNX Runtime can load.
//
// Tensors keep TensorFlow's NHWC layout throughout; only the spatial ops
// (convolutions, pooling) are wrapped in a pair of Transposes, which ONNX
// Runtime's optimiser cancels out. That keeps every elementwise op, reshape
// and reduction exactly as TensorFlow defined it, at no run-time cost. The
// ONNX protobuf is written by hand with protowire: the converter needs only
// a handful of message types and no generated code.
package tfjs2onnx
