package ec

import (
	"math/big"
	"math/bits"
)

// maxLimbs bounds the fast path: fields up to 576 bits (brainpoolP512r1
// and P-521 fit). Larger explicit curves use the math/big path.
const maxLimbs = 9

// fe is a field element in Montgomery form, little-endian 64-bit limbs.
type fe [maxLimbs]uint64

// field is GF(p) with Montgomery multiplication (CIOS). Brainpool primes
// have no special form, so this, not math/big's division-based Mod, is
// what makes verification fast.
type field struct {
	n    int
	p    fe
	pInv uint64 // −p⁻¹ mod 2⁶⁴
	r2   fe     // R² mod p, R = 2^(64n)
	one  fe     // R mod p: 1 in Montgomery form
	pBig *big.Int
}

func newField(p *big.Int) *field {
	n := (p.BitLen() + 63) / 64
	if n > maxLimbs || p.Bit(0) == 0 {
		return nil
	}
	f := &field{n: n, pBig: p}
	f.p = f.limbs(p)
	inv := uint64(1)
	for i := 0; i < 7; i++ {
		inv *= 2 - f.p[0]*inv
	}
	f.pInv = -inv
	r := new(big.Int).Lsh(big.NewInt(1), uint(64*n))
	f.one = f.limbs(new(big.Int).Mod(r, p))
	r.Mul(r, r)
	f.r2 = f.limbs(r.Mod(r, p))
	return f
}

// limbs converts 0 ≤ x < 2^(64n) to limbs without Montgomery conversion.
func (f *field) limbs(x *big.Int) fe {
	var z fe
	buf := x.FillBytes(make([]byte, 8*f.n))
	for i := 0; i < f.n; i++ {
		off := len(buf) - 8*(i+1)
		var w uint64
		for _, b := range buf[off : off+8] {
			w = w<<8 | uint64(b)
		}
		z[i] = w
	}
	return z
}

func (f *field) fromBig(x *big.Int) fe {
	v := f.limbs(new(big.Int).Mod(x, f.pBig))
	var z fe
	f.mul(&z, &v, &f.r2)
	return z
}

func (f *field) toBig(x *fe) *big.Int {
	var one, z fe
	one[0] = 1
	f.mul(&z, x, &one)
	buf := make([]byte, 8*f.n)
	for i := 0; i < f.n; i++ {
		w := z[i]
		off := len(buf) - 8*(i+1)
		for j := 7; j >= 0; j-- {
			buf[off+j] = byte(w)
			w >>= 8
		}
	}
	return new(big.Int).SetBytes(buf)
}

// mul sets z = x·y·R⁻¹ mod p. z may alias x or y.
func (f *field) mul(z, x, y *fe) {
	n := f.n
	xs, ys, ps := x[:n], y[:n], f.p[:n]
	var tt [maxLimbs + 2]uint64
	t := tt[: n+2 : n+2]
	pInv := f.pInv
	for _, yi := range ys {
		var c, cc uint64
		for j, xj := range xs {
			hi, lo := bits.Mul64(xj, yi)
			lo, cc = bits.Add64(lo, t[j], 0)
			hi += cc
			lo, cc = bits.Add64(lo, c, 0)
			t[j] = lo
			c = hi + cc
		}
		t[n], cc = bits.Add64(t[n], c, 0)
		t[n+1] = cc

		m := t[0] * pInv
		hi, lo := bits.Mul64(m, ps[0])
		_, cc = bits.Add64(lo, t[0], 0)
		c = hi + cc
		for j := 1; j < n; j++ {
			hi, lo := bits.Mul64(m, ps[j])
			lo, cc = bits.Add64(lo, t[j], 0)
			hi += cc
			lo, cc = bits.Add64(lo, c, 0)
			t[j-1] = lo
			c = hi + cc
		}
		t[n-1], cc = bits.Add64(t[n], c, 0)
		t[n] = t[n+1] + cc
	}
	var d fe
	ds := d[:n]
	var b uint64
	for j, pj := range ps {
		ds[j], b = bits.Sub64(t[j], pj, b)
	}
	_, b = bits.Sub64(t[n], 0, b)
	if b == 0 {
		copy(z[:n], ds)
	} else {
		copy(z[:n], t[:n])
	}
}

