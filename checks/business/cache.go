package business

import (
	"context"
	"sync"
	"time"
)

// Cache stores raw GLEIF responses by request URL. The database-backed cache is wired
// later; MemoryCache serves tests and single-process use. Implementations must be safe
// for concurrent use. A Cache error is never fatal: the client just asks GLEIF.
type Cache interface {
	// Get returns the stored body, if present and not expired.
	Get(ctx context.Context, key string) ([]byte, bool)
	// Set stores body for ttl.
	Set(ctx context.Context, key string, body []byte, ttl time.Duration)
}

// MemoryCache is an in-process Cache with per-entry expiry and a size bound.
type MemoryCache struct {
	// Now is the clock (tests move it); nil means time.Now.
	Now func() time.Time
	// MaxEntries bounds memory; when full, expired entries are dropped and then the
	// oldest. Zero means 10,000.
	MaxEntries int

	mu sync.Mutex
	m  map[string]memEntry
}

type memEntry struct {
	body    []byte
	expires time.Time
	stored  time.Time
}

func (c *MemoryCache) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

// Get implements Cache.
func (c *MemoryCache) Get(_ context.Context, key string) ([]byte, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[key]
	if !ok {
		return nil, false
	}
	if !c.now().Before(e.expires) {
		delete(c.m, key)
		return nil, false
	}
	return e.body, true
}

// Set implements Cache.
func (c *MemoryCache) Set(_ context.Context, key string, body []byte, ttl time.Duration) {
	if ttl <= 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[string]memEntry{}
	}
	limit := c.MaxEntries
	if limit <= 0 {
		limit = 10000
	}
	now := c.now()
	if _, exists := c.m[key]; !exists && len(c.m) >= limit {
		var oldestK string
		var oldest time.Time
		for k, e := range c.m {
			if !now.Before(e.expires) {
				delete(c.m, k)
				continue
			}
			if oldestK == "" || e.stored.Before(oldest) {
				oldestK, oldest = k, e.stored
			}
		}
		if len(c.m) >= limit && oldestK != "" {
			delete(c.m, oldestK)
		}
	}
	c.m[key] = memEntry{body: append([]byte(nil), body...), expires: now.Add(ttl), stored: now}
}

// Len reports how many entries are stored (expired ones included until touched).
func (c *MemoryCache) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.m)
}
