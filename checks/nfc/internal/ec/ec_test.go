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

// The Montgomery fast path must agree with the math/big path.
func TestFastAgreesWithSlow(t *testing.T) {
	t.Parallel()
	for _, c := range Named {
		fc := c.fastPath()
		if fc == nil {
			t.Fatalf("%s: no fast path", c.Name)
		}
		for i := int64(1); i < 12; i++ {
			u1 := new(big.Int).Exp(big.NewInt(i+7), big.NewInt(i*13+5), c.N)
			u2 := new(big.Int).Exp(big.NewInt(i+3), big.NewInt(i*11+2), c.N)
			qx, qy, _ := c.ScalarMult(c.Gx, c.Gy, big.NewInt(i*1000+1))
			fx, fy, ok1 := c.doubleScalar(u1, u2, qx, qy)
			sx, sy, ok2 := c.doubleScalarSlow(u1, u2, qx, qy)
			if ok1 != ok2 || fx.Cmp(sx) != 0 || fy.Cmp(sy) != 0 {
				t.Fatalf("%s: fast and slow differ for i=%d", c.Name, i)
			}
		}
		// Doubling and adding the same point (H = 0 cases).
		two := big.NewInt(2)
		x1, y1, _ := c.doubleScalar(big.NewInt(1), big.NewInt(1), c.Gx, c.Gy)
		x2, y2, _ := c.ScalarMult(c.Gx, c.Gy, two)
		if x1.Cmp(x2) != 0 || y1.Cmp(y2) != 0 {
			t.Fatalf("%s: G+G != 2G", c.Name)
		}
		if _, _, ok := c.doubleScalar(big.NewInt(1), new(big.Int).Sub(c.N, big.NewInt(1)), c.Gx, c.Gy); ok {
			t.Fatalf("%s: G + (N-1)G is not infinity", c.Name)
		}
	}
}

func TestFieldSqr(t *testing.T) {
	t.Parallel()
	for _, c := range append(Named, BrainpoolP512r1) {
		f := newField(c.P)
		vals := []*big.Int{big.NewInt(0), big.NewInt(1), new(big.Int).Sub(c.P, big.NewInt(1)), c.Gx, c.Gy, c.B}
		for i := int64(2); i < 30; i++ {
			vals = append(vals, new(big.Int).Exp(big.NewInt(i), big.NewInt(i*977), c.P))
		}
		for _, v := range vals {
			x := f.fromBig(v)
			var a, b fe
			f.mul(&a, &x, &x)
			f.sqr(&b, &x)
			want := new(big.Int).Mul(v, v)
			want.Mod(want, c.P)
			if f.toBig(&a).Cmp(want) != 0 || f.toBig(&b).Cmp(want) != 0 {
				t.Fatalf("%s: square of %x wrong", c.Name, v)
			}
		}
	}
}

func TestWNAF(t *testing.T) {
	t.Parallel()
	for _, w := range []uint{2, 4, 5, 6} {
		for i := int64(0); i < 200; i++ {
			k := new(big.Int).Exp(big.NewInt(i+2), big.NewInt(i*31+7), BrainpoolP512r1.N)
			if i < 20 {
				k = big.NewInt(i)
			}
			d := wnaf(k, w)
			sum := new(big.Int)
			for j := len(d) - 1; j >= 0; j-- {
				sum.Lsh(sum, 1)
				sum.Add(sum, big.NewInt(int64(d[j])))
				if d[j] != 0 && (d[j]%2 == 0 || d[j] >= 1<<(w-1) || d[j] <= -(1<<(w-1))) {
					t.Fatalf("bad digit %d", d[j])
				}
			}
			if sum.Cmp(k) != 0 {
				t.Fatalf("w=%d: wnaf(%v) sums to %v", w, k, sum)
			}
		}
	}
}
