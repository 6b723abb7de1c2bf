package imaging

import (
	"bytes"
	"compress/zlib"
	"context"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"os"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// pngHeader forges a PNG whose IHDR claims w×h pixels of the given depth and colour type,
// with no image data: enough for every guard, the shape of a decompression bomb.
func pngHeader(w, h uint32, depth, colour, interlace byte) []byte {
	var b bytes.Buffer
	b.WriteString("\x89PNG\r\n\x1a\n")
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], w)
	binary.BigEndian.PutUint32(ihdr[4:], h)
	ihdr[8], ihdr[9], ihdr[12] = depth, colour, interlace
	_ = binary.Write(&b, binary.BigEndian, uint32(len(ihdr)))
	chunk := append([]byte("IHDR"), ihdr...)
	b.Write(chunk)
	_ = binary.Write(&b, binary.BigEndian, crc32.ChecksumIEEE(chunk))
	return b.Bytes()
}

// worstPNG is the #17 bomb for real: a complete, valid, uniform 6324×6324 16-bit RGBA PNG,
// ~300 KB compressed and 320 MB decoded. It is written row by row, so building it costs
// one row of memory, not the image.
var worstPNG = sync.OnceValue(func() []byte {
	const side = 6324
	var b bytes.Buffer
	b.Write(pngHeader(side, side, 16, 6, 0))
	var idat bytes.Buffer
	z, _ := zlib.NewWriterLevel(&idat, zlib.BestCompression)
	row := make([]byte, 1+8*side) // filter byte 0, then RGBA at 16 bits
	for i := 1; i < len(row); i += 8 {
		copy(row[i:], []byte{0x80, 0, 0x40, 0, 0x20, 0, 0xFF, 0xFE})
	}
	for y := 0; y < side; y++ {
		_, _ = z.Write(row)
	}
	_ = z.Close()
	chunk := func(typ string, data []byte) {
		_ = binary.Write(&b, binary.BigEndian, uint32(len(data)))
		c := append([]byte(typ), data...)
		b.Write(c)
		_ = binary.Write(&b, binary.BigEndian, crc32.ChecksumIEEE(c))
	}
	chunk("IDAT", idat.Bytes())
	chunk("IEND", nil)
	return b.Bytes()
})

func encodeJPEG(t *testing.T, img image.Image) []byte {
	t.Helper()
	var b bytes.Buffer
	require.NoError(t, jpeg.Encode(&b, img, &jpeg.Options{Quality: 80}))
	return b.Bytes()
}

func encodePNG(t *testing.T, img image.Image) []byte {
	t.Helper()
	var b bytes.Buffer
	require.NoError(t, png.Encode(&b, img))
	return b.Bytes()
}

func TestSniff(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ in, want string }{
		{"\xff\xd8\xff\xe0", "image/jpeg"},
		{"\x89PNG\r\n\x1a\n....", "image/png"},
		{"RIFF\x00\x00\x00\x00WEBPVP8 ", "image/webp"},
		{"RIFF\x00\x00\x00\x00WAVE", ""},
		{"\xff\xd8", ""},
		{"", ""},
	} {
		require.Equal(t, tc.want, Sniff([]byte(tc.in)), "%q", tc.in)
	}
}

