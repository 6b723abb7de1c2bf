package tools

import (
	"context"
	"encoding/base64"
	"fmt"
	"strconv"

	"github.com/kycd/kycd/checks/document/synth"
	"github.com/kycd/kycd/internal/samplefaces"
	"github.com/kycd/kycd/models"
	"github.com/kycd/kycd/verify"
)

// SubmitSampleChip reads a sample ePassport chip into a test-mode hosted-flow session's
// verification (issue #27), through verify_nfc's own handler: the chip of the sample passport
// (the applicant's MRZ in DG1, the sample applicant's portrait in DG2, an EF.SOD signed by the
// sandbox Document Signer, whose CSCA only test mode trusts). A tampered chip's DG1 was
// changed after signing, so passive authentication fails on it. Live callers get
// permission_denied: samples never enter a live verification.
func SubmitSampleChip(ctx context.Context, d *Deps, c Caller, tampered bool) (NFCScan, error) {
	if c.Mode != models.ModeTest {
		return NFCScan{}, Errorf(CodePermissionDenied, "", "sample chips are for test-mode keys only")
	}
	if c.VerificationID == "" {
		return NFCScan{}, Errorf(CodeInvalidArgument, "verification_id", "a sample chip is read into a hosted-flow session's verification")
	}
	id, err := sampleIdentity(ctx, d, c, c.VerificationID, false)
	if err != nil {
		return NFCScan{}, err
	}
	lines, err := synth.MRZLines(id)
	if err != nil {
		return NFCScan{}, fmt.Errorf("sample chip MRZ: %w", err)
	}
	sod, dgs, err := verify.SandboxChip(lines, samplefaces.Portrait(), 300, 400, tampered)
	if err != nil {
		return NFCScan{}, err
	}
	in := VerifyNFCInput{SOD: base64.StdEncoding.EncodeToString(sod), DataGroups: map[string]string{}, VerificationID: c.VerificationID}
	for n, b := range dgs {
		in.DataGroups[strconv.Itoa(n)] = base64.StdEncoding.EncodeToString(b)
	}
	return verifyNFC(ctx, d, c, in)
}
