// Package samplefaces holds the sandbox's sample faces (issue #27): small JPEGs of people
// who do not exist, composited from public-domain photographs by bench/samplefaces (see
// PROVENANCE.md beside this file and docs/SANDBOX_FACES.md). Test-mode hosted flows offer
// them as one-click selfies, and the sample passport carries the applicant's portrait, so a
// whole verification can be clicked through without a camera.
package samplefaces

import (
	_ "embed"
	"fmt"
)

var (
	//go:embed applicant.jpg
	applicant []byte
	//go:embed portrait.jpg
	portrait []byte
	//go:embed other.jpg
	other []byte
	//go:embed spoof.jpg
	spoof []byte
)

// Kinds of sample selfie.
const (
	// Applicant is the sample applicant: face match against the sample passport approves,
	// passive liveness passes.
	Applicant = "applicant"
	// Other is a different composite person: face match against the sample passport rejects.
	Other = "other"
	// Spoof is the applicant printed as a halftone and photographed: passive liveness flags it.
	Spoof = "spoof"
)

// Kinds lists the sample selfies in the order the hosted flow offers them.
var Kinds = []string{Applicant, Other, Spoof}

// Selfie returns a copy of the sample selfie of that kind (JPEG).
func Selfie(kind string) ([]byte, error) {
	var b []byte
	switch kind {
	case Applicant:
		b = applicant
	case Other:
		b = other
	case Spoof:
		b = spoof
	default:
		return nil, fmt.Errorf("samplefaces: unknown kind %q (want one of %v)", kind, Kinds)
	}
	return append([]byte(nil), b...), nil
}

// Portrait returns a copy of the applicant's passport photo (JPEG, 300×400): a second
// composite of the same geometry from the other half of the source photographs.
func Portrait() []byte { return append([]byte(nil), portrait...) }
