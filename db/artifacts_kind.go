package db

import (
	"context"
	"fmt"

	"github.com/kycd/kycd/models"
)

// ArtifactsOfKind lists a verification's artifacts of one kind in upload order, with their
// sealed analysis (open it with ArtifactAnalysis) but not the image: pages that only need to
// know what was uploaded (the hosted flow's progress bar) do not read megabytes of images.
func (s *Store) ArtifactsOfKind(ctx context.Context, sc Scope, verificationID string, kind models.ArtifactKind) ([]models.Artifact, error) {
	var rows []models.Artifact
	err := s.DB.NewSelect().Model(&rows).ExcludeColumn("data").Where("verification_id = ?", verificationID).Where("kind = ?", kind).
		Where("account_id = ?", sc.AccountID).Where("mode = ?", sc.Mode).Order("id ASC").Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("list %s artifacts: %w", kind, err)
	}
	return rows, nil
}
