// Package lists parses official sanctions lists and PEP data into one Entity model and records
// each list's version (source, load/fetch time, SHA-256 of the files, entity count).
//
// Parsers read columns by header name where the format has headers, because publishers add and
// reorder columns; they fail with a ParseError naming file, line and field, and with ErrEmpty when
// a non-empty file yields no entity, so a changed format never silently empties a list.
// Fetch downloads into a temporary folder and parses before returning: all or nothing.
//
// Besides the official lists: ofac_crypto reads OFAC's per-currency digital currency address
// files (ofaccrypto.go), and pep reads politically exposed persons in a simple CSV / JSON-lines
// format (pep.go, docs/screening-pep.md). OFAC remark identifiers are read by their grammar
// (remarks.go): label, value, parenthesised places, qualifiers.
package lists
