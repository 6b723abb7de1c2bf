// Package imaging holds the small, pure-Go pixel operations the face engines need: an 8-bit
// RGB buffer, crop+resize, affine warps, a 2-D similarity fit, and the quality statistics
// (brightness, variance of the Laplacian). Decoding, its guards and EXIF orientation are
// checks/imaging's; Decode here only turns their result into RGB.
//
// Design: images are converted once into a packed RGB buffer because every model wants
// planar float input and image.Image's At() is far too slow for a 1-megapixel photo.
package imaging
