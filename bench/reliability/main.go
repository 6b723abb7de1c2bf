// Command reliability measures what issue #17 asks of a running kycd under faults, against a
// server it starts itself (the binary and database given on the command line):
//
//	memory  20 concurrent worst-case image uploads (PNG and JPEG just inside the pixel limit,
//	        generated here) over REST and 20 through the hosted flow; reports the server's
//	        peak RSS (VmHWM) and every status code (none may be 5xx, the server must live)
//	crash   submits N screening verifications, SIGKILLs the server at once, restarts it and
//	        times until every one is decided (orphaned jobs rescued)
//	dbdown  with the server up on PostgreSQL, restarts PostgreSQL (pg_ctlcluster) while
//	        requests run: counts 503s (the promised answer) against anything else, and times
//	        until a creation succeeds again
//
// Usage (see bench/reliability/run.sh):
//
//	reliability -kycd bin/kycd -data DIR [-database-url URL] -list DIR -mode memory|crash|dbdown
package main

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"encoding/json"
	"flag"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

var (
	bin     = flag.String("kycd", "bin/kycd", "the kycd binary")
	dataDir = flag.String("data", "", "data directory (fresh)")
	dbURL   = flag.String("database-url", "", "PostgreSQL URL (empty: the embedded SQLite)")
	list    = flag.String("list", "../shared/testdata/sanctions/ofac_sdn", "an OFAC SDN folder to import")
	mode    = flag.String("mode", "memory", "memory, crash or dbdown")
	n       = flag.Int("n", 200, "verifications in flight for crash")
	cluster = flag.String("pg-cluster", "15 main", "pg_ctlcluster version and name for dbdown")
)

type server struct {
	cmd  *exec.Cmd
	addr string
	key  string
	log  *bytes.Buffer
}

func env() []string {
	e := append(os.Environ(), "KYCD_DATA_DIR="+*dataDir, "KYCD_LOG_LEVEL=warn")
	if *dbURL != "" {
		e = append(e, "KYCD_DATABASE_URL="+*dbURL)
	}
	return e
}

func run(args ...string) string {
	c := exec.Command(*bin, args...)
	c.Env = env()
	out, err := c.Output()
	if err != nil {
		fail("kycd %v: %v", args, err)
	}
	return strings.TrimSpace(string(out))
}

func start(addr, key string) *server {
	s := &server{addr: addr, key: key, log: &bytes.Buffer{}}
	s.cmd = exec.Command(*bin, "serve", "--addr", addr, "--public-url", "http://"+addr)
	s.cmd.Env = env()
	s.cmd.Stdout, s.cmd.Stderr = s.log, s.log
	if err := s.cmd.Start(); err != nil {
		fail("start: %v", err)
	}
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		if r, err := http.Get("http://" + addr + "/health"); err == nil {
			r.Body.Close()
			return s
		}
		time.Sleep(100 * time.Millisecond)
	}
	fail("server did not start: %s", s.log)
	return nil
}

func (s *server) stop(sig syscall.Signal) {
	_ = s.cmd.Process.Signal(sig)
	_ = s.cmd.Wait()
}

// peakRSS is the server's VmHWM in MiB.
func (s *server) peakRSS() float64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", s.cmd.Process.Pid))
	if err != nil {
		return -1
	}
	m := regexp.MustCompile(`VmHWM:\s+(\d+) kB`).FindSubmatch(b)
	if m == nil {
		return -1
	}
	kb, _ := strconv.Atoi(string(m[1]))
	return float64(kb) / 1024
}

func (s *server) call(method, path string, body any, hdr map[string]string) (int, []byte) {
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, "http://"+s.addr+path, rd)
	req.Header.Set("Authorization", "Bearer "+s.key)
	req.Header.Set("Content-Type", "application/json")
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, []byte(err.Error())
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

func freeAddr() string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fail("%v", err)
	}
	defer l.Close()
	return l.Addr().String()
}

func fail(format string, a ...any) {
	fmt.Fprintf(os.Stderr, "reliability: "+format+"\n", a...)
	os.Exit(1)
}

func main() {
	flag.Parse()
	if *dataDir == "" {
		fail("-data is required")
	}
	run("lists", "import", "--source", "ofac_sdn", *list)
	key := run("keys", "create", "--name", "reliability", "--mode", "test", "--rate-limit", "100000000")
	addr := freeAddr()
	s := start(addr, key)
	switch *mode {
	case "memory":
		memory(s)
	case "crash":
		crash(s)
	case "dbdown":
		dbdown(s)
	default:
		fail("unknown -mode %q", *mode)
	}
}

