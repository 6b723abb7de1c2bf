package models

import "time"

// ScreeningList is the current version of one sanctions or PEP list. Data is the parsed
// list, gzip-compressed JSON, so every process builds the same index from the same bytes.
type ScreeningList struct {
	Source    string     `bun:"source,pk"`
	SHA256    string     `bun:"sha256"`
	Entities  int        `bun:"entities"`
	LoadedAt  time.Time  `bun:"loaded_at"`
	FetchedAt *time.Time `bun:"fetched_at"`
	Origin    string     `bun:"origin"` // the file path or URL it came from
	Data      []byte     `bun:"data"`
}
