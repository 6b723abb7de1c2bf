package db_test

import (
	"errors"
	"fmt"
	"syscall"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/stretchr/testify/require"

	"github.com/kycd/kycd/db"
)

func TestUnavailable(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		err  error
		want bool
	}{
		{&pgconn.PgError{Code: "57P01", Message: "terminating connection due to administrator command"}, true},
		{fmt.Errorf("insert verification: %w", &pgconn.PgError{Code: "57P03"}), true},
		{&pgconn.PgError{Code: "08006"}, true},
		{&pgconn.PgError{Code: "23505"}, false}, // a unique violation is the statement's fault
		{fmt.Errorf("dial: %w", syscall.ECONNREFUSED), true},
		{errors.New("SQL logic error: database is locked (5) (SQLITE_BUSY)"), true},
		{errors.New("no rows"), false},
		{nil, false},
	} {
		require.Equal(t, tc.want, db.Unavailable(tc.err), "%v", tc.err)
	}
}
