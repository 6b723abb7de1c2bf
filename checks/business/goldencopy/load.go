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
	if f.LEI != "" {
		err := withFile(f.LEI, func(r io.Reader) error {
			lr, err := NewLEIReader(r, opt)
			if err != nil {
				return err
			}
			defer func() { st.LEI = lr.Stats() }()
			return drain(ctx, lr.Next, func(rec business.Record) error { return w.PutRecord(ctx, rec) })
		})
		if err != nil {
			return st, fmt.Errorf("load %s: %w", f.LEI, err)
		}
	}
	if f.RR != "" {
		err := withFile(f.RR, func(r io.Reader) error {
			rr, err := NewRRReader(r, opt)
			if err != nil {
				return err
			}
			defer func() { st.RR = rr.Stats() }()
			return drain(ctx, rr.Next, func(rel business.Relationship) error { return w.PutRelationship(ctx, rel) })
		})
		if err != nil {
			return st, fmt.Errorf("load %s: %w", f.RR, err)
		}
	}
	if f.Repex != "" {
		err := withFile(f.Repex, func(r io.Reader) error {
			xr, err := NewRepexReader(r, opt)
			if err != nil {
				return err
			}
			defer func() { st.Repex = xr.Stats() }()
			return drain(ctx, xr.Next, func(x business.ReportingException) error { return w.PutReportingException(ctx, x) })
		})
		if err != nil {
			return st, fmt.Errorf("load %s: %w", f.Repex, err)
		}
	}
	return st, nil
}

func withFile(path string, fn func(io.Reader) error) error {
	rc, err := Open(path)
	if err != nil {
		return err
	}
	defer rc.Close()
	return fn(rc)
}

func drain[T any](ctx context.Context, next func() (T, error), put func(T) error) error {
	for n := 0; ; n++ {
		if n%4096 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		v, err := next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		if err := put(v); err != nil {
			return err
		}
	}
}
