package business

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// DefaultBaseURL is GLEIF's public API.
const DefaultBaseURL = "https://api.gleif.org/api/v1"

// Options configure a Client. Zero values mean the documented defaults.
type Options struct {
	BaseURL    string       // default DefaultBaseURL
	HTTPClient *http.Client // default: a client without its own timeout (Timeout below applies)
	// Timeout bounds one attempt (connect to last byte). Default 15s. The caller's
	// context bounds the whole call, retries included.
	Timeout time.Duration
	// MaxAttempts counts the first try. Default 4; 1 disables retries.
	MaxAttempts int
	// BackoffBase and BackoffMax shape the exponential backoff (with jitter) between
	// attempts after a 429, a 5xx or a network error. Defaults 500ms and 8s.
	BackoffBase, BackoffMax time.Duration
	// MaxRetryAfter: a Retry-After longer than this ends the call with ErrUnavailable
	// instead of waiting. Default 60s.
	MaxRetryAfter time.Duration
	// Cache, when set, keeps successful responses for CacheTTL (default 24h).
	Cache    Cache
	CacheTTL time.Duration
	// PageSize for list endpoints (GLEIF allows up to 200). Default 100.
	PageSize int
	// MaxPages bounds pagination of one call. Default 20.
	MaxPages int
	// MaxBodyBytes bounds one response body. Default 16 MiB.
	MaxBodyBytes int64
	UserAgent    string
}

// Client is a GLEIF API v1 (JSON:API) client. It is safe for concurrent use.
type Client struct {
	base *url.URL
	opt  Options
	hc   *http.Client
}

// NewClient returns a client for opt.BaseURL (default DefaultBaseURL).
func NewClient(opt Options) (*Client, error) {
	if opt.BaseURL == "" {
		opt.BaseURL = DefaultBaseURL
	}
	u, err := url.Parse(strings.TrimRight(opt.BaseURL, "/"))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("gleif base URL %q: must be an absolute http(s) URL", opt.BaseURL)
	}
	if opt.Timeout <= 0 {
		opt.Timeout = 15 * time.Second
	}
	if opt.MaxAttempts <= 0 {
		opt.MaxAttempts = 4
	}
	if opt.BackoffBase <= 0 {
		opt.BackoffBase = 500 * time.Millisecond
	}
	if opt.BackoffMax <= 0 {
		opt.BackoffMax = 8 * time.Second
	}
	if opt.MaxRetryAfter <= 0 {
		opt.MaxRetryAfter = 60 * time.Second
	}
	if opt.CacheTTL == 0 {
		opt.CacheTTL = 24 * time.Hour
	}
	if opt.PageSize <= 0 || opt.PageSize > 200 {
		opt.PageSize = 100
	}
	if opt.MaxPages <= 0 {
		opt.MaxPages = 20
	}
	if opt.MaxBodyBytes <= 0 {
		opt.MaxBodyBytes = 16 << 20
	}
	if opt.UserAgent == "" {
		opt.UserAgent = "kycd (+https://github.com/kycd/kycd)"
	}
	hc := opt.HTTPClient
	if hc == nil {
		hc = &http.Client{}
	}
	return &Client{base: u, opt: opt, hc: hc}, nil
}

var _ Source = (*Client)(nil)

// get fetches one JSON:API document. op names the endpoint for errors.
func (c *Client) get(ctx context.Context, op, path string, q url.Values) (*apiDoc, error) {
	u := *c.base
	u.Path = c.base.Path + path
	u.RawQuery = q.Encode()
	key := u.String()
	if c.opt.Cache != nil {
		if body, ok := c.opt.Cache.Get(ctx, key); ok {
			if doc, err := parseDoc(body); err == nil {
				return doc, nil
			}
		}
	}
	body, err := c.fetch(ctx, op, key)
	if err != nil {
		return nil, err
	}
	doc, err := parseDoc(body)
	if err != nil {
		return nil, &APIError{Kind: ErrUnavailable, Op: op, URL: key, Status: http.StatusOK, Detail: "response is not a JSON:API document", Err: err}
	}
	if c.opt.Cache != nil && c.opt.CacheTTL > 0 {
		c.opt.Cache.Set(ctx, key, body, c.opt.CacheTTL)
	}
	return doc, nil
}

