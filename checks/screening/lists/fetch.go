package lists

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"
)

// Official download locations. OFAC sources are a base URL under which the files live.
const (
	URLOFACBase = "https://sanctionslistservice.ofac.treas.gov/api/PublicationPreview/exports"
	URLUN       = "https://scsanctions.un.org/resources/xml/en/consolidated.xml"
	// URLEU needs the token the EU FSF site hands out after registration appended ("?token=…").
	URLEU     = "https://webgate.ec.europa.eu/fsd/fsf/public/files/xmlFullSanctionsList_1_1/content"
	URLUK     = "https://sanctionslist.fcdo.gov.uk/docs/UK-Sanctions-List.csv"
	URLUSCSL  = "https://data.trade.gov/downloadable_consolidated_screening_list/v1/consolidated.csv"
	URLBISDPL = "https://www.bis.doc.gov/dpl/dpl.txt"
)

// DefaultURLs maps each downloadable source to its official URL.
var DefaultURLs = map[string]string{
	SourceOFACSDN:  URLOFACBase,
	SourceOFACCons: URLOFACBase,
	SourceUN:       URLUN,
	SourceEU:       URLEU,
	SourceUK:       URLUK,
	SourceUSCSL:    URLUSCSL,
	SourceBISDPL:   URLBISDPL,
}

// FetchOptions bound a download.
type FetchOptions struct {
	Timeout  time.Duration // whole fetch, all files; 0 = 5 minutes
	MaxBytes int64         // per file; 0 = 512 MiB
}

// Fetch downloads a list from url and parses it. It is all-or-nothing: any HTTP error, timeout,
// oversize body or parse failure returns an error and no list, so a caller keeps serving its
// previous index. For OFAC sources url is the base under which SDN.CSV (required), ADD.CSV,
// ALT.CSV and SDN_COMMENTS.CSV (optional; CONS_* for ofac_cons) live.
func Fetch(ctx context.Context, source, url string, client *http.Client) (LoadedList, error) {
	return FetchWithOptions(ctx, source, url, client, FetchOptions{})
}

// FetchWithOptions is Fetch with explicit limits.
func FetchWithOptions(ctx context.Context, source, url string, client *http.Client, opt FetchOptions) (LoadedList, error) {
	if client == nil {
		client = http.DefaultClient
	}
	if opt.Timeout <= 0 {
		opt.Timeout = 5 * time.Minute
	}
	if opt.MaxBytes <= 0 {
		opt.MaxBytes = 512 << 20
	}
	if url == "" {
		url = DefaultURLs[source]
	}
	if url == "" {
		return LoadedList{}, fmt.Errorf("fetch %s: no URL given and no default for this source", source)
	}
	ctx, cancel := context.WithTimeout(ctx, opt.Timeout)
	defer cancel()
	dir, err := os.MkdirTemp("", "kycd-list-"+source+"-")
	if err != nil {
		return LoadedList{}, fmt.Errorf("fetch %s: temp dir: %w", source, err)
	}
	defer os.RemoveAll(dir)
	fetchedAt := time.Now().UTC()
	var loadPath string
	switch source {
	case SourceOFACSDN, SourceOFACCons:
		f := sdnFiles
		if source == SourceOFACCons {
			f = consFiles
		}
		base := strings.TrimRight(url, "/")
		for i, name := range []string{f.prim, f.add, f.alt, f.comments} {
			err := download(ctx, client, base+"/"+strings.ToUpper(name), filepath.Join(dir, name), opt.MaxBytes)
			if err != nil && (i == 0 || !errors.Is(err, errNotFound)) {
				return LoadedList{}, fmt.Errorf("fetch %s: %w", source, err)
			}
		}
		loadPath = dir
	default:
		if _, ok := fileParsers[source]; !ok {
			return LoadedList{}, fmt.Errorf("fetch: unknown list source %q (known: %v)", source, Sources)
		}
		name := path.Base(strings.SplitN(url, "?", 2)[0])
		if name == "" || name == "." || name == "/" || name == "content" {
			name = source + ".dat"
		}
		loadPath = filepath.Join(dir, name)
		if err := download(ctx, client, url, loadPath, opt.MaxBytes); err != nil {
			return LoadedList{}, fmt.Errorf("fetch %s: %w", source, err)
		}
	}
	l, err := Load(source, loadPath)
	if err != nil {
		return LoadedList{}, fmt.Errorf("fetch %s from %s: %w", source, url, err)
	}
	l.Version.URL = url
	l.Version.Path = ""
	l.Version.FetchedAt = fetchedAt
	return l, nil
}

var errNotFound = errors.New("not found")

func download(ctx context.Context, client *http.Client, url, dst string, max int64) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return fmt.Errorf("GET %s: %w", url, err)
	}
	req.Header.Set("User-Agent", "kycd-screening/1 (+https://github.com/kycd/kycd)")
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("GET %s: %w", url, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusNotFound {
		return fmt.Errorf("GET %s: HTTP 404: %w", url, errNotFound)
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: HTTP %d", url, resp.StatusCode)
	}
	if resp.ContentLength > max {
		return fmt.Errorf("GET %s: %d bytes exceeds the %d-byte limit", url, resp.ContentLength, max)
	}
	f, err := os.Create(dst)
	if err != nil {
		return fmt.Errorf("create %s: %w", dst, err)
	}
	n, err := io.Copy(f, io.LimitReader(resp.Body, max+1))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("GET %s: read body: %w", url, err)
	}
	if n > max {
		return fmt.Errorf("GET %s: body exceeds the %d-byte limit", url, max)
	}
	if n == 0 {
		return fmt.Errorf("GET %s: empty body", url)
	}
	return nil
}
