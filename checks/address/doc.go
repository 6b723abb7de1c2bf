// Package address checks proof-of-address documents: a utility bill, bank statement, tax or
// government letter, as a PDF or a photo, against the name and address an applicant declared.
// It reads the text, finds the addressee block, parses the address by its country's rules,
// picks the document's date, tells the document's kind, and decides approved, needs_review or
// rejected with machine-readable reasons.
//
// # Reading
//
// PDFs are read with Debian's poppler-utils, not a Go PDF library: pdfinfo (pages,
// encryption), `pdftotext -layout` for the text layer and pdftoppm to render pages. Poppler is
// the reader most Linux PDF viewers use and handles the fonts, encodings and damaged files of
// real billers; no pure-Go reader was measured against it yet (the issue asks for that
// comparison before choosing one — it is still open). Poppler runs as a child process with no
// shell, a 20 s timeout, and — through util-linux prlimit — a 1 GB address-space and CPU limit,
// so a hostile PDF
// costs at most that. Encrypted PDFs, more than 20 pages or 20 MB, and PDFs poppler cannot
// parse are refused with an *Error naming the document field.
//
// A PDF with a text layer is read from it (exact, fast). When Tesseract is linked, the first
// page is also rendered at 200 dpi and OCR'd, and the text layer must agree with the printed
// page: most of its words, and the addressee's surname and postcode, must be on the picture.
// A doctored PDF — a photo of someone else's bill under an invisible text layer naming the
// applicant — fails that (text_layer_mismatch). A PDF without a text layer has its first 3
// pages rendered at 300 dpi and OCR'd; photos (JPEG, PNG, WebP via checks/imaging; HEIC is
// refused by name, no decoder is linked) are rectified when the page shows against a darker
// surface on all four sides (rectify.go: the four edges fitted, the page mapped back to a
// rectangle by a homography, the shadow divided out by the paper's local brightness), then
// straightened (projection-profile deskew, ±7°) before OCR; binarisation is Tesseract's own,
// which beat ours on the generated photos. Tesseract's words are laid out again as rows and
// columns, like pdftotext's, so both readings go through the same extraction. A page that
// fills the frame (its edges not in the photo) is only deskewed: its perspective stays.
//
// # Extraction
//
// The addressee block is found by name first: every line segment (a column of the layout)
// that matches the declared name starts a candidate block made of the segments beneath it in
// the same column, cut at the first line with a postcode valid in the country; the candidate
// whose address parses best wins. When the name is nowhere, the first block of a person-like
// name over a parsable address stands in, so a document made out to someone else is read and
// rejected, not called unreadable. Dates are found in the formats and languages of the
// supported countries (12 March 2026, 12.03.2026, 2026-03-12, 12/03/26 day-first except in the
// US, März, mars, marzo, março, maart, marca) and labelled by the words before them or above
// them in their column: an issue or statement date wins over a letter's date line, then an
// unlabelled date, then the end of a billing period; due dates, next-payment dates, dates of
// birth and meter readings never stand for the document's date.
//
// Addresses are parsed by rules per country behind the Parser interface (libpostal is not
// available, and the rules are few): the postcode format and where it stands (before the town
// in most of Europe, after it in GB, IE, US and CA, with the state or province), where the
// house number goes ("12 High Street" in GB, IE, US, CA and FR; "Hauptstraße 12" elsewhere,
// with flats and floors: "45/3/12", "10/5", "1-III", "5, 3º B", "- Apto 42", "bus 2"), and the
// abbreviations of each language (St/Street, Str./Straße, Av./Avenida, P.za/Piazza, ul.) which
// are expanded on both sides before comparing. Names are compared with the screening
// normaliser (checks/screening): diacritics and transliteration, honorifics dropped, word order
// free, initials and missing middle names forgiven, but a bare surname is never enough.
//
// # Decision
//
// Approved needs the name, every address component (house number, street, postcode, city,
// country), a date within max_age_days, an accepted kind and nothing suspicious. A text layer
// is exact, so a different name, postcode or house number there rejects. OCR drops and swaps
// characters, so from a picture only a clearly different name, or an address differing in its
// postcode and in its street or number, rejects; smaller differences and low confidence go to
// review. Insurance letters and unrecognised documents go to review: most KYC policies do not
// accept them alone (Config.AcceptedKinds changes that). The generator in package synth and
// bench/address measure all this; docs/benchmarks/address.md has the figures.
//
//	eng, _ := address.NewEngine(address.Config{})
//	decl, _ := address.ParseDeclared("12 High Street, London SW4 7AB, GB", nil)
//	res, err := eng.Check(ctx, address.Input{Document: pdf, DeclaredName: "John Smith", DeclaredAddress: decl})
package address
