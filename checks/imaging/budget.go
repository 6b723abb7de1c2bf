package imaging

import (
	"container/list"
	"context"
	"sync"
	"sync/atomic"
)

// DefaultMemoryBudget is what decodes in flight may hold at once by default: a quarter of a
// 2 GB machine, leaving the rest to the runtime, the database pool and the ONNX sessions.
const DefaultMemoryBudget = 512 << 20

var current atomic.Pointer[budget]

func init() { current.Store(newBudget(DefaultMemoryBudget)) }

// SetMemoryBudget sizes the process-wide decode budget in bytes (the --max-image-memory
// setting); n <= 0 restores the default. Decodes already holding memory release it to the
// budget they took it from. The per-image limit is never above the budget, so every image
// that passes Inspect can eventually be decoded.
func SetMemoryBudget(n int64) {
	if n <= 0 {
		n = DefaultMemoryBudget
	}
	current.Store(newBudget(n))
	uploads.Store(newBudget(n / 4))
}

// MemoryBudget returns the process-wide decode budget in bytes.
func MemoryBudget() int64 { return current.Load().size }

// reserve waits until n bytes of the process budget are free (n is capped at the budget)
// and returns the function that gives them back. It fails only when ctx ends first.
func reserve(ctx context.Context, n int64) (func(), error) {
	return current.Load().acquire(ctx, n)
}

// budget is a weighted semaphore served first come, first served, so a large image is not
// starved by a stream of small ones (x/sync/semaphore's algorithm, without the dependency).
type budget struct {
	mu      sync.Mutex
	size    int64
	used    int64
	waiters list.List // of *waiter
}

type waiter struct {
	n     int64
	ready chan struct{}
}

func newBudget(size int64) *budget { return &budget{size: size} }

func (b *budget) acquire(ctx context.Context, n int64) (func(), error) {
	n = min(max(n, 0), b.size)
	release := func() { b.release(n) }
	b.mu.Lock()
	if b.size-b.used >= n && b.waiters.Len() == 0 {
		b.used += n
		b.mu.Unlock()
		return release, nil
	}
	w := &waiter{n: n, ready: make(chan struct{})}
	el := b.waiters.PushBack(w)
	b.mu.Unlock()
	select {
	case <-w.ready:
		return release, nil
	case <-ctx.Done():
		b.mu.Lock()
		select {
		case <-w.ready: // granted while we were giving up: hand it back
			b.used -= n
		default:
			b.waiters.Remove(el)
		}
		b.notify() // a waiter behind us may fit now
		b.mu.Unlock()
		return nil, ctx.Err()
	}
}

func (b *budget) release(n int64) {
	b.mu.Lock()
	b.used -= n
	b.notify()
	b.mu.Unlock()
}

// notify grants waiters in order while the first one fits; b.mu is held.
func (b *budget) notify() {
	for {
		front := b.waiters.Front()
		if front == nil {
			return
		}
		w := front.Value.(*waiter)
		if b.size-b.used < w.n {
			return
		}
		b.used += w.n
		b.waiters.Remove(front)
		close(w.ready)
	}
}

// inUse reports the bytes held, for tests.
func (b *budget) inUse() int64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.used
}

// Uploads are held in memory several times before any decode starts (the request body, the
// JSON string, the base64-decoded bytes, the sealed copy), so under a burst of large uploads
// the bodies alone can outgrow the decode budget. The upload budget bounds them: a request
// with a large body waits for UploadCost(its length) of it before it is read. It is a
// quarter of the decode budget and separate from it, so a request holding upload memory can
// always get decode memory (one budget for both could deadlock).
var uploads atomic.Pointer[budget]

func init() { uploads.Store(newBudget(DefaultMemoryBudget / 4)) }

// UploadCopies is how many times an upload's bytes are held in memory at once on the way to
// its decode.
const UploadCopies = 3

// UploadCost is what a request body of n bytes costs the upload budget.
func UploadCost(n int64) int64 { return UploadCopies * n }

// ReserveUpload waits until an upload of n body bytes fits the upload budget (sized by
// SetMemoryBudget) and returns the function that gives the memory back. It fails only when
// ctx ends first.
func ReserveUpload(ctx context.Context, n int64) (func(), error) {
	return uploads.Load().acquire(ctx, UploadCost(n))
}

// UploadBudget is the upload budget's size in bytes.
func UploadBudget() int64 { return uploads.Load().size }
