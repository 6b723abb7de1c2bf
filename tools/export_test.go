package tools

// UnifiedDiff lets the external tests show snapshot drift as a diff.
var UnifiedDiff = unifiedDiff
