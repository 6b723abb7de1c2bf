package tools

import (
	"encoding/base64"

	"github.com/kycd/kycd/internal/samplefaces"
	"github.com/kycd/kycd/models"
)

// SampleSelfie is a sample selfie for a test-mode caller (issue #27), as a data: URL that
// submit_selfie reads like an upload: samplefaces.Applicant (the face on the sample passport:
// face match approves), samplefaces.Other (another synthetic person: face match rejects) or
// samplefaces.Spoof (the applicant as a printed photo: passive liveness flags it). Live
// callers get permission_denied: samples never enter a live verification.
func SampleSelfie(c Caller, kind string) (string, error) {
	if c.Mode != models.ModeTest {
		return "", Errorf(CodePermissionDenied, "", "sample selfies are for test-mode keys only")
	}
	b, err := samplefaces.Selfie(kind)
	if err != nil {
		return "", Errorf(CodeInvalidArgument, "kind", "%v", err)
	}
	return "data:image/jpeg;base64," + base64.StdEncoding.EncodeToString(b), nil
}
