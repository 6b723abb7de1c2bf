// Command businessimport writes a Golden Copy LEI-CDF file of n distinct synthetic records
// (goldencopy.SyntheticRecord 0…n-1, each its own LEI), zipped when the name ends in .zip, to
// time `kycd registry import` on a register of realistic size. bench/business's -write repeats
// 50,000 rows, which a database upserts onto the same keys and so does not measure an import.
//
//	go run ./bench/businessimport -n 1000000 /tmp/lei2-1m.csv.zip
//	time kycd registry import --database-url postgres://… --source gleif /tmp/lei2-1m.csv.zip
package main

import (
	"archive/zip"
	"bufio"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/kycd/kycd/checks/business/goldencopy"
)

func main() {
	n := flag.Int("n", 1_000_000, "distinct records to write")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: businessimport [-n N] OUT.csv[.zip]")
		os.Exit(2)
	}
	if err := write(flag.Arg(0), *n); err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(1)
	}
}

func write(path string, n int) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	bw := bufio.NewWriterSize(f, 1<<20)
	var w io.Writer = bw
	var zw *zip.Writer
	if strings.HasSuffix(path, ".zip") {
		zw = zip.NewWriter(bw)
		if w, err = zw.Create(strings.TrimSuffix(filepath.Base(path), ".zip")); err != nil {
			return err
		}
	}
	lw, err := goldencopy.NewLEIWriter(w)
	if err != nil {
		return err
	}
	for i := range n {
		if err := lw.Write(goldencopy.SyntheticRecord(i)); err != nil {
			return err
		}
	}
	if err := lw.Flush(); err != nil {
		return err
	}
	if zw != nil {
		if err := zw.Close(); err != nil {
			return err
		}
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	return f.Close()
}
