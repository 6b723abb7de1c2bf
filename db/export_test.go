package db

// APIKeyCached reports whether LookupAPIKey would answer secret from memory (tests only).
func (s *Store) APIKeyCached(secret string) bool {
	if s.keyCache == nil {
		return false
	}
	k, _ := s.keyCache.get(HashSecret(secret), s.Now())
	return k != nil
}

// EncodeID exposes the ID encoder (tests only).
var EncodeID = encodeID
