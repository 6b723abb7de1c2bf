package goldencopy

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/kycd/kycd/checks/business"
)

// Files names the Golden Copy files of one publication; empty names are skipped.
type Files struct {
	LEI   string // LEI-CDF 3.1 level 1 (…-lei2-golden-copy.csv[.zip])
	RR    string // RR-CDF level 2 relationships (…-rr-golden-copy.csv[.zip])
	Repex string // reporting exceptions (…-repex-golden-copy.csv[.zip])
}

// LoadStats counts what Load read, per file.
type LoadStats struct {
	LEI, RR, Repex Stats
}

// Load streams the files into w (records first, so relationships can refer to them).
// Malformed rows are handled per opt; a write error or a cancelled context stops it.
func Load(ctx context.Context, w business.RegisterWriter, f Files, opt Options) (LoadStats, error) {
	var st LoadStats
	steps := []struct {
		path string
		load func(io.Reader) error
	}{
		{f.LEI, func(r io.Reader) error {
			return loadTable(ctx, r, opt, NewLEIReader, &st.LEI, w.PutRecord)
		}},
		{f.RR, func(r io.Reader) error {
			return loadTable(ctx, r, opt, NewRRReader, &st.RR, w.PutRelationship)
		}},
		{f.Repex, func(r io.Reader) error {
			return loadTable(ctx, r, opt, NewRepexReader, &st.Repex, w.PutReportingException)
		}},
	}
	for _, s := range steps {
		if s.path == "" {
			continue
		}
		if err := withFile(s.path, s.load); err != nil {
			return st, fmt.Errorf("load %s: %w", s.path, err)
		}
	}
	return st, nil
}

// rowReader is what the three readers have in common.
type rowReader[T any] interface {
	Next() (T, error)
	Stats() Stats
}

func loadTable[T any, R rowReader[T]](ctx context.Context, in io.Reader, opt Options,
	open func(io.Reader, Options) (R, error), st *Stats, put func(context.Context, T) error) error {
	rr, err := open(in, opt)
	if err != nil {
		return err
	}
	defer func() { *st = rr.Stats() }()
	for n := 0; ; n++ {
		if n%4096 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		v, err := rr.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		if err := put(ctx, v); err != nil {
			return err
		}
	}
}

func withFile(path string, fn func(io.Reader) error) error {
	rc, err := Open(path)
	if err != nil {
		return err
	}
	defer rc.Close()
	return fn(rc)
}
