package document

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kycd/kycd/checks/document/synth"
	"github.com/kycd/kycd/internal/testfiles"
)

// qualityEngine accepts the specimen state UTO, as the bench does.
func qualityEngine(t *testing.T) *Engine {
	t.Helper()
	e, err := NewEngine(Config{OCR: OCRClassifier, AllowSpecimen: true, Now: func() time.Time { return synth.RefDate }})
	require.NoError(t, err)
	return e
}

// TestQualitySynthetic reads 40 degraded synthetic documents (the first 40
// bench seeds): at least 39 must be read exactly and none may be accepted
// with a wrong field. The bench runs the same check on 500.
func TestQualitySynthetic(t *testing.T) {
	t.Parallel()
	e := qualityEngine(t)
	const n = 40
	type outcome struct {
		exact, accepted, wrongAccepted bool
		detail                         string
	}
	out := make([]outcome, n)
	var wg sync.WaitGroup
	sem := make(chan struct{}, 2)
	for s := 0; s < n; s++ {
		wg.Add(1)
		go func(s int) {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			kind := synth.TD3
			if s%2 == 1 {
				kind = synth.TD1
			}
			doc, _, err := synth.RandomDocument(uint64(s), kind)
			if err != nil {
				out[s].detail = err.Error()
				return
			}
			rd, err := e.ReadMRZDetail(context.Background(), doc.MRZImage())
			if err != nil || rd == nil {
				out[s].detail = "no reading"
				return
			}
			o := &out[s]
			o.exact = strings.Join(rd.Result.Lines, "\n") == strings.Join(doc.Lines, "\n")
			o.accepted = rd.Trusted
			o.wrongAccepted = rd.Trusted && !o.exact
			o.detail = strings.Join(rd.Result.Lines, "|") + " want " + strings.Join(doc.Lines, "|")
		}(s)
	}
	wg.Wait()
	exact, accepted := 0, 0
	for s, o := range out {
		if o.exact {
			exact++
		} else {
			t.Logf("seed %d: %s", s, o.detail)
		}
		if o.accepted {
			accepted++
		}
		require.False(t, o.wrongAccepted, "seed %d accepted with a wrong reading: %s", s, o.detail)
	}
	require.GreaterOrEqual(t, exact, n-1, "exact reads")
	require.GreaterOrEqual(t, accepted, n-2, "accepted reads")
}

type specimenLabel struct {
	File     string   `json:"file"`
	Lines    []string `json:"lines"`
	Readable bool     `json:"readable"`
}

// TestQualitySpecimens reads the real specimen images: every image a
// person can read must validate, nearly all must match the label exactly,
// and none may be accepted with text that differs from the label.
func TestQualitySpecimens(t *testing.T) {
	t.Parallel()
	dir := testfiles.Path(t, "mrz", "images")
	b, err := os.ReadFile(filepath.Join("testdata", "specimens.json"))
	require.NoError(t, err)
	var labels []specimenLabel
	require.NoError(t, json.Unmarshal(b, &labels))
	e := qualityEngine(t)
	readable, valid, exact := 0, 0, 0
	for _, l := range labels {
		data, err := os.ReadFile(filepath.Join(dir, l.File))
		require.NoError(t, err, l.File)
		rd, err := e.ReadMRZDetail(context.Background(), data)
		require.NoError(t, err, l.File)
		if !l.Readable {
			continue
		}
		readable++
		require.NotNil(t, rd, "%s: no MRZ found", l.File)
		if rd.ChecksOK {
			valid++
		} else {
			t.Logf("%s: check digits disagree: %q", l.File, rd.Result.Lines)
		}
		same := strings.Join(rd.Result.Lines, "\n") == strings.Join(l.Lines, "\n")
		if same {
			exact++
		} else {
			t.Logf("%s: read %q want %q (trusted %v, min conf %.2f)", l.File, rd.Result.Lines, l.Lines, rd.Trusted, rd.MinUnprotectedConfidence)
		}
		require.False(t, rd.Trusted && !same, "%s accepted with a wrong reading %q", l.File, rd.Result.Lines)
	}
	require.Equal(t, 24, readable, "labelled readable specimens")
	require.Equal(t, readable, valid, "readable specimens with all check digits valid")
	require.GreaterOrEqual(t, exact, readable-2, "specimens read exactly")
}
