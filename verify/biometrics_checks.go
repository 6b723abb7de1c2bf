package verify

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/kycd/kycd/checks/age"
	"github.com/kycd/kycd/checks/face"
	"github.com/kycd/kycd/checks/liveness"
	"github.com/kycd/kycd/db"
	"github.com/kycd/kycd/models"
)

// DocumentFacts is what the document check read that the biometric checks use.
type DocumentFacts struct {
	// DateOfBirth as YYYY-MM-DD; decides the age check when present.
	DateOfBirth string
	// Number and IssuingCountry identify the document for duplicate detection.
	Number         string
	IssuingCountry string
	// FullName and the date of birth identify the person the document names.
	FullName string
	// Nationality as the MRZ gives it (ICAO alpha-3).
	Nationality string
}

// DocumentFactsSource returns the document facts of a verification (nil, nil when the
// document has not been read). It is the seam through which the document check feeds the
// age check and document-number duplicate detection (by default CheckInput.Document).
type DocumentFactsSource func(ctx context.Context, in *CheckInput) (*DocumentFacts, error)

// Messages for what a biometric check still needs.
const (
	needSelfie   = "a selfie (submit_selfie)"
	needPortrait = "the document portrait (a document_portrait image, extracted by the document upload)"
	needActive   = "a passed active liveness capture (get_liveness_challenge, then submit_liveness)"
)

// missingCtx bounds the database reads of Missing, which has no context of its own.
func missingCtx() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), 10*time.Second)
}

func (b *Biometrics) hasArtifact(v *models.Verification, kind models.ArtifactKind) (bool, error) {
	ctx, cancel := missingCtx()
	defer cancel()
	_, err := b.store.LatestArtifact(ctx, scopeOf(v), v.ID, kind)
	if errors.Is(err, db.ErrNotFound) {
		return false, nil
	}
	return err == nil, err
}

// dedupeOwner is the one biometric check of a verification that runs duplicate detection,
// so a duplicate is reported once however many biometric checks run.
func dedupeOwner(checks []models.Check) models.Check {
	for _, c := range []models.Check{models.CheckFaceMatch, models.CheckLiveness, models.CheckAge} {
		if slices.Contains(checks, c) {
			return c
		}
	}
	return ""
}

func review(code, msg string) models.Reason { return models.Reason{Code: code, Message: msg} }

// worse returns the stricter of two outcomes.
func worse(a, b models.Outcome) models.Outcome {
	rank := map[models.Outcome]int{models.OutcomePass: 0, models.OutcomeReview: 1, models.OutcomeFail: 2}
	if rank[b] > rank[a] {
		return b
	}
	return a
}

// dedupe adds duplicate findings to out when this check owns duplicate detection.
func (b *Biometrics) dedupe(ctx context.Context, check models.Check, in *CheckInput, selfie *FaceAnalysis, out *models.CheckOutcome) error {
	if dedupeOwner(in.Checks) != check {
		return nil
	}
	v := in.Verification
	if emb, err := selfie.Vector(); err != nil {
		return err
	} else if emb != nil {
		dup, err := b.FindDuplicate(ctx, scopeOf(v), v, emb)
		if err != nil {
			return err
		}
		if dup != nil {
			out.Outcome = worse(out.Outcome, models.OutcomeReview)
			out.Reasons = append(out.Reasons, review("duplicate_face",
				fmt.Sprintf("the face matches verification %s of another applicant (similarity %.2f ≥ %.2f)", dup.VerificationID, dup.Score, dup.Threshold)))
			out.Details["duplicate"] = dup
		}
	}
	if b.cfg.Documents != nil {
		facts, err := b.cfg.Documents(ctx, in)
		if err != nil {
			return fmt.Errorf("document facts: %w", err)
		}
		if facts != nil && facts.Number != "" {
			dup, err := b.DocumentDuplicate(ctx, v, facts)
			if err != nil {
				return err
			}
			if dup != nil {
				out.Outcome = worse(out.Outcome, models.OutcomeReview)
				out.Reasons = append(out.Reasons, review("duplicate_document",
					fmt.Sprintf("the document number was already presented by a different identity in verification %s", dup.VerificationID)))
				out.Details["duplicate_document"] = dup
			}
		}
	}
	return nil
}

