// Command load drives POST /api/v1/verifications of a running kycd with C concurrent
// keep-alive connections for a fixed time and prints throughput and latency percentiles.
// It talks only to the URL it is given (use a loopback address) and stops by itself.
//
//	go run ./bench/surfaces/load -url http://127.0.0.1:18080 -key sk_test_… -c 64 -d 20s
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"slices"
	"sync"
	"time"
)

func main() {
	target := flag.String("url", "http://127.0.0.1:18080", "kycd base URL (loopback only)")
	key := flag.String("key", os.Getenv("KYCD_API_KEY"), "API key (default $KYCD_API_KEY)")
	conns := flag.Int("c", 64, "concurrent connections")
	dur := flag.Duration("d", 20*time.Second, "how long to send (at most 5m)")
	warm := flag.Duration("warmup", 2*time.Second, "unmeasured warm-up")
	body := flag.String("body", `{"checks":["screening"],"applicant":{"name":"Load Test","country":"DE"}}`, "request body")
	flag.Parse()
	if err := run(*target, *key, *conns, *dur, *warm, *body); err != nil {
		fmt.Fprintln(os.Stderr, "load:", err)
		os.Exit(1)
	}
}

func run(target, key string, conns int, dur, warm time.Duration, body string) error {
	u, err := url.Parse(target)
	if err != nil {
		return fmt.Errorf("url: %w", err)
	}
	ips, err := net.LookupIP(u.Hostname())
	if err != nil || len(ips) == 0 || !ips[0].IsLoopback() {
		return fmt.Errorf("url: %s is not a loopback address; this tool only loads the local machine", u.Host)
	}
	if key == "" {
		return errors.New("key: required")
	}
	if conns < 1 || conns > 1024 {
		return errors.New("c: 1 to 1024")
	}
	if dur <= 0 || dur > 5*time.Minute {
		return errors.New("d: up to 5m")
	}
	tr := &http.Transport{MaxIdleConns: conns, MaxIdleConnsPerHost: conns, MaxConnsPerHost: conns, DisableCompression: true}
	client := &http.Client{Transport: tr, Timeout: 30 * time.Second}
	endpoint := target + "/api/v1/verifications"

	var mu sync.Mutex
	var lat []time.Duration
	statuses := map[int]int{}
	var errs int
	start := time.Now()
	measureFrom := start.Add(warm)
	ctx, cancel := context.WithDeadline(context.Background(), measureFrom.Add(dur))
	defer cancel()
	var wg sync.WaitGroup
	for range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			local := make([]time.Duration, 0, 4096)
			localStatus := map[int]int{}
			localErrs := 0
			for ctx.Err() == nil {
				req, _ := http.NewRequestWithContext(ctx, "POST", endpoint, bytes.NewReader([]byte(body)))
				req.Header.Set("Authorization", "Bearer "+key)
				req.Header.Set("Content-Type", "application/json")
				t0 := time.Now()
				resp, err := client.Do(req)
				if err != nil {
					if ctx.Err() == nil {
						localErrs++
					}
					continue
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if t0.After(measureFrom) {
					local = append(local, time.Since(t0))
					localStatus[resp.StatusCode]++
				}
			}
			mu.Lock()
			lat = append(lat, local...)
			for k, v := range localStatus {
				statuses[k] += v
			}
			errs += localErrs
			mu.Unlock()
		}()
	}
	wg.Wait()
	if len(lat) == 0 {
		return errors.New("no request completed in the measured window")
	}
	slices.Sort(lat)
	pct := func(p float64) float64 {
		return float64(lat[min(len(lat)-1, int(p*float64(len(lat))))].Microseconds()) / 1000
	}
	out := map[string]any{
		"connections": conns, "seconds": dur.Seconds(), "requests": len(lat),
		"req_per_s": float64(len(lat)) / dur.Seconds(),
		"p50_ms":    pct(0.50), "p90_ms": pct(0.90), "p99_ms": pct(0.99), "max_ms": float64(lat[len(lat)-1].Microseconds()) / 1000,
		"statuses": statuses, "transport_errors": errs,
	}
	b, _ := json.MarshalIndent(out, "", "  ")
	fmt.Println(string(b))
	if statuses[201] != len(lat) {
		return fmt.Errorf("not every response was 201: %v", statuses)
	}
	return nil
}
