package tools

import (
	"context"
	"fmt"
	"math"

	"github.com/kycd/kycd/checks/face"
	"github.com/kycd/kycd/verify"
)

// CompareFacesInput is two photos to compare.
type CompareFacesInput struct {
	ImageA string `json:"image_a" jsonschema:"the first photo (the selfie, say), base64 or data URL (JPEG, PNG, WebP, ≤ 15 MB)" minLength:"1"`
	ImageB string `json:"image_b" jsonschema:"the second photo (the document portrait, say), base64 or data URL (JPEG, PNG, WebP, ≤ 15 MB)" minLength:"1"`
	KindA  string `json:"kind_a,omitempty" jsonschema:"quality gate for image_a: selfie (strict; default) or document (small, grey portraits pass)" enum:"selfie,document"`
	KindB  string `json:"kind_b,omitempty" jsonschema:"quality gate for image_b: document (default) or selfie" enum:"selfie,document"`
}

// FaceReport is what was found in one photo.
type FaceReport struct {
	FaceFound bool        `json:"face_found" jsonschema:"whether a face was detected"`
	Box       *FaceBox    `json:"box" jsonschema:"the best face's box in pixels of the upright image, null when none"`
	Quality   FaceQuality `json:"quality" jsonschema:"the quality gate's verdict with a reason when not ok"`
	Width     int         `json:"width" jsonschema:"image width in pixels (after EXIF orientation)"`
	Height    int         `json:"height" jsonschema:"image height in pixels (after EXIF orientation)"`
}

// CompareFacesResult is a 1:1 face comparison.
type CompareFacesResult struct {
	// Score is null when a photo failed its quality gate: a low score would be a guess.
	Score     *float64   `json:"score" jsonschema:"cosine similarity of the two faces (−1..1), null when a photo was unusable"`
	Threshold float64    `json:"threshold" jsonschema:"the match threshold: the calling key's own, else the server's"`
	Match     bool       `json:"match" jsonschema:"score ≥ threshold, both photos usable, a second model agreeing"`
	Reason    string     `json:"reason,omitempty" jsonschema:"why no score (<a|b>:<quality reason>, e.g. b:face_too_small) or no match (models_disagree)"`
	Message   string     `json:"message,omitempty" jsonschema:"the reason for a person"`
	FaceA     FaceReport `json:"face_a" jsonschema:"what was found in image_a"`
	FaceB     FaceReport `json:"face_b" jsonschema:"what was found in image_b"`
	Model     string     `json:"model" jsonschema:"the embedding model (name@sha256) that produced the score"`
}

// CompareFaces compares two faces without storing anything.
var CompareFaces = Tool[CompareFacesInput, CompareFacesResult]{
	Name:     "compare_faces",
	Examples: []string{`{"image_a":"data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAABAAAAAQCAAAAAA6mKC9AAAAD0lEQVR42mNoQAMMI1sAAAUMgAHjM1mKAAAAAElFTkSuQmCC","image_b":"data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAABAAAAAQCAAAAAA6mKC9AAAAD0lEQVR42mNoQAMMI1sAAAUMgAHjM1mKAAAAAElFTkSuQmCC","kind_a":"selfie","kind_b":"document"}`},
	Title:    "Compare faces",
	Description: "Compare the faces in two photos (a selfie and an ID photo, say): similarity score, the server's threshold and a match verdict, " +
		"plus each face's box and quality. When a photo is unusable (no face, two faces, too small, too dark, …) the reason is given instead of a score. Stores nothing. " +
		"At 0.946 FAR 0/36835, FRR 2.9 %; at 0.90 FAR 2.7 % (docs/benchmarks/face.md).",
	Brief:       "stateless: two photos → `score`, `threshold`, `match`, each face's box and quality (or the reason a photo is unusable)",
	Scope:       ScopeVerificationsRead,
	Annotations: Annotations{ReadOnly: true, Destructive: false, Idempotent: true, OpenWorld: false},
	REST:        REST{Method: "POST", Path: "/faces/compare"},
	Summary: func(r CompareFacesResult) string {
		if r.Score == nil {
			return "No comparison: " + r.Reason + " — " + r.Message
		}
		verdict := "different people"
		switch {
		case r.Match:
			verdict = "the same person"
		case r.Reason != "":
			verdict = r.Message
		}
		return fmt.Sprintf("Similarity %.3f (threshold %.2f): %s.", *r.Score, r.Threshold, verdict)
	},
	Handle: compareFaces,
}

func faceKind(field, v, def string) (face.Kind, error) {
	if v == "" {
		v = def
	}
	switch v {
	case "selfie":
		return face.KindSelfie, nil
	case "document":
		return face.KindDocument, nil
	}
	return 0, invalid(field, "must be selfie or document")
}

