package tools

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/kycd/kycd/db"
	"github.com/kycd/kycd/models"
	"github.com/kycd/kycd/verify"
)

// SubmitNFCInput attaches a chip read to a verification.
type SubmitNFCInput struct {
	ID     string `json:"id" jsonschema:"verification id (ver_…) that runs the nfc check" minLength:"1" maxLength:"64"`
	ScanID string `json:"scan_id" jsonschema:"the chip read (nfc_…) from verify_nfc" minLength:"1" maxLength:"64"`
}

// SubmitNFCResult is the verification with its chip read.
type SubmitNFCResult struct {
	VerificationID string  `json:"verification_id" jsonschema:"the verification"`
	Status         string  `json:"status" jsonschema:"the verification's status after the attach"`
	Scan           NFCScan `json:"scan" jsonschema:"the attached chip read"`
}

// SubmitNFC attaches a standalone chip read to a verification.
var SubmitNFC = Tool[SubmitNFCInput, SubmitNFCResult]{
	Name:     "submit_nfc",
	Examples: []string{`{"id":"ver_01kbx4r7c8d9e0f1g2h3j4k5m6","scan_id":"nfc_01kbx4r7c8d9e0f1g2h3j4k5m6"}`},
	Title:    "Attach an NFC chip read",
	Description: "Attach a chip read made with verify_nfc (without verification_id) to a verification that runs the nfc check. The nfc check uses the latest attached read: " +
		"it fails for a forged or cloned chip, goes to review when the DSC is not trusted, and compares the chip's MRZ with the photographed document and its portrait with the selfie. " +
		"A read belongs to one verification. Moves the verification to in_progress.",
	Brief:       "attach a chip read to a verification's `nfc` check; moves the verification to `in_progress`",
	Scope:       ScopeVerificationsWrite,
	Annotations: Annotations{ReadOnly: false, Destructive: false, Idempotent: false, OpenWorld: false},
	REST:        REST{Method: "POST", Path: "/verifications/{id}/nfc"},
	Summary: func(r SubmitNFCResult) string {
		return fmt.Sprintf("Chip read %s attached to %s (now %s). %s", r.Scan.ID, r.VerificationID, r.Status, summarizeNFCScan(r.Scan))
	},
	Handle: submitNFC,
}

func submitNFC(ctx context.Context, d *Deps, c Caller, in SubmitNFCInput) (SubmitNFCResult, error) {
	n, err := nfcEngine(d)
	if err != nil {
		return SubmitNFCResult{}, err
	}
	if !strings.HasPrefix(in.ScanID, "nfc_") {
		return SubmitNFCResult{}, invalid("scan_id", "scan ids start with nfc_")
	}
	v, _, err := openForUpload(ctx, d, c, in.ID, models.CheckNFC)
	if err != nil {
		return SubmitNFCResult{}, err
	}
	s, err := n.Attach(ctx, d.Verify, c.scope(), v, in.ScanID)
	switch {
	case errors.Is(err, db.ErrNotFound):
		return SubmitNFCResult{}, Errorf(CodeNotFound, "scan_id", "no nfc scan with that id for this API key's account and mode")
	case errors.Is(err, db.ErrConflict):
		return SubmitNFCResult{}, Errorf(CodeConflict, "scan_id", "%s", strings.TrimSuffix(err.Error(), ": "+db.ErrConflict.Error()))
	case errors.Is(err, verify.ErrNotTakingUploads):
		return SubmitNFCResult{}, Errorf(CodeConflict, "id", "%v", err)
	case err != nil:
		return SubmitNFCResult{}, err
	}
	return SubmitNFCResult{VerificationID: v.ID, Status: string(models.StatusInProgress), Scan: toNFCScan(s)}, nil
}
