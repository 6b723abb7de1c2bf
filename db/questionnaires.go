package db

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"

	"github.com/uptrace/bun"

	"github.com/kycd/kycd/models"
)

// ErrQuestionnaireExists is a create_questionnaire for a name the scope already has.
var ErrQuestionnaireExists = errors.New("a questionnaire with this name exists")

// InsertQuestionnaire writes the first version of a new questionnaire; ID and CreatedAt are
// filled. A name the scope already has is ErrQuestionnaireExists.
func (s *Store) InsertQuestionnaire(ctx context.Context, q *models.Questionnaire) error {
	return s.InTx(ctx, func(ctx context.Context, tx *Tx) error {
		n, err := tx.NewSelect().Model((*models.Questionnaire)(nil)).Where("account_id = ?", q.AccountID).
			Where("mode = ?", q.Mode).Where("name = ?", q.Name).Count(ctx)
		if err != nil {
			return fmt.Errorf("find questionnaire: %w", err)
		}
		if n > 0 {
			return ErrQuestionnaireExists
		}
		q.CreatedAt = s.Now()
		q.ID, q.Version = NewID("qst", q.CreatedAt), 1
		if _, err := tx.NewInsert().Model(q).Exec(ctx); err != nil {
			return fmt.Errorf("insert questionnaire: %w", err)
		}
		return nil
	})
}

// AddQuestionnaireVersion writes the next version of the questionnaire with that id or name, returning it with its id and version filled; ErrNotFound when none exists.
// Two concurrent updates cannot both take a version: the (id, version) key refuses one.
func (s *Store) AddQuestionnaireVersion(ctx context.Context, sc Scope, idOrName string, definition string, keyID string) (*models.Questionnaire, error) {
	var out *models.Questionnaire
	err := s.InTx(ctx, func(ctx context.Context, tx *Tx) error {
		cur, err := latestQuestionnaire(ctx, tx, sc, idOrName)
		if err != nil {
			return err
		}
		out = &models.Questionnaire{ID: cur.ID, Version: cur.Version + 1, AccountID: sc.AccountID, Mode: sc.Mode,
			Name: cur.Name, Definition: definition, APIKeyID: keyID, CreatedAt: s.Now()}
		if _, err := tx.NewInsert().Model(out).Exec(ctx); err != nil {
			return fmt.Errorf("insert questionnaire version: %w", err)
		}
		return nil
	})
	return out, err
}

// GetQuestionnaire reads a questionnaire of the scope by id (qst_…) or name: the given version,
// or the latest when version is 0. Another account's or mode's is ErrNotFound.
func (s *Store) GetQuestionnaire(ctx context.Context, sc Scope, idOrName string, version int) (*models.Questionnaire, error) {
	if version == 0 {
		return latestQuestionnaire(ctx, s.DB, sc, idOrName)
	}
	q := new(models.Questionnaire)
	err := s.DB.NewSelect().Model(q).Where("account_id = ?", sc.AccountID).Where("mode = ?", sc.Mode).
		Where("(id = ? OR name = ?)", idOrName, idOrName).Where("version = ?", version).Scan(ctx)
	if err != nil {
		return nil, notFound(err, "questionnaire "+idOrName)
	}
	return q, nil
}

func latestQuestionnaire(ctx context.Context, db bun.IDB, sc Scope, idOrName string) (*models.Questionnaire, error) {
	q := new(models.Questionnaire)
	err := db.NewSelect().Model(q).Where("account_id = ?", sc.AccountID).Where("mode = ?", sc.Mode).
		Where("(id = ? OR name = ?)", idOrName, idOrName).Order("version DESC").Limit(1).Scan(ctx)
	if err != nil {
		return nil, notFound(err, "questionnaire "+idOrName)
	}
	return q, nil
}

// ListQuestionnaires lists the latest version of each questionnaire of the scope, by name.
func (s *Store) ListQuestionnaires(ctx context.Context, sc Scope) ([]models.Questionnaire, error) {
	var rows []models.Questionnaire
	err := s.DB.NewSelect().Model(&rows).Where("account_id = ?", sc.AccountID).Where("mode = ?", sc.Mode).
		Where("version = (SELECT MAX(q2.version) FROM questionnaires AS q2 WHERE q2.id = questionnaire.id)").
		Order("name ASC").Scan(ctx)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("list questionnaires: %w", err)
	}
	return rows, nil
}

