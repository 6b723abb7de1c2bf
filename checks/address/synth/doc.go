// Package synth renders realistic proof-of-address documents for the tests and the benchmark
// of checks/address: six layouts (utility, bank, telecom, council tax, government letter,
// insurance) in English, German, French, Spanish, Portuguese and Italian, with a logo, an
// information box, a table, a footer with the issuer's own address, the addressee block in a
// left or right envelope window or under the header, and several dates on the page (issue,
// period, due). Each document comes as a text-layer PDF (a minimal hand-written PDF writer,
// Helvetica with WinAnsi), an image-only PDF (one JPEG per page) or a phone photo (a
// homography for the slant, rotation, blur, a shadow, sensor noise and JPEG compression),
// and with the hostile cases: too old, another person's name, another address, and a PDF
// whose invisible text layer names the applicant over a picture of someone else's bill.
// Pages are rasterised with the Go fonts (golang.org/x/image/font/gofont). Everything is
// drawn from a seed, so a seed the engine was not tuned on gives an honest measurement.
package synth
