//go:build tesseract

package address

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/png"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/otiai10/gosseract/v2"
)

// TesseractAvailable reports whether this build links Tesseract.
const TesseractAvailable = true

// tesseract pools gosseract clients per language set: a client is not safe for concurrent
// use and loading the models costs tens of milliseconds per language. Clients hold C memory
// only Close frees, so the pool is bounded channels, never a sync.Pool.
type tesseract struct {
	mu      sync.Mutex
	pools   map[string]chan *gosseract.Client
	slots   chan struct{}
	version string
}

func newOCR() (ocrEngine, error) {
	n := runtime.GOMAXPROCS(0)
	t := &tesseract{pools: map[string]chan *gosseract.Client{}, slots: make(chan struct{}, n)}
	c := gosseract.NewClient()
	t.version = c.Version()
	_ = c.Close()
	return t, nil
}

func (t *tesseract) Version() string { return t.version }

func (t *tesseract) pool(langs string) chan *gosseract.Client {
	t.mu.Lock()
	defer t.mu.Unlock()
	p := t.pools[langs]
	if p == nil {
		p = make(chan *gosseract.Client, cap(t.slots))
		t.pools[langs] = p
	}
	return p
}

func (t *tesseract) get(ctx context.Context, langs string) (*gosseract.Client, error) {
	p := t.pool(langs)
	for {
		select {
		case c := <-p:
			return c, nil
		default:
		}
		select {
		case t.slots <- struct{}{}:
			return t.newClient(langs)
		default:
		}
		// Every slot is taken. An idle client of another language set gives its slot up, or
		// a set asked for rarely would wait for ever behind the common ones.
		if t.evictIdle(langs) {
			continue
		}
		select {
		case c := <-p:
			return c, nil
		case t.slots <- struct{}{}:
			return t.newClient(langs)
		case <-time.After(100 * time.Millisecond):
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

func (t *tesseract) newClient(langs string) (*gosseract.Client, error) {
	c := gosseract.NewClient()
	if err := c.SetLanguage(langs); err != nil {
		c.Close()
		<-t.slots
		return nil, fmt.Errorf("tesseract language %q: %w", langs, err)
	}
	_ = c.SetPageSegMode(gosseract.PSM_AUTO)
	_ = c.SetVariable("preserve_interword_spaces", "1")
	return c, nil
}

// evictIdle closes one idle client of another language set and frees its slot.
func (t *tesseract) evictIdle(except string) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	for l, p := range t.pools {
		if l == except {
			continue
		}
		select {
		case c := <-p:
			_ = c.Close()
			<-t.slots
			return true
		default:
		}
	}
	return false
}

// Read OCRs one page image and lays the words out as text rows with columns kept apart.
func (t *tesseract) Read(ctx context.Context, img image.Image, langs string) (page, error) {
	if err := ctx.Err(); err != nil {
		return page{}, err
	}
	g := prepare(img)
	var b bytes.Buffer
	if err := png.Encode(&b, g); err != nil {
		return page{}, fmt.Errorf("encode page: %w", err)
	}
	c, err := t.get(ctx, langs)
	if err != nil {
		return page{}, err
	}
	defer func() { t.pool(langs) <- c }()
	if err := c.SetImageFromBytes(b.Bytes()); err != nil {
		return page{}, fmt.Errorf("tesseract set image: %w", err)
	}
	boxes, err := c.GetBoundingBoxesVerbose()
	if err != nil {
		return page{}, fmt.Errorf("tesseract (is tesseract-ocr-%s installed?): %w", langs, err)
	}
	ws := make([]ocrWord, 0, len(boxes))
	for _, bx := range boxes {
		if strings.TrimSpace(bx.Word) == "" {
			continue
		}
		ws = append(ws, ocrWord{text: bx.Word, box: bx.Box, conf: bx.Confidence / 100,
			line: [3]int{bx.BlockNum, bx.ParNum, bx.LineNum}})
	}
	return layout(ws), nil
}
