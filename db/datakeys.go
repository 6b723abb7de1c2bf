package db

import (
	"bytes"
	"container/list"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/uptrace/bun"

	"github.com/kycd/kycd/models"
)

// ErrShredded means a ciphertext's data key was destroyed: its applicant was erased, and the
// data can no longer be read by anyone, from any copy.
var ErrShredded = errors.New("data key destroyed: the data was erased")

// dataKeyCacheMax bounds the unwrapped data keys kept in memory (least recently used go
// first). A key is 32 bytes plus its AES state; ten thousand cover the hot set of a busy
// server while the rest are unwrapped again on demand (one indexed read and one AES-GCM open).
const dataKeyCacheMax = 10_000

// dataKeyTTL bounds how long another process may go on opening an erased applicant's data
// from a key it still holds in memory: erasure forgets the key at once in its own process
// (and on commit), other processes notice when the entry expires.
const dataKeyTTL = 5 * time.Minute

// dataKeys resolves the owner of a "d1:" ciphertext to its unwrapped data key: from a small
// LRU cache, else by reading and unwrapping the data_keys row. It reads through its own
// handle, never through a caller's transaction: on SQLite that is a second connection (WAL
// lets it read beside the one writer), so an Open inside Store.InTx cannot wait for itself.
// A key created in a transaction not yet committed is in the cache from its creation.
type dataKeys struct {
	read bun.IDB
	mu   sync.Mutex
	gen  uint64
	lru  *list.List
	byID map[string]*list.Element
	now  func() time.Time
}

type dataKeyEntry struct {
	owner   string
	aead    cipher.AEAD
	expires time.Time
}

func newDataKeys(read bun.IDB, now func() time.Time) *dataKeys {
	return &dataKeys{read: read, lru: list.New(), byID: map[string]*list.Element{}, now: now}
}

func (c *dataKeys) get(owner string) (cipher.AEAD, uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.byID[owner]; ok {
		e := el.Value.(*dataKeyEntry)
		if c.now().Before(e.expires) {
			c.lru.MoveToFront(el)
			return e.aead, c.gen
		}
		c.lru.Remove(el)
		delete(c.byID, owner)
	}
	return nil, c.gen
}

// put caches a key read at generation gen, unless a key was forgotten since (the read may
// have raced an erasure). fresh keys (just created) are always cached.
func (c *dataKeys) put(owner string, aead cipher.AEAD, gen uint64, fresh bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !fresh && gen != c.gen {
		return
	}
	if el, ok := c.byID[owner]; ok {
		c.lru.Remove(el)
	}
	c.byID[owner] = c.lru.PushFront(&dataKeyEntry{owner: owner, aead: aead, expires: c.now().Add(dataKeyTTL)})
	for c.lru.Len() > dataKeyCacheMax {
		last := c.lru.Back()
		c.lru.Remove(last)
		delete(c.byID, last.Value.(*dataKeyEntry).owner)
	}
}

func (c *dataKeys) forget(owners []string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	for _, o := range owners {
		if el, ok := c.byID[o]; ok {
			c.lru.Remove(el)
			delete(c.byID, o)
		}
	}
}

// bind returns a copy of k that resolves data keys through read.
func (k *Keyring) bind(read bun.IDB, now func() time.Time) *Keyring {
	c := *k
	c.dk = newDataKeys(read, now)
	return &c
}

// dataKeyPrefix starts a ciphertext sealed with a data key: "d1:<owner id>:" + nonce + sealed
// bytes. The owner id is an applicant or verification id (no personal data); it is also the
// authenticated data, so a ciphertext cannot be moved to another owner.
const dataKeyPrefix = "d1:"

func cutDataKeyed(ct []byte) (owner string, body []byte, ok bool) {
	rest, ok := bytes.CutPrefix(ct, []byte(dataKeyPrefix))
	if !ok {
		return "", nil, false
	}
	o, b, ok := bytes.Cut(rest, []byte(":"))
	if !ok || len(o) == 0 {
		return "", nil, false
	}
	return string(o), b, true
}

