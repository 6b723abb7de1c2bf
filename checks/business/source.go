package business

import "context"

// Source answers the questions the engine asks about LEIs. The GLEIF API Client and the
// Offline register implement it and give the same answers for the same data.
//
// Record returns ErrNotFound for an unknown LEI. Parent and ReportingException return
// (nil, nil) when there is nothing of that level; an entity normally has one or the other.
type Source interface {
	Record(ctx context.Context, lei string) (*Record, error)
	Parent(ctx context.Context, lei string, level Level) (*Parent, error)
	ReportingException(ctx context.Context, lei string, level Level) (*ReportingException, error)
	Children(ctx context.Context, lei string, level Level, limit int) (Children, error)
	Search(ctx context.Context, q SearchQuery) ([]Record, error)
}
