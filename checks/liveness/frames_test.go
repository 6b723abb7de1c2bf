package liveness

import (
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// ObserveAll keeps capture order whatever order its workers finish in, really runs frames side
// by side, and reports the first failing frame in capture order.
func TestObserveAllOrderAndErrors(t *testing.T) {
	var running, peak atomic.Int32
	obs, err := ObserveAll(12, 3, func(i int) (Observation, error) {
		n := running.Add(1)
		for p := peak.Load(); n > p && !peak.CompareAndSwap(p, n); p = peak.Load() {
		}
		time.Sleep(time.Duration(12-i) * time.Millisecond) // later frames finish first
		running.Add(-1)
		return Observation{AtMS: float64(i)}, nil
	})
	require.NoError(t, err)
	require.Len(t, obs, 12)
	for i, o := range obs {
		require.Equal(t, float64(i), o.AtMS)
	}
	require.Greater(t, peak.Load(), int32(1), "frames observed side by side")
	require.LessOrEqual(t, peak.Load(), int32(3), "at most the workers asked for")

	// Frames 4 and 9 fail; frame 9 fails first in time, frame 4 is the error.
	_, err = ObserveAll(12, 4, func(i int) (Observation, error) {
		switch i {
		case 4:
			time.Sleep(30 * time.Millisecond)
			return Observation{}, fmt.Errorf("frame %d: %w", i, errors.ErrUnsupported)
		case 9:
			return Observation{}, fmt.Errorf("frame %d: %w", i, errors.ErrUnsupported)
		}
		return Observation{}, nil
	})
	require.EqualError(t, err, "frame 4: unsupported operation")

	// Fewer frames than workers, a single worker, no frames.
	for _, c := range []struct{ n, workers int }{{2, 8}, {5, 1}, {0, 2}, {3, 0}} {
		obs, err := ObserveAll(c.n, c.workers, func(i int) (Observation, error) { return Observation{AtMS: float64(i)}, nil })
		require.NoError(t, err)
		require.Len(t, obs, c.n)
	}
}
