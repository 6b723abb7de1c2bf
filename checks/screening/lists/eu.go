package lists

import (
	"encoding/xml"
	"fmt"
	"strings"
)

// EU Financial Sanctions Files. Two formats:
//   - current: <export xmlns="http://eu.europa.ec/fpi/fsd/export"> with <sanctionEntity logicalId=…>
//     children nameAlias/citizenship/birthdate/identification/address (XSD "xmlFullSanctionsList_1_1");
//   - legacy (until 2016): <WHOLE> with <ENTITY Id= Type="P|E"> children NAME/BIRTH/PASSPORT/CITIZEN/ADDRESS.
func parseEU(source, file, data string) ([]Entity, error) {
	var root struct{ XMLName xml.Name }
	dec := xml.NewDecoder(strings.NewReader(data))
	for {
		tok, err := dec.Token()
		if err != nil {
			return nil, &ParseError{File: file, Msg: "not an XML document", Err: err}
		}
		if se, ok := tok.(xml.StartElement); ok {
			root.XMLName = se.Name
			break
		}
	}
	switch root.XMLName.Local {
	case "export":
		return parseEUExport(file, data)
	case "WHOLE":
		return parseEULegacy(file, data)
	}
	return nil, &ParseError{File: file, Msg: fmt.Sprintf("root element <%s> is neither <export> (EU FSF) nor <WHOLE> (legacy FSD)", root.XMLName.Local)}
}

type euExport struct {
	Entities []euEntity `xml:"sanctionEntity"`
}

type euEntity struct {
	LogicalID   string `xml:"logicalId,attr"`
	EURef       string `xml:"euReferenceNumber,attr"`
	UNID        string `xml:"unitedNationId,attr"`
	Designation string `xml:"designationDate,attr"`
	Remark      string `xml:"remark"`
	SubjectType struct {
		Code string `xml:"code,attr"`
	} `xml:"subjectType"`
	Regulations []struct {
		Programme string `xml:"programme,attr"`
		URL       string `xml:"publicationUrl"`
	} `xml:"regulation"`
	Names []struct {
		First    string `xml:"firstName,attr"`
		Middle   string `xml:"middleName,attr"`
		Last     string `xml:"lastName,attr"`
		Whole    string `xml:"wholeName,attr"`
		Gender   string `xml:"gender,attr"`
		Strong   string `xml:"strong,attr"`
		Language string `xml:"nameLanguage,attr"`
	} `xml:"nameAlias"`
	Citizenships []struct {
		ISO2 string `xml:"countryIso2Code,attr"`
		Desc string `xml:"countryDescription,attr"`
	} `xml:"citizenship"`
	Births []struct {
		Date    string `xml:"birthdate,attr"`
		Year    string `xml:"year,attr"`
		Month   string `xml:"monthOfYear,attr"`
		Day     string `xml:"dayOfMonth,attr"`
		City    string `xml:"city,attr"`
		Place   string `xml:"place,attr"`
		ISO2    string `xml:"countryIso2Code,attr"`
		Country string `xml:"countryDescription,attr"`
	} `xml:"birthdate"`
	IDs []struct {
		Number   string `xml:"number,attr"`
		Latin    string `xml:"latinNumber,attr"`
		TypeCode string `xml:"identificationTypeCode,attr"`
		TypeDesc string `xml:"identificationTypeDescription,attr"`
		ISO2     string `xml:"countryIso2Code,attr"`
		Country  string `xml:"countryDescription,attr"`
	} `xml:"identification"`
	Addresses []struct {
		Street  string `xml:"street,attr"`
		City    string `xml:"city,attr"`
		ZIP     string `xml:"zipCode,attr"`
		ISO2    string `xml:"countryIso2Code,attr"`
		Country string `xml:"countryDescription,attr"`
	} `xml:"address"`
}

func euISO(iso2, desc string) string {
	if iso2 = clean(iso2); iso2 != "" && iso2 != "00" {
		return strings.ToUpper(iso2)
	}
	if d := clean(desc); d != "" && !strings.EqualFold(d, "UNKNOWN") {
		return countryOrText(d)
	}
	return ""
}

