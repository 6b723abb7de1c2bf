package mrz

// class is what a position may legitimately hold. Repair uses it to decide
// which OCR confusions are possible at a position at all.
type class uint8

const (
	clsAlpha class = iota + 1 // A–Z and '<' (codes, names)
	clsNum                    // 0–9, or '<' for an unknown date part
	clsAlnum                  // A–Z, 0–9 and '<' (numbers, optional data)
	clsCheck                  // a check digit: 0–9, '<' where allowed
	clsSex                    // M, F, X or '<'
)

type fieldID uint8

const (
	fDocCode fieldID = iota + 1
	fIssuing
	fName    // primary<<secondary identifiers
	fSurname // FRA_ID line 1
	fGiven   // FRA_ID line 2
	fDocNum
	fDocNumCD
	fNationality
	fDOB
	fDOBCD
	fSex
	fExpiry
	fExpiryCD
	fOpt1
	fOpt2
	fPersonal
	fPersonalCD
	fComposite
	fIssue    // FRA_ID issue year+month
	fFRADept  // FRA_ID issuing department / office code (part of the number)
	fFRASeq   // FRA_ID sequence number (part of the number)
	fFRAAdmin // FRA_ID line 1 administrative code
)

type span struct{ line, start, end int }

type fieldSpec struct {
	id fieldID
	span
	cls class
}

// layout describes one format: its shape, fields and composite data.
type layout struct {
	format    Format
	lines     int
	width     int
	fields    []fieldSpec
	composite []span // data protected by the composite digit; nil if none
	grid      [][]class
}

func f(id fieldID, line, start, end int, c class) fieldSpec {
	return fieldSpec{id: id, span: span{line, start, end}, cls: c}
}

var (
	layoutTD1 = build(&layout{
		format: FormatTD1, lines: 3, width: 30,
		fields: []fieldSpec{
			f(fDocCode, 0, 0, 2, clsAlpha), f(fIssuing, 0, 2, 5, clsAlpha),
			f(fDocNum, 0, 5, 14, clsAlnum), f(fDocNumCD, 0, 14, 15, clsCheck),
			f(fOpt1, 0, 15, 30, clsAlnum),
			f(fDOB, 1, 0, 6, clsNum), f(fDOBCD, 1, 6, 7, clsCheck), f(fSex, 1, 7, 8, clsSex),
			f(fExpiry, 1, 8, 14, clsNum), f(fExpiryCD, 1, 14, 15, clsCheck),
			f(fNationality, 1, 15, 18, clsAlpha), f(fOpt2, 1, 18, 29, clsAlnum),
			f(fComposite, 1, 29, 30, clsCheck),
			f(fName, 2, 0, 30, clsAlpha),
		},
		composite: []span{{0, 5, 30}, {1, 0, 7}, {1, 8, 15}, {1, 18, 29}},
	})
	layoutTD2 = build(&layout{
		format: FormatTD2, lines: 2, width: 36,
		fields: append(twoLineHeader(36),
			f(fDocNum, 1, 0, 9, clsAlnum), f(fDocNumCD, 1, 9, 10, clsCheck),
			f(fNationality, 1, 10, 13, clsAlpha),
			f(fDOB, 1, 13, 19, clsNum), f(fDOBCD, 1, 19, 20, clsCheck), f(fSex, 1, 20, 21, clsSex),
			f(fExpiry, 1, 21, 27, clsNum), f(fExpiryCD, 1, 27, 28, clsCheck),
			f(fOpt1, 1, 28, 35, clsAlnum), f(fComposite, 1, 35, 36, clsCheck),
		),
		composite: []span{{1, 0, 10}, {1, 13, 20}, {1, 21, 35}},
	})
	layoutMRVB = build(&layout{
		format: FormatMRVB, lines: 2, width: 36,
		fields: append(twoLineHeader(36),
			f(fDocNum, 1, 0, 9, clsAlnum), f(fDocNumCD, 1, 9, 10, clsCheck),
			f(fNationality, 1, 10, 13, clsAlpha),
			f(fDOB, 1, 13, 19, clsNum), f(fDOBCD, 1, 19, 20, clsCheck), f(fSex, 1, 20, 21, clsSex),
			f(fExpiry, 1, 21, 27, clsNum), f(fExpiryCD, 1, 27, 28, clsCheck),
			f(fOpt1, 1, 28, 36, clsAlnum),
		),
	})
	layoutTD3 = build(&layout{
		format: FormatTD3, lines: 2, width: 44,
		fields: append(twoLineHeader(44),
			f(fDocNum, 1, 0, 9, clsAlnum), f(fDocNumCD, 1, 9, 10, clsCheck),
			f(fNationality, 1, 10, 13, clsAlpha),
			f(fDOB, 1, 13, 19, clsNum), f(fDOBCD, 1, 19, 20, clsCheck), f(fSex, 1, 20, 21, clsSex),
			f(fExpiry, 1, 21, 27, clsNum), f(fExpiryCD, 1, 27, 28, clsCheck),
			f(fPersonal, 1, 28, 42, clsAlnum), f(fPersonalCD, 1, 42, 43, clsCheck),
			f(fComposite, 1, 43, 44, clsCheck),
		),
		composite: []span{{1, 0, 10}, {1, 13, 20}, {1, 21, 43}},
	})
	layoutMRVA = build(&layout{
		format: FormatMRVA, lines: 2, width: 44,
		fields: append(twoLineHeader(44),
			f(fDocNum, 1, 0, 9, clsAlnum), f(fDocNumCD, 1, 9, 10, clsCheck),
			f(fNationality, 1, 10, 13, clsAlpha),
			f(fDOB, 1, 13, 19, clsNum), f(fDOBCD, 1, 19, 20, clsCheck), f(fSex, 1, 20, 21, clsSex),
			f(fExpiry, 1, 21, 27, clsNum), f(fExpiryCD, 1, 27, 28, clsCheck),
			f(fOpt1, 1, 28, 44, clsAlnum),
		),
	})
	// The French 1988 card predates ICAO TD2 conventions: line 2 starts
	// with the 12-character card number (issue YYMM, office, sequence).
	layoutFRA = build(&layout{
		format: FormatFRAID, lines: 2, width: 36,
		fields: []fieldSpec{
			f(fDocCode, 0, 0, 2, clsAlpha), f(fIssuing, 0, 2, 5, clsAlpha),
			f(fSurname, 0, 5, 30, clsAlpha), f(fFRAAdmin, 0, 30, 36, clsAlnum),
			f(fIssue, 1, 0, 4, clsNum), f(fFRADept, 1, 4, 7, clsAlnum), f(fFRASeq, 1, 7, 12, clsNum),
			f(fDocNumCD, 1, 12, 13, clsCheck), f(fGiven, 1, 13, 27, clsAlpha),
			f(fDOB, 1, 27, 33, clsNum), f(fDOBCD, 1, 33, 34, clsCheck), f(fSex, 1, 34, 35, clsSex),
			f(fComposite, 1, 35, 36, clsCheck),
		},
		composite: []span{{0, 0, 36}, {1, 0, 35}},
	})
	allLayouts = []*layout{layoutTD1, layoutTD2, layoutTD3, layoutMRVA, layoutMRVB, layoutFRA}
)

