package address

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
)

// PDF limits.
const (
	MaxPDFBytes = 20 << 20
	MaxPDFPages = 20
	// OCRPages is how many pages of an image-only PDF are rendered and read.
	OCRPages = 3
	// TextPages is how many pages of a text-layer PDF are read.
	TextPages = 3
	// pdfTimeout bounds each poppler run; pdfMemory its address space.
	pdfTimeout = 20 * time.Second
	pdfMemory  = 1 << 30
)

// Error is a refusal of a document the caller can fix: a field and a code.
type Error struct {
	Code, Field, Message string
}

func (e *Error) Error() string { return e.Field + ": " + e.Message }

// Codes of *Error.
const (
	CodeUnsupported = "document_unsupported_format"
	CodeEncrypted   = "document_encrypted"
	CodeTooLarge    = "document_too_large"
	CodeTooMany     = "document_too_many_pages"
	CodeMalformed   = "document_malformed"
	CodeEmpty       = "document_empty"
)

func refuse(code, format string, args ...any) *Error {
	return &Error{Code: code, Field: "document", Message: fmt.Sprintf(format, args...)}
}

// ErrNoPoppler is returned for PDFs when pdftotext/pdftoppm are not installed.
var ErrNoPoppler = errors.New("address: poppler-utils (pdftotext, pdftoppm) not installed; run scripts/setup/address.sh")

// poppler runs the poppler-utils programs on one PDF, without a shell, each under a
// timeout and (through util-linux prlimit when present) an address-space and CPU limit,
// so a hostile PDF costs at most that.
type poppler struct {
	pdftotext, pdftoppm, pdfinfo, prlimit string
}

func findPoppler() (*poppler, error) {
	p := &poppler{}
	var err error
	if p.pdftotext, err = exec.LookPath("pdftotext"); err != nil {
		return nil, ErrNoPoppler
	}
	if p.pdftoppm, err = exec.LookPath("pdftoppm"); err != nil {
		return nil, ErrNoPoppler
	}
	if p.pdfinfo, err = exec.LookPath("pdfinfo"); err != nil {
		return nil, ErrNoPoppler
	}
	p.prlimit, _ = exec.LookPath("prlimit")
	return p, nil
}

func (p *poppler) run(ctx context.Context, prog string, args ...string) ([]byte, []byte, error) {
	ctx, cancel := context.WithTimeout(ctx, pdfTimeout)
	defer cancel()
	var cmd *exec.Cmd
	if p.prlimit != "" {
		a := append([]string{"--as=" + strconv.Itoa(pdfMemory), "--cpu=" + strconv.Itoa(int(pdfTimeout/time.Second)), "--", prog}, args...)
		cmd = exec.CommandContext(ctx, p.prlimit, a...)
	} else {
		cmd = exec.CommandContext(ctx, prog, args...)
	}
	cmd.Env = []string{"PATH=/usr/bin:/bin", "LANG=C.UTF-8"}
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	if ctx.Err() == context.DeadlineExceeded {
		return nil, errb.Bytes(), refuse(CodeMalformed, "the PDF took too long to read (over %s)", pdfTimeout)
	}
	return out.Bytes(), errb.Bytes(), err
}

type pdfInfo struct {
	pages     int
	encrypted bool
}

var pagesRe = regexp.MustCompile(`(?m)^Pages:\s+([0-9]+)`)
var encRe = regexp.MustCompile(`(?m)^Encrypted:\s+yes`)

// pdfDoc is a PDF written to a private temporary directory for poppler to read.
type pdfDoc struct {
	dir, path string
	info      pdfInfo
}