func (k *Keyring) dataKey(owner string) (cipher.AEAD, error) {
	if k.dk == nil {
		return nil, errors.New("data keys: keyring is not bound to a store")
	}
	aead, gen := k.dk.get(owner)
	if aead != nil {
		return aead, nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	row := new(models.DataKey)
	err := k.dk.read.NewSelect().Model(row).Where("owner_id = ?", owner).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("data key of %s: %w", owner, ErrShredded)
	}
	if err != nil {
		return nil, fmt.Errorf("data key of %s: %w", owner, err)
	}
	raw, err := k.openBound(row.Wrapped, "/dk/"+owner)
	if err != nil {
		return nil, fmt.Errorf("unwrap data key of %s: %w", owner, err)
	}
	if aead, err = newAEAD(raw); err != nil {
		return nil, err
	}
	k.dk.put(owner, aead, gen, false)
	return aead, nil
}

func newAEAD(raw []byte) (cipher.AEAD, error) {
	block, err := aes.NewCipher(raw)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

// NewDataKey makes a fresh data key for owner (an applicant or verification id), wrapped with
// the primary key, and keeps it unwrapped in memory so SealFor can use it at once. The row
// must be written (Tx.InsertDataKeys) in the transaction that writes the owner.
func (k *Keyring) NewDataKey(owner string, now time.Time) (*models.DataKey, error) {
	if k.dk == nil {
		return nil, errors.New("data keys: keyring is not bound to a store")
	}
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return nil, err
	}
	wrapped, err := k.sealBound(raw, "/dk/"+owner)
	if err != nil {
		return nil, fmt.Errorf("wrap data key: %w", err)
	}
	aead, err := newAEAD(raw)
	if err != nil {
		return nil, err
	}
	k.dk.put(owner, aead, 0, true)
	return &models.DataKey{OwnerID: owner, Wrapped: wrapped, CreatedAt: now}, nil
}

// SealFor encrypts plaintext with owner's data key. An empty owner, or one without a data key
// (an applicant or verification written before migration 0020, or already erased), seals with
// the keyring: never plaintext, but not shredded with an erasure either.
func (k *Keyring) SealFor(owner string, plaintext []byte) ([]byte, error) {
	if owner == "" {
		return k.Seal(plaintext)
	}
	aead, err := k.dataKey(owner)
	if errors.Is(err, ErrShredded) {
		return k.Seal(plaintext)
	}
	if err != nil {
		return nil, err
	}
	nonce := make([]byte, aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return nil, err
	}
	out := append([]byte(dataKeyPrefix+owner+":"), nonce...)
	return aead.Seal(out, nonce, plaintext, []byte(dataKeyPrefix+owner)), nil
}

func (k *Keyring) openFor(owner string, body []byte) ([]byte, error) {
	aead, err := k.dataKey(owner)
	if err != nil {
		return nil, err
	}
	if len(body) < aead.NonceSize() {
		return nil, errors.New("decrypt: ciphertext too short")
	}
	pt, err := aead.Open(nil, body[:aead.NonceSize()], body[aead.NonceSize():], []byte(dataKeyPrefix+owner))
	if err != nil {
		return nil, fmt.Errorf("decrypt with the data key of %s: %w", owner, err)
	}
	return pt, nil
}

// SealJSONFor marshals v and seals it with owner's data key. A nil v gives nil.
func (k *Keyring) SealJSONFor(owner string, v any) ([]byte, error) {
	if v == nil {
		return nil, nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return k.SealFor(owner, b)
}

// sealedTextPrefix starts a sealed value in a TEXT column (results, event data): the
// ciphertext of SealFor or Seal in base64. JSON never starts with it, so a reader tells
// sealed from plain (rows written before sealing, or reduced by an erasure) at a glance.
const sealedTextPrefix = "s1:"

// SealText seals a text (a JSON document) with owner's data key for a TEXT column.
func (k *Keyring) SealText(owner, plaintext string) (string, error) {
	ct, err := k.SealFor(owner, []byte(plaintext))
	if err != nil {
		return "", err
	}
	return sealedTextPrefix + base64.StdEncoding.EncodeToString(ct), nil
}

// OpenText opens what SealText produced; a text that is not sealed is returned as it is.
func (k *Keyring) OpenText(s string) (string, error) {
	b64, ok := strings.CutPrefix(s, sealedTextPrefix)
	if !ok {
		return s, nil
	}
	ct, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		return "", fmt.Errorf("decrypt: sealed text is not base64: %w", err)
	}
	pt, err := k.Open(ct)
	if err != nil {
		return "", err
	}
	return string(pt), nil
}

