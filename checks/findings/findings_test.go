package findings_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kycd/kycd/checks/findings"
)

func TestAdd(t *testing.T) {
	t.Parallel()
	lvl, rs := findings.Low, []findings.Reason{}
	findings.Add(&lvl, &rs, findings.Medium, "a", "first %d", 1)
	findings.Add(&lvl, &rs, findings.Low, "b", "info")
	require.Equal(t, findings.Medium, lvl, "a lower level never lowers")
	findings.Add(&lvl, &rs, findings.High, "a", "again")
	require.Equal(t, findings.Medium, lvl, "a repeated code is ignored")
	require.Equal(t, []findings.Reason{{"a", "first 1"}, {"b", "info"}}, rs)
	findings.Add(&lvl, &rs, findings.High, "c", "bad")
	require.Equal(t, findings.High, lvl)
	require.True(t, findings.Has(rs, "c"))
	require.False(t, findings.Has(rs, "d"))
}
