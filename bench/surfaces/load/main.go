// Command load drives POST /api/v1/verifications of a running kycd with C concurrent
// keep-alive connections for a fixed time and prints throughput and latency percentiles.
// It talks only to the URL it is given (use a loopback address) and stops by itself.
//
// Without -rate each connection sends its next request when the last is answered (closed
// loop: the server's saturation throughput). With -rate N requests are due at N per second
// whatever the answers do (open loop), and each latency runs from when its request was due,
// so time spent waiting for a free connection counts (no coordinated omission).
//
//	go run ./bench/surfaces/load -url http://127.0.0.1:18080 -key sk_test_… -c 64 -d 20s
//	go run ./bench/surfaces/load -url http://127.0.0.1:18080 -key sk_test_… -c 64 -d 20s -rate 2000
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
	rate := flag.Int("rate", 0, "requests per second, open loop (0: each connection sends when answered)")
	flag.Parse()
	if err := run(*target, *key, *conns, *dur, *warm, *body, *rate); err != nil {
		fmt.Fprintln(os.Stderr, "load:", err)
		os.Exit(1)
	}
}

func run(target, key string, conns int, dur, warm time.Duration, body string, rate int) error {
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
	if rate < 0 || rate > 100_000 {
		return errors.New("rate: 0 to 100000")
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
	// next gives each request the time it is due: now (closed loop), or the pacer's schedule.
	next := func() (time.Time, bool) { return time.Now(), ctx.Err() == nil }
	if rate > 0 {
		due := make(chan time.Time, rate*int((dur+warm)/time.Second+1))
		go pace(ctx, due, start, rate)
		next = func() (time.Time, bool) {
			select {
			case t := <-due:
				return t, true
			case <-ctx.Done():
				return time.Time{}, false
			}
		}
	}
	var wg sync.WaitGroup
	for range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			local := make([]time.Duration, 0, 4096)
			localStatus := map[int]int{}
			localErrs := 0
			for {
				t0, ok := next()
				if !ok {
					break
				}
				req, _ := http.NewRequestWithContext(ctx, "POST", endpoint, bytes.NewReader([]byte(body)))
				req.Header.Set("Authorization", "Bearer "+key)
				req.Header.Set("Content-Type", "application/json")
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
		"rate": rate, "connections": conns, "seconds": dur.Seconds(), "requests": len(lat),
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

// pace puts rate due times a second on due, from start until ctx ends, in 1 ms steps.
func pace(ctx context.Context, due chan<- time.Time, start time.Time, rate int) {
	interval := time.Second / time.Duration(rate)
	tick := time.NewTicker(time.Millisecond)
	defer tick.Stop()
	next := start
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-tick.C:
			for ; !next.After(now); next = next.Add(interval) {
				select {
				case due <- next:
				default: // the buffer holds the whole run; a full one means the run is over
				}
			}
		}
	}
}