func twoLineHeader(width int) []fieldSpec {
	return []fieldSpec{
		f(fDocCode, 0, 0, 2, clsAlpha), f(fIssuing, 0, 2, 5, clsAlpha),
		f(fName, 0, 5, width, clsAlpha),
	}
}

// build fills the per-position class grid and panics on a layout that does
// not tile its lines exactly — a programming error caught by any test.
func build(l *layout) *layout {
	l.grid = make([][]class, l.lines)
	for i := range l.grid {
		l.grid[i] = make([]class, l.width)
	}
	for _, fs := range l.fields {
		for c := fs.start; c < fs.end; c++ {
			if l.grid[fs.line][c] != 0 {
				panic("mrz: overlapping fields in layout " + string(l.format))
			}
			l.grid[fs.line][c] = fs.cls
		}
	}
	for i := range l.grid {
		for c := range l.grid[i] {
			if l.grid[i][c] == 0 {
				panic("mrz: gap in layout " + string(l.format))
			}
		}
	}
	return l
}

// field returns the spec of id, or nil when the layout lacks it.
func (l *layout) field(id fieldID) *fieldSpec {
	for i := range l.fields {
		if l.fields[i].id == id {
			return &l.fields[i]
		}
	}
	return nil
}

// raw returns the characters of field id in lines ("" if absent).
func (l *layout) raw(lines []string, id fieldID) string {
	fs := l.field(id)
	if fs == nil {
		return ""
	}
	return lines[fs.line][fs.start:fs.end]
}

// layoutFor picks the layout for lines of the given shape. The document code
// separates visas from TD2/TD3 and "IDFRA" marks the French 1988 card.
func layoutFor(lines []string) *layout {
	switch {
	case len(lines) == 3 && len(lines[0]) == 30 && len(lines[1]) == 30 && len(lines[2]) == 30:
		return layoutTD1
	case len(lines) == 2 && len(lines[0]) == 44 && len(lines[1]) == 44:
		if lines[0][0] == 'V' {
			return layoutMRVA
		}
		return layoutTD3
	case len(lines) == 2 && len(lines[0]) == 36 && len(lines[1]) == 36:
		if lines[0][0] == 'V' {
			return layoutMRVB
		}
		if lines[0][:5] == "IDFRA" {
			return layoutFRA
		}
		return layoutTD2
	}
	return nil
}