func TestInspectRefuses(t *testing.T) {
	t.Parallel()
	var gifBuf bytes.Buffer
	require.NoError(t, gif.Encode(&gifBuf, image.NewPaletted(image.Rect(0, 0, 4, 4), color.Palette{color.Black}), nil))
	grey := encodePNG(t, image.NewGray(image.Rect(0, 0, 100, 100)))
	for _, tc := range []struct {
		name string
		data []byte
		lim  Limits
		code string
		msg  string
	}{
		{"empty", nil, Limits{}, CodeEmpty, "empty"},
		{"too many bytes", grey, Limits{MaxBytes: 100}, CodeTooLarge, "the limit is 100 bytes"},
		{"bomb", pngHeader(100000, 100000, 8, 0, 0), Limits{}, CodeTooMany, "40 megapixels"},
		{"too many pixels for the limits", grey, Limits{MaxPixels: 9999}, CodeTooMany, "100×100"},
		{"a side too long", pngHeader(40000, 10, 8, 0, 0), Limits{}, CodeTooMany, "30000 per side"},
		{"gif not accepted", gifBuf.Bytes(), Limits{}, CodeBadFormat, "not a JPEG, PNG or WebP"},
		{"not an image", []byte("hello, world"), Limits{}, CodeBadFormat, `starting "hello, w"`},
		{"truncated png", grey[:12], Limits{}, CodeCorrupt, "header does not parse"},
		{"zero size", pngHeader(0, 10, 8, 0, 0), Limits{}, CodeCorrupt, "header does not parse"},
		{"16-bit RGBA within the pixel limit", pngHeader(6324, 6324, 16, 6, 0), Limits{}, CodeTooMuch, "16-bit RGBA PNG"},
		{"too small for the engine", pngHeader(7, 300, 8, 2, 0), Limits{MinSide: 8}, CodeTooSmall, "at least 8×8"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := Inspect(tc.data, "images[0].bytes", tc.lim)
			var ie *Error
			require.True(t, errors.As(err, &ie), "want *Error, got %v", err)
			require.Equal(t, tc.code, ie.Code, ie.Message)
			require.Equal(t, "images[0].bytes", ie.Field)
			require.Contains(t, ie.Message, tc.msg)
		})
	}
}

func TestEstimate(t *testing.T) {
	t.Parallel()
	const w, h = 1000, 600
	px := int64(w * h)
	// A progressive header: Go encodes only baseline, and the estimate reads only the SOF.
	progressive := encodeJPEG(t, image.NewGray(image.Rect(0, 0, 64, 48)))
	sof := bytes.Index(progressive, []byte{0xFF, 0xC0})
	require.Positive(t, sof)
	progressive[sof+1] = 0xC2
	webpLossless, err := os.ReadFile("../document/testdata/gopher-doc.1bpp.lossless.webp")
	require.NoError(t, err)
	for _, tc := range []struct {
		name string
		data []byte
		want int64
		kind string
	}{
		{"png 8-bit grey", pngHeader(w, h, 8, 0, 0), px, "8-bit grey PNG"},
		{"png 1-bit grey", pngHeader(w, h, 1, 0, 0), px, "1-bit grey PNG"},
		{"png 16-bit grey", pngHeader(w, h, 16, 0, 0), 2 * px, "16-bit grey PNG"},
		{"png 8-bit RGB is stored RGBA", pngHeader(w, h, 8, 2, 0), 4 * px, "8-bit RGB PNG"},
		{"png 16-bit RGB", pngHeader(w, h, 16, 2, 0), 8 * px, "16-bit RGB PNG"},
		{"png palette, any depth", encodePNG(t, image.NewPaletted(image.Rect(0, 0, w, h), color.Palette{color.Black, color.White})), px, "1-bit palette PNG"},
		{"png 8-bit grey+alpha", pngHeader(w, h, 8, 4, 0), 4 * px, "8-bit grey+alpha PNG"},
		{"png 16-bit RGBA", pngHeader(w, h, 16, 6, 0), 8 * px, "16-bit RGBA PNG"},
		{"png interlaced doubles", pngHeader(w, h, 8, 6, 1), 8 * px, "8-bit RGBA PNG"},
		// 4:2:0: Y 1008×608 (MCU 16×16 padding) plus two 504×304 chroma planes.
		{"jpeg 4:2:0", encodeJPEG(t, image.NewYCbCr(image.Rect(0, 0, w, h), image.YCbCrSubsampleRatio420)), 1008*608 + 2*504*304, "3-component JPEG"},
		{"jpeg grey", encodeJPEG(t, image.NewGray(image.Rect(0, 0, w, h))), 1000 * 600, "1-component JPEG"},
		// 64×48 grey, progressive: a plane plus its int32 coefficients.
		{"jpeg progressive", progressive, 5 * 64 * 48, "progressive 1-component JPEG"},
		{"webp lossless", webpLossless, -1, "lossless WebP"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			hd, err := Inspect(tc.data, "image", Limits{MaxMemory: 1 << 40})
			require.NoError(t, err)
			if tc.want < 0 {
				tc.want = 8 * int64(hd.Width) * int64(hd.Height)
			}
			require.Equal(t, tc.want, hd.Memory)
			_, kind, err := estimate(hd.Format, tc.data, hd.Width, hd.Height)
			require.NoError(t, err)
			require.Equal(t, tc.kind, kind)
		})
	}
}

