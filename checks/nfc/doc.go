// Package nfc verifies what a phone read from an ePassport or eID chip
// (ICAO Doc 9303 parts 10–12): passive authentication of the data groups
// against EF.SOD, the SOD's CMS signature with the Document Signer
// Certificate (DSC), and the DSC's chain to a trusted Country Signing CA
// (CSCA) from verified ICAO master lists, single certificates and CRLs.
// It parses DG1 (MRZ, validated with checks/mrz), DG2 (the portrait from an
// ISO/IEC 19794-5 or 39794-5 container, JPEG or JPEG 2000), DG14 (Chip
// Authentication, PACE and Active Authentication infos) and DG15, and
// checks Active Authentication responses (RSA ISO/IEC 9796-2 scheme 1,
// ECDSA plain r||s per BSI TR-03111).
//
// Why CMS, X.509 key parsing, ECDSA and RSA-PSS are written by hand here:
// crypto/x509 (and the pkcs7 libraries built on it) cannot parse brainpool
// keys or certificates with explicit EC domain parameters — used by the
// AT, DE, FI and RU passports and 160 CSCAs of the German master list —
// and pkcs7 rejects RSA-PSS, which MY, PH and SG sign with. So this package
// parses certificates and SignedData with encoding/asn1 (after a BER-to-DER
// pass for indefinite lengths, as New Zealand's SOD uses), and verifies
// ECDSA over any prime curve with math/big (internal/ec, NIST curves
// delegated to crypto/ecdsa) and PKCS#1 v1.5 / PSS with parameters from
// the AlgorithmIdentifier.
//
// Decisions that are not obvious from the code:
//
//   - Result.ChipAuthentic needs DG1: an SOD alone is public-ish data that
//     can be copied from any chip, so it proves nothing about the holder.
//   - A supplied data group the SOD does not list is reported not_covered
//     and its content is never parsed or used (no MRZ, no AA key from it).
//   - The DSC's validity is judged at the SOD's signed signingTime when
//     present, else at the clock; the CSCA's at the DSC's issuance (chain
//     model), so genuine older passports keep verifying.
//   - Signer certificates are matched by issuer and serial with names
//     normalised (RDN order, case, spacing), by subject key identifier, or
//     as the sole embedded certificate with the right serial.
//   - CRLs are applied only when the issuing CSCA's key verifies them.
//   - id-data as eContentType (Chinese passports) is accepted, but the
//     signed content-type attribute must agree with it.
//   - JPEG 2000 portraits are extracted and typed; converting them to JPEG
//     is left to a JPEG2000Decoder the caller supplies (e.g. wrapping
//     OpenJPEG), since Go has no JPEG 2000 decoder.
//
// Example:
//
//	ts := nfc.NewTrustStore()
//	root, _ := nfc.ParseCertificate(rootDER)
//	if _, err := ts.AddMasterList(masterList, []*nfc.Certificate{root}, time.Now()); err != nil { … }
//	r := nfc.NewVerifier(ts).Verify(nfc.Input{SOD: sod, DataGroups: map[int][]byte{1: dg1, 2: dg2}})
//	if !r.ChipAuthentic { /* r.Reasons say why, each with a code */ }
package nfc
