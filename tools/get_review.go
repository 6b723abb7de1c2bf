package tools

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/kycd/kycd/db"
	"github.com/kycd/kycd/models"
)

// GetReviewInput names a case.
type GetReviewInput struct {
	ID string `json:"id" jsonschema:"verification id (ver_…)" minLength:"1" maxLength:"64"`
}

// ReviewCase is what the review desk knows about a verification beyond its result.
type ReviewCase struct {
	VerificationID string           `json:"verification_id" jsonschema:"the case (ver_…)"`
	Assignment     ReviewAssignment `json:"assignment" jsonschema:"who works it"`
	Comments       []ReviewComment  `json:"comments" jsonschema:"reviewers' comments, oldest first"`
	Decisions      []ReviewDecision `json:"decisions" jsonschema:"manual decisions, oldest first, with their reason codes"`
	Images         []CaseImage      `json:"images" jsonschema:"the images the applicant uploaded (metadata; get_verification_image returns one)"`
}

// ReviewDecision is one manual decision on a case.
type ReviewDecision struct {
	ID             string                     `json:"id" jsonschema:"decision id (rvd_…)"`
	Decision       string                     `json:"decision" jsonschema:"approve, reject or request_resubmission" enum:"approve,reject,request_resubmission"`
	ReasonCodes    []string                   `json:"reason_codes" jsonschema:"the reviewer's reason codes"`
	Reviewer       string                     `json:"reviewer" jsonschema:"key or operator id"`
	Checks         []string                   `json:"checks,omitempty" jsonschema:"request_resubmission: the checks asked again"`
	PreviousChecks []string                   `json:"previous_checks,omitempty" jsonschema:"request_resubmission: the checks the verification ran before"`
	PreviousResult *models.VerificationResult `json:"previous_result,omitempty" jsonschema:"request_resubmission: the result it replaced (absent after erasure)"`
	CreatedAt      time.Time                  `json:"created_at" jsonschema:"when"`
}

// CaseImage is one uploaded image of a verification, without its bytes.
type CaseImage struct {
	ID          string     `json:"id" jsonschema:"image id (art_…), for get_verification_image"`
	Kind        string     `json:"kind" jsonschema:"selfie, liveness_frame, document_front, document_back or document_portrait"`
	Seq         int        `json:"seq" jsonschema:"frame order within a liveness capture (0 otherwise)"`
	ChallengeID string     `json:"challenge_id,omitempty" jsonschema:"the liveness challenge a frame answered"`
	ContentType string     `json:"content_type" jsonschema:"the image's media type"`
	Size        int        `json:"size" jsonschema:"bytes"`
	CreatedAt   time.Time  `json:"created_at" jsonschema:"upload time"`
	PurgedAt    *time.Time `json:"purged_at,omitempty" jsonschema:"when image retention deleted the bytes (the analysis stays)"`
}

// GetReview reads a case's review desk.
var GetReview = Tool[GetReviewInput, ReviewCase]{
	Name:     "get_review",
	Examples: []string{`{"id":"ver_01kbx4r7c8d9e0f1g2h3j4k5m6"}`},
	Title:    "Get a review case",
	Description: "Read the review desk of a verification: who is assigned, the reviewers' comments, every manual decision with its reason codes " +
		"(a resubmission request with the checks asked again and the result it replaced), and the list of uploaded images (get_verification_image returns one). " +
		"The verification itself, with its result, is get_verification.",
	Brief:       "a case's assignment, comments, decisions (with reason codes and replaced results) and image list",
	Scope:       ScopeVerificationsRead,
	Annotations: Annotations{ReadOnly: true, Destructive: false, Idempotent: true, OpenWorld: false},
	REST:        REST{Method: "GET", Path: "/verifications/{id}/review"},
	Summary: func(r ReviewCase) string {
		return fmt.Sprintf("Case %s: %d comment(s), %d decision(s), %d image(s).", r.VerificationID, len(r.Comments), len(r.Decisions), len(r.Images))
	},
	Handle: getReview,
}

