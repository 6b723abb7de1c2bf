package imaging

import (
	"bytes"
	"context"
	"fmt"
	"image"
)

// Decode inspects data (see Inspect), waits for its estimated memory in the process budget,
// decodes it and applies the JPEG EXIF orientation, so the image is upright as a viewer
// shows it (Go's decoders ignore EXIF; phones store pixels sideways). Refusals are *Error;
// a cancelled ctx while waiting returns ctx's error.
func Decode(ctx context.Context, data []byte, field string, lim Limits) (image.Image, Header, error) {
	return DecodeAs(ctx, data, field, lim, func(h Header) int64 {
		if h.Orientation > 1 {
			return 8 // Orient: an RGBA copy of the stored image and the rotated RGBA
		}
		return 0
	}, func(img image.Image, h Header) (image.Image, error) {
		return Orient(img, h.Orientation), nil
	})
}

// DecodeAs is Decode for engines with their own pixel type: convert turns the stored image
// (orientation not applied; h says which) into T while the memory is still reserved, and
// perPixel tells how many bytes a pixel convert allocates, so that is reserved too.
func DecodeAs[T any](ctx context.Context, data []byte, field string, lim Limits,
	perPixel func(Header) int64, convert func(image.Image, Header) (T, error)) (T, Header, error) {
	var zero T
	h, err := Inspect(data, field, lim)
	if err != nil {
		return zero, Header{}, err
	}
	release, err := reserve(ctx, h.Memory+perPixel(h)*int64(h.Width)*int64(h.Height))
	if err != nil {
		return zero, Header{}, fmt.Errorf("wait for image memory: %w", err)
	}
	defer release()
	img, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		return zero, Header{}, refuse(CodeCorrupt, field, "cannot decode %s image: %v", h.Format, err)
	}
	out, err := convert(img, h)
	if err != nil {
		return zero, Header{}, err
	}
	return out, h, nil
}
