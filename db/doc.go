// Package db is the system of record: bun over PostgreSQL (pgx pool, shared with River) or an
// embedded SQLite file (modernc.org/sqlite, WAL, one connection), with the migrations of kycd
// and River, and AES-256-GCM sealing of PII (Keyring).
//
// Why one connection on SQLite: SQLite has one writer, and River plus bun on a pool would turn
// contention into SQLITE_BUSY errors; one connection turns it into queueing. The cost is that
// code inside Store.InTx must use the Tx, never the Store, or it waits for itself.
//
// Why Tx.WithPgx: River's PostgreSQL driver takes a pgx.Tx, bun works through database/sql.
// InTx pins one connection, begins the transaction through database/sql, and WithPgx hands
// River that same connection (nested Begin = SAVEPOINT), so a row and its job commit together.
//
// Why Tx.CreateVerifications bypasses bun's SQL on PostgreSQL: it is the hot path of every
// integration. bun inlines values, so PostgreSQL would parse and plan each creation anew (a
// quarter of its CPU under load); unnestRows sends each column as one array parameter, from
// bun's own table metadata, so the statement text is the same for one verification or sixty-four,
// pgx prepares it once per connection, and jobs can write many concurrent creations at once.
//
// Why data keys (db/datakeys.go): deleting rows cannot erase their copies in the WAL, replicas
// and backups; deleting the one key that sealed them can. Each applicant and verification has its
// own key, wrapped with the keyring, so an erasure destroys a few rows and a rotation re-wraps only
// those rows. A verification has its own key (not only its applicant's) because it is sealed
// before the one-statement creation knows which applicant an external_ref resolves to.
package db