// worstCase are images just inside the limits the header checks enforce (40 megapixels): the
// most each may cost to decode while still being accepted for decoding.
func worstCase() map[string]string {
	const side = 6300 // 39.7 megapixels
	img := image.NewNRGBA(image.Rect(0, 0, side, side))
	for y := 0; y < side; y += 7 {
		for x := 0; x < side; x += 5 {
			img.SetNRGBA(x, y, color.NRGBA{uint8(x), uint8(y), uint8(x ^ y), 255})
		}
	}
	var p, j bytes.Buffer
	if err := (&png.Encoder{CompressionLevel: png.BestSpeed}).Encode(&p, img); err != nil {
		fail("%v", err)
	}
	if err := jpeg.Encode(&j, img, &jpeg.Options{Quality: 40}); err != nil {
		fail("%v", err)
	}
	return map[string]string{
		"png":  "data:image/png;base64," + base64.StdEncoding.EncodeToString(p.Bytes()),
		"jpeg": "data:image/jpeg;base64," + base64.StdEncoding.EncodeToString(j.Bytes()),
	}
}

type verification struct {
	ID        string `json:"id"`
	HostedURL string `json:"hosted_url"`
	Status    string `json:"status"`
}

func create(s *server, checks ...string) verification {
	code, b := s.call("POST", "/api/v1/verifications", map[string]any{"checks": checks, "applicant": map[string]any{"name": "Load Test", "country": "DE"}}, nil)
	if code != 201 {
		fail("create: %d %s", code, b)
	}
	var v verification
	_ = json.Unmarshal(b, &v)
	return v
}

