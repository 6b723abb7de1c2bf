package db

import (
	"context"

	"github.com/kycd/kycd/models"
)

// KeyFaceDecisionThresholds returns a key's face-match reject threshold and re-verification
// accept threshold (0 = derived from the accept threshold). A revoked key's thresholds still
// apply to the verifications it created.
func (s *Store) KeyFaceDecisionThresholds(ctx context.Context, keyID string) (reject, reverify float64, err error) {
	var k models.APIKey
	err = s.DB.NewSelect().Model(&k).Column("face_match_reject_threshold", "reverify_match_threshold").Where("id = ?", keyID).Scan(ctx)
	if err != nil {
		return 0, 0, notFound(err, "api key "+keyID)
	}
	return k.FaceMatchRejectThreshold, k.ReverifyMatchThreshold, nil
}

// KeyRequiresActiveLiveness reports whether a key asks for a passed active liveness challenge
// on its verifications (false for an unknown key id: the server's setting decides).
func (s *Store) KeyRequiresActiveLiveness(ctx context.Context, keyID string) (bool, error) {
	var k models.APIKey
	err := s.DB.NewSelect().Model(&k).Column("liveness_require_active").Where("id = ?", keyID).Scan(ctx)
	if err != nil {
		return false, notFound(err, "api key "+keyID)
	}
	return k.LivenessRequireActive, nil
}
