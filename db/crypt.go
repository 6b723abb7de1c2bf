package db

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Keyring encrypts PII with AES-256-GCM. Ciphertexts carry the id of the key that sealed them
// ("v1:<key id>:" + nonce + sealed bytes), so keys can rotate: new data uses the primary key,
// old data stays readable while its key is still in the ring.
type Keyring struct {
	primary string
	aeads   map[string]cipher.AEAD
	// raw keeps the key bytes for Derive (db/contact.go): keyed hashes need a key, not an AEAD.
	raw map[string][]byte
	// dk finds the data keys of "d1:" ciphertexts (db/datakeys.go); set by Open on the store's
	// own copy of the keyring, nil on a bare keyring.
	dk *dataKeys
}

// NewKeyring builds a keyring from "id:base64key" entries; the first is the primary.
func NewKeyring(spec string) (*Keyring, error) {
	k := &Keyring{aeads: map[string]cipher.AEAD{}, raw: map[string][]byte{}}
	for i, part := range strings.Split(spec, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		id, b64, ok := strings.Cut(part, ":")
		if !ok || id == "" || strings.ContainsAny(id, ": ") {
			return nil, fmt.Errorf("encryption key %d: want \"id:base64-of-32-bytes\"", i+1)
		}
		raw, err := base64.StdEncoding.DecodeString(b64)
		if err != nil {
			return nil, fmt.Errorf("encryption key %q: not base64: %w", id, err)
		}
		if len(raw) != 32 {
			return nil, fmt.Errorf("encryption key %q: must be 32 bytes (AES-256), got %d", id, len(raw))
		}
		block, err := aes.NewCipher(raw)
		if err != nil {
			return nil, fmt.Errorf("encryption key %q: %w", id, err)
		}
		aead, err := cipher.NewGCM(block)
		if err != nil {
			return nil, fmt.Errorf("encryption key %q: %w", id, err)
		}
		if _, dup := k.aeads[id]; dup {
			return nil, fmt.Errorf("encryption key %q: listed twice", id)
		}
		k.aeads[id] = aead
		k.raw[id] = raw
		if k.primary == "" {
			k.primary = id
		}
	}
	if k.primary == "" {
		return nil, errors.New("encryption keys: none given")
	}
	return k, nil
}

// LoadOrCreateKeyring reads the keyring from spec when set; otherwise from keyFile, creating
// that file with a fresh random key on first use (the embedded single-machine default).
func LoadOrCreateKeyring(spec, keyFile string) (*Keyring, error) {
	if spec != "" {
		return NewKeyring(spec)
	}
	b, err := os.ReadFile(keyFile)
	if errors.Is(err, os.ErrNotExist) {
		raw := make([]byte, 32)
		if _, err := rand.Read(raw); err != nil {
			return nil, err
		}
		line := "k1:" + base64.StdEncoding.EncodeToString(raw)
		if err := os.MkdirAll(filepath.Dir(keyFile), 0o700); err != nil {
			return nil, fmt.Errorf("create key dir: %w", err)
		}
		f, err := os.OpenFile(keyFile, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if errors.Is(err, os.ErrExist) {
			return LoadOrCreateKeyring("", keyFile) // another process won the race
		}
		if err != nil {
			return nil, fmt.Errorf("create encryption key file: %w", err)
		}
		if _, err := f.WriteString(line + "\n"); err != nil {
			f.Close()
			return nil, fmt.Errorf("write encryption key file: %w", err)
		}
		if err := f.Close(); err != nil {
			return nil, err
		}
		return NewKeyring(line)
	}
	if err != nil {
		return nil, fmt.Errorf("read encryption key file: %w", err)
	}
	return NewKeyring(strings.TrimSpace(string(b)))
}

// Seal encrypts plaintext with the primary key.
func (k *Keyring) Seal(plaintext []byte) ([]byte, error) {
	return k.sealBound(plaintext, "")
}

// sealBound seals with the primary key and binds the ciphertext to bound (authenticated, not
// stored): a wrapped data key is bound to its owner, so it cannot be moved to another row.
func (k *Keyring) sealBound(plaintext []byte, bound string) ([]byte, error) {
	aead := k.aeads[k.primary]
	nonce := make([]byte, aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return nil, err
	}
	out := []byte("v1:" + k.primary + ":")
	out = append(out, nonce...)
	return aead.Seal(out, nonce, plaintext, []byte(k.primary+bound)), nil
}

// Open decrypts what Seal produced, with whichever key sealed it, and what SealFor produced,
// with its owner's data key (ErrShredded once that key was destroyed).
func (k *Keyring) Open(ciphertext []byte) ([]byte, error) {
	if owner, body, ok := cutDataKeyed(ciphertext); ok {
		return k.openFor(owner, body)
	}
	return k.openBound(ciphertext, "")
}

func (k *Keyring) openBound(ciphertext []byte, bound string) ([]byte, error) {
	rest, ok := strings.CutPrefix(string(ciphertext), "v1:")
	if !ok {
		return nil, errors.New("decrypt: unknown ciphertext format")
	}
	id, body, ok := strings.Cut(rest, ":")
	if !ok {
		return nil, errors.New("decrypt: malformed ciphertext")
	}
	aead, ok := k.aeads[id]
	if !ok {
		return nil, fmt.Errorf("decrypt: key %q is not in the keyring", id)
	}
	if len(body) < aead.NonceSize() {
		return nil, errors.New("decrypt: ciphertext too short")
	}
	nonce, sealed := []byte(body[:aead.NonceSize()]), []byte(body[aead.NonceSize():])
	pt, err := aead.Open(nil, nonce, sealed, []byte(id+bound))
	if err != nil {
		return nil, fmt.Errorf("decrypt with key %q: %w", id, err)
	}
	return pt, nil
}

// SealJSON marshals v and encrypts it. A nil v gives nil.
func (k *Keyring) SealJSON(v any) ([]byte, error) {
	if v == nil {
		return nil, nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return k.Seal(b)
}

// OpenJSON decrypts and unmarshals into v. Empty ciphertext leaves v untouched.
func (k *Keyring) OpenJSON(ciphertext []byte, v any) error {
	if len(ciphertext) == 0 {
		return nil
	}
	b, err := k.Open(ciphertext)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, v)
}
