package findings

import "fmt"

// Level grades a result for the decision engine.
type Level string

// Levels, lowest first.
const (
	Low    Level = "low"
	Medium Level = "medium"
	High   Level = "high"
)

// Rank orders levels: 0 low (or unknown), 1 medium, 2 high.
func (l Level) Rank() int {
	switch l {
	case High:
		return 2
	case Medium:
		return 1
	}
	return 0
}

// Reason is one machine-readable finding with a sentence for people.
type Reason struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// Add appends a reason to *reasons unless one with the same code is there, and raises
// *level to lvl when lvl is higher.
func Add(level *Level, reasons *[]Reason, lvl Level, code, format string, a ...any) {
	if Has(*reasons, code) {
		return
	}
	*reasons = append(*reasons, Reason{Code: code, Message: fmt.Sprintf(format, a...)})
	if lvl.Rank() > level.Rank() {
		*level = lvl
	}
}

// Has reports whether reasons holds the code.
func Has(reasons []Reason, code string) bool {
	for _, r := range reasons {
		if r.Code == code {
			return true
		}
	}
	return false
}
