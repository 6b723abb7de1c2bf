package rpc_test

import (
	"time"

	"github.com/kycd/kycd/rpc"
)

// Open connections re-check their key often in tests, so the idle revocation case is quick.
func init() { rpc.KeyRecheck = 200 * time.Millisecond }