// FaceMatchCheck is the face_match check: the selfie against the document portrait, or —
// for a re-verification — against the reusable identity's stored face.
type FaceMatchCheck struct{ b *Biometrics }

// Ready implements the optional readiness probe: the engine is loaded once it exists.
func (c *FaceMatchCheck) Ready() error { return nil }

// Missing implements CheckRunner.
func (c *FaceMatchCheck) Missing(in *CheckInput) []string {
	var out []string
	v := in.Verification
	if ok, err := c.b.hasArtifact(v, models.ArtifactSelfie); err != nil {
		return []string{"cannot check the uploads right now: " + err.Error()}
	} else if !ok {
		out = append(out, needSelfie)
	}
	if v.ReusedFrom == nil {
		if ok, err := c.b.hasArtifact(v, models.ArtifactDocumentPortrait); err != nil {
			return []string{"cannot check the uploads right now: " + err.Error()}
		} else if !ok {
			out = append(out, needPortrait)
		}
	}
	return out
}

// Run implements CheckRunner.
func (c *FaceMatchCheck) Run(ctx context.Context, in *CheckInput) (*models.CheckOutcome, error) {
	b, v := c.b, in.Verification
	out := &models.CheckOutcome{Details: map[string]any{}, Versions: map[string]string{
		"embedding_model": b.eng.EmbeddingModel().Name + "@" + b.eng.EmbeddingModel().SHA256}}
	selfieArt, selfie, err := b.SelfieAnalysis(ctx, v)
	if err != nil {
		return nil, err
	}
	if selfie == nil {
		out.Outcome, out.Reasons = models.OutcomeReview, []models.Reason{review("selfie_missing", "no selfie was uploaded")}
		return out, nil
	}
	var ref *FaceAnalysis
	var refArt *models.Artifact
	refSide := "document"
	if v.ReusedFrom != nil {
		refSide = "identity"
		out.Details["reference"] = "identity_token"
		tok, emb, err := b.store.IdentityTokenFor(ctx, scopeOf(v), *v.ReusedFrom)
		switch {
		case errors.Is(err, db.ErrConflict):
			out.Outcome, out.Reasons = models.OutcomeFail, []models.Reason{review("identity_token_revoked",
				fmt.Sprintf("the reusable identity of %s was revoked", *v.ReusedFrom))}
			return out, nil
		case errors.Is(err, db.ErrNotFound):
			out.Outcome, out.Reasons = models.OutcomeFail, []models.Reason{review("identity_token_missing",
				fmt.Sprintf("%s has no reusable identity", *v.ReusedFrom))}
			return out, nil
		case err != nil:
			return nil, err
		}
		if tok.Model != b.eng.EmbeddingModel().SHA256 {
			out.Outcome, out.Reasons = models.OutcomeReview, []models.Reason{review("identity_model_changed",
				"the reusable identity was enrolled with another embedding model; a person must compare the photos")}
			return out, nil
		}
		ref = IdentityReference(tok, emb)
	} else {
		out.Details["reference"] = "document_portrait"
		refArt, ref, err = b.PortraitAnalysis(ctx, v)
		if err != nil {
			return nil, err
		}
		if ref == nil {
			out.Outcome, out.Reasons = models.OutcomeReview, []models.Reason{review("portrait_missing", "no document portrait was uploaded")}
			return out, nil
		}
		out.Details["document_quality"] = ref.Quality
	}
	out.Details["selfie_quality"] = selfie.Quality
	th, err := b.ThresholdsFor(ctx, v.APIKeyID)
	if err != nil {
		return nil, err
	}
	if v.ReusedFrom != nil {
		th = th.ForReverify() // one selfie replaces a document check: stricter
	}
	m, err := b.Match(selfie, ref, "selfie", refSide, th)
	if err != nil {
		return nil, err
	}
	out.Details["match"] = m
	out.Outcome, out.Reasons = matchOutcome(m, refSide, "")
	if v.ReusedFrom != nil && m.Scored && m.Score >= ReverifyReplayScore {
		// Two captures of a face are never this alike; the enrolment selfie sent again
		// (re-encoded, resized, cropped) is. A re-verification needs a new, live capture.
		out.Outcome = worse(out.Outcome, models.OutcomeReview)
		out.Reasons = append(out.Reasons, review("selfie_replayed",
			fmt.Sprintf("the fresh selfie is nearly identical to the enrolled face (similarity %.3f ≥ %.2f): a copy of the enrolment photo, not a new capture; a person must check it", m.Score, ReverifyReplayScore)))
	}
	if out.Outcome != models.OutcomePass {
		// The reviewer compares the photos themselves: name both.
		out.Details["evidence"] = faceEvidence(selfieArt, refArt, v)
	}
	if m.Scored {
		s := math.Max(0, m.Score)
		out.Score = &s
	}
	if err := b.dedupe(ctx, models.CheckFaceMatch, in, selfie, out); err != nil {
		return nil, err
	}
	return out, nil
}