// sqr sets z = x²·R⁻¹ mod p: the full square with each cross product
// computed once, then a separate Montgomery reduction. Doubling is mostly
// squarings, so this saves about a fifth of the verification time.
func (f *field) sqr(z, x *fe) {
	n := f.n
	xs := x[:n]
	var tt [2*maxLimbs + 1]uint64
	t := tt[: 2*n+1 : 2*n+1]
	for i := 0; i < n; i++ {
		var c, cc uint64
		xi := xs[i]
		for j := i + 1; j < n; j++ {
			hi, lo := bits.Mul64(xi, xs[j])
			lo, cc = bits.Add64(lo, t[i+j], 0)
			hi += cc
			lo, cc = bits.Add64(lo, c, 0)
			t[i+j] = lo
			c = hi + cc
		}
		t[i+n] = c
	}
	// Double the cross products, then add the squares on the diagonal.
	var top uint64
	for k := 1; k < 2*n; k++ {
		v := t[k]
		t[k] = v<<1 | top
		top = v >> 63
	}
	var c uint64
	for i := 0; i < n; i++ {
		hi, lo := bits.Mul64(xs[i], xs[i])
		t[2*i], c = bits.Add64(t[2*i], lo, c)
		t[2*i+1], c = bits.Add64(t[2*i+1], hi, c)
	}
	// Montgomery reduction of the 2n-limb square.
	ps := f.p[:n]
	var extra uint64
	for i := 0; i < n; i++ {
		m := t[i] * f.pInv
		var c, cc uint64
		for j, pj := range ps {
			hi, lo := bits.Mul64(m, pj)
			lo, cc = bits.Add64(lo, t[i+j], 0)
			hi += cc
			lo, cc = bits.Add64(lo, c, 0)
			t[i+j] = lo
			c = hi + cc
		}
		t[i+n], cc = bits.Add64(t[i+n], c, 0)
		for k := i + n + 1; cc != 0 && k < 2*n; k++ {
			t[k], cc = bits.Add64(t[k], 0, cc)
		}
		extra += cc
	}
	r := t[n : 2*n]
	var d fe
	var b uint64
	for j, pj := range ps {
		d[j], b = bits.Sub64(r[j], pj, b)
	}
	_, b = bits.Sub64(extra, 0, b)
	if b == 0 {
		copy(z[:n], d[:n])
	} else {
		copy(z[:n], r)
	}
}

func (f *field) add(z, x, y *fe) {
	n := f.n
	var s, d fe
	var c, b uint64
	for j := 0; j < n; j++ {
		s[j], c = bits.Add64(x[j], y[j], c)
	}
	for j := 0; j < n; j++ {
		d[j], b = bits.Sub64(s[j], f.p[j], b)
	}
	_, b = bits.Sub64(c, 0, b)
	if b == 0 {
		*z = d
	} else {
		*z = s
	}
}

func (f *field) sub(z, x, y *fe) {
	n := f.n
	var d fe
	var b uint64
	for j := 0; j < n; j++ {
		d[j], b = bits.Sub64(x[j], y[j], b)
	}
	if b != 0 {
		var c uint64
		for j := 0; j < n; j++ {
			d[j], c = bits.Add64(d[j], f.p[j], c)
		}
	}
	*z = d
}

func (f *field) isZero(x *fe) bool {
	var acc uint64
	for j := 0; j < f.n; j++ {
		acc |= x[j]
	}
	return acc == 0
}

// inv sets z = x⁻¹ (Montgomery form in and out); x must be non-zero.
func (f *field) inv(z, x *fe) {
	v := new(big.Int).ModInverse(f.toBig(x), f.pBig)
	*z = f.fromBig(v)
}

// fpoint is a Jacobian point over the fast field; infinity has z = 0.
type fpoint struct{ x, y, z fe }

// faffine is an affine table entry.
type faffine struct{ x, y fe }

type fastCurve struct {
	f      *field
	a      fe
	gTable []faffine
}

func (c *Curve) initFast() {
	f := newField(c.P)
	if f == nil {
		return
	}
	fc := &fastCurve{f: f, a: f.fromBig(c.A)}
	g := faffine{f.fromBig(c.Gx), f.fromBig(c.Gy)}
	fc.gTable = fc.oddTable(g, wnafG)
	if fc.gTable != nil {
		c.fast = fc
	}
}

