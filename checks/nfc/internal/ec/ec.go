package ec

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"errors"
	"math/big"
	"sync"
)

// Curve is y² = x³ + ax + b over GF(P) with base point (Gx, Gy) of order N
// and cofactor H.
type Curve struct {
	Name      string
	P, A, B   *big.Int
	Gx, Gy, N *big.Int
	H         int64
	OID       []int          // named-curve OID, nil when unknown
	Std       elliptic.Curve // crypto/elliptic curve for NIST curves, else nil
	byteLen   int
	aIsMinus3 bool
	aZero     bool
	gOnce     sync.Once
	gTable    [][2]*big.Int
	fastOnce  sync.Once
	fast      *fastCurve
}

func hexInt(s string) *big.Int {
	v, ok := new(big.Int).SetString(s, 16)
	if !ok {
		panic("ec: bad constant " + s)
	}
	return v
}

func newCurve(name string, oid []int, p, a, b, gx, gy, n string) *Curve {
	c := &Curve{Name: name, OID: oid, P: hexInt(p), A: hexInt(a), B: hexInt(b), Gx: hexInt(gx), Gy: hexInt(gy), N: hexInt(n), H: 1}
	c.init()
	return c
}

func fromStd(name string, oid []int, sc elliptic.Curve) *Curve {
	p := sc.Params()
	c := &Curve{Name: name, OID: oid, P: p.P, A: new(big.Int).Sub(p.P, big.NewInt(3)), B: p.B, Gx: p.Gx, Gy: p.Gy, N: p.N, H: 1, Std: sc}
	c.init()
	return c
}

func (c *Curve) init() {
	c.byteLen = (c.P.BitLen() + 7) / 8
	m3 := new(big.Int).Sub(c.P, big.NewInt(3))
	c.aIsMinus3 = c.A.Cmp(m3) == 0
	c.aZero = c.A.Sign() == 0
}

// ByteLen is the length of a field element in bytes.
func (c *Curve) ByteLen() int { return c.byteLen }