func getReview(ctx context.Context, d *Deps, c Caller, in GetReviewInput) (ReviewCase, error) {
	if _, err := getVerification(ctx, d, c, in.ID); err != nil {
		return ReviewCase{}, err
	}
	sc := c.scope()
	out := ReviewCase{VerificationID: in.ID, Assignment: ReviewAssignment{VerificationID: in.ID},
		Comments: []ReviewComment{}, Decisions: []ReviewDecision{}, Images: []CaseImage{}}
	as, err := d.Store.ReviewAssignments(ctx, sc, []string{in.ID})
	if err != nil {
		return ReviewCase{}, err
	}
	if a, ok := as[in.ID]; ok {
		t := a.AssignedAt.UTC()
		out.Assignment.Assignee, out.Assignment.AssignedBy, out.Assignment.AssignedAt = &a.Assignee, &a.AssignedBy, &t
	}
	comments, err := d.Store.ReviewComments(ctx, sc, in.ID)
	if err != nil {
		return ReviewCase{}, err
	}
	for _, rc := range comments {
		body, err := d.Store.OpenReviewText(rc.Body)
		if err != nil {
			return ReviewCase{}, fmt.Errorf("open comment: %w", err)
		}
		out.Comments = append(out.Comments, ReviewComment{ID: rc.ID, Author: rc.Author, Body: body, CreatedAt: rc.CreatedAt.UTC()})
	}
	decisions, err := d.Store.ReviewDecisions(ctx, sc, in.ID)
	if err != nil {
		return ReviewCase{}, err
	}
	for _, rd := range decisions {
		out.Decisions = append(out.Decisions, toReviewDecision(d, rd))
	}
	arts, err := d.Store.ListArtifacts(ctx, sc, in.ID)
	if err != nil {
		return ReviewCase{}, err
	}
	for _, a := range arts {
		out.Images = append(out.Images, CaseImage{ID: a.ID, Kind: string(a.Kind), Seq: a.Seq, ChallengeID: a.ChallengeID,
			ContentType: a.ContentType, Size: a.Size, CreatedAt: a.CreatedAt.UTC(), PurgedAt: a.PurgedAt})
	}
	return out, nil
}

func toReviewDecision(d *Deps, rd db.ReviewDecision) ReviewDecision {
	out := ReviewDecision{ID: rd.ID, Decision: rd.Decision, ReasonCodes: splitNonEmpty(rd.ReasonCodes), Reviewer: rd.Reviewer, CreatedAt: rd.CreatedAt.UTC()}
	_ = json.Unmarshal([]byte(rd.Checks), &out.Checks)
	_ = json.Unmarshal([]byte(rd.PreviousChecks), &out.PreviousChecks)
	if raw, err := d.Store.OpenReviewText(rd.PreviousResult); err == nil && raw != "" {
		var r models.VerificationResult
		if json.Unmarshal([]byte(raw), &r) == nil {
			out.PreviousResult = &r
		}
	}
	return out
}

// GetVerificationImageInput names one uploaded image.
type GetVerificationImageInput struct {
	ID      string `json:"id" jsonschema:"verification id (ver_…)" minLength:"1" maxLength:"64"`
	ImageID string `json:"image_id" jsonschema:"image id (art_…) from get_review's images" minLength:"1" maxLength:"64"`
}

// VerificationImage is one uploaded image with its bytes.
type VerificationImage struct {
	ID          string `json:"id" jsonschema:"image id (art_…)"`
	Kind        string `json:"kind" jsonschema:"selfie, liveness_frame, document_front, document_back or document_portrait"`
	ContentType string `json:"content_type" jsonschema:"the image's media type"`
	Data        string `json:"data" jsonschema:"the image, base64"`
}

// GetVerificationImage returns one uploaded image, so a person can look at it.
var GetVerificationImage = Tool[GetVerificationImageInput, VerificationImage]{
	Name:     "get_verification_image",
	Examples: []string{`{"id":"ver_01kbx4r7c8d9e0f1g2h3j4k5m6","image_id":"art_01kbx4r7c8d9e0f1g2h3j4k5m6"}`},
	Title:    "Get a verification image",
	Description: "Return one image the applicant uploaded for a verification (document side, portrait cut from the document, selfie, liveness frame), base64, " +
		"so a reviewer can compare them. Images are personal data: every call is a read of it. Gone (not_found) once image retention purged it or the applicant was erased.",
	Brief:       "one uploaded image (document, portrait, selfie, liveness frame) as base64, for a reviewer",
	Scope:       ScopeVerificationsRead,
	Annotations: Annotations{ReadOnly: true, Destructive: false, Idempotent: true, OpenWorld: false},
	REST:        REST{Method: "GET", Path: "/verifications/{id}/images/{image_id}"},
	Summary: func(v VerificationImage) string {
		return fmt.Sprintf("Image %s (%s, %s).", v.ID, v.Kind, v.ContentType)
	},
	Handle: getVerificationImage,
}

func getVerificationImage(ctx context.Context, d *Deps, c Caller, in GetVerificationImageInput) (VerificationImage, error) {
	if !strings.HasPrefix(in.ID, "ver_") {
		return VerificationImage{}, invalid("id", "verification ids start with ver_")
	}
	if !strings.HasPrefix(in.ImageID, "art_") {
		return VerificationImage{}, invalid("image_id", "image ids start with art_")
	}
	a, err := d.Store.GetArtifact(ctx, c.scope(), in.ImageID)
	if err != nil || a.VerificationID != in.ID {
		return VerificationImage{}, Errorf(CodeNotFound, "image_id", "no image with that id in this verification")
	}
	b, err := d.Store.ArtifactImage(a)
	if errors.Is(err, db.ErrPurged) || errors.Is(err, db.ErrShredded) {
		return VerificationImage{}, Errorf(CodeNotFound, "image_id", "the image was deleted (image retention or erasure); its analysis stays in the result")
	}
	if err != nil {
		return VerificationImage{}, err
	}
	return VerificationImage{ID: a.ID, Kind: string(a.Kind), ContentType: a.ContentType, Data: base64.StdEncoding.EncodeToString(b)}, nil
}