func (p *poppler) open(ctx context.Context, data []byte) (*pdfDoc, error) {
	if len(data) > MaxPDFBytes {
		return nil, refuse(CodeTooLarge, "the PDF is %d bytes; the limit is %d MB", len(data), MaxPDFBytes>>20)
	}
	if !bytes.Contains(data[max(0, len(data)-2048):], []byte("%%EOF")) && !bytes.Contains(data, []byte("%%EOF")) {
		return nil, refuse(CodeMalformed, "the PDF is truncated or malformed (no end-of-file marker)")
	}
	dir, err := os.MkdirTemp("", "kycd-address-")
	if err != nil {
		return nil, fmt.Errorf("temp dir: %w", err)
	}
	d := &pdfDoc{dir: dir, path: filepath.Join(dir, "in.pdf")}
	if err := os.WriteFile(d.path, data, 0o600); err != nil {
		d.close()
		return nil, fmt.Errorf("write pdf: %w", err)
	}
	out, stderr, err := p.run(ctx, p.pdfinfo, d.path)
	se := string(stderr)
	if strings.Contains(se, "Incorrect password") || strings.Contains(se, "ncrypt") {
		d.close()
		return nil, refuse(CodeEncrypted, "the PDF is encrypted (password-protected); send an unprotected copy")
	}
	if err != nil {
		d.close()
		var re *Error
		if errors.As(err, &re) {
			return nil, re
		}
		return nil, refuse(CodeMalformed, "the PDF cannot be read: %s", firstLine(se))
	}
	if m := pagesRe.FindSubmatch(out); m != nil {
		d.info.pages, _ = strconv.Atoi(string(m[1]))
	}
	d.info.encrypted = encRe.Match(out)
	if d.info.encrypted {
		d.close()
		return nil, refuse(CodeEncrypted, "the PDF is encrypted; send an unprotected copy")
	}
	if d.info.pages < 1 {
		d.close()
		return nil, refuse(CodeMalformed, "the PDF has no pages")
	}
	if d.info.pages > MaxPDFPages {
		d.close()
		return nil, refuse(CodeTooMany, "the PDF has %d pages; at most %d are accepted (send the page with the address)", d.info.pages, MaxPDFPages)
	}
	return d, nil
}

func (d *pdfDoc) close() { _ = os.RemoveAll(d.dir) }

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	if len(s) > 200 {
		s = s[:200]
	}
	return s
}

// text returns the text layer of the first pages, laid out as printed (columns kept apart).
func (p *poppler) text(ctx context.Context, d *pdfDoc) ([]string, error) {
	last := min(d.info.pages, TextPages)
	out, stderr, err := p.run(ctx, p.pdftotext, "-layout", "-enc", "UTF-8", "-f", "1", "-l", strconv.Itoa(last), d.path, "-")
	if err != nil {
		var re *Error
		if errors.As(err, &re) {
			return nil, re
		}
		return nil, refuse(CodeMalformed, "the PDF's text cannot be read: %s", firstLine(string(stderr)))
	}
	pages := strings.Split(string(out), "\f")
	var res []string
	for _, pg := range pages {
		if strings.TrimSpace(pg) != "" {
			res = append(res, pg)
		}
	}
	return res, nil
}

// render draws pages first..last as 8-bit grey PNGs at dpi, returned in page order.
func (p *poppler) render(ctx context.Context, d *pdfDoc, first, last, dpi int) ([][]byte, error) {
	prefix := filepath.Join(d.dir, "page")
	_, stderr, err := p.run(ctx, p.pdftoppm, "-r", strconv.Itoa(dpi), "-gray", "-png", "-f", strconv.Itoa(first), "-l", strconv.Itoa(last), d.path, prefix)
	if err != nil {
		var re *Error
		if errors.As(err, &re) {
			return nil, re
		}
		return nil, refuse(CodeMalformed, "the PDF's pages cannot be drawn: %s", firstLine(string(stderr)))
	}
	names, _ := filepath.Glob(prefix + "-*.png")
	sort.Slice(names, func(i, j int) bool {
		return pageNo(names[i]) < pageNo(names[j])
	})
	var out [][]byte
	for _, n := range names {
		b, err := os.ReadFile(n)
		if err != nil {
			return nil, fmt.Errorf("read page: %w", err)
		}
		out = append(out, b)
		_ = os.Remove(n)
	}
	if len(out) == 0 {
		return nil, refuse(CodeMalformed, "the PDF's pages cannot be drawn")
	}
	return out, nil
}

func pageNo(name string) int {
	base := strings.TrimSuffix(filepath.Base(name), ".png")
	i := strings.LastIndexByte(base, '-')
	n, _ := strconv.Atoi(base[i+1:])
	return n
}