func parseDoc(body []byte) (*apiDoc, error) {
	trim := bytes.TrimSpace(body)
	if len(trim) == 0 {
		return nil, errors.New("empty body")
	}
	if trim[0] == '<' {
		return nil, errors.New("got HTML or XML")
	}
	var doc apiDoc
	if err := json.Unmarshal(trim, &doc); err != nil {
		return nil, err
	}
	if doc.Data == nil && doc.Errors == nil {
		return nil, errors.New("neither data nor errors")
	}
	return &doc, nil
}

// fetch performs the GET with retries and returns a 200 body.
func (c *Client) fetch(ctx context.Context, op, rawURL string) ([]byte, error) {
	var last *APIError
	for attempt := 1; ; attempt++ {
		body, status, retryAfter, err := c.once(ctx, rawURL)
		if err == nil && status == http.StatusOK {
			return body, nil
		}
		e := &APIError{Op: op, URL: rawURL, Status: status, RetryAfter: retryAfter, Attempts: attempt}
		retry := false
		switch {
		case err != nil && ctx.Err() != nil:
			e.Kind, e.Err = ErrUnavailable, ctx.Err()
			return nil, e
		case err != nil:
			e.Kind, e.Err, retry = ErrUnavailable, err, true
		case status == http.StatusNotFound:
			e.Kind, e.Detail = ErrNotFound, errorDetail(body)
			return nil, e
		case status == http.StatusTooManyRequests, status == http.StatusBadGateway,
			status == http.StatusServiceUnavailable, status == http.StatusGatewayTimeout,
			status == http.StatusInternalServerError, status == http.StatusRequestTimeout:
			e.Kind, e.Detail, retry = ErrUnavailable, errorDetail(body), true
			if status == http.StatusTooManyRequests {
				e.Detail = strings.TrimPrefix(e.Detail+"; rate limited", "; ")
			}
		case status >= 400 && status < 500:
			e.Kind, e.Detail = ErrBadRequest, errorDetail(body)
			return nil, e
		default:
			e.Kind, e.Detail = ErrUnavailable, fmt.Sprintf("unexpected status; %s", errorDetail(body))
			return nil, e
		}
		last = e
		if !retry || attempt >= c.opt.MaxAttempts {
			return nil, last
		}
		wait := c.backoff(attempt)
		if retryAfter > 0 {
			if retryAfter > c.opt.MaxRetryAfter {
				last.Detail += fmt.Sprintf("; Retry-After %s exceeds the %s we wait", retryAfter, c.opt.MaxRetryAfter)
				return nil, last
			}
			wait = max(wait, retryAfter)
		}
		if dl, ok := ctx.Deadline(); ok && time.Until(dl) < wait {
			last.Detail += fmt.Sprintf("; next attempt (in %s) would pass the deadline", wait.Round(time.Millisecond))
			return nil, last
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			last.Err = errors.Join(last.Err, ctx.Err())
			return nil, last
		case <-t.C:
		}
	}
}

func (c *Client) backoff(attempt int) time.Duration {
	d := c.opt.BackoffBase << (attempt - 1)
	if d > c.opt.BackoffMax || d <= 0 {
		d = c.opt.BackoffMax
	}
	// Half fixed, half jitter, so concurrent workers do not retry in step.
	return d/2 + rand.N(d/2+1)
}

// once performs one attempt. err is a transport error (no usable response).
func (c *Client) once(ctx context.Context, rawURL string) (body []byte, status int, retryAfter time.Duration, err error) {
	actx, cancel := context.WithTimeout(ctx, c.opt.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(actx, http.MethodGet, rawURL, nil)
	if err != nil {
		return nil, 0, 0, err
	}
	req.Header.Set("Accept", "application/vnd.api+json, application/json")
	req.Header.Set("User-Agent", c.opt.UserAgent)
	resp, err := c.hc.Do(req)
	if err != nil {
		return nil, 0, 0, err
	}
	defer resp.Body.Close()
	retryAfter = parseRetryAfter(resp.Header.Get("Retry-After"), time.Now())
	body, err = io.ReadAll(io.LimitReader(resp.Body, c.opt.MaxBodyBytes+1))
	if err != nil {
		return nil, resp.StatusCode, retryAfter, fmt.Errorf("read body: %w", err)
	}
	if int64(len(body)) > c.opt.MaxBodyBytes {
		return nil, resp.StatusCode, retryAfter, fmt.Errorf("body larger than %d bytes", c.opt.MaxBodyBytes)
	}
	return body, resp.StatusCode, retryAfter, nil
}

// parseRetryAfter reads delta-seconds or an HTTP date.
func parseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if n, err := strconv.Atoi(v); err == nil {
		if n < 0 {
			return 0
		}
		return time.Duration(n) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := t.Sub(now); d > 0 {
			return d
		}
	}
	return 0
}