// IsSealedText tells whether s is a SealText ciphertext.
func IsSealedText(s string) bool { return strings.HasPrefix(s, sealedTextPrefix) }

// InsertDataKeys writes new data keys (from Keyring.NewDataKey).
func (tx *Tx) InsertDataKeys(ctx context.Context, keys ...*models.DataKey) error {
	keys = slices.DeleteFunc(keys, func(k *models.DataKey) bool { return k == nil })
	if len(keys) == 0 {
		return nil
	}
	if _, err := tx.NewInsert().Model(&keys).Exec(ctx); err != nil {
		return fmt.Errorf("insert data keys: %w", err)
	}
	return nil
}

// ShredDataKeys destroys the data keys of owners: from then on nothing sealed with them can
// be opened, from the tables or from any copy of them. The keys leave this process's cache at
// once and again when tx commits (a read racing the erasure may have cached one meanwhile).
func (tx *Tx) ShredDataKeys(ctx context.Context, owners []string) (int, error) {
	if len(owners) == 0 {
		return 0, nil
	}
	n, err := count(tx.NewDelete().Model((*models.DataKey)(nil)).Where("owner_id IN (?)", bun.List(owners)).Exec(ctx))
	if err != nil {
		return 0, fmt.Errorf("shred data keys: %w", err)
	}
	dk := tx.store.keys.dk
	dk.forget(owners)
	tx.afterCommit = append(tx.afterCommit, func() { dk.forget(owners) })
	if tx.store.Dialect == SQLite {
		// secure_delete zeroed the key rows in their page; the WAL still holds the page as it
		// was, until it is checkpointed into the file and truncated. Best effort: a reader
		// holding an old snapshot delays it to the next erasure or automatic checkpoint.
		conn := tx.conn
		tx.afterCommit = append(tx.afterCommit, func() {
			_, _ = conn.ExecContext(context.Background(), "PRAGMA wal_checkpoint(TRUNCATE)")
		})
	}
	return n, nil
}

// RewrapDataKeys wraps every data key not wrapped with the keyring's primary key anew with it
// (after a new primary key was added in front of the ring). Only the small key rows are
// rewritten, never the data sealed with them; then the old key can leave the ring once no
// other ciphertext names it.
func (s *Store) RewrapDataKeys(ctx context.Context) (int, error) {
	k := s.keys
	done := 0
	after := ""
	for {
		var rows []models.DataKey
		q := s.DB.NewSelect().Model(&rows).Where("owner_id > ?", after).Order("owner_id ASC").Limit(500)
		if err := q.Scan(ctx); err != nil {
			return done, fmt.Errorf("read data keys: %w", err)
		}
		if len(rows) == 0 {
			return done, nil
		}
		for _, r := range rows {
			after = r.OwnerID
			if bytes.HasPrefix(r.Wrapped, []byte("v1:"+k.primary+":")) {
				continue
			}
			raw, err := k.openBound(r.Wrapped, "/dk/"+r.OwnerID)
			if err != nil {
				return done, fmt.Errorf("unwrap data key of %s: %w", r.OwnerID, err)
			}
			wrapped, err := k.sealBound(raw, "/dk/"+r.OwnerID)
			if err != nil {
				return done, err
			}
			res, err := s.DB.NewUpdate().Model((*models.DataKey)(nil)).Set("wrapped = ?", wrapped).
				Where("owner_id = ?", r.OwnerID).Where("wrapped = ?", r.Wrapped).Exec(ctx)
			if err != nil {
				return done, fmt.Errorf("rewrap data key of %s: %w", r.OwnerID, err)
			}
			if n, _ := res.RowsAffected(); n == 1 {
				done++
			}
		}
	}
}
