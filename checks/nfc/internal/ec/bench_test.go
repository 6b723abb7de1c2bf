package ec

import (
	"math/big"
	"testing"
)

func BenchmarkFieldMul512(b *testing.B) {
	f := newField(BrainpoolP512r1.P)
	x := f.fromBig(big.NewInt(123456789))
	y := f.fromBig(BrainpoolP512r1.Gx)
	for b.Loop() {
		f.mul(&x, &x, &y)
	}
}

func BenchmarkVerifyBP512(b *testing.B) {
	c := BrainpoolP512r1
	d := big.NewInt(987654321)
	qx, qy := c.PublicKey(d)
	dg := make([]byte, 64)
	r, s, _ := c.Sign(d, big.NewInt(1234567), dg)
	for b.Loop() {
		if !c.Verify(qx, qy, dg, r, s) {
			b.Fatal("bad")
		}
	}
}
