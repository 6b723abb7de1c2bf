package db_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kycd/kycd/db"
	"github.com/kycd/kycd/db/dbtest"
)

// The SQLite file is the owner's alone (0600), also when an older kycd made it 0644, and a
// data directory other users can read is reported (#17 §1).
func TestSQLiteFileModes(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	require.NoError(t, os.Chmod(dir, 0o755))
	path := filepath.Join(dir, "kycd.db")
	require.NoError(t, os.WriteFile(path, nil, 0o644))
	s, err := db.Open(context.Background(), db.Options{DataDir: dir, Keyring: dbtest.Keyring(t)})
	require.NoError(t, err)
	defer s.Close()
	require.NoError(t, s.Migrate(context.Background()))
	for _, f := range []string{"kycd.db", "kycd.db-wal"} {
		fi, err := os.Stat(filepath.Join(dir, f))
		require.NoError(t, err, f)
		require.Equal(t, os.FileMode(0o600), fi.Mode().Perm(), f)
	}
	require.Len(t, s.Warnings, 1)
	require.Contains(t, s.Warnings[0], "readable by other users")

	fresh := filepath.Join(t.TempDir(), "new")
	s2, err := db.Open(context.Background(), db.Options{DataDir: fresh, Keyring: dbtest.Keyring(t)})
	require.NoError(t, err)
	defer s2.Close()
	require.Empty(t, s2.Warnings, "a directory kycd creates is 0700")
}
