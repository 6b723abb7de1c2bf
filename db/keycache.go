package db

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/kycd/kycd/models"
)

// keyCacheChannel is the PostgreSQL NOTIFY channel on which a revocation names the revoked
// key's hash, so every process serving from the database drops it from its cache.
const keyCacheChannel = "kycd_api_key_revoked"

// keyCacheTTL bounds how long a cached key is trusted even if a revocation notice were lost
// in a way the listener could not see.
const keyCacheTTL = time.Minute

// keyCacheMax bounds the cache; when full it is emptied (keys are cheap to look up again).
const keyCacheMax = 10_000

type cachedKey struct {
	key     models.APIKey
	expires time.Time
}

// keyCache holds live API keys by hash for the lookup every request makes. It is only
// consulted while the revocation listener is connected: a disconnected listener empties it
// and lookups go to the database until the listener is back.
//
// gen counts revocations and listener changes: a lookup notes it before reading the database
// and stores its answer only if no revocation arrived meanwhile, so a read that raced a
// revocation can never be cached.
type keyCache struct {
	mu      sync.Mutex
	live    bool
	gen     uint64
	entries map[string]cachedKey
}

// get returns the cached key, or the generation to hand to put after reading the database.
func (c *keyCache) get(hash string, now time.Time) (*models.APIKey, uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.entries[hash]; c.live && ok && now.Before(e.expires) {
		k := e.key
		return &k, c.gen
	}
	return nil, c.gen
}

func (c *keyCache) put(hash string, k *models.APIKey, gen uint64, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.live || gen != c.gen {
		return
	}
	if len(c.entries) >= keyCacheMax {
		clear(c.entries)
	}
	c.entries[hash] = cachedKey{key: *k, expires: now.Add(keyCacheTTL)}
}

func (c *keyCache) drop(hash string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	delete(c.entries, hash)
}

func (c *keyCache) setLive(live bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	c.live = live
	clear(c.entries)
}

// CacheAPIKeys makes LookupAPIKey answer from memory on PostgreSQL, until ctx ends. A
// revocation anywhere (this process, another kycd, `kycd keys revoke`) is announced with
// NOTIFY in its transaction and reaches this process's listener as soon as it commits; while
// the listener is not connected, nothing is cached. SQLite keeps the per-request lookup
// (it is in process and cheap, and `kycd keys revoke` in another process could not tell us).
func (s *Store) CacheAPIKeys(ctx context.Context, log *slog.Logger) {
	if s.Dialect != Postgres {
		return
	}
	s.keyCache = &keyCache{entries: map[string]cachedKey{}}
	go func() {
		for ctx.Err() == nil {
			err := s.listenRevocations(ctx)
			s.keyCache.setLive(false)
			if ctx.Err() != nil {
				return
			}
			log.Warn("api key cache: revocation listener lost; looking keys up in the database until it is back", "err", err)
			select {
			case <-ctx.Done():
			case <-time.After(time.Second):
			}
		}
	}()
}

func (s *Store) listenRevocations(ctx context.Context) error {
	pc, err := s.Pool.Acquire(ctx)
	if err != nil {
		return err
	}
	// The connection ends in LISTEN state, so it leaves the pool instead of returning to it.
	conn := pc.Hijack()
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := conn.Exec(ctx, "LISTEN "+keyCacheChannel); err != nil {
		return err
	}
	s.keyCache.setLive(true)
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			return err
		}
		if n.Payload == "" {
			return errors.New("empty revocation notice")
		}
		s.keyCache.drop(n.Payload)
	}
}
