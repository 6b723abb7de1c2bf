package main

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/kycd/kycd/internal/samplefaces"
	"github.com/kycd/kycd/models"
	"github.com/kycd/kycd/tools"
)

// sampleFaces makes three verifications with real images, where this server can check them
// (document, face_match, liveness): the sample passport with the sample applicant's selfie,
// with another synthetic person's, and with the applicant's face printed — approved, rejected
// by face match, rejected by liveness, each by the real engines (the dashboard shows their
// photos). It returns the verification of each kind, or why none (the "" key).
func (s *seeder) sampleFaces(ctx context.Context, available []string, wait time.Duration) (map[string]string, error) {
	need := []models.Check{models.CheckDocument, models.CheckFaceMatch, models.CheckLiveness}
	for _, c := range need {
		if !slices.Contains(available, string(c)) {
			return map[string]string{"": "none: this server has no " + string(c) + " check"}, nil
		}
	}
	made := map[string]string{}
	// The passport is read in the background; face match needs its portrait, so submit waits
	// until it is there (one budget for the three: a build that cannot read the passport
	// leaves them in progress rather than stall the seed).
	deadline := time.Now().Add(min(wait, 30*time.Second))
	for _, kind := range samplefaces.Kinds {
		var v tools.Verification
		// One applicant (external_ref) for the three: the face is the same synthetic person.
		if err := s.call(ctx, tools.CreateVerification.Name, map[string]any{"external_ref": "seed_sample_applicant",
			"checks": need, "document_type": "passport", "metadata": map[string]any{"seeded": true, "sample_selfie": kind},
			"applicant": map[string]any{"name": "Erika Mustermann", "dob": "1964-08-12", "country": "DE"}}, &v); err != nil {
			return nil, err
		}
		doc, err := tools.SampleDocument(ctx, s.reg.Deps(), s.caller, v.ID, false)
		if err != nil {
			return nil, err
		}
		if err := s.call(ctx, tools.SubmitDocument.Name, map[string]any{"id": v.ID, "image": doc, "side": "front"}, nil); err != nil {
			return nil, err
		}
		selfie, err := tools.SampleSelfie(s.caller, kind)
		if err != nil {
			return nil, err
		}
		if err := s.call(ctx, tools.SubmitSelfie.Name, map[string]any{"id": v.ID, "image": selfie}, nil); err != nil {
			return nil, err
		}
		for {
			err = s.call(ctx, tools.SubmitVerification.Name, map[string]any{"id": v.ID}, nil)
			if te := tools.AsError(err); err == nil || te == nil || te.Code != tools.CodeConflict || time.Now().After(deadline) {
				break
			}
			select {
			case <-ctx.Done():
				return nil, ctx.Err()
			case <-time.After(500 * time.Millisecond):
			}
		}
		if te := tools.AsError(err); err != nil && (te == nil || te.Code != tools.CodeConflict) {
			return nil, fmt.Errorf("sample %s: %w", kind, err)
		}
		made[kind] = v.ID
	}
	return made, nil
}

// sampleOutcomes says how the pipeline decided each sample-face verification.
func (s *seeder) sampleOutcomes(ctx context.Context, made map[string]string) (map[string]string, error) {
	if note, ok := made[""]; ok {
		return map[string]string{"none": note}, nil
	}
	out := map[string]string{}
	for kind, id := range made {
		var v tools.Verification
		if err := s.call(ctx, tools.GetVerification.Name, map[string]any{"id": id}, &v); err != nil {
			return nil, err
		}
		out[kind] = string(v.Status)
	}
	return out, nil
}