// ReverifyReplayScore is the face-match score at or above which a re-verification's selfie
// counts as a copy of the enrolment selfie the reusable identity holds. Measured with
// go run -tags onnx ./bench/face replay on the default embedding (dlib's network): copies of a
// photo (JPEG 40, resized to 60 %, cropped 8 %, re-lit, screenshot at half size) score
// median 0.999 and 273 of 305 are at or above 0.99; of 54 same-person pairs of different
// files one is (0.998: obama-720p.jpg is obama.jpg resampled, a copy itself), the next
// highest 0.987. The margin is thin: a flagged genuine capture goes to review, never fails.
const ReverifyReplayScore = 0.99

// matchOutcome turns a match verdict into an outcome and reasons: accept passes, the review
// band goes to a person, below it fails; prefix namespaces the reason codes ("nfc_").
func matchOutcome(m MatchVerdict, refSide, prefix string) (models.Outcome, []models.Reason) {
	switch {
	case !m.Scored:
		return models.OutcomeReview, []models.Reason{review(prefix+"face_unusable", m.Message+" ("+m.Reason+")")}
	case m.Band == BandAccept:
		return models.OutcomePass, nil
	case m.Vetoed:
		return models.OutcomeReview, []models.Reason{review(prefix+"face_match_models_disagree",
			fmt.Sprintf("the selfie matches the %s (%.3f ≥ %.3f), but a second, independently trained model does not agree (%.3f < %.3f): a lookalike is possible; a person must compare the photos",
				refSide, m.Score, m.Threshold, m.CrossCheck.Score, m.CrossCheck.Threshold))}
	case m.Band == BandReview:
		return models.OutcomeReview, []models.Reason{review(prefix+"face_match_uncertain",
			fmt.Sprintf("the selfie and the %s are similar but not clearly the same person (%.2f in the review band %.2f–%.2f); a person must compare the photos",
				refSide, m.Score, m.RejectThreshold, m.Threshold))}
	}
	return models.OutcomeFail, []models.Reason{review(prefix+"face_mismatch",
		fmt.Sprintf("the selfie does not match the %s (similarity %.2f < %.2f)", refSide, m.Score, m.RejectThreshold))}
}

// faceEvidence names the photos a reviewer compares: the selfie and the reference (the
// document portrait, or the original verification whose face the reusable identity holds).
func faceEvidence(selfie, reference *models.Artifact, v *models.Verification) map[string]any {
	ev := map[string]any{}
	if selfie != nil {
		ev["selfie_artifact_id"] = selfie.ID
	}
	if reference != nil {
		ev["reference_artifact_id"] = reference.ID
		ev["reference_kind"] = string(reference.Kind)
	}
	if v.ReusedFrom != nil {
		ev["reference_verification_id"] = *v.ReusedFrom
	}
	return ev
}

// LivenessCheck is the liveness check: passive on the selfie, plus the active result when
// the applicant completed a challenge.
type LivenessCheck struct{ b *Biometrics }

// Ready implements the optional readiness probe.
func (c *LivenessCheck) Ready() error { return nil }

