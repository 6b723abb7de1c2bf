//go:build tesseract

package document

import (
	"bytes"
	"context"
	"fmt"
	"image/png"
	"math"
	"os"
	"runtime"
	"strings"

	"github.com/otiai10/gosseract/v2"

	"github.com/kycd/kycd/checks/document/ocrb"
)

// TesseractThreadsLimited reports whether OpenMP in libtesseract is limited
// to one thread. libgomp reads OMP_THREAD_LIMIT once, when the shared
// library loads — before any Go code runs — so it must be in the process's
// environment at exec time (Dockerfile, systemd unit, or a re-exec in
// cmd/kycd); os.Setenv from Go is too late (measured: no effect). With the
// limit, one MRZ costs ~2.5× less CPU because Tesseract's threads stop
// fighting the worker pool for the cores.
func TesseractThreadsLimited() bool { return os.Getenv("OMP_THREAD_LIMIT") == "1" }

// tesseract pools gosseract clients: a client is not safe for concurrent
// use, and creating one loads the traineddata (tens of milliseconds). The
// pool is a bounded channel, not a sync.Pool: clients hold C memory that
// only Close frees, so they must never be dropped by the garbage collector.
type tesseract struct {
	idle    chan *gosseract.Client
	slots   chan struct{} // one token per client that may exist
	version string
	lang    string
	prefix  string
	// viz: general text (the visual zone), no MRZ whitelist, sparse-text segmentation.
	viz bool
}

// TesseractAvailable reports whether this build links Tesseract.
const TesseractAvailable = true

func newTesseract(cfg Config) (*tesseract, error) { return newTesseractPool(cfg, false) }

// newTesseractPool makes a client pool for the MRZ (viz false) or for general printed text.
func newTesseractPool(cfg Config, viz bool) (*tesseract, error) {
	n := runtime.GOMAXPROCS(0)
	t := &tesseract{version: gosseract.Version(), lang: cfg.TesseractLanguage, prefix: cfg.TessdataPrefix, viz: viz,
		idle: make(chan *gosseract.Client, n), slots: make(chan struct{}, n)}
	if t.lang == "" {
		t.lang = "eng"
	}
	c, err := t.get(context.Background())
	if err != nil {
		return nil, err
	}
	t.put(c)
	return t, nil
}

// get returns an idle client, creates one while fewer than GOMAXPROCS
// exist, or waits for one to be returned.
func (t *tesseract) get(ctx context.Context) (*gosseract.Client, error) {
	select {
	case c := <-t.idle:
		return c, nil
	default:
	}
	select {
	case c := <-t.idle:
		return c, nil
	case t.slots <- struct{}{}:
		c, err := t.newClient()
		if err != nil {
			<-t.slots
		}
		return c, err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func (t *tesseract) put(c *gosseract.Client) { t.idle <- c }

func (t *tesseract) newClient() (*gosseract.Client, error) {
	c := gosseract.NewClient()
	if t.prefix != "" {
		if err := c.SetTessdataPrefix(t.prefix); err != nil {
			c.Close()
			return nil, fmt.Errorf("tesseract tessdata prefix: %w", err)
		}
	}
	if err := c.SetLanguage(t.lang); err != nil {
		c.Close()
		return nil, fmt.Errorf("tesseract language %q: %w", t.lang, err)
	}
	whitelist, psm := ocrb.Alphabet, gosseract.PSM_SINGLE_BLOCK
	if t.viz {
		whitelist, psm = "", gosseract.PSM_SPARSE_TEXT
	}
	if err := c.SetWhitelist(whitelist); err != nil {
		c.Close()
		return nil, fmt.Errorf("tesseract whitelist: %w", err)
	}
	if err := c.SetPageSegMode(psm); err != nil {
		c.Close()
		return nil, fmt.Errorf("tesseract page segmentation: %w", err)
	}
	// Load the model now so a missing traineddata fails at start-up.
	if err := c.SetImageFromBytes(blankPNG()); err != nil {
		c.Close()
		return nil, fmt.Errorf("tesseract init: %w", err)
	}
	if _, err := c.Text(); err != nil {
		c.Close()
		return nil, fmt.Errorf("tesseract init (is tesseract-ocr-%s installed?): %w", t.lang, err)
	}
	return c, nil
}

func blankPNG() []byte {
	g := ocrb.NewGray(32, 32)
	var b bytes.Buffer
	_ = png.Encode(&b, g.ToImage())
	return b.Bytes()
}

// read straightens the zone into a clean strip (deskewed, cap height 32 px,
// as Tesseract likes) and OCRs it as one block.
// It returns the lines, the mean and the lowest symbol confidence (0–1).
func (t *tesseract) read(ctx context.Context, g *ocrb.Gray, z ocrb.Zone) ([]string, float64, float64, error) {
	if err := ctx.Err(); err != nil {
		return nil, 0, 0, err
	}
	strip := Straighten(g, z, 32)
	var b bytes.Buffer
	if err := png.Encode(&b, strip.ToImage()); err != nil {
		return nil, 0, 0, fmt.Errorf("encode strip: %w", err)
	}
	c, err := t.get(ctx)
	if err != nil {
		return nil, 0, 0, err
	}
	defer t.put(c)
	if err := c.SetImageFromBytes(b.Bytes()); err != nil {
		return nil, 0, 0, fmt.Errorf("tesseract set image: %w", err)
	}
	text, err := c.Text()
	if err != nil {
		return nil, 0, 0, fmt.Errorf("tesseract: %w", err)
	}
	lines := MRZLinesFromText(text, z.Lines[0].N)
	boxes, err := c.GetBoundingBoxes(gosseract.RIL_SYMBOL)
	conf, minConf := 0.0, 0.0
	if err == nil && len(boxes) > 0 {
		minConf = 1
		for _, bx := range boxes {
			conf += bx.Confidence / 100
			minConf = math.Min(minConf, bx.Confidence/100)
		}
		conf /= float64(len(boxes))
	}
	return lines, math.Min(1, conf), minConf, nil
}

// MRZLinesFromText keeps the lines of OCR output that look like MRZ lines
// (at least two thirds of the expected length) and fits them to n characters.
func MRZLinesFromText(text string, n int) []string {
	var out []string
	for _, l := range strings.Split(text, "\n") {
		l = strings.ReplaceAll(strings.TrimSpace(l), " ", "")
		if len(l) < n*2/3 {
			continue
		}
		if len(l) > n {
			l = l[:n]
		}
		out = append(out, l+strings.Repeat("<", n-len(l)))
	}
	return out
}
