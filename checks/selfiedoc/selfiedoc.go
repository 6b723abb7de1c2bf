package selfiedoc

import (
	"bytes"
	"context"
	"fmt"
	"image/png"
	"math"

	"github.com/kycd/kycd/checks/face"
	"github.com/kycd/kycd/checks/face/imaging"
	"github.com/kycd/kycd/checks/mrz"
)

// Engine is what the analysis needs of the face engine (face.Engine).
type Engine interface {
	Detect(img *imaging.RGB) ([]face.Box, error)
	Landmarks(img *imaging.RGB, b face.Box) (face.Landmarks, error)
	Embed(img *imaging.RGB, lm *face.Landmarks) (face.Embedding, error)
	Threshold() float64
}

// Outcomes and reason codes.
const (
	ReasonNoFace             = "no_face"
	ReasonHeldNotFound       = "held_portrait_not_found"
	ReasonHeldMismatch       = "held_document_mismatch"
	ReasonDocumentMismatch   = "document_photo_mismatch"
	ReasonNoDocumentPortrait = "no_document_portrait"
	// ReasonUncertain: a match below the threshold but in the review band (Judge).
	ReasonUncertain = "selfie_with_document_uncertain"
)

// Result is the judgement of one picture.
type Result struct {
	// Face and Held are the applicant's face and the held document's portrait, in picture
	// pixels (nil when not found).
	Face *face.Box `json:"face,omitempty"`
	Held *face.Box `json:"held_portrait,omitempty"`
	// SelfieToHeld, SelfieToDocument and HeldToDocument are cosine similarities (nil when a
	// side is missing).
	SelfieToHeld     *float64 `json:"selfie_to_held,omitempty"`
	SelfieToDocument *float64 `json:"selfie_to_document,omitempty"`
	HeldToDocument   *float64 `json:"held_to_document,omitempty"`
	Threshold        float64  `json:"threshold"`
	// RejectThreshold is the bottom of the review band Judge applied (0: none).
	RejectThreshold float64 `json:"reject_threshold,omitempty"`
	// Pass is set when both matches reach the threshold; otherwise Reason says why.
	Pass    bool   `json:"pass"`
	Reason  string `json:"reason,omitempty"`
	Message string `json:"message,omitempty"`
	// HeldRegion is the part of the picture the held document is in (for an MRZ reading).
	HeldRegion imaging.Rect `json:"-"`
	// HeldMRZ is the held document's MRZ when it was legible (ReadHeldMRZ).
	HeldMRZ *mrz.Result `json:"held_mrz,omitempty"`
}

// Analyze judges picture (the applicant holding the document) against document, the
// embedding of the portrait of the document photographed earlier (nil: not yet available).
func Analyze(e Engine, picture *imaging.RGB, document face.Embedding) (*Result, error) {
	r := &Result{Threshold: e.Threshold()}
	boxes, err := e.Detect(picture)
	if err != nil {
		return nil, err
	}
	if len(boxes) == 0 {
		r.Reason, r.Message = ReasonNoFace, "no face was found in the picture"
		return r, nil
	}
	selfie := largest(boxes)
	r.Face = &selfie
	selfieEmb, err := embed(e, picture, selfie)
	if err != nil {
		return nil, err
	}
	held, heldImg, heldBox, region, err := findHeld(e, picture, selfie, boxes)
	if err != nil {
		return nil, err
	}
	if held == nil {
		r.Reason, r.Message = ReasonHeldNotFound, "no document portrait was found beside the face: hold the document's photo page next to your face"
		return r, nil
	}
	r.Held, r.HeldRegion = held, region
	heldEmb, err := embed(e, heldImg, heldBox)
	if err != nil {
		return nil, err
	}
	sh, err := face.Cosine(selfieEmb, heldEmb)
	if err != nil {
		return nil, err
	}
	r.SelfieToHeld = &sh
	if document != nil {
		sd, err := face.Cosine(selfieEmb, document)
		if err != nil {
			return nil, err
		}
		hd, err := face.Cosine(heldEmb, document)
		if err != nil {
			return nil, err
		}
		r.SelfieToDocument, r.HeldToDocument = &sd, &hd
	}
	r.Judge(r.Threshold, 0)
	return r, nil
}