// Missing implements CheckRunner.
func (c *LivenessCheck) Missing(in *CheckInput) []string {
	v := in.Verification
	var out []string
	if ok, err := c.b.hasArtifact(v, models.ArtifactSelfie); err != nil {
		return []string{"cannot check the uploads right now: " + err.Error()}
	} else if !ok {
		out = append(out, needSelfie)
	}
	ctx, cancel := missingCtx()
	defer cancel()
	required, err := c.b.RequireActiveFor(ctx, v.APIKeyID)
	if err != nil {
		return []string{"cannot check the uploads right now: " + err.Error()}
	}
	active := required || in.ActiveLiveness
	if !active {
		// Once the active step was started, the passive score alone no longer decides: a
		// caller cannot skip the head movements by submitting (hosted flow or API alike).
		issued, err := c.b.store.ChallengeIssued(ctx, scopeOf(v), v.ID)
		if err != nil {
			return []string{"cannot check the uploads right now: " + err.Error()}
		}
		active = issued
	}
	if active {
		ch, err := c.b.store.LatestChallengeResult(ctx, scopeOf(v), v.ID)
		if err != nil && !errors.Is(err, db.ErrNotFound) {
			return []string{"cannot check the uploads right now: " + err.Error()}
		}
		n, passed, err := c.b.store.CountChallenges(ctx, scopeOf(v), v.ID)
		if err != nil {
			return []string{"cannot check the uploads right now: " + err.Error()}
		}
		switch {
		case n >= c.b.cfg.MaxChallenges && !passed:
			// Every challenge is spent: nothing more can be captured, Run sends it to review.
		case ch == nil || ch.Passed == nil:
			out = append(out, needActive) // no verdict yet: the step was skipped
		case !*ch.Passed && required:
			out = append(out, needActive) // the server requires a pass; elsewhere a failed capture fails the check
		}
	}
	return out
}

// Run implements CheckRunner. Passive liveness is weak (it missed 3-D masks), so it never
// overrides a failed active challenge, and a passive "spoof" with a passed challenge goes
// to a person instead of deciding alone.
func (c *LivenessCheck) Run(ctx context.Context, in *CheckInput) (*models.CheckOutcome, error) {
	b, v := c.b, in.Verification
	out := &models.CheckOutcome{Details: map[string]any{}, Versions: map[string]string{}}
	_, selfie, err := b.SelfieAnalysis(ctx, v)
	if err != nil {
		return nil, err
	}
	if selfie == nil {
		out.Outcome, out.Reasons = models.OutcomeReview, []models.Reason{review("selfie_missing", "no selfie was uploaded")}
		return out, nil
	}
	for _, m := range selfie.Models {
		if m.Name == "fr_liveness" {
			out.Versions["liveness_model"] = m.Name + "@" + m.SHA256
		}
	}
	th, err := b.ThresholdsFor(ctx, v.APIKeyID)
	if err != nil {
		return nil, err
	}
	required, err := b.RequireActiveFor(ctx, v.APIKeyID)
	if err != nil {
		return nil, err
	}
	passive := b.Passive(selfie, th)
	out.Details["passive"] = passive
	if passive.Scored {
		s := passive.Score
		out.Score = &s
	}
	active := "none"
	ch, err := b.store.LatestChallengeResult(ctx, scopeOf(v), v.ID)
	if err != nil && !errors.Is(err, db.ErrNotFound) {
		return nil, err
	}
	if ch != nil && ch.Passed != nil {
		var r liveness.ActiveResult
		if ch.Result != nil {
			_ = json.Unmarshal([]byte(*ch.Result), &r) // stored by us; a decode failure leaves the summary below
		}
		out.Details["active"] = map[string]any{"challenge_id": ch.ID, "passed": *ch.Passed, "reason": r.Reason,
			"failed_step": r.FailedStep, "message": r.Message}
		active = "failed"
		if *ch.Passed {
			active = "passed"
		}
	}
	issued, passedAny, err := b.store.CountChallenges(ctx, scopeOf(v), v.ID)
	if err != nil {
		return nil, err
	}
	out.Details["challenges_issued"] = issued
	out.Outcome, out.Reasons = livenessDecision(passive, active, required, issued >= b.cfg.MaxChallenges && !passedAny, b.cfg.MaxChallenges)
	if err := b.dedupe(ctx, models.CheckLiveness, in, selfie, out); err != nil {
		return nil, err
	}
	return out, nil
}

