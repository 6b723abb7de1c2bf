package db_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kycd/kycd/db/dbtest"
)

// Location names the database for people: the SQLite file's absolute path; never a password.
func TestLocation(t *testing.T) {
	t.Parallel()
	s := dbtest.SQLite(t)
	require.True(t, filepath.IsAbs(s.Location()), s.Location())
	require.True(t, strings.HasSuffix(s.Location(), "kycd.db"), s.Location())
	p := dbtest.Postgres(t)
	require.True(t, strings.HasPrefix(p.Location(), "postgres://"), p.Location())
	require.NotContains(t, p.Location(), "@")
}
