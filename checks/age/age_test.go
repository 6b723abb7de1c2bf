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

func TestCombineCoversEveryModel(t *testing.T) {
	t.Parallel()
	_, err := Combine(nil)
	require.ErrorContains(t, err, "no model estimate")
	// Two models that agree: the interval is the union, the estimate their mean.
	a := Opinion{Model: "fr_age", Years: 30, Low: 24, High: 36, Spread: 1, Views: 8}
	b := Opinion{Model: "faceres-age", Years: 32, Low: 26, High: 38, Spread: 2, Views: 8}
	e, err := Combine([]Opinion{a, b})
	require.NoError(t, err)
	require.Equal(t, Estimate{Years: 31, Low: 24, High: 38, Spread: 2, Views: 16, Models: []Opinion{a, b}}, e)
	require.Equal(t, Pass, DecideInterval(e, 18))
	// One model says adult, the other not: the union straddles 18, so review — neither
	// model approves alone, even though their mean (21.5) is above the limit.
	b = Opinion{Model: "faceres-age", Years: 15, Low: 9, High: 21, Views: 8}
	a.Years, a.Low, a.High = 28, 22, 34
	e, err = Combine([]Opinion{a, b})
	require.NoError(t, err)
	require.Equal(t, 21.5, e.Years)
	require.Equal(t, Review, DecideInterval(e, 18))
	require.Equal(t, Pass, DecideInterval(Estimate{Low: a.Low, High: a.High}, 18), "fr_age alone would have passed")
}

func TestDecoders(t *testing.T) {
	t.Parallel()
	p := make([]float32, 100)
	p[29], p[30], p[70] = 0.3, 0.1, 0.05 // ages 30 and 31 lead: 1 + (29·0.3 + 30·0.1)/0.4
	y, err := decodeTop2(p)
	require.NoError(t, err)
	require.InDelta(t, 30.25, y, 1e-6)
	_, err = decodeTop2(p[:7])
	require.ErrorContains(t, err, "7 values, want 100")
	p[3] = float32(math.NaN())
	_, err = decodeTop2(p)
	require.ErrorContains(t, err, "not a probability")

	y, err = decodeGroups([]float32{0, 0.5, 0.5, 0, 0, 0, 0})
	require.NoError(t, err)
	require.InDelta(t, 25.5, y, 1e-6)
	_, err = decodeGroups(make([]float32, 7))
	require.ErrorContains(t, err, "all zero")

	y, err = decodeScalar([]float32{41.5})
	require.NoError(t, err)
	require.InDelta(t, 41.5, y, 1e-6)
	_, err = decodeScalar([]float32{1, 2})
	require.ErrorContains(t, err, "not one finite number")
}
