// Package goldencopy reads and writes GLEIF Golden Copy files in the CSV forms GLEIF
// publishes: the LEI-CDF 3.1 level-1 file (one row per LEI record), the RR-CDF level-2
// relationship file and the reporting-exceptions file, each plain or zipped.
//
// Readers stream with encoding/csv (one row in memory at a time; the zip entry is
// decompressed as it is read) and locate columns by header name, so columns GLEIF adds
// or reorders do not break them. They yield the record types of package business, equal
// to what the API client returns for the same LEI.
//
// Malformed rows (a wrong number of fields, a broken quote, an invalid LEI, an unreadable
// date) are reported as *RowError with the line number. By default a reader skips such
// rows and counts them (Stats, with the first MaxErrors errors kept); with Strict it stops
// at the first one. A missing required column fails when the reader is created.
// encoding/csv resynchronises at the next line after a broken quote, so normally only the
// broken row is lost; a quote that is opened and never closed swallows the rows up to the
// next quote character, and they count as that one malformed row.
//
// Writers produce the same format; the gen command and the tests use them to build
// Golden Copy files from recorded API responses.
package goldencopy
