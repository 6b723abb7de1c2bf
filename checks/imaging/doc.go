// Package imaging is the one place uploaded images are judged and decoded: format sniffing,
// size, pixel and memory guards read from the header alone, EXIF orientation, and a
// process-wide memory budget for the decoders.
//
// Why one package: the document, face and liveness engines and the tools all take untrusted
// images, and a guard written three times drifts three ways (issue #14). Why bound memory and
// not only pixels: a 311 KB 16-bit PNG within the pixel limit still costs ~600 MB to decode,
// so the cost is estimated per format from the header and decodes in flight share a budget
// (issue #17). It is the lowest checks package and imports nothing of ours.
package imaging