// The estimate is an upper bound of what the decoder really allocates, up to the decoders'
// fixed overhead (zlib's 32 KiB window and tables, bufio, two row buffers: measured 64.7 KiB for
// a 300×200 palette PNG), which decoderSlack allows for.
func TestEstimateBoundsTheDecoder(t *testing.T) {
	const decoderSlack = 96 << 10
	for _, img := range []image.Image{
		image.NewNRGBA64(image.Rect(0, 0, 300, 200)),
		image.NewNRGBA(image.Rect(0, 0, 300, 200)),
		image.NewGray(image.Rect(0, 0, 300, 200)),
		image.NewPaletted(image.Rect(0, 0, 300, 200), color.Palette{color.Black, color.White}),
	} {
		data := encodePNG(t, img)
		h, err := Inspect(data, "image", Limits{})
		require.NoError(t, err)
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		_, _, err = image.Decode(bytes.NewReader(data))
		require.NoError(t, err)
		runtime.ReadMemStats(&after)
		pixels := int64(after.TotalAlloc - before.TotalAlloc)
		require.GreaterOrEqual(t, h.Memory+decoderSlack, pixels, "%T: estimated %d, allocated %d", img, h.Memory, pixels)
		require.Less(t, h.Memory, 3*pixels, "%T: the estimate should not be wildly high", img)
	}
}

// The #17 file: 16-bit RGBA at 6324×6324 passes the pixel limit but not the memory limit.
func TestWorstCasePNGRefusedBeforeDecoding(t *testing.T) {
	t.Parallel()
	data := worstPNG()
	require.Less(t, len(data), 1<<20, "the bomb is small on the wire")
	_, err := Inspect(data, "selfie", Limits{})
	var ie *Error
	require.ErrorAs(t, err, &ie)
	require.Equal(t, CodeTooMuch, ie.Code)
	require.Equal(t, "selfie", ie.Field)
	require.Contains(t, ie.Error(), "selfie: image would take about 305.1 MB of memory to decode (6324×6324 16-bit RGBA PNG)")
}

// Twenty concurrent worst-case uploads are all refused from their headers: the heap never
// grows by anything like one decoded image (320 MB).
func TestConcurrentWorstCaseStaysBounded(t *testing.T) {
	data := worstPNG()
	runtime.GC()
	var base runtime.MemStats
	runtime.ReadMemStats(&base)
	var peak uint64
	stop := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		var m runtime.MemStats
		for {
			runtime.ReadMemStats(&m)
			peak = max(peak, m.HeapInuse)
			select {
			case <-stop:
				return
			default:
				runtime.Gosched()
			}
		}
	}()
	var wg sync.WaitGroup
	errs := make([]error, 20)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, _, errs[i] = Decode(context.Background(), data, "frames", Limits{})
		}()
	}
	wg.Wait()
	close(stop)
	<-sampled
	for _, err := range errs {
		var ie *Error
		require.ErrorAs(t, err, &ie)
		require.Equal(t, CodeTooMuch, ie.Code)
	}
	require.Less(t, int64(peak)-int64(base.HeapInuse), int64(64<<20), "heap grew from %d to %d", base.HeapInuse, peak)
}

// Images the budget admits are decoded, never more at once than it allows.
func TestDecodesShareTheBudget(t *testing.T) {
	img := image.NewNRGBA(image.Rect(0, 0, 512, 512)) // 1 MiB decoded
	data := encodePNG(t, img)
	b := newBudget(3 << 20) // three at a time
	var mu sync.Mutex
	var held, most int64
	var wg sync.WaitGroup
	for i := 0; i < 12; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			h, err := Inspect(data, "image", Limits{})
			require.NoError(t, err)
			release, err := b.acquire(context.Background(), h.Memory)
			require.NoError(t, err)
			mu.Lock()
			held += h.Memory
			most = max(most, held)
			mu.Unlock()
			_, _, err = image.Decode(bytes.NewReader(data))
			require.NoError(t, err)
			mu.Lock()
			held -= h.Memory
			mu.Unlock()
			release()
		}()
	}
	wg.Wait()
	require.LessOrEqual(t, most, int64(3<<20))
	require.Zero(t, b.inUse())
}