func compareFaces(ctx context.Context, d *Deps, c Caller, in CompareFacesInput) (CompareFacesResult, error) {
	b, err := biometrics(d)
	if err != nil {
		return CompareFacesResult{}, err
	}
	ka, err := faceKind("kind_a", in.KindA, "selfie")
	if err != nil {
		return CompareFacesResult{}, err
	}
	kb, err := faceKind("kind_b", in.KindB, "document")
	if err != nil {
		return CompareFacesResult{}, err
	}
	imgA, err := decodeImage("image_a", in.ImageA, 0)
	if err != nil {
		return CompareFacesResult{}, err
	}
	imgB, err := decodeImage("image_b", in.ImageB, 0)
	if err != nil {
		return CompareFacesResult{}, err
	}
	fa, err := analyzeUpload(ctx, b, "image_a", imgA, ka)
	if err != nil {
		return CompareFacesResult{}, err
	}
	fb, err := analyzeUpload(ctx, b, "image_b", imgB, kb)
	if err != nil {
		return CompareFacesResult{}, err
	}
	th, err := b.ThresholdsFor(ctx, c.KeyID)
	if err != nil {
		return CompareFacesResult{}, err
	}
	m, err := b.Match(fa, fb, "a", "b", th)
	if err != nil {
		return CompareFacesResult{}, err
	}
	model := b.EmbeddingModel()
	out := CompareFacesResult{Threshold: m.Threshold, Match: m.Match, Reason: m.Reason, Message: m.Message,
		FaceA: report(fa), FaceB: report(fb), Model: model.Name + "@" + model.SHA256}
	if m.Scored {
		s := m.Score
		out.Score = &s
	}
	if m.Vetoed {
		out.Reason = "models_disagree"
		out.Message = fmt.Sprintf("%.3f ≥ %.3f, but a second, independently trained model scores %.3f < %.3f: possibly a lookalike; a person should compare the photos",
			m.Score, m.Threshold, m.CrossCheck.Score, m.CrossCheck.Threshold)
	}
	return out, nil
}

func report(a *verify.FaceAnalysis) FaceReport {
	return FaceReport{FaceFound: a.FaceFound, Box: toBox(a.Box), Quality: toQuality(a.Quality), Width: a.Width, Height: a.Height}
}

// FaceBox is a face rectangle.
type FaceBox struct {
	X1    float64 `json:"x1" jsonschema:"left edge in pixels"`
	Y1    float64 `json:"y1" jsonschema:"top edge in pixels"`
	X2    float64 `json:"x2" jsonschema:"right edge in pixels"`
	Y2    float64 `json:"y2" jsonschema:"bottom edge in pixels"`
	Score float64 `json:"score" jsonschema:"the detector's confidence (0–1)"`
}

// HeadPose is head orientation in degrees.
type HeadPose struct {
	Yaw   float64 `json:"yaw" jsonschema:"left/right turn; positive: the nose points to the image's right"`
	Pitch float64 `json:"pitch" jsonschema:"up/down; positive: looking down"`
	Roll  float64 `json:"roll" jsonschema:"tilt; positive: clockwise in the image"`
}

// FaceQuality is the quality gate's verdict and what it measured.
type FaceQuality struct {
	OK         bool     `json:"ok" jsonschema:"the photo is usable"`
	Reason     string   `json:"reason,omitempty" jsonschema:"why not" enumof:"face.AllReasons"`
	Message    string   `json:"message,omitempty" jsonschema:"what to do about it, for the applicant"`
	Faces      int      `json:"faces" jsonschema:"faces counted (a much smaller second face, such as an ID card's ghost portrait, is ignored)"`
	FaceSize   float64  `json:"face_size" jsonschema:"face box side in pixels"`
	Brightness float64  `json:"brightness" jsonschema:"mean luma of the face, 0–255"`
	Sharpness  float64  `json:"sharpness" jsonschema:"variance of the Laplacian of the face at 112×112; low is blurry"`
	Pose       HeadPose `json:"pose" jsonschema:"head pose from the landmarks"`
}

func toBox(b *face.Box) *FaceBox {
	if b == nil {
		return nil
	}
	return &FaceBox{X1: round1(b.X1), Y1: round1(b.Y1), X2: round1(b.X2), Y2: round1(b.Y2), Score: round3(b.Score)}
}

func toQuality(q face.Quality) FaceQuality {
	return FaceQuality{OK: q.OK, Reason: q.Reason, Message: q.Message, Faces: q.Faces, FaceSize: round1(q.FaceSize),
		Brightness: round1(q.Brightness), Sharpness: round1(q.Sharpness),
		Pose: HeadPose{Yaw: round1(q.Pose.Yaw), Pitch: round1(q.Pose.Pitch), Roll: round1(q.Pose.Roll)}}
}

func round1(v float64) float64 { return math.Round(v*10) / 10 }