func (k *fastCurve) double(p *fpoint) {
	f := k.f
	if f.isZero(&p.z) {
		return
	}
	var xx, yy, yyyy, zz, s, m, t, u fe
	f.sqr(&xx, &p.x)
	f.sqr(&yy, &p.y)
	f.sqr(&yyyy, &yy)
	f.sqr(&zz, &p.z)
	f.add(&s, &p.x, &yy)
	f.sqr(&s, &s)
	f.sub(&s, &s, &xx)
	f.sub(&s, &s, &yyyy)
	f.add(&s, &s, &s)
	f.add(&m, &xx, &xx)
	f.add(&m, &m, &xx)
	f.sqr(&t, &zz)
	f.mul(&t, &t, &k.a)
	f.add(&m, &m, &t)
	// Z3 before X/Y are overwritten.
	f.add(&u, &p.y, &p.z)
	f.sqr(&u, &u)
	f.sub(&u, &u, &yy)
	f.sub(&p.z, &u, &zz)
	f.sqr(&t, &m)
	f.sub(&t, &t, &s)
	f.sub(&t, &t, &s)
	p.x = t
	f.sub(&u, &s, &t)
	f.mul(&u, &u, &m)
	f.add(&yyyy, &yyyy, &yyyy)
	f.add(&yyyy, &yyyy, &yyyy)
	f.add(&yyyy, &yyyy, &yyyy)
	f.sub(&p.y, &u, &yyyy)
}

// addAffine sets p = p + q.
func (k *fastCurve) addAffine(p *fpoint, q *faffine) {
	f := k.f
	if f.isZero(&p.z) {
		p.x, p.y, p.z = q.x, q.y, f.one
		return
	}
	var z1z1, u2, s2, h, hh, i, j, r, v, t fe
	f.sqr(&z1z1, &p.z)
	f.mul(&u2, &q.x, &z1z1)
	f.mul(&s2, &q.y, &p.z)
	f.mul(&s2, &s2, &z1z1)
	f.sub(&h, &u2, &p.x)
	f.sub(&r, &s2, &p.y)
	f.add(&r, &r, &r)
	if f.isZero(&h) {
		if f.isZero(&r) {
			k.double(p)
			return
		}
		p.z = fe{}
		return
	}
	f.sqr(&hh, &h)
	f.add(&i, &hh, &hh)
	f.add(&i, &i, &i)
	f.mul(&j, &h, &i)
	f.mul(&v, &p.x, &i)
	// Z3 = (Z1+H)² − Z1Z1 − HH
	f.add(&t, &p.z, &h)
	f.sqr(&t, &t)
	f.sub(&t, &t, &z1z1)
	f.sub(&p.z, &t, &hh)
	// X3 = r² − J − 2V
	var x3 fe
	f.sqr(&x3, &r)
	f.sub(&x3, &x3, &j)
	f.sub(&x3, &x3, &v)
	f.sub(&x3, &x3, &v)
	// Y3 = r(V − X3) − 2·Y1·J
	f.sub(&t, &v, &x3)
	f.mul(&t, &t, &r)
	f.mul(&j, &j, &p.y)
	f.add(&j, &j, &j)
	f.sub(&p.y, &t, &j)
	p.x = x3
}

// Window widths of the w-NAF recodings: the base point's table is built
// once per curve, so it can be wider than the per-key table of Q.
const (
	wnafG = 6
	wnafQ = 5
)

// oddTable returns q, 3q, 5q, … (2^(w−2) entries) in affine form, with one
// inversion for 2q and one shared by the rest; nil if a multiple is the
// point at infinity.
func (k *fastCurve) oddTable(q faffine, w uint) []faffine {
	f := k.f
	size := 1 << (w - 2)
	d := fpoint{q.x, q.y, f.one}
	k.double(&d)
	if f.isZero(&d.z) {
		return nil
	}
	var q2 faffine
	{
		var zi, zi2, zi3 fe
		f.inv(&zi, &d.z)
		f.sqr(&zi2, &zi)
		f.mul(&zi3, &zi2, &zi)
		f.mul(&q2.x, &d.x, &zi2)
		f.mul(&q2.y, &d.y, &zi3)
	}
	jac := make([]fpoint, size)
	jac[0] = fpoint{q.x, q.y, f.one}
	for i := 1; i < size; i++ {
		jac[i] = jac[i-1]
		k.addAffine(&jac[i], &q2)
		if f.isZero(&jac[i].z) {
			return nil
		}
	}
	// Batch inversion of the Z coordinates.
	prod := make([]fe, size)
	prod[0] = jac[0].z
	for i := 1; i < size; i++ {
		f.mul(&prod[i], &prod[i-1], &jac[i].z)
	}
	var inv fe
	f.inv(&inv, &prod[size-1])
	out := make([]faffine, size)
	for i := size - 1; i >= 0; i-- {
		var zi fe
		if i > 0 {
			f.mul(&zi, &inv, &prod[i-1])
			f.mul(&inv, &inv, &jac[i].z)
		} else {
			zi = inv
		}
		var zi2, zi3 fe
		f.sqr(&zi2, &zi)
		f.mul(&zi3, &zi2, &zi)
		f.mul(&out[i].x, &jac[i].x, &zi2)
		f.mul(&out[i].y, &jac[i].y, &zi3)
	}
	return out
}

