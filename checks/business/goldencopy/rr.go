package goldencopy

import (
	"fmt"
	"io"
	"strings"

	"github.com/kycd/kycd/checks/business"
)

// RRReader streams RR-CDF level-2 rows as business.Relationship values.
type RRReader struct {
	t                                           *table
	start, startType, end, endType, typ, status int
	pStart, pEnd, pType                         [maxPeriods]int
	initial, last, regStatus, lou, valSrc       int
}

// NewRRReader reads the header; the start node, end node and relationship type columns
// are required.
func NewRRReader(r io.Reader, opt Options) (*RRReader, error) {
	t, err := newTable(r, opt, []string{colStartID, colEndID, colRelType}, nil)
	if err != nil {
		return nil, fmt.Errorf("RR-CDF file: %w", err)
	}
	rr := &RRReader{t: t, start: t.col(colStartID), startType: t.col(colStartType), end: t.col(colEndID),
		endType: t.col(colEndType), typ: t.col(colRelType), status: t.col(colRelStatus),
		initial: t.col(colInitialReg), last: t.col(colLastUpdate), regStatus: t.col(colRegStatus),
		lou: t.col(colManagingLOU), valSrc: t.col(colValidationSrc)}
	for i := 0; i < maxPeriods; i++ {
		p := fmt.Sprintf(periodFmt, i+1)
		rr.pStart[i], rr.pEnd[i], rr.pType[i] = t.col(p+"startDate"), t.col(p+"endDate"), t.col(p+"periodType")
	}
	return rr, nil
}

// Stats reports rows read and skipped so far.
func (rr *RRReader) Stats() Stats { return rr.t.stats }

// Next returns the next relationship, io.EOF at the end, or (Strict) the first *RowError.
func (rr *RRReader) Next() (business.Relationship, error) {
	for {
		if err := rr.t.next(); err != nil {
			return business.Relationship{}, err
		}
		r, rerr := rr.row()
		if rerr == nil {
			return r, nil
		}
		if err := rr.t.fail(rerr); err != nil {
			return business.Relationship{}, err
		}
	}
}

func (rr *RRReader) row() (business.Relationship, *RowError) {
	t := rr.t
	g := t.get
	r := business.Relationship{
		StartLEI: strings.TrimSpace(g(rr.start)), StartType: g(rr.startType),
		EndLEI: strings.TrimSpace(g(rr.end)), EndType: g(rr.endType),
		Type: g(rr.typ), Status: g(rr.status), RegistrationStatus: g(rr.regStatus),
		ManagingLOU: g(rr.lou), CorroborationLevel: g(rr.valSrc),
	}
	if r.StartLEI == "" || r.EndLEI == "" || r.Type == "" {
		return r, &RowError{Line: t.line, Err: fmt.Errorf("empty start node, end node or relationship type")}
	}
	// Start nodes are always LEIs; end nodes may be other identifiers (NodeIDType).
	if err := business.ValidateLEI(r.StartLEI); err != nil {
		return r, &RowError{Line: t.line, Field: colStartID, Err: err}
	}
	var err error
	if r.InitialRegistration, err = business.ParseTime(g(rr.initial)); err != nil {
		return r, &RowError{Line: t.line, Field: colInitialReg, Err: err}
	}
	if r.LastUpdate, err = business.ParseTime(g(rr.last)); err != nil {
		return r, &RowError{Line: t.line, Field: colLastUpdate, Err: err}
	}
	for i := 0; i < maxPeriods; i++ {
		s, e, ty := g(rr.pStart[i]), g(rr.pEnd[i]), g(rr.pType[i])
		if s == "" && e == "" && ty == "" {
			continue
		}
		var p business.Period
		p.Type = ty
		if p.Start, err = business.ParseTime(s); err == nil {
			p.End, err = business.ParseTime(e)
		}
		if err != nil {
			return r, &RowError{Line: t.line, Field: fmt.Sprintf(periodFmt, i+1) + "*", Err: err}
		}
		r.Periods = append(r.Periods, p)
	}
	return r, nil
}

// RepexReader streams reporting-exception rows.
type RepexReader struct {
	t             *table
	lei, cat      int
	reasons, refs [maxExcReasons]int
}

// NewRepexReader reads the header; LEI and the exception category are required. Both
// "Exception.Category"/"Exception.Reason.N" and "ExceptionCategory"/"ExceptionReason.N"
// spellings are accepted.
func NewRepexReader(r io.Reader, opt Options) (*RepexReader, error) {
	t, err := newTable(r, opt, []string{colLEI, excCategoryCol}, repexAliases)
	if err != nil {
		return nil, fmt.Errorf("reporting-exceptions file: %w", err)
	}
	x := &RepexReader{t: t, lei: t.col(colLEI), cat: t.col(excCategoryCol)}
	for i := 0; i < maxExcReasons; i++ {
		x.reasons[i] = t.col(fmt.Sprintf(excReasonFmt, i+1))
		if x.reasons[i] < 0 {
			x.reasons[i] = t.col(fmt.Sprintf("ExceptionReason.%d", i+1))
		}
		x.refs[i] = t.col(fmt.Sprintf(excRefFmt, i+1))
		if x.refs[i] < 0 {
			x.refs[i] = t.col(fmt.Sprintf("ExceptionReference.%d", i+1))
		}
	}
	return x, nil
}

// Stats reports rows read and skipped so far.
func (x *RepexReader) Stats() Stats { return x.t.stats }

// Next returns the next exception, io.EOF at the end, or (Strict) the first *RowError.
// Several reasons in one row are joined by "," in Reason (the API gives one).
func (x *RepexReader) Next() (business.ReportingException, error) {
	for {
		if err := x.t.next(); err != nil {
			return business.ReportingException{}, err
		}
		g := x.t.get
		e := business.ReportingException{LEI: strings.TrimSpace(g(x.lei)), Category: g(x.cat)}
		var reasons []string
		for i := 0; i < maxExcReasons; i++ {
			if v := g(x.reasons[i]); v != "" {
				reasons = append(reasons, v)
			}
			if v := g(x.refs[i]); v != "" {
				e.References = append(e.References, v)
			}
		}
		e.Reason = strings.Join(reasons, ",")
		var rerr *RowError
		if err := business.ValidateLEI(e.LEI); err != nil {
			rerr = &RowError{Line: x.t.line, Field: colLEI, Err: err}
		} else if e.Category == "" {
			rerr = &RowError{Line: x.t.line, Field: excCategoryCol, Err: fmt.Errorf("empty category")}
		}
		if rerr == nil {
			return e, nil
		}
		if err := x.t.fail(rerr); err != nil {
			return business.ReportingException{}, err
		}
	}
}
