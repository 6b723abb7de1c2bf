package db

import (
	"context"
	"fmt"

	"github.com/kycd/kycd/models"
)

// PutScreeningList stores a list version as the current one for its source.
func (s *Store) PutScreeningList(ctx context.Context, l *models.ScreeningList) error {
	_, err := s.DB.NewInsert().Model(l).
		On("CONFLICT (source) DO UPDATE").
		Set("sha256 = EXCLUDED.sha256, entities = EXCLUDED.entities, loaded_at = EXCLUDED.loaded_at, fetched_at = EXCLUDED.fetched_at, origin = EXCLUDED.origin, data = EXCLUDED.data").
		Exec(ctx)
	if err != nil {
		return fmt.Errorf("store screening list %s: %w", l.Source, err)
	}
	return nil
}

// ScreeningListVersions lists the current versions without their data (cheap to poll).
func (s *Store) ScreeningListVersions(ctx context.Context) ([]models.ScreeningList, error) {
	var rows []models.ScreeningList
	err := s.DB.NewSelect().Model(&rows).Column("source", "sha256", "entities", "loaded_at", "fetched_at", "origin").Order("source").Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("screening list versions: %w", err)
	}
	return rows, nil
}

// GetScreeningList reads one list with its data.
func (s *Store) GetScreeningList(ctx context.Context, source string) (*models.ScreeningList, error) {
	l := new(models.ScreeningList)
	if err := s.DB.NewSelect().Model(l).Where("source = ?", source).Scan(ctx); err != nil {
		return nil, notFound(err, "screening list "+source)
	}
	return l, nil
}