// wnaf recodes k ≥ 0 into width-w NAF digits, least significant first:
// each non-zero digit is odd, |d| < 2^(w−1), and any w consecutive digits
// hold at most one non-zero.
func wnaf(k *big.Int, w uint) []int8 {
	var words [maxLimbs*2 + 2]uint64
	buf := k.FillBytes(make([]byte, 8*(len(words)-1)))
	n := len(words) - 1
	for i := 0; i < n; i++ {
		off := len(buf) - 8*(i+1)
		for _, b := range buf[off : off+8] {
			words[i] = words[i]<<8 | uint64(b)
		}
	}
	out := make([]int8, 0, k.BitLen()+1)
	mask := uint64(1)<<w - 1
	for {
		zero := true
		for _, v := range words {
			if v != 0 {
				zero = false
				break
			}
		}
		if zero {
			return out
		}
		var d int64
		if words[0]&1 == 1 {
			d = int64(words[0] & mask)
			if d >= 1<<(w-1) {
				d -= 1 << w
			}
			// words −= d
			if d > 0 {
				var b uint64
				words[0], b = bits.Sub64(words[0], uint64(d), 0)
				for i := 1; b != 0 && i < len(words); i++ {
					words[i], b = bits.Sub64(words[i], 0, b)
				}
			} else {
				var c uint64
				words[0], c = bits.Add64(words[0], uint64(-d), 0)
				for i := 1; c != 0 && i < len(words); i++ {
					words[i], c = bits.Add64(words[i], 0, c)
				}
			}
		}
		out = append(out, int8(d))
		for i := 0; i < len(words)-1; i++ {
			words[i] = words[i]>>1 | words[i+1]<<63
		}
		words[len(words)-1] >>= 1
	}
}

// addDigit adds d·P for an odd w-NAF digit d from P's odd-multiple table.
func (k *fastCurve) addDigit(r *fpoint, tbl []faffine, d int8) {
	if d > 0 {
		k.addAffine(r, &tbl[d>>1])
		return
	}
	e := tbl[(-d)>>1]
	var zero fe
	k.f.sub(&e.y, &zero, &e.y)
	k.addAffine(r, &e)
}

// mulAdd returns u1·G + u2·Q (u2 may be nil) in affine big.Int form.
func (k *fastCurve) mulAdd(u1, u2 *big.Int, tq []faffine) (x, y *big.Int, ok bool) {
	d1 := wnaf(u1, wnafG)
	var d2 []int8
	if u2 != nil {
		d2 = wnaf(u2, wnafQ)
	}
	var r fpoint
	for i := max(len(d1), len(d2)) - 1; i >= 0; i-- {
		k.double(&r)
		if i < len(d1) && d1[i] != 0 {
			k.addDigit(&r, k.gTable, d1[i])
		}
		if i < len(d2) && d2[i] != 0 {
			k.addDigit(&r, tq, d2[i])
		}
	}
	return k.toAffine(&r)
}

func (k *fastCurve) toAffine(p *fpoint) (x, y *big.Int, ok bool) {
	f := k.f
	if f.isZero(&p.z) {
		return nil, nil, false
	}
	var zi, zi2, zi3, ax, ay fe
	f.inv(&zi, &p.z)
	f.mul(&zi2, &zi, &zi)
	f.mul(&zi3, &zi2, &zi)
	f.mul(&ax, &p.x, &zi2)
	f.mul(&ay, &p.y, &zi3)
	return f.toBig(&ax), f.toBig(&ay), true
}
