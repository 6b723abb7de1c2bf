package email

// ReasonLevel is the risk a reason code carries ("" for a code this engine does not give), so
// callers that force a result (the test-mode sandbox in verify) grade it as the engine does.
func ReasonLevel(code string) RiskLevel { return reasonLevel[code] }