// Named curves: the brainpool r1 family (RFC 5639) and the NIST P curves.
var (
	BrainpoolP192r1 = newCurve("brainpoolP192r1", []int{1, 3, 36, 3, 3, 2, 8, 1, 1, 3},
		"C302F41D932A36CDA7A3463093D18DB78FCE476DE1A86297", "6A91174076B1E0E19C39C031FE8685C1CAE040E5C69A28EF", "469A28EF7C28CCA3DC721D044F4496BCCA7EF4146FBF25C9",
		"C0A0647EAAB6A48753B033C56CB0F0900A2F5C4853375FD6", "14B690866ABD5BB88B5F4828C1490002E6773FA2FA299B8F", "C302F41D932A36CDA7A3462F9E9E916B5BE8F1029AC4ACC1")
	BrainpoolP224r1 = newCurve("brainpoolP224r1", []int{1, 3, 36, 3, 3, 2, 8, 1, 1, 5},
		"D7C134AA264366862A18302575D1D787B09F075797DA89F57EC8C0FF", "68A5E62CA9CE6C1C299803A6C1530B514E182AD8B0042A59CAD29F43", "2580F63CCFE44138870713B1A92369E33E2135D266DBB372386C400B",
		"0D9029AD2C7E5CF4340823B2A87DC68C9E4CE3174C1E6EFDEE12C07D", "58AA56F772C0726F24C6B89E4ECDAC24354B9E99CAA3F6D3761402CD", "D7C134AA264366862A18302575D0FB98D116BC4B6DDEBCA3A5A7939F")
	BrainpoolP256r1 = newCurve("brainpoolP256r1", []int{1, 3, 36, 3, 3, 2, 8, 1, 1, 7},
		"A9FB57DBA1EEA9BC3E660A909D838D726E3BF623D52620282013481D1F6E5377", "7D5A0975FC2C3057EEF67530417AFFE7FB8055C126DC5C6CE94A4B44F330B5D9", "26DC5C6CE94A4B44F330B5D9BBD77CBF958416295CF7E1CE6BCCDC18FF8C07B6",
		"8BD2AEB9CB7E57CB2C4B482FFC81B7AFB9DE27E1E3BD23C23A4453BD9ACE3262", "547EF835C3DAC4FD97F8461A14611DC9C27745132DED8E545C1D54C72F046997", "A9FB57DBA1EEA9BC3E660A909D838D718C397AA3B561A6F7901E0E82974856A7")
	BrainpoolP320r1 = newCurve("brainpoolP320r1", []int{1, 3, 36, 3, 3, 2, 8, 1, 1, 9},
		"D35E472036BC4FB7E13C785ED201E065F98FCFA6F6F40DEF4F92B9EC7893EC28FCD412B1F1B32E27", "3EE30B568FBAB0F883CCEBD46D3F3BB8A2A73513F5EB79DA66190EB085FFA9F492F375A97D860EB4", "520883949DFDBC42D3AD198640688A6FE13F41349554B49ACC31DCCD884539816F5EB4AC8FB1F1A6",
		"43BD7E9AFB53D8B85289BCC48EE5BFE6F20137D10A087EB6E7871E2A10A599C710AF8D0D39E20611", "14FDD05545EC1CC8AB4093247F77275E0743FFED117182EAA9C77877AAAC6AC7D35245D1692E8EE1", "D35E472036BC4FB7E13C785ED201E065F98FCFA5B68F12A32D482EC7EE8658E98691555B44C59311")
	BrainpoolP384r1 = newCurve("brainpoolP384r1", []int{1, 3, 36, 3, 3, 2, 8, 1, 1, 11},
		"8CB91E82A3386D280F5D6F7E50E641DF152F7109ED5456B412B1DA197FB71123ACD3A729901D1A71874700133107EC53", "7BC382C63D8C150C3C72080ACE05AFA0C2BEA28E4FB22787139165EFBA91F90F8AA5814A503AD4EB04A8C7DD22CE2826", "04A8C7DD22CE28268B39B55416F0447C2FB77DE107DCD2A62E880EA53EEB62D57CB4390295DBC9943AB78696FA504C11",
		"1D1C64F068CF45FFA2A63A81B7C13F6B8847A3E77EF14FE3DB7FCAFE0CBD10E8E826E03436D646AAEF87B2E247D4AF1E", "8ABE1D7520F9C2A45CB1EB8E95CFD55262B70B29FEEC5864E19C054FF99129280E4646217791811142820341263C5315", "8CB91E82A3386D280F5D6F7E50E641DF152F7109ED5456B31F166E6CAC0425A7CF3AB6AF6B7FC3103B883202E9046565")
	BrainpoolP512r1 = newCurve("brainpoolP512r1", []int{1, 3, 36, 3, 3, 2, 8, 1, 1, 13},
		"AADD9DB8DBE9C48B3FD4E6AE33C9FC07CB308DB3B3C9D20ED6639CCA703308717D4D9B009BC66842AECDA12AE6A380E62881FF2F2D82C68528AA6056583A48F3", "7830A3318B603B89E2327145AC234CC594CBDD8D3DF91610A83441CAEA9863BC2DED5D5AA8253AA10A2EF1C98B9AC8B57F1117A72BF2C7B9E7C1AC4D77FC94CA", "3DF91610A83441CAEA9863BC2DED5D5AA8253AA10A2EF1C98B9AC8B57F1117A72BF2C7B9E7C1AC4D77FC94CADC083E67984050B75EBAE5DD2809BD638016F723",
		"81AEE4BDD82ED9645A21322E9C4C6A9385ED9F70B5D916C1B43B62EEF4D0098EFF3B1F78E2D0D48D50D1687B93B97D5F7C6D5047406A5E688B352209BCB9F822", "7DDE385D566332ECC0EABFA9CF7822FDF209F70024A57B1AA000C55B881F8111B2DCDE494A5F485E5BCA4BD88A2763AED1CA2B2FA8F0540678CD1E0F3AD80892", "AADD9DB8DBE9C48B3FD4E6AE33C9FC07CB308DB3B3C9D20ED6639CCA70330870553E5C414CA92619418661197FAC10471DB1D381085DDADDB58796829CA90069")
	P224 = fromStd("secp224r1", []int{1, 3, 132, 0, 33}, elliptic.P224())
	P256 = fromStd("secp256r1", []int{1, 2, 840, 10045, 3, 1, 7}, elliptic.P256())
	P384 = fromStd("secp384r1", []int{1, 3, 132, 0, 34}, elliptic.P384())
	P521 = fromStd("secp521r1", []int{1, 3, 132, 0, 35}, elliptic.P521())
)

