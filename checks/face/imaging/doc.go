// Package imaging holds the small, pure-Go image operations the face engines
// need: decoding with EXIF orientation, an 8-bit RGB buffer, crop+resize,
// affine warps, a 2-D similarity fit, and the quality statistics (brightness,
// variance of the Laplacian).
//
// Design: images are converted once into a packed RGB buffer because every
// model wants planar float input and image.Image's At() is far too slow for a
// 1-megapixel photo; Go's decoders ignore EXIF orientation, so Decode applies it.
package imaging
