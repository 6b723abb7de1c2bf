package tools

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/kycd/kycd/checks/liveness"
	"github.com/kycd/kycd/db"
	"github.com/kycd/kycd/models"
)

// GetLivenessChallengeInput names the verification to challenge.
type GetLivenessChallengeInput struct {
	ID string `json:"id" jsonschema:"verification id (ver_…) that runs the liveness check" minLength:"1" maxLength:"64"`
}

// LivenessChallenge is what the applicant must perform, and how to answer.
type LivenessChallenge struct {
	ChallengeID    string    `json:"challenge_id" jsonschema:"the challenge (lch_…)"`
	VerificationID string    `json:"verification_id" jsonschema:"the verification"`
	Nonce          string    `json:"nonce" jsonschema:"pass to submit_liveness with the frames; answers this challenge once, before expires_at"`
	Steps          []string  `json:"steps" jsonschema:"the actions to perform, in this order" enumof:"liveness.AllSteps"`
	Instructions   []string  `json:"instructions" jsonschema:"the steps as sentences to show the applicant"`
	ExpiresAt      time.Time `json:"expires_at" jsonschema:"after this the nonce is refused"`
	MinFrames      int       `json:"min_frames" jsonschema:"fewest frames submit_liveness accepts"`
	MaxFrames      int       `json:"max_frames" jsonschema:"most frames submit_liveness accepts"`
}

// GetLivenessChallenge starts an active-liveness challenge.
var GetLivenessChallenge = Tool[GetLivenessChallengeInput, LivenessChallenge]{
	Name:        "get_liveness_challenge",
	Examples:    []string{`{"id":"ver_01kbx4r7c8d9e0f1g2h3j4k5m6"}`},
	Title:       "Get liveness challenge",
	Description: "Start an active liveness check: a random sequence of actions (always a head turn and a blink or open mouth) and a one-time nonce with a short deadline. Capture 5–30 timed frames of the applicant doing the steps in order and send them with the nonce to submit_liveness. Only the caller that drew it may answer; a verification gets a few challenges (3 by default), and when all fail, liveness goes to review.",
	Brief:       "a random sequence of head movements and a blink or open mouth, a one-time nonce and a deadline for active liveness; a few per verification",
	Scope:       ScopeVerificationsWrite,
	Annotations: Annotations{ReadOnly: false, Destructive: false, Idempotent: false, OpenWorld: false},
	REST:        REST{Method: "POST", Path: "/verifications/{id}/liveness/challenge", Status: 201},
	Summary: func(ch LivenessChallenge) string {
		return fmt.Sprintf("Challenge %s: %s, before %s.", ch.ChallengeID, strings.Join(ch.Steps, " → "), ch.ExpiresAt.Format(time.RFC3339))
	},
	Handle: getLivenessChallenge,
	// The hosted flow runs the active liveness step.
	SessionAllowed: true,
}

var stepInstructions = map[liveness.Step]string{
	liveness.TurnLeft:  "Turn your head to your left.",
	liveness.TurnRight: "Turn your head to your right.",
	// Slowly: at the hosted flow's eight frames a second a spontaneous blink shut 40–80 ms is
	// seen 53 % of the time, one shut 120–170 ms 97 %, 200 ms or more 100 % (docs/benchmarks/face.md,
	// "Real recordings").
	liveness.Blink:        "Blink slowly: close your eyes for a moment, then open them.",
	liveness.LookStraight: "Look straight at the camera.",
	liveness.OpenMouth:    "Open your mouth, then close it.",
}

// ChallengesSpent begins the message of the conflict get_liveness_challenge answers once a
// verification has had all its challenges, so the hosted flow can move on to the next step
// (the liveness check then goes to review) instead of offering another try.
const ChallengesSpent = "liveness_challenges_spent"

// issuedTo names who draws a challenge: only they may answer it.
func issuedTo(c Caller) string {
	if c.VerificationID != "" {
		return "session:" + c.VerificationID
	}
	return "key:" + c.KeyID
}

func getLivenessChallenge(ctx context.Context, d *Deps, c Caller, in GetLivenessChallengeInput) (LivenessChallenge, error) {
	b, err := biometrics(d)
	if err != nil {
		return LivenessChallenge{}, err
	}
	v, _, err := openForUpload(ctx, d, c, in.ID, models.CheckLiveness)
	if err != nil {
		return LivenessChallenge{}, err
	}
	steps, err := b.NewChallengeSteps()
	if err != nil {
		return LivenessChallenge{}, err
	}
	out := LivenessChallenge{VerificationID: v.ID, MinFrames: liveness.MinFrames, MaxFrames: liveness.MaxFrames}
	for _, s := range steps {
		out.Steps = append(out.Steps, string(s))
		out.Instructions = append(out.Instructions, stepInstructions[s])
	}
	stepsJSON, _ := json.Marshal(out.Steps)
	nonce := "lvn_" + db.RandomBase62(32)
	now := d.Store.Now()
	ch := &models.LivenessChallenge{AccountID: v.AccountID, Mode: v.Mode, VerificationID: v.ID, Steps: string(stepsJSON),
		IssuedTo: issuedTo(c), ExpiresAt: now.Add(b.Config().ChallengeTTL), CreatedAt: now}
	max := b.Config().MaxChallenges
	if err := d.Store.IssueChallenge(ctx, c.scope(), ch, nonce, max); errors.Is(err, db.ErrChallengeLimit) {
		return LivenessChallenge{}, Errorf(CodeConflict, "id", "%s: this verification was already issued its %d liveness challenges; it goes to manual review",
			ChallengesSpent, max)
	} else if err != nil {
		return LivenessChallenge{}, storeErr(err, "verification", "id")
	}
	out.ChallengeID, out.Nonce, out.ExpiresAt = ch.ID, nonce, ch.ExpiresAt
	return out, nil
}