// InsertVerificationQuestionnaire attaches a questionnaire version to a verification, in tx.
func (tx *Tx) InsertVerificationQuestionnaire(ctx context.Context, vq *models.VerificationQuestionnaire) error {
	if vq.CreatedAt.IsZero() {
		vq.CreatedAt = tx.store.Now()
	}
	if _, err := tx.NewInsert().Model(vq).Exec(ctx); err != nil {
		return fmt.Errorf("attach questionnaire: %w", err)
	}
	return nil
}

// VerificationQuestionnaire reads the questionnaire attached to a verification of the scope;
// ErrNotFound when it has none.
func (s *Store) VerificationQuestionnaire(ctx context.Context, sc Scope, verificationID string) (*models.VerificationQuestionnaire, error) {
	vq := new(models.VerificationQuestionnaire)
	err := s.DB.NewSelect().Model(vq).Where("verification_id = ?", verificationID).Where("account_id = ?", sc.AccountID).
		Where("mode = ?", sc.Mode).Scan(ctx)
	if err != nil {
		return nil, notFound(err, "questionnaire of "+verificationID)
	}
	return vq, nil
}

// SetQuestionnaireAnswers stores a verification's sealed answers (replacing earlier ones), in tx.
func (tx *Tx) SetQuestionnaireAnswers(ctx context.Context, sc Scope, verificationID string, sealed []byte) error {
	now := tx.store.Now()
	n, err := count(tx.NewUpdate().Model((*models.VerificationQuestionnaire)(nil)).Set("answers_sealed = ?", sealed).
		Set("submitted_at = ?", now).Where("verification_id = ?", verificationID).Where("account_id = ?", sc.AccountID).
		Where("mode = ?", sc.Mode).Exec(ctx))
	if err != nil {
		return fmt.Errorf("store answers: %w", err)
	}
	if n == 0 {
		return fmt.Errorf("questionnaire of %s: %w", verificationID, ErrNotFound)
	}
	return nil
}

// InsertQuestionnaireFile keeps a file answer of a verification, in tx: sealed with the
// verification's data key (so erasing the applicant shreds it), with its size and SHA-256.
func (tx *Tx) InsertQuestionnaireFile(ctx context.Context, f *models.QuestionnaireFile, data []byte) error {
	sealed, err := tx.store.keys.SealFor(f.VerificationID, data)
	if err != nil {
		return fmt.Errorf("seal questionnaire file: %w", err)
	}
	sum := sha256.Sum256(data)
	f.Data, f.Size, f.SHA256 = sealed, len(data), hex.EncodeToString(sum[:])
	f.CreatedAt = tx.store.Now()
	f.ID = NewID("qfl", f.CreatedAt)
	if _, err := tx.NewInsert().Model(f).Exec(ctx); err != nil {
		return fmt.Errorf("insert questionnaire file: %w", err)
	}
	return nil
}

// EraseQuestionnaireAnswers clears the sealed answers and files given to the verifications'
// questionnaires (delete_applicant); which version was asked, its rules and when the answers
// came stay. It returns how many verifications had answers or files.
func (tx *Tx) EraseQuestionnaireAnswers(ctx context.Context, sc Scope, verificationIDs []string) (int, error) {
	if len(verificationIDs) == 0 {
		return 0, nil
	}
	n, err := count(tx.NewUpdate().Model((*models.VerificationQuestionnaire)(nil)).Set("answers_sealed = NULL").
		Where("verification_id IN (?)", bun.List(verificationIDs)).Where("account_id = ?", sc.AccountID).Where("mode = ?", sc.Mode).
		Where("answers_sealed IS NOT NULL").Exec(ctx))
	if err != nil {
		return 0, fmt.Errorf("erase questionnaire answers: %w", err)
	}
	if _, err := tx.NewDelete().Model((*models.QuestionnaireFile)(nil)).
		Where("verification_id IN (?)", bun.List(verificationIDs)).Where("account_id = ?", sc.AccountID).Where("mode = ?", sc.Mode).
		Exec(ctx); err != nil {
		return 0, fmt.Errorf("erase questionnaire files: %w", err)
	}
	return n, nil
}
