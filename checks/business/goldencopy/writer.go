package goldencopy

import (
	"encoding/csv"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/kycd/kycd/checks/business"
)

// tableWriter writes rows by column name in a fixed header.
type tableWriter struct {
	cw  *csv.Writer
	idx map[string]int
	row []string
}

func newTableWriter(w io.Writer, header []string) (*tableWriter, error) {
	tw := &tableWriter{cw: csv.NewWriter(w), idx: make(map[string]int, len(header)), row: make([]string, len(header))}
	for i, h := range header {
		tw.idx[h] = i
	}
	return tw, tw.cw.Write(header)
}

func (tw *tableWriter) set(col, v string) {
	if i, ok := tw.idx[col]; ok {
		tw.row[i] = v
	}
}

func (tw *tableWriter) flushRow() error {
	err := tw.cw.Write(tw.row)
	clear(tw.row)
	return err
}

// Flush writes buffered rows and reports any write error.
func (tw *tableWriter) Flush() error {
	tw.cw.Flush()
	return tw.cw.Error()
}

func ts(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// LEIWriter writes business.Record values as LEI-CDF 3.1 CSV rows (LEIHeader).
type LEIWriter struct{ tw *tableWriter }

// NewLEIWriter writes the header.
func NewLEIWriter(w io.Writer) (*LEIWriter, error) {
	tw, err := newTableWriter(w, LEIHeader)
	return &LEIWriter{tw}, err
}

// Write writes one record. Names and address lines beyond what the CDF holds (5 other
// names, 1+3 address lines) are dropped, as GLEIF's own CSV does.
func (lw *LEIWriter) Write(r business.Record) error {
	s := lw.tw.set
	s(colLEI, r.LEI)
	s(colLegalName, r.LegalName.Name)
	s(colLegalNameLang, r.LegalName.Language)
	for i, n := range r.OtherNames {
		if i >= maxOtherNames {
			break
		}
		c := fmt.Sprintf(otherNameFmt, i+1)
		s(c, n.Name)
		s(c+".xmllang", n.Language)
		s(c+".type", n.Type)
	}
	for i, n := range r.TransliteratedNames {
		if i >= maxOtherNames {
			break
		}
		c := fmt.Sprintf(translitFmt, i+1)
		s(c, n.Name)
		s(c+".xmllang", n.Language)
		s(c+".type", n.Type)
	}
	for _, a := range []struct {
		prefix string
		addr   business.Address
	}{{addrLegal, r.LegalAddress}, {addrHQ, r.HeadquartersAddress}} {
		s(a.prefix+"xmllang", a.addr.Language)
		for i, l := range a.addr.Lines {
			if i == 0 {
				s(a.prefix+"FirstAddressLine", l)
			} else if i <= maxAddrExtra {
				s(a.prefix+fmt.Sprintf("AdditionalAddressLine.%d", i), l)
			}
		}
		s(a.prefix+"AddressNumber", a.addr.AddressNumber)
		s(a.prefix+"City", a.addr.City)
		s(a.prefix+"Region", a.addr.Region)
		s(a.prefix+"Country", a.addr.Country)
		s(a.prefix+"PostalCode", a.addr.PostalCode)
	}
	s(colRAID, r.RegisteredAt)
	s(colRAOther, r.RegisteredAtOther)
	s(colRAEntityID, r.RegisteredAs)
	s(colJurisdiction, r.Jurisdiction)
	s(colCategory, r.Category)
	s(colSubCategory, r.SubCategory)
	s(colLegalForm, r.LegalFormCode)
	s(colLegalFormOther, r.LegalFormOther)
	s(colStatus, r.EntityStatus)
	s(colCreation, ts(r.CreationDate))
	s(colExpiration, ts(r.ExpirationDate))
	s(colExpirationWhy, r.ExpirationReason)
	s(colSuccessorLEI, r.SuccessorLEI)
	s(colSuccessorName, r.SuccessorName)
	s(colInitialReg, ts(r.Registration.InitialRegistrationDate))
	s(colLastUpdate, ts(r.Registration.LastUpdateDate))
	s(colRegStatus, r.Registration.Status)
	s(colNextRenewal, ts(r.Registration.NextRenewalDate))
	s(colManagingLOU, r.Registration.ManagingLOU)
	s(colValidationSrc, r.Registration.CorroborationLevel)
	s(colValidatedAt, r.Registration.ValidatedAt)
	s(colValidatedAs, r.Registration.ValidatedAs)
	s(colConformity, r.ConformityFlag)
	return lw.tw.flushRow()
}

// Flush flushes buffered rows.
func (lw *LEIWriter) Flush() error { return lw.tw.Flush() }

// RRWriter writes business.Relationship values as RR-CDF CSV rows (RRHeader).
type RRWriter struct{ tw *tableWriter }

// NewRRWriter writes the header.
func NewRRWriter(w io.Writer) (*RRWriter, error) {
	tw, err := newTableWriter(w, RRHeader)
	return &RRWriter{tw}, err
}

// Write writes one relationship (at most 5 periods).
func (rw *RRWriter) Write(r business.Relationship) error {
	s := rw.tw.set
	s(colStartID, r.StartLEI)
	s(colStartType, r.StartType)
	s(colEndID, r.EndLEI)
	s(colEndType, r.EndType)
	s(colRelType, r.Type)
	s(colRelStatus, r.Status)
	for i, p := range r.Periods {
		if i >= maxPeriods {
			break
		}
		c := fmt.Sprintf(periodFmt, i+1)
		s(c+"startDate", ts(p.Start))
		s(c+"endDate", ts(p.End))
		s(c+"periodType", p.Type)
	}
	s(colInitialReg, ts(r.InitialRegistration))
	s(colLastUpdate, ts(r.LastUpdate))
	s(colRegStatus, r.RegistrationStatus)
	s(colManagingLOU, r.ManagingLOU)
	s(colValidationSrc, r.CorroborationLevel)
	return rw.tw.flushRow()
}

// Flush flushes buffered rows.
func (rw *RRWriter) Flush() error { return rw.tw.Flush() }

// RepexWriter writes reporting exceptions (RepexHeader).
type RepexWriter struct{ tw *tableWriter }

// NewRepexWriter writes the header.
func NewRepexWriter(w io.Writer) (*RepexWriter, error) {
	tw, err := newTableWriter(w, RepexHeader)
	return &RepexWriter{tw}, err
}

// Write writes one exception; a Reason holding several comma-separated reasons fills
// several reason columns.
func (xw *RepexWriter) Write(x business.ReportingException) error {
	s := xw.tw.set
	s(colLEI, x.LEI)
	s(excCategoryCol, x.Category)
	for i, r := range strings.Split(x.Reason, ",") {
		if i < maxExcReasons {
			s(fmt.Sprintf(excReasonFmt, i+1), r)
		}
	}
	for i, r := range x.References {
		if i < maxExcReasons {
			s(fmt.Sprintf(excRefFmt, i+1), r)
		}
	}
	return xw.tw.flushRow()
}

// Flush flushes buffered rows.
func (xw *RepexWriter) Flush() error { return xw.tw.Flush() }

func newCSVWriter(w io.Writer) *csv.Writer { return csv.NewWriter(w) }
