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
