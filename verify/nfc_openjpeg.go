package verify

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image/jpeg"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/kycd/kycd/checks/nfc"
)

// OpenJPEG converts JPEG 2000 chip portraits to JPEG with OpenJPEG's opj_decompress (Debian
// package libopenjp2-tools; scripts/setup/nfc.sh installs it). Go has no JPEG 2000 decoder,
// and a cgo binding would put a C image parser in the server process; a separate process
// with a deadline, fed a file in a private temporary folder and run without a shell, keeps a
// hostile codestream's damage to that process.
type OpenJPEG struct {
	// Path is the opj_decompress binary.
	Path string
	// Timeout bounds one conversion (default 10 s).
	Timeout time.Duration
	// MaxPixels bounds the decoded image (default 16 megapixels; chip portraits are far smaller).
	MaxPixels int
}

// FindOpenJPEG looks opj_decompress up on PATH; an error when it is not installed.
func FindOpenJPEG() (*OpenJPEG, error) {
	p, err := exec.LookPath("opj_decompress")
	if err != nil {
		return nil, fmt.Errorf("opj_decompress not found (install libopenjp2-tools): %w", err)
	}
	return &OpenJPEG{Path: p}, nil
}

var (
	jp2Magic = []byte{0, 0, 0, 0x0C, 'j', 'P', ' ', ' ', 0x0D, 0x0A, 0x87, 0x0A}
	j2kMagic = []byte{0xFF, 0x4F, 0xFF, 0x51}
)

// ToJPEG implements nfc.JPEG2000Decoder.
func (o *OpenJPEG) ToJPEG(data []byte) ([]byte, error) {
	ext := ""
	switch {
	case bytes.HasPrefix(data, jp2Magic):
		ext = ".jp2"
	case bytes.HasPrefix(data, j2kMagic):
		ext = ".j2k"
	default:
		return nil, errors.New("not a JPEG 2000 file or codestream")
	}
	timeout, maxPixels := o.Timeout, o.MaxPixels
	if timeout <= 0 {
		timeout = 10 * time.Second
	}
	if maxPixels <= 0 {
		maxPixels = 16 << 20
	}
	dir, err := os.MkdirTemp("", "kycd-jp2-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	in, out := filepath.Join(dir, "in"+ext), filepath.Join(dir, "out.png")
	if err := os.WriteFile(in, data, 0o600); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, o.Path, "-i", in, "-o", out)
	cmd.Dir, cmd.Env = dir, []string{}
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stderr, &stderr
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("opj_decompress: took longer than %v", timeout)
		}
		msg := strings.TrimSpace(stderr.String())
		if len(msg) > 300 {
			msg = msg[len(msg)-300:]
		}
		return nil, fmt.Errorf("opj_decompress: %v: %s", err, msg)
	}
	f, err := os.Open(out)
	if err != nil {
		return nil, fmt.Errorf("opj_decompress wrote no image: %w", err)
	}
	defer f.Close()
	cfg, err := png.DecodeConfig(f)
	if err != nil {
		return nil, fmt.Errorf("opj_decompress output: %w", err)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || cfg.Width*cfg.Height > maxPixels {
		return nil, fmt.Errorf("portrait of %d×%d pixels is over the limit", cfg.Width, cfg.Height)
	}
	if _, err := f.Seek(0, 0); err != nil {
		return nil, err
	}
	img, err := png.Decode(f)
	if err != nil {
		return nil, fmt.Errorf("opj_decompress output: %w", err)
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 95}); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

var _ nfc.JPEG2000Decoder = (*OpenJPEG)(nil)
