// Command business measures how fast the Golden Copy reader parses GLEIF's level-1 file,
// parse only (the database insert comes later). GLEIF's full LEI-CDF file has about
// 2.9 million records; the goal is under 5 minutes for all of them on 2 cores.
//
//	nice -n 10 go run ./bench/business -n 1000000            # synthetic rows, in memory
//	nice -n 10 go run ./bench/business -file lei2.csv.zip    # a real Golden Copy file
//	nice -n 10 go run ./bench/business -n 300000 -load       # also load into the in-memory register
//	go run ./bench/business -n 1000000 -write /tmp/lei2.csv.zip  # write the synthetic file (zipped by name), then
//	nice -n 10 go run ./bench/business -file /tmp/lei2.csv.zip    # parse it as GLEIF's zip would be
//
// Wall time depends on what else runs on the machine; CPU time (user+system of this
// process) is the steadier figure, and both are printed.
package main

import (
	"archive/zip"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"time"

	"github.com/kycd/kycd/checks/business"
	"github.com/kycd/kycd/checks/business/goldencopy"
)

const fullFile = 2_900_000

func main() {
	n := flag.Int("n", 1_000_000, "synthetic records to parse (ignored with -file)")
	file := flag.String("file", "", "a real Golden Copy LEI-CDF file (.csv or .zip) to parse instead")
	load := flag.Bool("load", false, "also put every record into a MemRegister (needs memory)")
	write := flag.String("write", "", "write the synthetic file here (zipped when the name ends in .zip) and exit")
	flag.Parse()
	if *write != "" {
		if err := writeFile(*write, *n); err != nil {
			fmt.Fprintln(os.Stderr, "error:", err)
			os.Exit(1)
		}
		return
	}
	if err := run(*n, *file, *load); err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(1)
	}
}

func writeFile(path string, n int) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	src, _ := goldencopy.SyntheticLEIFile(n)
	var w io.Writer = f
	var zw *zip.Writer
	if strings.HasSuffix(path, ".zip") {
		zw = zip.NewWriter(f)
		if w, err = zw.Create(strings.TrimSuffix(filepath.Base(path), ".zip")); err != nil {
			return err
		}
	}
	if _, err := io.Copy(w, src); err != nil {
		return err
	}
	if zw != nil {
		if err := zw.Close(); err != nil {
			return err
		}
	}
	return f.Close()
}

type counter struct {
	io.Reader
	n int64
}

// Read counts the bytes read.
func (c *counter) Read(p []byte) (int, error) {
	n, err := c.Reader.Read(p)
	c.n += int64(n)
	return n, err
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func run(n int, file string, load bool) error {
	var src io.Reader
	what := fmt.Sprintf("%d synthetic records (repeating 50,000 distinct rows, in memory)", n)
	if file != "" {
		rc, err := goldencopy.Open(file)
		if err != nil {
			return err
		}
		defer rc.Close()
		src, what = rc, file
	} else {
		src, _ = goldencopy.SyntheticLEIFile(n)
	}
	in := &counter{Reader: src}
	var reg *business.MemRegister
	if load {
		reg = business.NewMemRegister()
	}
	runtime.GC()
	cpu0, t0 := cpuTime(), time.Now()
	lr, err := goldencopy.NewLEIReader(in, goldencopy.Options{})
	if err != nil {
		return err
	}
	var peak uint64
	var ms runtime.MemStats
	rows := 0
	for {
		r, err := lr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		if reg != nil {
			if err := reg.PutRecord(context.Background(), r); err != nil {
				return err
			}
		}
		rows++
		if rows%200_000 == 0 {
			runtime.ReadMemStats(&ms)
			peak = max(peak, ms.HeapInuse)
		}
	}
	wall, cpu := time.Since(t0), cpuTime()-cpu0
	runtime.ReadMemStats(&ms)
	peak = max(peak, ms.HeapInuse)
	st := lr.Stats()
	perM := func(d time.Duration) time.Duration { return time.Duration(float64(d) / float64(rows) * 1e6) }
	fmt.Printf("input:        %s\n", what)
	fmt.Printf("records:      %d parsed, %d skipped, %.1f MB read (%.0f B/row)\n", rows, st.Skipped, float64(in.n)/1e6, float64(in.n)/float64(max(rows, 1)))
	fmt.Printf("wall:         %s (%.0f records/s, %.1f MB/s)\n", wall.Round(time.Millisecond), float64(rows)/wall.Seconds(), float64(in.n)/1e6/wall.Seconds())
	fmt.Printf("cpu:          %s\n", cpu.Round(time.Millisecond))
	fmt.Printf("per million:  wall %s, cpu %s\n", perM(wall).Round(time.Millisecond), perM(cpu).Round(time.Millisecond))
	fmt.Printf("2.9 M (full): wall %s, cpu %s (goal: under 5 min)\n",
		(perM(wall) * fullFile / 1e6).Round(time.Second), (perM(cpu) * fullFile / 1e6).Round(time.Second))
	fmt.Printf("peak heap:    %.0f MB (load=%v), GOMAXPROCS %d\n", float64(peak)/1e6, load, runtime.GOMAXPROCS(0))
	return nil
}