// livenessDecision turns the passive verdict and the state of the active challenge ("none",
// "passed" or "failed") into the liveness check's outcome. exhausted: every challenge the
// verification may draw was spent without a pass.
func livenessDecision(passive LivenessVerdict, active string, required, exhausted bool, maxChallenges int) (models.Outcome, []models.Reason) {
	one := func(o models.Outcome, code, msg string) (models.Outcome, []models.Reason) {
		return o, []models.Reason{review(code, msg)}
	}
	switch {
	case exhausted:
		// Redrawing until a challenge suits an attacker is what the limit stops; a person
		// decides rather than the last failed or missing capture.
		return one(models.OutcomeReview, "liveness_attempts_exhausted",
			fmt.Sprintf("all %d liveness challenges of the verification were spent without a pass", maxChallenges))
	case active == "failed":
		return one(models.OutcomeFail, "active_liveness_failed", "the active liveness challenge was not passed")
	case passive.Scored && passive.Cues != nil && passive.Cues.Spoof && !passive.Live:
		return one(models.OutcomeFail, "spoof_suspected",
			fmt.Sprintf("the selfie looks like a photo of a photo or a screen (liveness %.2f < %.2f; %s)", passive.Score, passive.Threshold,
				strings.Join(passive.Cues.Reasons, ", ")))
	case passive.Scored && passive.Cues != nil && passive.Cues.Spoof:
		// The model says live, a model-free cue says reproduction: a person decides, never
		// an approval on the model's word (it missed masks and prints).
		return one(models.OutcomeReview, "liveness_conflict",
			fmt.Sprintf("the liveness model says live (%.2f) but the selfie shows %s (periodicity %.1f)", passive.Score,
				strings.Join(passive.Cues.Reasons, ", "), passive.Cues.Periodicity))
	case !passive.Scored:
		return one(models.OutcomeReview, "selfie_unusable", "the selfie could not be scored for liveness ("+passive.Reason+")")
	case passive.Live && active == "passed":
		return models.OutcomePass, nil
	case passive.Live && required:
		return one(models.OutcomeReview, "active_liveness_missing", "an active liveness capture is required and none was passed")
	case passive.Live && (passive.Cues == nil || !passive.Cues.Measured()):
		// The face holds too few pixels for a print's halftone or a screen's grid to show (or
		// the analysis predates the cues): only the model spoke, and the model alone approves
		// no one (it scored most simulated prints and paper masks live). New selfies this
		// small are refused at upload (face_too_small, a retake); this one was stored before.
		return one(models.OutcomeReview, ReasonLivenessLowResolution,
			fmt.Sprintf("the print and screen cues could not be measured (the face is too small: no %d-px window around it); the liveness model alone (%.2f) does not approve",
				liveness.MinCueWindow, passive.Score))
	case passive.Live:
		return models.OutcomePass, nil
	case active == "passed":
		return one(models.OutcomeReview, "liveness_conflict",
			fmt.Sprintf("the active challenge passed but the selfie looks like a spoof (score %.2f < %.2f)", passive.Score, passive.Threshold))
	default:
		return one(models.OutcomeFail, "spoof_suspected",
			fmt.Sprintf("the selfie looks like a photo of a photo or a screen (liveness %.2f < %.2f)", passive.Score, passive.Threshold))
	}
}

// ReasonLivenessLowResolution: the passive check could not measure its model-free cues (the
// face is too small in the photo), so the model's "live" alone does not approve.
const ReasonLivenessLowResolution = "liveness_low_resolution"

// AgeCheck is the age check: the document's date of birth decides when the document check
// read one; otherwise the selfie's age estimate is a soft signal that never rejects alone.
type AgeCheck struct{ b *Biometrics }

// Ready implements the optional readiness probe.
func (c *AgeCheck) Ready() error { return nil }

// Missing implements CheckRunner.
func (c *AgeCheck) Missing(in *CheckInput) []string {
	if c.b.cfg.Documents != nil {
		ctx, cancel := missingCtx()
		defer cancel()
		if f, err := c.b.cfg.Documents(ctx, in); err == nil && f != nil && f.DateOfBirth != "" {
			return nil
		}
	}
	if ok, err := c.b.hasArtifact(in.Verification, models.ArtifactSelfie); err != nil {
		return []string{"cannot check the uploads right now: " + err.Error()}
	} else if !ok {
		return []string{needSelfie}
	}
	return nil
}