// Named lists every curve known by name.
var Named = []*Curve{BrainpoolP192r1, BrainpoolP224r1, BrainpoolP256r1, BrainpoolP320r1, BrainpoolP384r1, BrainpoolP512r1, P224, P256, P384, P521}

// ByOID returns the named curve with that OID.
func ByOID(oid []int) *Curve {
	for _, c := range Named {
		if equalInts(c.OID, oid) {
			return c
		}
	}
	return nil
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// Explicit builds a curve from explicit domain parameters. When they equal
// a named curve, that curve is returned, so explicit-parameter keys on
// standard curves get the same (and, for NIST curves, the fast) code path.
func Explicit(p, a, b, gx, gy, n *big.Int, h int64) (*Curve, error) {
	for _, c := range Named {
		if c.P.Cmp(p) == 0 && c.A.Cmp(a) == 0 && c.B.Cmp(b) == 0 && c.Gx.Cmp(gx) == 0 && c.Gy.Cmp(gy) == 0 && c.N.Cmp(n) == 0 {
			return c, nil
		}
	}
	if p.Sign() <= 0 || p.BitLen() < 160 || p.BitLen() > 1024 || p.Bit(0) == 0 {
		return nil, errors.New("ec: field prime out of range")
	}
	if n.Sign() <= 0 || n.BitLen() < 160 || h < 1 {
		return nil, errors.New("ec: group order out of range")
	}
	for _, v := range []*big.Int{a, b, gx, gy} {
		if v.Sign() < 0 || v.Cmp(p) >= 0 {
			return nil, errors.New("ec: parameter not a field element")
		}
	}
	if !p.ProbablyPrime(16) || !n.ProbablyPrime(16) {
		return nil, errors.New("ec: field size or order is not prime")
	}
	c := &Curve{Name: "explicit", P: p, A: a, B: b, Gx: gx, Gy: gy, N: n, H: h}
	c.init()
	if !c.IsOnCurve(gx, gy) {
		return nil, errors.New("ec: base point not on the curve")
	}
	return c, nil
}

// IsOnCurve reports whether (x, y) is a finite point of the curve with
// coordinates in range.
func (c *Curve) IsOnCurve(x, y *big.Int) bool {
	if x == nil || y == nil || x.Sign() < 0 || y.Sign() < 0 || x.Cmp(c.P) >= 0 || y.Cmp(c.P) >= 0 {
		return false
	}
	y2 := new(big.Int).Mul(y, y)
	y2.Mod(y2, c.P)
	r := new(big.Int).Mul(x, x)
	r.Add(r, c.A)
	r.Mul(r, x)
	r.Add(r, c.B)
	r.Mod(r, c.P)
	return r.Cmp(y2) == 0
}

// Unmarshal decodes an uncompressed (0x04) or compressed (0x02/0x03) point
// and checks it lies on the curve.
func (c *Curve) Unmarshal(b []byte) (x, y *big.Int, err error) {
	n := c.byteLen
	switch {
	case len(b) == 1+2*n && b[0] == 4:
		x = new(big.Int).SetBytes(b[1 : 1+n])
		y = new(big.Int).SetBytes(b[1+n:])
	case len(b) == 1+n && (b[0] == 2 || b[0] == 3):
		x = new(big.Int).SetBytes(b[1:])
		if x.Cmp(c.P) >= 0 {
			return nil, nil, errors.New("ec: x out of range")
		}
		rhs := new(big.Int).Mul(x, x)
		rhs.Add(rhs, c.A)
		rhs.Mul(rhs, x)
		rhs.Add(rhs, c.B)
		rhs.Mod(rhs, c.P)
		y = new(big.Int).ModSqrt(rhs, c.P)
		if y == nil {
			return nil, nil, errors.New("ec: compressed point not on the curve")
		}
		if y.Bit(0) != uint(b[0]&1) {
			y.Sub(c.P, y)
		}
	default:
		return nil, nil, errors.New("ec: bad point encoding")
	}
	if !c.IsOnCurve(x, y) {
		return nil, nil, errors.New("ec: point not on the curve")
	}
	return x, y, nil
}

// Marshal encodes a point uncompressed.
func (c *Curve) Marshal(x, y *big.Int) []byte {
	out := make([]byte, 1+2*c.byteLen)
	out[0] = 4
	x.FillBytes(out[1 : 1+c.byteLen])
	y.FillBytes(out[1+c.byteLen:])
	return out
}

// jacobian point; Z == 0 is the point at infinity.
type jac struct{ x, y, z *big.Int }

func (c *Curve) mod(v *big.Int) *big.Int {
	v.Mod(v, c.P)
	return v
}

func (c *Curve) double(p jac) jac {
	if p.z.Sign() == 0 || p.y.Sign() == 0 {
		return jac{new(big.Int), new(big.Int), new(big.Int)}
	}
	P := c.P
	// dbl-2007-bl for general a.
	xx := c.mod(new(big.Int).Mul(p.x, p.x))
	yy := c.mod(new(big.Int).Mul(p.y, p.y))
	yyyy := c.mod(new(big.Int).Mul(yy, yy))
	zz := c.mod(new(big.Int).Mul(p.z, p.z))
	s := new(big.Int).Add(p.x, yy)
	s.Mul(s, s)
	s.Sub(s, xx)
	s.Sub(s, yyyy)
	s.Lsh(s, 1)
	c.mod(s)
	m := new(big.Int).Lsh(xx, 1)
	m.Add(m, xx)
	if !c.aZero {
		t := c.mod(new(big.Int).Mul(zz, zz))
		t.Mul(t, c.A)
		m.Add(m, t)
	}
	c.mod(m)
	x3 := new(big.Int).Mul(m, m)
	x3.Sub(x3, s)
	x3.Sub(x3, s)
	c.mod(x3)
	y3 := new(big.Int).Sub(s, x3)
	y3.Mul(y3, m)
	t := new(big.Int).Lsh(yyyy, 3)
	y3.Sub(y3, t)
	c.mod(y3)
	z3 := new(big.Int).Add(p.y, p.z)
	z3.Mul(z3, z3)
	z3.Sub(z3, yy)
	z3.Sub(z3, zz)
	z3.Mod(z3, P)
	return jac{x3, y3, z3}
}

// addMixed adds an affine point (x2, y2) to p (madd-2007-bl).
func (c *Curve) addMixed(p jac, x2, y2 *big.Int) jac {
	if p.z.Sign() == 0 {
		return jac{new(big.Int).Set(x2), new(big.Int).Set(y2), big.NewInt(1)}
	}
	z1z1 := c.mod(new(big.Int).Mul(p.z, p.z))
	u2 := c.mod(new(big.Int).Mul(x2, z1z1))
	s2 := new(big.Int).Mul(y2, p.z)
	s2.Mul(s2, z1z1)
	c.mod(s2)
	h := c.mod(new(big.Int).Sub(u2, p.x))
	r := new(big.Int).Sub(s2, p.y)
	r.Lsh(r, 1)
	c.mod(r)
	if h.Sign() == 0 {
		if r.Sign() == 0 {
			return c.double(p)
		}
		return jac{new(big.Int), new(big.Int), new(big.Int)}
	}
	hh := c.mod(new(big.Int).Mul(h, h))
	i := new(big.Int).Lsh(hh, 2)
	j := c.mod(new(big.Int).Mul(h, i))
	v := c.mod(new(big.Int).Mul(p.x, i))
	x3 := new(big.Int).Mul(r, r)
	x3.Sub(x3, j)
	x3.Sub(x3, v)
	x3.Sub(x3, v)
	c.mod(x3)
	y3 := new(big.Int).Sub(v, x3)
	y3.Mul(y3, r)
	t := new(big.Int).Mul(p.y, j)
	t.Lsh(t, 1)
	y3.Sub(y3, t)
	c.mod(y3)
	z3 := new(big.Int).Add(p.z, h)
	z3.Mul(z3, z3)
	z3.Sub(z3, z1z1)
	z3.Sub(z3, hh)
	c.mod(z3)
	return jac{x3, y3, z3}
}

// affine converts p to affine coordinates; ok is false at infinity.
func (c *Curve) affine(p jac) (x, y *big.Int, ok bool) {
	if p.z.Sign() == 0 {
		return nil, nil, false
	}
	zi := new(big.Int).ModInverse(p.z, c.P)
	zi2 := c.mod(new(big.Int).Mul(zi, zi))
	x = c.mod(new(big.Int).Mul(p.x, zi2))
	zi2.Mul(zi2, zi)
	y = c.mod(new(big.Int).Mul(p.y, zi2))
	return x, y, true
}

// ScalarMult returns k·(x, y); ok is false for the point at infinity.
func (c *Curve) ScalarMult(x, y, k *big.Int) (rx, ry *big.Int, ok bool) {
	r := jac{new(big.Int), new(big.Int), new(big.Int)}
	for i := k.BitLen() - 1; i >= 0; i-- {
		r = c.double(r)
		if k.Bit(i) == 1 {
			r = c.addMixed(r, x, y)
		}
	}
	return c.affine(r)
}

// window is the width of the fixed windows in the double-scalar
// multiplication: 2^w−1 precomputed multiples of each point.
const window = 4

func (c *Curve) table(x, y *big.Int) [][2]*big.Int {
	t := make([][2]*big.Int, 1<<window)
	t[1] = [2]*big.Int{x, y}
	acc := jac{new(big.Int).Set(x), new(big.Int).Set(y), big.NewInt(1)}
	for i := 2; i < len(t); i++ {
		acc = c.addMixed(acc, x, y)
		ax, ay, ok := c.affine(acc)
		if !ok {
			return nil
		}
		t[i] = [2]*big.Int{ax, ay}
	}
	return t
}

// fastPath returns the Montgomery-arithmetic implementation, nil for
// fields larger than maxLimbs.
func (c *Curve) fastPath() *fastCurve {
	c.fastOnce.Do(c.initFast)
	return c.fast
}

// doubleScalar returns u1·G + u2·Q with interleaved fixed windows.
func (c *Curve) doubleScalar(u1, u2, qx, qy *big.Int) (x, y *big.Int, ok bool) {
	if fc := c.fastPath(); fc != nil {
		if tq := fc.oddTable(faffine{fc.f.fromBig(qx), fc.f.fromBig(qy)}, wnafQ); tq != nil {
			return fc.mulAdd(u1, u2, tq)
		}
	}
	return c.doubleScalarSlow(u1, u2, qx, qy)
}

// doubleScalarSlow is doubleScalar with math/big arithmetic.
func (c *Curve) doubleScalarSlow(u1, u2, qx, qy *big.Int) (x, y *big.Int, ok bool) {
	c.gOnce.Do(func() { c.gTable = c.table(c.Gx, c.Gy) })
	tg := c.gTable
	tq := c.table(qx, qy)
	if tg == nil || tq == nil {
		// Small-order oddities: fall back to the plain ladder.
		ax, ay, ok1 := c.ScalarMult(c.Gx, c.Gy, u1)
		bx, by, ok2 := c.ScalarMult(qx, qy, u2)
		switch {
		case !ok1:
			return bx, by, ok2
		case !ok2:
			return ax, ay, true
		}
		return c.affine(c.addMixed(jac{ax, ay, big.NewInt(1)}, bx, by))
	}
	bits := max(u1.BitLen(), u2.BitLen())
	bits = (bits + window - 1) / window * window
	r := jac{new(big.Int), new(big.Int), new(big.Int)}
	for i := bits - window; i >= 0; i -= window {
		for j := 0; j < window; j++ {
			r = c.double(r)
		}
		var d1, d2 int
		for j := window - 1; j >= 0; j-- {
			d1 = d1<<1 | int(u1.Bit(i+j))
			d2 = d2<<1 | int(u2.Bit(i+j))
		}
		if d1 != 0 {
			r = c.addMixed(r, tg[d1][0], tg[d1][1])
		}
		if d2 != 0 {
			r = c.addMixed(r, tq[d2][0], tq[d2][1])
		}
	}
	return c.affine(r)
}

// hashToInt truncates a digest to the bit length of N (SEC 1, 4.1.3 step 5).
func (c *Curve) hashToInt(digest []byte) *big.Int {
	orderBits := c.N.BitLen()
	orderBytes := (orderBits + 7) / 8
	if len(digest) > orderBytes {
		digest = digest[:orderBytes]
	}
	e := new(big.Int).SetBytes(digest)
	if excess := len(digest)*8 - orderBits; excess > 0 {
		e.Rsh(e, uint(excess))
	}
	return e
}

// Verify checks an ECDSA signature (r, s) on digest with public key (qx, qy).
// The key must be on the curve and r, s in [1, N−1].
func (c *Curve) Verify(qx, qy *big.Int, digest []byte, r, s *big.Int) bool {
	if r == nil || s == nil || r.Sign() <= 0 || s.Sign() <= 0 || r.Cmp(c.N) >= 0 || s.Cmp(c.N) >= 0 {
		return false
	}
	if !c.IsOnCurve(qx, qy) {
		return false
	}
	if c.Std != nil {
		pub, err := ecdsa.ParseUncompressedPublicKey(c.Std, c.Marshal(qx, qy))
		if err != nil {
			return false
		}
		return ecdsa.Verify(pub, digest, r, s)
	}
	e := c.hashToInt(digest)
	w := new(big.Int).ModInverse(s, c.N)
	if w == nil {
		return false
	}
	u1 := new(big.Int).Mul(e, w)
	u1.Mod(u1, c.N)
	u2 := new(big.Int).Mul(r, w)
	u2.Mod(u2, c.N)
	x, _, ok := c.doubleScalar(u1, u2, qx, qy)
	if !ok {
		return false
	}
	x.Mod(x, c.N)
	return x.Cmp(r) == 0
}

// PublicKey returns d·G.
func (c *Curve) PublicKey(d *big.Int) (x, y *big.Int) {
	x, y, _ = c.scalarBaseMult(d)
	return x, y
}

func (c *Curve) scalarBaseMult(k *big.Int) (x, y *big.Int, ok bool) {
	if fc := c.fastPath(); fc != nil {
		return fc.mulAdd(k, nil, nil)
	}
	return c.ScalarMult(c.Gx, c.Gy, k)
}

// Sign makes an ECDSA signature with private key d and nonce k (both in
// [1, N−1]); it is for building test fixtures, not for production keys.
func (c *Curve) Sign(d, k *big.Int, digest []byte) (r, s *big.Int, err error) {
	x, _, ok := c.scalarBaseMult(k)
	if !ok {
		return nil, nil, errors.New("ec: bad nonce")
	}
	r = new(big.Int).Mod(x, c.N)
	if r.Sign() == 0 {
		return nil, nil, errors.New("ec: bad nonce")
	}
	ki := new(big.Int).ModInverse(k, c.N)
	s = new(big.Int).Mul(d, r)
	s.Add(s, c.hashToInt(digest))
	s.Mul(s, ki)
	s.Mod(s, c.N)
	if s.Sign() == 0 {
		return nil, nil, errors.New("ec: bad nonce")
	}
	return r, s, nil
}
