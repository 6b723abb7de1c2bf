package db

import (
	"errors"
	"io"
	"net"
	"strings"
	"syscall"

	"github.com/jackc/pgx/v5/pgconn"
)

// Unavailable reports whether err means the database cannot be reached or is shutting down,
// rather than that the statement was wrong: PostgreSQL's operator-intervention and
// connection-exception classes (57P01 admin shutdown, 57P02 crash shutdown, 57P03 cannot
// connect now, class 08), a connection that was refused, reset or closed mid-statement, and
// SQLite's "database is locked" after its busy timeout. Callers answer those with "retry",
// not with an internal error.
func Unavailable(err error) bool {
	if err == nil {
		return false
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return strings.HasPrefix(pgErr.Code, "57P") || strings.HasPrefix(pgErr.Code, "08")
	}
	var netErr net.Error
	if errors.As(err, &netErr) || errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, io.ErrUnexpectedEOF) || pgconn.SafeToRetry(err) {
		return true
	}
	msg := err.Error()
	for _, s := range []string{"conn closed", "closed pool", "database is locked", "SQLITE_BUSY", "failed to connect"} {
		if strings.Contains(msg, s) {
			return true
		}
	}
	return false
}