func parseEUExport(file, data string) ([]Entity, error) {
	var x euExport
	if err := xml.Unmarshal([]byte(data), &x); err != nil {
		return nil, &ParseError{File: file, Msg: "malformed EU export XML", Err: err}
	}
	ents := make([]Entity, 0, len(x.Entities))
	for i, s := range x.Entities {
		where := fmt.Sprintf("sanctionEntity[%d]", i+1)
		id := clean(s.LogicalID)
		if id == "" {
			return nil, &ParseError{File: file, Field: where + "/@logicalId", Msg: "missing logicalId"}
		}
		e := Entity{SourceID: id, ListedOn: clean(s.Designation), Remarks: clean(s.Remark)}
		switch strings.ToLower(clean(s.SubjectType.Code)) {
		case "person":
			e.Type = TypePerson
		case "enterprise":
			e.Type = TypeOrganization
		default:
			e.Type = normalizeType(s.SubjectType.Code)
		}
		for j, n := range s.Names {
			full := clean(n.Whole)
			if full == "" {
				full = clean(strings.Join([]string{n.First, n.Middle, n.Last}, " "))
			}
			q := QualityStrong
			if strings.EqualFold(clean(n.Strong), "false") {
				q = QualityWeak
			}
			kind := KindAKA
			if j == 0 {
				kind = KindPrimary
			}
			e.addName(full, kind, q)
			if g := clean(n.Gender); g != "" && e.Gender == "" {
				e.Gender = map[string]string{"M": "male", "F": "female"}[strings.ToUpper(g)]
			}
		}
		if len(e.Names) == 0 {
			return nil, &ParseError{File: file, Field: where + "/nameAlias", Msg: fmt.Sprintf("entity %s has no name", id)}
		}
		if r := clean(s.EURef); r != "" {
			e.addID(Identifier{Type: IDOther, Value: r, Label: "EU reference number"})
		}
		for _, r := range s.Regulations {
			e.Programs = appendUnique(e.Programs, clean(r.Programme))
			if e.URL == "" {
				e.URL = clean(r.URL)
			}
		}
		for _, c := range s.Citizenships {
			e.Nationalities = appendUnique(e.Nationalities, euISO(c.ISO2, c.Desc))
		}
		for _, b := range s.Births {
			switch {
			case clean(b.Date) != "":
				e.addDOB(b.Date)
			case clean(b.Year) != "":
				e.DatesOfBirth = appendUnique(e.DatesOfBirth, ymd(clean(b.Year), zeroIfEmpty(b.Month), zeroIfEmpty(b.Day))...)
			}
			var ps []string
			for _, p := range []string{b.City, b.Place, b.Country} {
				if p = clean(p); p != "" && !strings.EqualFold(p, "UNKNOWN") {
					ps = append(ps, p)
				}
			}
			if len(ps) > 0 {
				e.PlacesOfBirth = appendUnique(e.PlacesOfBirth, strings.Join(ps, ", "))
			}
		}
		for _, d := range s.IDs {
			num := clean(d.Number)
			if num == "" {
				num = clean(d.Latin)
			}
			if num == "" {
				continue
			}
			typ := IDOther
			switch code := strings.ToLower(clean(d.TypeCode)); {
			case strings.Contains(code, "passport"):
				typ = IDPassport
			case code == "id" || strings.Contains(code, "national"):
				typ = IDNationalID
			case strings.Contains(code, "tax") || code == "fiscalcode":
				typ = IDTaxID
			case strings.Contains(code, "regnumber") || strings.Contains(code, "registration"):
				typ = IDRegistration
			case code == "imo":
				typ = IDIMO
			case code == "swiftbic":
				typ = IDSwiftBIC
			}
			e.addID(Identifier{Type: typ, Value: num, Label: clean(d.TypeDesc), Country: euISO(d.ISO2, d.Country)})
		}
		for _, a := range s.Addresses {
			var ps []string
			for _, p := range []string{a.Street, a.ZIP, a.City, a.Country} {
				if p = clean(p); p != "" && !strings.EqualFold(p, "UNKNOWN") {
					ps = append(ps, p)
				}
			}
			if len(ps) > 0 {
				e.Addresses = appendUnique(e.Addresses, strings.Join(ps, ", "))
			}
			e.Countries = appendUnique(e.Countries, euISO(a.ISO2, a.Country))
		}
		ents = append(ents, e)
	}
	return ents, nil
}

func zeroIfEmpty(s string) string {
	if s = clean(s); s == "" {
		return "0"
	}
	return s
}

