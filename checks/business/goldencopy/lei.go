package goldencopy

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/kycd/kycd/checks/business"
)

// LEIReader streams LEI-CDF 3.1 level-1 rows as business.Record values.
type LEIReader struct {
	t *table
	c leiCols
}

type leiCols struct {
	lei, name, nameLang                                                   int
	other, otherLang, otherType                                           [maxOtherNames]int
	translit, translitLang, translitType                                  [maxOtherNames]int
	legal, hq                                                             [len(addrPartsIdx)]int
	raID, raOther, raEntityID, jur, cat, subCat, form, formOther          int
	status, creation, expiration, expWhy, succLEI, succName               int
	initial, last, regStatus, next, lou, valSrc, valAt, valAs, conformity int
}

// addrPartsIdx mirrors addrParts, for array sizes.
var addrPartsIdx = [12]struct{}{}

// NewLEIReader reads the header and returns a reader positioned at the first row. The
// LEI and Entity.LegalName columns are required; every other column is optional.
func NewLEIReader(r io.Reader, opt Options) (*LEIReader, error) {
	t, err := newTable(r, opt, []string{colLEI, colLegalName}, leiAliases)
	if err != nil {
		return nil, fmt.Errorf("LEI-CDF file: %w", err)
	}
	lr := &LEIReader{t: t}
	c := &lr.c
	c.lei, c.name, c.nameLang = t.col(colLEI), t.col(colLegalName), t.col(colLegalNameLang)
	for i := 0; i < maxOtherNames; i++ {
		o, tr := fmt.Sprintf(otherNameFmt, i+1), fmt.Sprintf(translitFmt, i+1)
		c.other[i], c.otherLang[i], c.otherType[i] = t.col(o), t.col(o+".xmllang"), t.col(o+".type")
		c.translit[i], c.translitLang[i], c.translitType[i] = t.col(tr), t.col(tr+".xmllang"), t.col(tr+".type")
	}
	for i, p := range addrParts {
		c.legal[i], c.hq[i] = t.col(addrLegal+p), t.col(addrHQ+p)
	}
	c.raID, c.raOther, c.raEntityID = t.col(colRAID), t.col(colRAOther), t.col(colRAEntityID)
	c.jur, c.cat, c.subCat = t.col(colJurisdiction), t.col(colCategory), t.col(colSubCategory)
	c.form, c.formOther = t.col(colLegalForm), t.col(colLegalFormOther)
	c.status, c.creation, c.expiration, c.expWhy = t.col(colStatus), t.col(colCreation), t.col(colExpiration), t.col(colExpirationWhy)
	c.succLEI, c.succName = t.col(colSuccessorLEI), t.col(colSuccessorName)
	c.initial, c.last, c.regStatus, c.next = t.col(colInitialReg), t.col(colLastUpdate), t.col(colRegStatus), t.col(colNextRenewal)
	c.lou, c.valSrc, c.valAt, c.valAs, c.conformity = t.col(colManagingLOU), t.col(colValidationSrc), t.col(colValidatedAt), t.col(colValidatedAs), t.col(colConformity)
	return lr, nil
}

// Stats reports rows read and skipped so far.
func (lr *LEIReader) Stats() Stats { return lr.t.stats }

// Next returns the next record, io.EOF at the end, or (Strict) the first *RowError.
func (lr *LEIReader) Next() (business.Record, error) {
	for {
		if err := lr.t.next(); err != nil {
			return business.Record{}, err
		}
		r, rerr := lr.row()
		if rerr == nil {
			return r, nil
		}
		if err := lr.t.fail(rerr); err != nil {
			return business.Record{}, err
		}
	}
}

func (lr *LEIReader) row() (business.Record, *RowError) {
	t, c := lr.t, &lr.c
	g := t.get
	r := business.Record{
		LEI:               strings.TrimSpace(g(c.lei)),
		LegalName:         business.Name{Name: g(c.name), Language: g(c.nameLang)},
		RegisteredAt:      g(c.raID),
		RegisteredAtOther: g(c.raOther),
		RegisteredAs:      g(c.raEntityID),
		Jurisdiction:      g(c.jur),
		Category:          g(c.cat),
		SubCategory:       g(c.subCat),
		LegalFormCode:     g(c.form),
		LegalFormOther:    g(c.formOther),
		EntityStatus:      g(c.status),
		ExpirationReason:  g(c.expWhy),
		SuccessorLEI:      g(c.succLEI),
		SuccessorName:     g(c.succName),
		ConformityFlag:    g(c.conformity),
		Registration: business.Registration{
			Status:             g(c.regStatus),
			ManagingLOU:        g(c.lou),
			CorroborationLevel: g(c.valSrc),
			ValidatedAt:        g(c.valAt),
			ValidatedAs:        g(c.valAs),
		},
	}
	if err := business.ValidateLEI(r.LEI); err != nil {
		return r, &RowError{Line: t.line, Field: colLEI, Err: err}
	}
	if strings.TrimSpace(r.LegalName.Name) == "" {
		return r, &RowError{Line: t.line, Field: colLegalName, Err: fmt.Errorf("empty legal name")}
	}
	for i := 0; i < maxOtherNames; i++ {
		if n := g(c.other[i]); n != "" {
			r.OtherNames = append(r.OtherNames, business.Name{Name: n, Language: g(c.otherLang[i]), Type: g(c.otherType[i])})
		}
		if n := g(c.translit[i]); n != "" {
			r.TransliteratedNames = append(r.TransliteratedNames, business.Name{Name: n, Language: g(c.translitLang[i]), Type: g(c.translitType[i])})
		}
	}
	r.LegalAddress = lr.address(&c.legal)
	r.HeadquartersAddress = lr.address(&c.hq)
	for _, f := range []struct {
		col int
		dst *time.Time
	}{{c.creation, &r.CreationDate}, {c.expiration, &r.ExpirationDate}, {c.initial, &r.Registration.InitialRegistrationDate},
		{c.last, &r.Registration.LastUpdateDate}, {c.next, &r.Registration.NextRenewalDate}} {
		v, err := business.ParseTime(g(f.col))
		if err != nil {
			return r, &RowError{Line: t.line, Field: t.header[f.col], Err: err}
		}
		*f.dst = v
	}
	return r, nil
}

func (lr *LEIReader) address(cols *[len(addrPartsIdx)]int) business.Address {
	g := lr.t.get
	a := business.Address{Language: g(cols[0]), AddressNumber: g(cols[2]), City: g(cols[8]),
		Region: g(cols[9]), Country: g(cols[10]), PostalCode: g(cols[11])}
	for _, i := range []int{1, 5, 6, 7} {
		if l := g(cols[i]); l != "" {
			a.Lines = append(a.Lines, l)
		}
	}
	return a
}
