//go:build !amd64 || purego

package face

// dot is the inner product of two equal-length vectors.
func dot(a, b []float32) float32 { return dotGo(a, b) }
