// Package ec is short-Weierstrass elliptic-curve arithmetic over arbitrary
// prime fields: ECDSA verification (and signing, for the test PKI) on
// brainpool curves and on curves given by explicit domain parameters,
// which crypto/ecdsa does not support. Fields up to 576 bits use Montgomery
// arithmetic on 64-bit limbs with w-NAF double-scalar multiplication;
// larger ones fall back to math/big; named NIST curves go to crypto/ecdsa.
//
// It is variable-time, which is fine for verifying with public keys;
// signing exists only to build test fixtures and must not touch real keys.
package ec
