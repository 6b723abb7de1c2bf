// Package nfctest builds a deterministic test PKI for checks/nfc: CSCA and
// Document Signer certificates with RSA (PKCS#1 v1.5 and PSS), ECDSA P-256
// and brainpoolP256r1 keys (named or explicit parameters), signed EF.SOD
// files, CRLs, CSCA master lists, data groups (DG1 MRZ, DG2 face with JPEG
// or JPEG 2000, DG14, DG15) and Active Authentication responses.
//
// Everything is derived from string seeds, so the same seed gives the same
// bytes on every run. The keys are for tests only.
package nfctest
