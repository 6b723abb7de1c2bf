package age

import (
	"math"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kycd/kycd/checks/face"
)

func TestDecide(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		est  float64
		min  int
		want Decision
	}{
		{21, 18, Pass}, {20.99, 18, Review}, {18, 18, Review}, {16.01, 18, Review},
		{16, 18, Fail}, {10, 18, Fail}, {40, 21, Pass}, {0, 0, Review}, {3, 0, Pass},
		{math.NaN(), 18, Review}, {math.Inf(1), 18, Review},
	} {
		require.Equal(t, tc.want, Decide(tc.est, tc.min), "estimate %v min %d", tc.est, tc.min)
	}
}

func TestNewRejectsNilEngine(t *testing.T) {
	t.Parallel()
	_, err := New(nil)
	require.ErrorContains(t, err, "nil face engine")
	e, err := New(&face.Engine{})
	require.NoError(t, err)
	_, err = e.Check(nil, 200)
	require.ErrorContains(t, err, "min_age 200")
}

func TestDecideInterval(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		lo, hi float64
		min    int
		want   Decision
	}{
		{18, 30, 18, Pass}, {17.9, 30, 18, Review}, {10, 17.9, 18, Fail}, {10, 18, 18, Review},
		{math.NaN(), 30, 18, Review}, {20, math.Inf(1), 18, Review},
	} {
		require.Equal(t, tc.want, DecideInterval(Estimate{Low: tc.lo, High: tc.hi}, tc.min), "[%v, %v] min %d", tc.lo, tc.hi, tc.min)
	}
	iv := Interval(30)
	require.Equal(t, 30-MinHalfWidth, iv.Low)
	require.Equal(t, 30+MinHalfWidth, iv.High)
}

func TestSummarize(t *testing.T) {
	t.Parallel()
	// Views that agree get the minimum width; views that disagree widen the interval to 2σ.
	e := summarize([]float64{30, 30, 30, 30})
	require.Equal(t, Estimate{Years: 30, Low: 24, High: 36, Views: 4}, e)
	e = summarize([]float64{20, 40, 20, 40})
	require.Equal(t, 30.0, e.Years)
	require.Equal(t, 10.0, e.Spread)
	require.Equal(t, 10.0, e.Low)
	require.Equal(t, 50.0, e.High)
}