// Run implements CheckRunner.
func (c *AgeCheck) Run(ctx context.Context, in *CheckInput) (*models.CheckOutcome, error) {
	b, v := c.b, in.Verification
	out := &models.CheckOutcome{Details: map[string]any{}, Versions: map[string]string{}}
	minAge := b.cfg.DefaultMinAge
	if v.MinAge != nil {
		minAge = *v.MinAge
	}
	out.Details["min_age"] = minAge
	if v.MaxAge != nil {
		out.Details["max_age"] = *v.MaxAge
	}
	if b.cfg.Documents != nil {
		facts, err := b.cfg.Documents(ctx, in)
		if err != nil {
			return nil, fmt.Errorf("document facts: %w", err)
		}
		if facts != nil && facts.DateOfBirth != "" {
			return ageFromDOB(facts.DateOfBirth, in.Now, minAge, v.MaxAge, out)
		}
	}
	_, selfie, err := b.SelfieAnalysis(ctx, v)
	if err != nil {
		return nil, err
	}
	if selfie == nil || selfie.Age == nil {
		reason := "no selfie was uploaded"
		if selfie != nil {
			reason = "the selfie could not be used: " + selfie.Quality.Reason
		}
		out.Outcome, out.Reasons = models.OutcomeReview, []models.Reason{review("age_unknown", reason)}
		return out, nil
	}
	for _, m := range selfie.Models {
		switch m.Name {
		case "fr_age":
			out.Versions["age_model"] = m.Name + "@" + m.SHA256
		case age.SecondOpinion.Name:
			out.Versions["age_second_opinion"] = m.Name + "@" + m.SHA256
		}
	}
	est := age.Interval(*selfie.Age)
	if selfie.AgeInterval != nil {
		est = *selfie.AgeInterval
	}
	out.Details["source"] = "estimate"
	out.Details["estimate"] = est.Years
	out.Details["interval"] = est
	out.Outcome = models.OutcomePass
	switch age.DecideInterval(est, minAge) {
	case age.Fail:
		out.Outcome = models.OutcomeReview
		out.Reasons = append(out.Reasons, review("age_estimate_below_minimum",
			fmt.Sprintf("the face looks %.0f–%.0f, below the minimum age %d; the estimate alone never rejects — check a document", est.Low, est.High, minAge)))
	case age.Review:
		out.Outcome = models.OutcomeReview
		out.Reasons = append(out.Reasons, review("age_estimate_uncertain",
			fmt.Sprintf("the face looks %.0f–%.0f, an interval that includes the minimum age %d", est.Low, est.High, minAge)))
	}
	if v.MaxAge != nil && est.High > float64(*v.MaxAge) {
		out.Outcome = worse(out.Outcome, models.OutcomeReview)
		out.Reasons = append(out.Reasons, review("age_estimate_above_maximum",
			fmt.Sprintf("the face looks %.0f–%.0f, not clearly below the maximum age %d", est.Low, est.High, *v.MaxAge)))
	}
	if err := b.dedupe(ctx, models.CheckAge, in, selfie, out); err != nil {
		return nil, err
	}
	return out, nil
}

// ageFromDOB decides the age check from a date of birth: a hard rule, unlike the estimate.
func ageFromDOB(dob string, now time.Time, minAge int, maxAge *int, out *models.CheckOutcome) (*models.CheckOutcome, error) {
	t, err := time.Parse("2006-01-02", dob)
	if err != nil {
		return nil, fmt.Errorf("document date of birth %q: %w", dob, err)
	}
	years := now.Year() - t.Year()
	if now.Month() < t.Month() || now.Month() == t.Month() && now.Day() < t.Day() {
		years-- // the birthday has not come yet this year
	}
	out.Details["source"] = "document"
	out.Details["age"] = years
	out.Outcome = models.OutcomePass
	if years < minAge {
		out.Outcome = models.OutcomeFail
		out.Reasons = append(out.Reasons, review("age_below_minimum", fmt.Sprintf("the document says %d years old, below %d", years, minAge)))
	}
	if maxAge != nil && years > *maxAge {
		out.Outcome = models.OutcomeFail
		out.Reasons = append(out.Reasons, review("age_above_maximum", fmt.Sprintf("the document says %d years old, above %d", years, *maxAge)))
	}
	return out, nil
}

// IdentityReference is a reusable identity's stored face as an analysis to match against.
func IdentityReference(tok *models.IdentityToken, emb []byte) *FaceAnalysis {
	return &FaceAnalysis{Kind: "identity", FaceFound: true, Quality: face.Quality{OK: true}, Embedding: emb, EmbeddingModel: tok.Model,
		CrossCheck: tok.CrossCheckOpen, CrossCheckModel: tok.CrossCheckModel}
}
