package tools

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/kycd/kycd/models"
)

// GetNFCChallengeInput optionally binds the challenge to a verification.
type GetNFCChallengeInput struct {
	VerificationID string `json:"verification_id,omitempty" jsonschema:"bind the challenge to this verification (ver_…, running the nfc check); verify_nfc must then name it. Omit for a standalone chip read" maxLength:"64"`
}

// NFCChallenge is the nonce to send to the chip.
type NFCChallenge struct {
	ChallengeID     string    `json:"challenge_id" jsonschema:"pass to verify_nfc with the chip's response (nch_…)"`
	VerificationID  *string   `json:"verification_id" jsonschema:"the verification the challenge is bound to; null when standalone"`
	Challenge       string    `json:"challenge" jsonschema:"the 8 random bytes to send to the chip in INTERNAL AUTHENTICATE, hex"`
	ChallengeBase64 string    `json:"challenge_base64" jsonschema:"the same 8 bytes, base64"`
	ExpiresAt       time.Time `json:"expires_at" jsonschema:"after this verify_nfc refuses the challenge; each challenge answers once"`
}

// GetNFCChallenge issues an Active Authentication challenge.
var GetNFCChallenge = Tool[GetNFCChallengeInput, NFCChallenge]{
	Name:     "get_nfc_challenge",
	Examples: []string{`{}`},
	Title:    "Get an NFC Active Authentication challenge",
	Description: "Issue an 8-byte random challenge for Active Authentication of an ePassport chip: the phone sends it to the chip (INTERNAL AUTHENTICATE) " +
		"and passes the chip's signature to verify_nfc as aa_signature with this challenge_id, proving the chip holds the private key of its DG15 — " +
		"a copied chip cannot. Single use, short expiry; bound to a verification when verification_id is given.",
	Brief:       "a one-time 8-byte nonce (short expiry) for the chip to sign: Active Authentication in `verify_nfc`",
	Scope:       ScopeVerificationsWrite,
	Annotations: Annotations{ReadOnly: false, Destructive: false, Idempotent: false, OpenWorld: false},
	REST:        REST{Method: "POST", Path: "/nfc-challenges", Status: 201},
	Summary: func(ch NFCChallenge) string {
		return fmt.Sprintf("Challenge %s: send %s to the chip before %s.", ch.ChallengeID, ch.Challenge, ch.ExpiresAt.Format(time.RFC3339))
	},
	Handle: getNFCChallenge,
	// The hosted flow's chip step shows the applicant the challenge their app answers with.
	SessionAllowed: true,
}

func getNFCChallenge(ctx context.Context, d *Deps, c Caller, in GetNFCChallengeInput) (NFCChallenge, error) {
	n, err := nfcEngine(d)
	if err != nil {
		return NFCChallenge{}, err
	}
	var vid *string
	if in.VerificationID != "" {
		v, _, err := openForUpload(ctx, d, c, in.VerificationID, models.CheckNFC)
		if err != nil {
			return NFCChallenge{}, renameField(err, "verification_id")
		}
		vid = &v.ID
	}
	ch, err := n.IssueChallenge(ctx, c.scope(), vid)
	if err != nil {
		return NFCChallenge{}, err
	}
	raw, err := hex.DecodeString(ch.Nonce)
	if err != nil {
		return NFCChallenge{}, err
	}
	return NFCChallenge{ChallengeID: ch.ID, VerificationID: ch.VerificationID, Challenge: ch.Nonce,
		ChallengeBase64: base64.StdEncoding.EncodeToString(raw), ExpiresAt: ch.ExpiresAt}, nil
}