// Judge decides a picture whose two faces were found from its scores: a pass when the face
// matches the held portrait and the document photo's portrait at accept, else the first
// comparison that does not. With reject > 0 a mismatch whose every comparison reaches reject
// is a case for a person instead (ReasonUncertain): the held portrait is small and often
// tilted, and with an embedding whose scores sit close together (dlib's) such same-person
// pairs land between the two thresholds. The service judges with the API key's thresholds.
func (r *Result) Judge(accept, reject float64) {
	if r.SelfieToHeld == nil {
		return // no face or no held portrait: Analyze said why
	}
	r.Threshold, r.RejectThreshold, r.Pass = accept, 0, false
	sh := *r.SelfieToHeld
	switch {
	case sh < accept:
		r.Reason, r.Message = ReasonHeldMismatch, fmt.Sprintf("the face does not match the held document's portrait (similarity %.2f < %.2f)", sh, accept)
	case r.SelfieToDocument == nil:
		r.Reason, r.Message = ReasonNoDocumentPortrait, "the document photo has no portrait to compare with"
		return
	case *r.SelfieToDocument < accept:
		r.Reason, r.Message = ReasonDocumentMismatch, fmt.Sprintf("the face does not match the document photo's portrait (similarity %.2f < %.2f)", *r.SelfieToDocument, accept)
	default:
		r.Reason, r.Message, r.Pass = "", "", true
		return
	}
	if reject <= 0 || reject >= accept {
		return
	}
	for _, s := range []*float64{r.SelfieToHeld, r.SelfieToDocument} {
		if s != nil && *s < reject {
			return
		}
	}
	r.RejectThreshold = reject
	r.Reason = ReasonUncertain
	r.Message = fmt.Sprintf("the face is similar to the document portraits but not clearly the same person (in the review band %.2f–%.2f); a person must compare them", reject, accept)
}

func largest(boxes []face.Box) face.Box {
	best := boxes[0]
	for _, b := range boxes[1:] {
		if b.Side() > best.Side() {
			best = b
		}
	}
	return best
}

func embed(e Engine, img *imaging.RGB, b face.Box) (face.Embedding, error) {
	lm, err := e.Landmarks(img, b)
	if err != nil {
		return nil, err
	}
	return e.Embed(img, &lm)
}

// maxHeldRatio bounds the held portrait's size against the face: a printed portrait is much
// smaller than the face of the person holding it (about a fifth to a half).
const maxHeldRatio = 0.75

