package db

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"github.com/kycd/kycd/models"
)

// ReviewAssignment says who works a case in the review queue.
type ReviewAssignment struct {
	bun.BaseModel  `bun:"table:review_assignments"`
	VerificationID string      `bun:"verification_id,pk"`
	AccountID      string      `bun:"account_id"`
	Mode           models.Mode `bun:"mode"`
	Assignee       string      `bun:"assignee"`
	AssignedBy     string      `bun:"assigned_by"`
	AssignedAt     time.Time   `bun:"assigned_at"`
}

// ReviewComment is a reviewer's note on a case; Body is sealed with the verification's data
// key (it usually talks about the applicant), so erasure shreds it.
type ReviewComment struct {
	bun.BaseModel  `bun:"table:review_comments"`
	ID             string      `bun:"id,pk"`
	AccountID      string      `bun:"account_id"`
	Mode           models.Mode `bun:"mode"`
	VerificationID string      `bun:"verification_id"`
	Author         string      `bun:"author"`
	Body           []byte      `bun:"body_sealed"`
	CreatedAt      time.Time   `bun:"created_at"`
}

// ReviewDecision is one manual decision on a case: approve, reject or request_resubmission,
// with its reason codes (comma-separated). A resubmission keeps the checks asked again
// (Checks), the checks the verification ran before (PreviousChecks) and the result it replaced
// (PreviousResult, sealed with the verification's data key), so the case keeps its history.
type ReviewDecision struct {
	bun.BaseModel  `bun:"table:review_decisions"`
	ID             string      `bun:"id,pk"`
	AccountID      string      `bun:"account_id"`
	Mode           models.Mode `bun:"mode"`
	VerificationID string      `bun:"verification_id"`
	Decision       string      `bun:"decision"`
	ReasonCodes    string      `bun:"reason_codes"`
	Reviewer       string      `bun:"reviewer"`
	Checks         string      `bun:"checks"`
	PreviousChecks string      `bun:"previous_checks"`
	PreviousResult []byte      `bun:"previous_result_sealed"`
	CreatedAt      time.Time   `bun:"created_at"`
}

// AssignReview sets (or, with assignee "", clears) who works a verification's review.
func (s *Store) AssignReview(ctx context.Context, sc Scope, verificationID, assignee, by string) (*ReviewAssignment, error) {
	if _, err := s.GetVerification(ctx, sc, verificationID); err != nil {
		return nil, err
	}
	if assignee == "" {
		_, err := s.DB.NewDelete().Model((*ReviewAssignment)(nil)).Where("verification_id = ?", verificationID).
			Where("account_id = ?", sc.AccountID).Where("mode = ?", sc.Mode).Exec(ctx)
		if err != nil {
			return nil, fmt.Errorf("clear review assignment: %w", err)
		}
		return nil, nil
	}
	a := &ReviewAssignment{VerificationID: verificationID, AccountID: sc.AccountID, Mode: sc.Mode, Assignee: assignee,
		AssignedBy: by, AssignedAt: s.Now().UTC().Truncate(time.Microsecond)}
	_, err := s.DB.NewInsert().Model(a).On("CONFLICT (verification_id) DO UPDATE").
		Set("assignee = EXCLUDED.assignee").Set("assigned_by = EXCLUDED.assigned_by").Set("assigned_at = EXCLUDED.assigned_at").Exec(ctx)
	if err != nil {
		return nil, fmt.Errorf("assign review: %w", err)
	}
	return a, nil
}

// ReviewAssignments returns the assignments of these verifications, by verification id.
func (s *Store) ReviewAssignments(ctx context.Context, sc Scope, ids []string) (map[string]ReviewAssignment, error) {
	out := map[string]ReviewAssignment{}
	if len(ids) == 0 {
		return out, nil
	}
	var rows []ReviewAssignment
	err := s.DB.NewSelect().Model(&rows).Where("account_id = ?", sc.AccountID).Where("mode = ?", sc.Mode).
		Where("verification_id IN (?)", bun.List(ids)).Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("review assignments: %w", err)
	}
	for _, r := range rows {
		out[r.VerificationID] = r
	}
	return out, nil
}

// AddReviewComment stores a comment, sealed with the verification's data key.
func (s *Store) AddReviewComment(ctx context.Context, sc Scope, verificationID, author, body string) (*ReviewComment, error) {
	if _, err := s.GetVerification(ctx, sc, verificationID); err != nil {
		return nil, err
	}
	sealed, err := s.keys.SealFor(verificationID, []byte(body))
	if err != nil {
		return nil, fmt.Errorf("seal review comment: %w", err)
	}
	now := s.Now()
	c := &ReviewComment{ID: NewID("rvc", now), AccountID: sc.AccountID, Mode: sc.Mode, VerificationID: verificationID,
		Author: author, Body: sealed, CreatedAt: now.UTC().Truncate(time.Microsecond)}
	if _, err := s.DB.NewInsert().Model(c).Exec(ctx); err != nil {
		return nil, fmt.Errorf("insert review comment: %w", err)
	}
	return c, nil
}

// ReviewComments lists a verification's comments oldest first.
func (s *Store) ReviewComments(ctx context.Context, sc Scope, verificationID string) ([]ReviewComment, error) {
	var rows []ReviewComment
	err := s.DB.NewSelect().Model(&rows).Where("account_id = ?", sc.AccountID).Where("mode = ?", sc.Mode).
		Where("verification_id = ?", verificationID).Order("id ASC").Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("review comments: %w", err)
	}
	return rows, nil
}

// OpenReviewText opens a sealed comment body or previous result; a shredded key (the applicant
// was erased) reads as "".
func (s *Store) OpenReviewText(sealed []byte) (string, error) {
	if len(sealed) == 0 {
		return "", nil
	}
	b, err := s.keys.Open(sealed)
	if err != nil {
		if errors.Is(err, ErrShredded) {
			return "", nil
		}
		return "", err
	}
	return string(b), nil
}

// InsertReviewDecision records a decision in tx (the transaction that changes the verification).
func (tx *Tx) InsertReviewDecision(ctx context.Context, d *ReviewDecision, previousResult string) error {
	now := tx.store.Now()
	d.ID, d.CreatedAt = NewID("rvd", now), now.UTC().Truncate(time.Microsecond)
	if previousResult != "" {
		sealed, err := tx.store.keys.SealFor(d.VerificationID, []byte(previousResult))
		if err != nil {
			return fmt.Errorf("seal previous result: %w", err)
		}
		d.PreviousResult = sealed
	}
	if _, err := tx.NewInsert().Model(d).Exec(ctx); err != nil {
		return fmt.Errorf("insert review decision: %w", err)
	}
	return nil
}

// ReviewDecisions lists a verification's decisions oldest first.
func (s *Store) ReviewDecisions(ctx context.Context, sc Scope, verificationID string) ([]ReviewDecision, error) {
	var rows []ReviewDecision
	err := s.DB.NewSelect().Model(&rows).Where("account_id = ?", sc.AccountID).Where("mode = ?", sc.Mode).
		Where("verification_id = ?", verificationID).Order("id ASC").Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("review decisions: %w", err)
	}
	return rows, nil
}