// errorDetail extracts a JSON:API error title, or says what the body was.
func errorDetail(body []byte) string {
	trim := bytes.TrimSpace(body)
	if len(trim) == 0 {
		return ""
	}
	if trim[0] == '<' {
		return "HTML error page"
	}
	var doc apiDoc
	if json.Unmarshal(trim, &doc) == nil && len(doc.Errors) > 0 {
		e := doc.Errors[0]
		s := e.Title
		if e.Detail != "" {
			s += ": " + e.Detail
		}
		if len(s) > 200 {
			s = s[:200]
		}
		return s
	}
	return ""
}

func (c *Client) checkLEI(lei string) (string, error) {
	lei = NormalizeLEI(lei)
	return lei, ValidateLEI(lei)
}

// Record fetches /lei-records/{lei}.
func (c *Client) Record(ctx context.Context, lei string) (*Record, error) {
	lei, err := c.checkLEI(lei)
	if err != nil {
		return nil, err
	}
	r, err := getOptional(ctx, c, lei, "", decodeRecord)
	if err == nil && r == nil {
		return nil, &APIError{Kind: ErrNotFound, Op: "GET /lei-records/{lei}", Detail: "no LEI record " + lei}
	}
	return r, err
}

// Records lists /lei-records with the given filters (e.g. "filter[entity.legalName]"),
// following pagination until limit records (or MaxPages pages). total is the source's
// count of matches.
func (c *Client) Records(ctx context.Context, filters url.Values, limit int) (recs []Record, total int, err error) {
	var out []Record
	total, err = c.paginate(ctx, "GET /lei-records", "/lei-records", filters, limit, func(res apiResource) error {
		r, err := decodeRecord(res)
		if err != nil {
			return err
		}
		out = append(out, *r)
		return nil
	})
	return out, total, err
}

// Search implements Source with /lei-records and the filters filter[entity.legalName],
// filter[entity.jurisdiction] and filter[entity.registeredAs]; one page of q.Limit.
// GLEIF matches jurisdiction and register number as stored ("US-DE", "HRB 13085"), so
// Identify searches by name and number separately and leaves the comparison to Select.
// When the name filter finds nothing, GLEIF's fuzzy completions are tried (searchFuzzy).
func (c *Client) Search(ctx context.Context, q SearchQuery) ([]Record, error) {
	f := url.Values{}
	if s := strings.TrimSpace(q.LegalName); s != "" {
		f.Set("filter[entity.legalName]", s)
	}
	if s := strings.TrimSpace(q.Jurisdiction); s != "" {
		f.Set("filter[entity.jurisdiction]", strings.ToUpper(s))
	}
	if s := strings.TrimSpace(q.RegisteredAs); s != "" {
		f.Set("filter[entity.registeredAs]", s)
	}
	if len(f) == 0 {
		return nil, fmt.Errorf("gleif search: %w: no name, jurisdiction or registration number", ErrBadRequest)
	}
	limit := q.Limit
	if limit <= 0 {
		limit = 20
	}
	recs, _, err := c.Records(ctx, f, limit)
	if err != nil || len(recs) > 0 || q.LegalName == "" || q.RegisteredAs != "" {
		return recs, err
	}
	return c.searchFuzzy(ctx, q, limit)
}

// searchFuzzy is Search's fallback when the legal-name filter finds nothing (a typo, a
// missing word): /fuzzycompletions on entity.legalName, then the suggested records in one
// /lei-records?filter[lei]=… call, filtered by jurisdiction like the first attempt.
func (c *Client) searchFuzzy(ctx context.Context, q SearchQuery, limit int) ([]Record, error) {
	sugg, err := c.FuzzyCompletions(ctx, "entity.legalName", q.LegalName)
	if err != nil {
		return nil, fmt.Errorf("fuzzy fallback: %w", err)
	}
	var leis []string
	for _, s := range sugg {
		if s.LEI != "" && ValidateLEI(s.LEI) == nil && !slices.Contains(leis, s.LEI) && len(leis) < min(limit, 50) {
			leis = append(leis, s.LEI)
		}
	}
	if len(leis) == 0 {
		return nil, nil
	}
	f := url.Values{"filter[lei]": {strings.Join(leis, ",")}}
	if s := strings.TrimSpace(q.Jurisdiction); s != "" {
		f.Set("filter[entity.jurisdiction]", strings.ToUpper(s))
	}
	recs, _, err := c.Records(ctx, f, len(leis))
	if err != nil {
		return nil, fmt.Errorf("fuzzy fallback: %w", err)
	}
	return recs, nil
}