// findHeld looks for the held document's portrait: a face clearly smaller than the
// applicant's and apart from it, first among the whole-picture detections, then in the
// regions left of, right of and below the face searched at their own resolution. It returns
// the portrait's box in picture pixels, and the image and box to embed it from.
func findHeld(e Engine, pic *imaging.RGB, selfie face.Box, boxes []face.Box) (*face.Box, *imaging.RGB, face.Box, imaging.Rect, error) {
	ok := func(b face.Box) bool {
		return b.Side() <= maxHeldRatio*selfie.Side() && overlap(b, selfie) == 0
	}
	var best *face.Box
	for _, b := range boxes {
		if ok(b) && (best == nil || b.Score > best.Score) {
			b := b
			best = &b
		}
	}
	W, H := float64(pic.W), float64(pic.H)
	if best != nil {
		return best, pic, *best, around(*best, W, H), nil
	}
	regions := []imaging.Rect{
		{X: 0, Y: 0, W: selfie.X1, H: H},                               // left of the face
		{X: selfie.X2, Y: 0, W: W - selfie.X2, H: H},                   // right of it
		{X: 0, Y: selfie.Y2, W: W, H: H - selfie.Y2},                   // below it
		{X: 0, Y: H / 3, W: W, H: H * 2 / 3},                           // the lower two thirds
		{X: 0, Y: 0, W: W / 2, H: H}, {X: W / 2, Y: 0, W: W / 2, H: H}, // the halves
	}
	var bestImg *imaging.RGB
	var bestLocal face.Box
	var bestRegion imaging.Rect
	for _, rg := range regions {
		if rg.W < float64(imaging.MinSide) || rg.H < float64(imaging.MinSide) {
			continue
		}
		crop := imaging.CropResize(pic, rg, int(rg.W), int(rg.H), [3]uint8{127, 127, 127})
		found, err := e.Detect(crop)
		if err != nil {
			return nil, nil, face.Box{}, imaging.Rect{}, err
		}
		for _, b := range found {
			g := face.Box{X1: b.X1 + rg.X, Y1: b.Y1 + rg.Y, X2: b.X2 + rg.X, Y2: b.Y2 + rg.Y, Score: b.Score}
			if ok(g) && (best == nil || g.Score > best.Score) {
				gg := g
				best, bestImg, bestLocal, bestRegion = &gg, crop, b, rg
			}
		}
	}
	if best == nil {
		return nil, nil, face.Box{}, imaging.Rect{}, nil
	}
	return best, bestImg, bestLocal, intersect(around(*best, W, H), bestRegion), nil
}

// around is the part of the picture a document with portrait b lies in: a passport's data
// page is about 5 portrait-widths wide and 3.5 portrait-heights high.
func around(b face.Box, W, H float64) imaging.Rect {
	x1, x2 := math.Max(0, b.X1-1.5*b.W()), math.Min(W, b.X2+4*b.W())
	y1, y2 := math.Max(0, b.Y1-1.2*b.H()), math.Min(H, b.Y2+1.5*b.H())
	return imaging.Rect{X: x1, Y: y1, W: x2 - x1, H: y2 - y1}
}

func intersect(a, b imaging.Rect) imaging.Rect {
	x1, y1 := math.Max(a.X, b.X), math.Max(a.Y, b.Y)
	x2, y2 := math.Min(a.X+a.W, b.X+b.W), math.Min(a.Y+a.H, b.Y+b.H)
	if x2 <= x1 || y2 <= y1 {
		return a
	}
	return imaging.Rect{X: x1, Y: y1, W: x2 - x1, H: y2 - y1}
}

func overlap(a, b face.Box) float64 {
	w := math.Min(a.X2, b.X2) - math.Max(a.X1, b.X1)
	h := math.Min(a.Y2, b.Y2) - math.Max(a.Y1, b.Y1)
	if w <= 0 || h <= 0 {
		return 0
	}
	return w * h
}

// MRZReader reads the machine-readable zone of an encoded image (nil, nil when none is found);
// checks/document.Engine.ReadMRZ is one.
type MRZReader func(ctx context.Context, image []byte) (*mrz.Result, error)

// ReadHeldMRZ reads the MRZ of the held document, in the part of the picture around its
// portrait, into r.HeldMRZ when it is legible (every check digit agrees). A picture whose
// MRZ cannot be read is not an error: a held document is often tilted or half covered.
func ReadHeldMRZ(ctx context.Context, read MRZReader, pic *imaging.RGB, r *Result) error {
	if r.Held == nil || r.HeldRegion.W < 1 || r.HeldRegion.H < 1 {
		return nil
	}
	crop := imaging.CropResize(pic, r.HeldRegion, int(r.HeldRegion.W), int(r.HeldRegion.H), [3]uint8{255, 255, 255})
	var buf bytes.Buffer
	if err := png.Encode(&buf, crop.ToImage()); err != nil {
		return err
	}
	m, err := read(ctx, buf.Bytes())
	if err != nil || m == nil || !m.Valid {
		return nil //nolint:nilerr // an unreadable zone is an outcome, not a failure
	}
	r.HeldMRZ = m
	return nil
}
