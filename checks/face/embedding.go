package face

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
)

// Embedding is an L2-normalised identity vector; the cosine similarity of
// two embeddings is their dot product.
type Embedding []float32

// Normalize scales v to unit length in place; a zero or non-finite vector
// is an error, because it would match everything or nothing.
func Normalize(v []float32) error {
	var s float64
	for i, x := range v {
		if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
			return fmt.Errorf("embedding: element %d is not finite", i)
		}
		s += float64(x) * float64(x)
	}
	if s < 1e-20 {
		return errors.New("embedding: zero vector")
	}
	inv := float32(1 / math.Sqrt(s))
	for i := range v {
		v[i] *= inv
	}
	return nil
}

// Cosine is the cosine similarity of two embeddings of the same dimension.
func Cosine(a, b Embedding) (float64, error) {
	if len(a) == 0 || len(a) != len(b) {
		return 0, fmt.Errorf("embedding: cannot compare dimensions %d and %d", len(a), len(b))
	}
	var dot, na, nb float64
	for i := range a {
		dot += float64(a[i]) * float64(b[i])
		na += float64(a[i]) * float64(a[i])
		nb += float64(b[i]) * float64(b[i])
	}
	if na == 0 || nb == 0 {
		return 0, errors.New("embedding: zero vector")
	}
	return dot / math.Sqrt(na*nb), nil
}

// Binary encoding: 4-byte header then the values, little-endian.
//
//	byte 0    'E'
//	byte 1    format: 1 = float32, 2 = float16 (half the size; cosine error < 1e-3)
//	bytes 2-3 dimension, uint16
const (
	encMagic   = 'E'
	encFloat32 = 1
	encFloat16 = 2
)

// MarshalBinary encodes as float32 (lossless), 4+4·dim bytes.
func (e Embedding) MarshalBinary() ([]byte, error) { return e.encode(encFloat32) }

// MarshalCompact encodes as float16, 4+2·dim bytes: 1 KiB for 512-d.
func (e Embedding) MarshalCompact() ([]byte, error) { return e.encode(encFloat16) }

func (e Embedding) encode(format byte) ([]byte, error) {
	if len(e) == 0 || len(e) > math.MaxUint16 {
		return nil, fmt.Errorf("embedding: dimension %d outside 1..65535", len(e))
	}
	size := 4
	if format == encFloat32 {
		size += 4 * len(e)
	} else {
		size += 2 * len(e)
	}
	out := make([]byte, size)
	out[0], out[1] = encMagic, format
	binary.LittleEndian.PutUint16(out[2:], uint16(len(e)))
	for i, v := range e {
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			return nil, fmt.Errorf("embedding: element %d is not finite", i)
		}
		if format == encFloat32 {
			binary.LittleEndian.PutUint32(out[4+4*i:], math.Float32bits(v))
		} else {
			binary.LittleEndian.PutUint16(out[4+2*i:], toHalf(v))
		}
	}
	return out, nil
}

// UnmarshalBinary decodes either encoding and re-normalises (float16
// rounding leaves the norm a hair off 1).
func (e *Embedding) UnmarshalBinary(b []byte) error {
	if len(b) < 4 || b[0] != encMagic {
		return errors.New("embedding: not an encoded embedding (bad header)")
	}
	dim := int(binary.LittleEndian.Uint16(b[2:]))
	if dim == 0 {
		return errors.New("embedding: dimension 0")
	}
	var want int
	switch b[1] {
	case encFloat32:
		want = 4 + 4*dim
	case encFloat16:
		want = 4 + 2*dim
	default:
		return fmt.Errorf("embedding: unknown format %d", b[1])
	}
	if len(b) != want {
		return fmt.Errorf("embedding: %d bytes, format %d with dimension %d needs %d", len(b), b[1], dim, want)
	}
	v := make(Embedding, dim)
	for i := range v {
		if b[1] == encFloat32 {
			v[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4+4*i:]))
		} else {
			v[i] = fromHalf(binary.LittleEndian.Uint16(b[4+2*i:]))
		}
	}
	if err := Normalize(v); err != nil {
		return err
	}
	*e = v
	return nil
}

// toHalf converts to IEEE 754 binary16 with round-to-nearest-even; values
// in an embedding are |x| ≤ 1, so overflow cannot occur in practice but is
// still handled (saturates to ±Inf like hardware does).
func toHalf(f float32) uint16 {
	b := math.Float32bits(f)
	sign := uint16(b>>16) & 0x8000
	exp := int((b>>23)&0xff) - 127 + 15
	mant := b & 0x7fffff
	switch {
	case exp >= 0x1f:
		return sign | 0x7c00
	case exp <= 0:
		if exp < -10 {
			return sign
		}
		mant |= 0x800000
		shift := uint(14 - exp)
		half := uint16(mant >> shift)
		rem := mant & (1<<shift - 1)
		mid := uint32(1) << (shift - 1)
		if rem > mid || (rem == mid && half&1 == 1) {
			half++
		}
		return sign | half
	}
	half := sign | uint16(exp)<<10 | uint16(mant>>13)
	rem := mant & 0x1fff
	if rem > 0x1000 || (rem == 0x1000 && half&1 == 1) {
		half++ // may carry into the exponent, which is the correct rounding
	}
	return half
}

func fromHalf(h uint16) float32 {
	sign := uint32(h&0x8000) << 16
	exp := uint32(h>>10) & 0x1f
	mant := uint32(h & 0x3ff)
	switch {
	case exp == 0:
		if mant == 0 {
			return math.Float32frombits(sign)
		}
		// subnormal: normalise
		e := uint32(127 - 15 + 1)
		for mant&0x400 == 0 {
			mant <<= 1
			e--
		}
		mant &= 0x3ff
		return math.Float32frombits(sign | e<<23 | mant<<13)
	case exp == 0x1f:
		return math.Float32frombits(sign | 0x7f800000 | mant<<13)
	}
	return math.Float32frombits(sign | (exp+127-15)<<23 | mant<<13)
}

// Fuse concatenates unit vectors, each scaled by the square root of its
// weight (weights summing to 1): the cosine of two fused embeddings is then
// the weighted mean of the parts' cosines, and the result is a unit vector
// that the duplicate index can search like any other.
func Fuse(parts [][]float32, weights []float64) (Embedding, error) {
	if len(parts) != len(weights) || len(parts) == 0 {
		return nil, fmt.Errorf("fuse: %d parts, %d weights", len(parts), len(weights))
	}
	var out Embedding
	for i, p := range parts {
		w := float32(math.Sqrt(weights[i]))
		for _, x := range p {
			out = append(out, w*x)
		}
	}
	return out, nil
}