// paginate walks page[number] from 1 while the document's pagination says there is
// more, calling fn per resource, until max resources. It does not follow links.next:
// those carry GLEIF's host, and our base URL may be a mirror or a test server.
func (c *Client) paginate(ctx context.Context, op, path string, filters url.Values, limit int, fn func(apiResource) error) (int, error) {
	if limit <= 0 {
		limit = c.opt.PageSize
	}
	size := min(c.opt.PageSize, limit)
	got, total := 0, 0
	for page := 1; page <= c.opt.MaxPages; page++ {
		q := url.Values{}
		for k, v := range filters {
			q[k] = v
		}
		q.Set("page[size]", strconv.Itoa(size))
		q.Set("page[number]", strconv.Itoa(page))
		doc, err := c.get(ctx, op, path, q)
		if err != nil && page > 1 && errors.Is(err, ErrNotFound) {
			// The list shrank or pagination is inconsistent: what we have is not all.
			return total, &APIError{Kind: ErrUnavailable, Op: op, Status: http.StatusNotFound,
				Detail: fmt.Sprintf("page %d of %d is gone", page, total), Err: err}
		}
		if err != nil {
			return total, err
		}
		rs, err := doc.many()
		if err != nil {
			return total, &APIError{Kind: ErrUnavailable, Op: op, Status: 200, Err: err}
		}
		last := page
		if p := doc.Meta.Pagination; p != nil {
			total, last = p.Total, p.LastPage
		} else {
			total = max(total, got+len(rs))
		}
		for _, r := range rs {
			if got >= limit {
				return total, nil
			}
			if err := fn(r); err != nil {
				return total, &APIError{Kind: ErrUnavailable, Op: op, Status: 200, Err: err}
			}
			got++
		}
		if got >= limit || page >= last || len(rs) == 0 {
			return total, nil
		}
	}
	return total, nil
}

func levelPath(l Level) string {
	if l == Ultimate {
		return "ultimate"
	}
	return "direct"
}

