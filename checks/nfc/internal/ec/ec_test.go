package ec

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"math/big"
	"testing"
)

func TestCurvesConsistent(t *testing.T) {
	t.Parallel()
	for _, c := range Named {
		if !c.IsOnCurve(c.Gx, c.Gy) {
			t.Fatalf("%s: G not on curve", c.Name)
		}
		if _, _, ok := c.ScalarMult(c.Gx, c.Gy, c.N); ok {
			t.Fatalf("%s: N·G is not the point at infinity", c.Name)
		}
	}
}

func TestSignVerifyRoundTrip(t *testing.T) {
	t.Parallel()
	digest := sha256.Sum256([]byte("kycd"))
	for _, c := range Named {
		d := big.NewInt(0).SetBytes([]byte("a private key for the test......"))
		d.Mod(d, c.N)
		k := big.NewInt(0).SetBytes([]byte("a nonce for the test............"))
		k.Mod(k, c.N)
		qx, qy := c.PublicKey(d)
		r, s, err := c.Sign(d, k, digest[:])
		if err != nil {
			t.Fatal(err)
		}
		if !c.Verify(qx, qy, digest[:], r, s) {
			t.Fatalf("%s: own signature does not verify", c.Name)
		}
		if c.Verify(qx, qy, digest[:], s, r) {
			t.Fatalf("%s: swapped signature verifies", c.Name)
		}
		if c.Verify(qx, qy, digest[:], r, new(big.Int).Add(s, c.N)) {
			t.Fatalf("%s: s out of range accepted", c.Name)
		}
		if c.Verify(qx, new(big.Int).Add(qy, big.NewInt(1)), digest[:], r, s) {
			t.Fatalf("%s: point off the curve accepted", c.Name)
		}
	}
}

// The generic arithmetic must agree with crypto/ecdsa on NIST curves.
func TestAgreesWithStdlib(t *testing.T) {
	t.Parallel()
	for _, sc := range []elliptic.Curve{elliptic.P256(), elliptic.P384()} {
		key, err := ecdsa.GenerateKey(sc, rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		digest := sha256.Sum256([]byte("x"))
		r, s, err := ecdsa.Sign(rand.Reader, key, digest[:])
		if err != nil {
			t.Fatal(err)
		}
		p := sc.Params()
		c := &Curve{Name: "generic", P: p.P, A: new(big.Int).Sub(p.P, big.NewInt(3)), B: p.B, Gx: p.Gx, Gy: p.Gy, N: p.N, H: 1}
		c.init()
		if !c.Verify(key.X, key.Y, digest[:], r, s) {
			t.Fatalf("%s: stdlib signature rejected by generic code", p.Name)
		}
	}
}