// flowSession gives consent on the verification's hosted page and returns its base path and
// CSRF token, as the page's script would.
func flowSession(s *server, v verification) (string, string) {
	u, _ := url.Parse(v.HostedURL)
	resp, err := http.Get("http://" + s.addr + u.Path)
	if err != nil {
		fail("%v", err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := regexp.MustCompile(`data-csrf="([^"]+)"`).FindSubmatch(page)
	if m == nil {
		fail("no csrf on the intro page")
	}
	csrf := string(m[1])
	form := url.Values{"csrf": {csrf}, "consent": {"yes"}}
	req, _ := http.NewRequest("POST", "http://"+s.addr+u.Path+"/consent", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", "http://"+s.addr)
	cl := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	r2, err := cl.Do(req)
	if err != nil || r2.StatusCode != http.StatusSeeOther {
		fail("consent: %v %v", err, r2)
	}
	r2.Body.Close()
	return u.Path, csrf
}

func memory(s *server) {
	imgs := worstCase()
	fmt.Printf("worst-case images: png %d KB, jpeg %d KB (6300×6300, 39.7 MP)\n", len(imgs["png"])/1024, len(imgs["jpeg"])/1024)
	before := s.peakRSS()
	type res struct {
		surface string
		code    int
	}
	var mu sync.Mutex
	var results []res
	var wg sync.WaitGroup
	start := time.Now()
	for i := 0; i < 20; i++ {
		kind := []string{"png", "jpeg"}[i%2]
		v := create(s, "face_match")
		wg.Add(2)
		go func() {
			defer wg.Done()
			code, _ := s.call("POST", "/api/v1/verifications/"+v.ID+"/selfie", map[string]any{"image": imgs[kind]}, nil)
			mu.Lock()
			results = append(results, res{"rest " + kind, code})
			mu.Unlock()
		}()
		fv := create(s, "face_match")
		base, csrf := flowSession(s, fv)
		go func() {
			defer wg.Done()
			b, _ := json.Marshal(map[string]any{"image": imgs[kind]})
			req, _ := http.NewRequest("POST", "http://"+s.addr+base+"/api/selfie", bytes.NewReader(b))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("X-Kycd-CSRF", csrf)
			req.Header.Set("Origin", "http://"+s.addr)
			resp, err := http.DefaultClient.Do(req)
			code := 0
			if err == nil {
				code = resp.StatusCode
				resp.Body.Close()
			}
			mu.Lock()
			results = append(results, res{"flow " + kind, code})
			mu.Unlock()
		}()
	}
	wg.Wait()
	counts := map[string]int{}
	bad := 0
	for _, r := range results {
		counts[fmt.Sprintf("%s → %d", r.surface, r.code)]++
		if r.code == 0 || r.code >= 500 {
			bad++
		}
	}
	alive := false
	if r, err := http.Get("http://" + s.addr + "/health"); err == nil {
		alive = r.StatusCode == 200
		r.Body.Close()
	}
	fmt.Printf("40 uploads in %.1f s; answers: %v\n", time.Since(start).Seconds(), counts)
	fmt.Printf("peak RSS: %.0f MiB (%.0f MiB before the uploads); 5xx or dropped: %d; server alive: %v\n", s.peakRSS(), before, bad, alive)
	s.stop(syscall.SIGTERM)
	if bad > 0 || !alive {
		os.Exit(1)
	}
}

func crash(s *server) {
	ids := make([]string, 0, *n)
	for i := 0; i < *n; i++ {
		v := create(s, "screening")
		ids = append(ids, v.ID)
	}
	var wg sync.WaitGroup
	for _, id := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s.call("POST", "/api/v1/verifications/"+id+"/submit", map[string]any{}, nil)
		}()
	}
	wg.Wait()
	s.stop(syscall.SIGKILL)
	killed := time.Now()
	s2 := start(s.addr, s.key)
	restarted := time.Since(killed)
	for {
		open := 0
		for _, id := range ids {
			_, b := s2.call("GET", "/api/v1/verifications/"+id, nil, nil)
			var v verification
			_ = json.Unmarshal(b, &v)
			if v.Status == "processing" || v.Status == "pending" || v.Status == "in_progress" {
				open++
			}
		}
		if open == 0 {
			break
		}
		if time.Since(killed) > 10*time.Minute {
			fail("%d verifications still open 10 minutes after the kill", open)
		}
		time.Sleep(500 * time.Millisecond)
	}
	fmt.Printf("%d submitted verifications, server SIGKILLed right after: restarted in %.1f s, all decided %.1f s after the kill\n",
		len(ids), restarted.Seconds(), time.Since(killed).Seconds())
	s2.stop(syscall.SIGTERM)
}

func dbdown(s *server) {
	if *dbURL == "" {
		fail("dbdown needs -database-url")
	}
	stop := make(chan struct{})
	counts := map[int]int{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				code, _ := s.call("POST", "/api/v1/verifications", map[string]any{"checks": []string{"screening"}, "applicant": map[string]any{"name": "Load Test"}}, nil)
				mu.Lock()
				counts[code]++
				mu.Unlock()
				time.Sleep(20 * time.Millisecond)
			}
		}()
	}
	time.Sleep(2 * time.Second)
	parts := strings.Fields(*cluster)
	began := time.Now()
	if out, err := exec.Command("pg_ctlcluster", parts[0], parts[1], "restart").CombinedOutput(); err != nil {
		close(stop)
		wg.Wait()
		fail("pg_ctlcluster restart: %v %s", err, out)
	}
	pgBack := time.Since(began)
	for {
		code, _ := s.call("POST", "/api/v1/verifications", map[string]any{"checks": []string{"screening"}, "applicant": map[string]any{"name": "Load Test"}}, nil)
		if code == 201 {
			break
		}
		if time.Since(began) > 2*time.Minute {
			fail("no creation succeeded 2 minutes after the database restart")
		}
		time.Sleep(100 * time.Millisecond)
	}
	recovered := time.Since(began)
	time.Sleep(time.Second)
	close(stop)
	wg.Wait()
	other := 0
	for code, c := range counts {
		if code != 201 && code != 503 {
			other += c
		}
	}
	fmt.Printf("PostgreSQL restarted in %.1f s; kycd created again %.1f s after the restart began; answers during the run: %v; neither 201 nor 503: %d\n",
		pgBack.Seconds(), recovered.Seconds(), counts, other)
	sc := bufio.NewScanner(bytes.NewReader(s.log.Bytes()))
	panics := 0
	for sc.Scan() {
		if strings.Contains(sc.Text(), "panic") {
			panics++
		}
	}
	fmt.Printf("panics in the server log: %d\n", panics)
	s.stop(syscall.SIGTERM)
	if other > 0 || panics > 0 {
		os.Exit(1)
	}
}