// getOptional fetches one resource of an LEI's sub-path ("" for the record itself) and
// decodes it; a 404 or null data is (nil, nil): GLEIF answers 404 for "no parent".
// The record itself is not optional: there a 404 stays ErrNotFound, with GLEIF's detail.
func getOptional[T any](ctx context.Context, c *Client, lei, sub string, decode func(apiResource) (*T, error)) (*T, error) {
	path, op := "/lei-records/"+lei, "GET /lei-records/{lei}"
	if sub != "" {
		path, op = path+"/"+sub, op+"/"+sub
	}
	doc, err := c.get(ctx, op, path, nil)
	if errors.Is(err, ErrNotFound) && sub != "" {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	res, err := doc.one()
	if err == nil && res == nil {
		return nil, nil
	}
	var v *T
	if err == nil {
		v, err = decode(*res)
	}
	if err != nil {
		return nil, &APIError{Kind: ErrUnavailable, Op: op, URL: path, Status: http.StatusOK, Err: err}
	}
	return v, nil
}

// Parent implements Source with /lei-records/{lei}/{direct|ultimate}-parent-relationship
// and /{direct|ultimate}-parent. (nil, nil) when no parent is reported.
func (c *Client) Parent(ctx context.Context, lei string, level Level) (*Parent, error) {
	lei, err := c.checkLEI(lei)
	if err != nil {
		return nil, err
	}
	lp := levelPath(level)
	rel, err := getOptional(ctx, c, lei, lp+"-parent-relationship", decodeRelationship)
	if rel == nil || err != nil {
		return nil, err
	}
	// The parent's record; missing (404) leaves the edge without a name.
	rec, err := getOptional(ctx, c, lei, lp+"-parent", decodeRecord)
	if err != nil {
		return nil, err
	}
	return &Parent{Relationship: *rel, Record: rec}, nil
}

// ReportingException implements Source with
// /lei-records/{lei}/{direct|ultimate}-parent-reporting-exception.
func (c *Client) ReportingException(ctx context.Context, lei string, level Level) (*ReportingException, error) {
	lei, err := c.checkLEI(lei)
	if err != nil {
		return nil, err
	}
	x, err := getOptional(ctx, c, lei, levelPath(level)+"-parent-reporting-exception", decodeException)
	if x != nil && x.LEI == "" {
		x.LEI = lei
	}
	return x, err
}

// Children implements Source: the child relationships (edges) from
// /{direct|ultimate}-child-relationships, joined with the child records from
// /{direct|ultimate}-children (names for screening), both read up to limit.
func (c *Client) Children(ctx context.Context, lei string, level Level, limit int) (Children, error) {
	lei, err := c.checkLEI(lei)
	if err != nil {
		return Children{}, err
	}
	lp := levelPath(level)
	var out Children
	total, err := c.paginate(ctx, "GET /lei-records/{lei}/"+lp+"-child-relationships",
		"/lei-records/"+lei+"/"+lp+"-child-relationships", nil, limit, func(res apiResource) error {
			rel, err := decodeRelationship(res)
			if err != nil {
				return err
			}
			out.Items = append(out.Items, Child{Relationship: *rel})
			return nil
		})
	if errors.Is(err, ErrNotFound) {
		return Children{}, nil
	}
	if err != nil {
		return Children{}, err
	}
	out.Total = total
	if len(out.Items) == 0 {
		return out, nil
	}
	byLEI := map[string]*Record{}
	_, err = c.paginate(ctx, "GET /lei-records/{lei}/"+lp+"-children",
		"/lei-records/"+lei+"/"+lp+"-children", nil, limit, func(res apiResource) error {
			r, err := decodeRecord(res)
			if err != nil {
				return err
			}
			byLEI[r.LEI] = r
			return nil
		})
	if err != nil && !errors.Is(err, ErrNotFound) {
		return Children{}, err
	}
	for i := range out.Items {
		out.Items[i].Record = byLEI[out.Items[i].Relationship.StartLEI]
	}
	return out, nil
}

// Completion is one suggestion of /autocompletions or /fuzzycompletions; LEI is set when
// the suggestion is a specific record.
type Completion struct {
	Value string `json:"value"`
	LEI   string `json:"lei,omitempty"`
}

// FuzzyCompletions calls /fuzzycompletions?field=…&q=… (field default "entity.legalName").
func (c *Client) FuzzyCompletions(ctx context.Context, field, q string) ([]Completion, error) {
	if field == "" {
		field = "entity.legalName"
	}
	return c.completions(ctx, "/fuzzycompletions", field, q)
}

// AutoCompletions calls /autocompletions?field=…&q=… (field default "fulltext").
func (c *Client) AutoCompletions(ctx context.Context, field, q string) ([]Completion, error) {
	if field == "" {
		field = "fulltext"
	}
	return c.completions(ctx, "/autocompletions", field, q)
}

func (c *Client) completions(ctx context.Context, path, field, q string) ([]Completion, error) {
	q = strings.TrimSpace(q)
	if q == "" {
		return nil, fmt.Errorf("gleif %s: %w: empty query", path, ErrBadRequest)
	}
	if len(q) > 500 {
		return nil, fmt.Errorf("gleif %s: %w: query longer than 500 bytes", path, ErrBadRequest)
	}
	op := "GET " + path
	doc, err := c.get(ctx, op, path, url.Values{"field": {field}, "q": {q}})
	if err != nil {
		return nil, err
	}
	var items []struct {
		Attributes struct {
			Value string `json:"value"`
		} `json:"attributes"`
		Relationships struct {
			LEIRecords struct {
				Data *struct {
					ID string `json:"id"`
				} `json:"data"`
			} `json:"lei-records"`
		} `json:"relationships"`
	}
	if len(doc.Data) > 0 && string(doc.Data) != "null" {
		if err := json.Unmarshal(doc.Data, &items); err != nil {
			return nil, &APIError{Kind: ErrUnavailable, Op: op, Status: 200, Err: err}
		}
	}
	out := make([]Completion, 0, len(items))
	for _, it := range items {
		cpl := Completion{Value: it.Attributes.Value}
		if d := it.Relationships.LEIRecords.Data; d != nil {
			cpl.LEI = d.ID
		}
		out = append(out, cpl)
	}
	return out, nil
}