type euLegacy struct {
	Entities []struct {
		ID        string `xml:"Id,attr"`
		Type      string `xml:"Type,attr"`
		Programme string `xml:"programme,attr"`
		Remark    string `xml:"remark,attr"`
		RegDate   string `xml:"reg_date,attr"`
		PDF       string `xml:"pdf_link,attr"`
		Names     []struct {
			Last, First, Middle, Whole, Gender string
		} `xml:"NAME"`
		Births []struct {
			Date    string `xml:"DATE"`
			Place   string `xml:"PLACE"`
			Country string `xml:"COUNTRY"`
		} `xml:"BIRTH"`
		Passports []struct {
			Number  string `xml:"NUMBER"`
			Country string `xml:"COUNTRY"`
		} `xml:"PASSPORT"`
		Citizens []struct {
			Country string `xml:"COUNTRY"`
		} `xml:"CITIZEN"`
		Addresses []struct {
			Number  string `xml:"NUMBER"`
			Street  string `xml:"STREET"`
			ZIP     string `xml:"ZIPCODE"`
			City    string `xml:"CITY"`
			Country string `xml:"COUNTRY"`
			Other   string `xml:"OTHER"`
		} `xml:"ADDRESS"`
	} `xml:"ENTITY"`
}

func parseEULegacy(file, data string) ([]Entity, error) {
	// Field names in the legacy format are upper-case elements; map them by hand.
	data = strings.NewReplacer("<LASTNAME", "<Last", "</LASTNAME>", "</Last>", "<FIRSTNAME", "<First",
		"</FIRSTNAME>", "</First>", "<MIDDLENAME", "<Middle", "</MIDDLENAME>", "</Middle>",
		"<WHOLENAME", "<Whole", "</WHOLENAME>", "</Whole>", "<GENDER", "<Gender", "</GENDER>", "</Gender>").Replace(data)
	var x euLegacy
	if err := xml.Unmarshal([]byte(data), &x); err != nil {
		return nil, &ParseError{File: file, Msg: "malformed legacy EU XML", Err: err}
	}
	ents := make([]Entity, 0, len(x.Entities))
	for i, s := range x.Entities {
		where := fmt.Sprintf("ENTITY[%d]", i+1)
		id := clean(s.ID)
		if id == "" {
			return nil, &ParseError{File: file, Field: where + "/@Id", Msg: "missing Id"}
		}
		e := Entity{SourceID: id, ListedOn: clean(s.RegDate), Remarks: clean(s.Remark), URL: clean(s.PDF)}
		switch s.Type {
		case "P":
			e.Type = TypePerson
		case "E":
			e.Type = TypeOrganization
		default:
			e.Type = TypeUnknown
		}
		e.Programs = appendUnique(e.Programs, clean(s.Programme))
		for j, n := range s.Names {
			full := clean(n.Whole)
			if full == "" {
				full = clean(n.First + " " + n.Middle + " " + n.Last)
			}
			kind := KindAKA
			if j == 0 {
				kind = KindPrimary
			}
			e.addName(full, kind, QualityStrong)
			if g := clean(n.Gender); g != "" && e.Gender == "" {
				e.Gender = map[string]string{"M": "male", "F": "female"}[strings.ToUpper(g)]
			}
		}
		if len(e.Names) == 0 {
			return nil, &ParseError{File: file, Field: where + "/NAME", Msg: fmt.Sprintf("entity %s has no name", id)}
		}
		for _, b := range s.Births {
			e.addDOB(b.Date)
			var ps []string
			for _, p := range []string{b.Place, b.Country} {
				if p = clean(p); p != "" {
					ps = append(ps, p)
				}
			}
			if len(ps) > 0 {
				e.PlacesOfBirth = appendUnique(e.PlacesOfBirth, strings.Join(ps, ", "))
			}
		}
		for _, p := range s.Passports {
			num := clean(p.Number)
			if k := strings.Index(num, " ("); k > 0 {
				num = num[:k] // "AD001095 (passport-National passport) ((passport))"
			}
			e.addID(Identifier{Type: IDPassport, Value: num, Country: countryOrText(p.Country)})
		}
		for _, c := range s.Citizens {
			e.addNationality(c.Country)
		}
		for _, a := range s.Addresses {
			var ps []string
			for _, p := range []string{a.Number, a.Street, a.ZIP, a.City, a.Country, a.Other} {
				if p = clean(p); p != "" {
					ps = append(ps, p)
				}
			}
			if len(ps) > 0 {
				e.Addresses = appendUnique(e.Addresses, strings.Join(ps, ", "))
			}
			e.addCountry(a.Country)
		}
		ents = append(ents, e)
	}
	return ents, nil
}
