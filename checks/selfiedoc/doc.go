// Package selfiedoc judges a selfie with a document: the applicant holds their identity
// document next to their face. It finds both faces — the applicant's, and the portrait printed
// on the held document — and matches the applicant's face to the held portrait and to the
// portrait of the document photographed earlier, so a stolen document held up by someone else
// is caught even when the earlier document photo was genuine.
//
// The held portrait is small in the picture, and the face detector sees photos letterboxed
// into 320×240: after the whole-picture pass, the parts beside and below the applicant's face
// are searched again at their own resolution, where a printed portrait is large enough to find.
package selfiedoc