func TestBudgetWaitsAndLeavesOnCancel(t *testing.T) {
	t.Parallel()
	b := newBudget(100)
	ctx := context.Background()
	r1, err := b.acquire(ctx, 60)
	require.NoError(t, err)

	// Beyond the budget: waits until the first is released.
	got := make(chan func())
	go func() {
		r, err := b.acquire(ctx, 60)
		if err == nil {
			got <- r
		}
	}()
	waitWaiters(t, b, 1)
	select {
	case <-got:
		t.Fatal("acquired beyond the budget")
	default:
	}

	// A cancelled waiter leaves the queue and takes nothing.
	cctx, cancel := context.WithCancel(ctx)
	left := make(chan error)
	go func() {
		_, err := b.acquire(cctx, 30)
		left <- err
	}()
	waitWaiters(t, b, 2)
	cancel()
	require.ErrorIs(t, <-left, context.Canceled)
	waitWaiters(t, b, 1)
	require.Equal(t, int64(60), b.inUse())

	r1()
	r2 := <-got
	require.Equal(t, int64(60), b.inUse())
	r2()
	require.Zero(t, b.inUse())

	// A request larger than the budget is capped to it, so it cannot wait for ever.
	r3, err := b.acquire(ctx, 1<<40)
	require.NoError(t, err)
	require.Equal(t, int64(100), b.inUse())
	r3()
}

func waitWaiters(t *testing.T, b *budget, n int) {
	t.Helper()
	require.Eventually(t, func() bool {
		b.mu.Lock()
		defer b.mu.Unlock()
		return b.waiters.Len() == n
	}, 10*time.Second, time.Millisecond)
}

func TestSetMemoryBudgetCapsThePerImageLimit(t *testing.T) {
	// Not parallel: it changes the process budget.
	defer SetMemoryBudget(0)
	SetMemoryBudget(8 << 20)
	require.Equal(t, int64(8<<20), MemoryBudget())
	_, err := Inspect(pngHeader(2000, 2000, 8, 6, 0), "image", Limits{}) // 16 MB decoded
	var ie *Error
	require.ErrorAs(t, err, &ie)
	require.Equal(t, CodeTooMuch, ie.Code)
	require.Contains(t, ie.Message, "the limit is 8.0 MB")
	SetMemoryBudget(0)
	require.Equal(t, int64(DefaultMemoryBudget), MemoryBudget())
}

func TestTinyImages(t *testing.T) {
	t.Parallel()
	for side := 1; side <= 7; side++ {
		data := encodePNG(t, image.NewNRGBA(image.Rect(0, 0, side, side)))
		_, _, err := Decode(context.Background(), data, "image_a", Limits{MinSide: 8})
		var ie *Error
		require.ErrorAs(t, err, &ie, "%d×%d", side, side)
		require.Equal(t, CodeTooSmall, ie.Code)
		require.Equal(t, "image_a", ie.Field)
		img, _, err := Decode(context.Background(), data, "image_a", Limits{})
		require.NoError(t, err, "without a minimum, %d×%d decodes", side, side)
		require.Equal(t, side, img.Bounds().Dx())
	}
}

// The generated bomb is a real PNG: its header reads as the decoder would see it.
func TestWorstPNGIsValid(t *testing.T) {
	t.Parallel()
	cfg, err := png.DecodeConfig(bytes.NewReader(worstPNG()))
	require.NoError(t, err)
	require.Equal(t, 6324, cfg.Width)
	require.Equal(t, color.NRGBA64Model, cfg.ColorModel)
	t.Logf("%d bytes on the wire", len(worstPNG()))
}
