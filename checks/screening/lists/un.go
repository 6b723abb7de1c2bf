package lists

import (
	"encoding/xml"
	"fmt"
	"strings"
)

// UN Security Council consolidated list (https://scsanctions.un.org/resources/xml/en/consolidated.xml),
// schema https://www.un.org/sc/resources/sc-sanctions.xsd.
type unList struct {
	XMLName     xml.Name `xml:"CONSOLIDATED_LIST"`
	Individuals []unItem `xml:"INDIVIDUALS>INDIVIDUAL"`
	Entities    []unItem `xml:"ENTITIES>ENTITY"`
}

type unItem struct {
	DataID       string     `xml:"DATAID"`
	First        string     `xml:"FIRST_NAME"`
	Second       string     `xml:"SECOND_NAME"`
	Third        string     `xml:"THIRD_NAME"`
	Fourth       string     `xml:"FOURTH_NAME"`
	ListType     string     `xml:"UN_LIST_TYPE"`
	Reference    string     `xml:"REFERENCE_NUMBER"`
	ListedOn     string     `xml:"LISTED_ON"`
	Gender       string     `xml:"GENDER"`
	Comments     string     `xml:"COMMENTS1"`
	Original     string     `xml:"NAME_ORIGINAL_SCRIPT"`
	Titles       []string   `xml:"TITLE>VALUE"`
	Designations []string   `xml:"DESIGNATION>VALUE"`
	Nationality  []string   `xml:"NATIONALITY>VALUE"`
	IndAliases   []unAlias  `xml:"INDIVIDUAL_ALIAS"`
	EntAliases   []unAlias  `xml:"ENTITY_ALIAS"`
	IndAddresses []unAddr   `xml:"INDIVIDUAL_ADDRESS"`
	EntAddresses []unAddr   `xml:"ENTITY_ADDRESS"`
	DOBs         []unDOB    `xml:"INDIVIDUAL_DATE_OF_BIRTH"`
	POBs         []unAddr   `xml:"INDIVIDUAL_PLACE_OF_BIRTH"`
	Documents    []unDocRec `xml:"INDIVIDUAL_DOCUMENT"`
}

type unAlias struct {
	Quality string `xml:"QUALITY"`
	Name    string `xml:"ALIAS_NAME"`
}

type unAddr struct {
	Street  string `xml:"STREET"`
	City    string `xml:"CITY"`
	State   string `xml:"STATE_PROVINCE"`
	Country string `xml:"COUNTRY"`
}

type unDOB struct {
	Type     string `xml:"TYPE_OF_DATE"`
	Date     string `xml:"DATE"`
	Year     string `xml:"YEAR"`
	FromYear string `xml:"FROM_YEAR"`
	ToYear   string `xml:"TO_YEAR"`
}

type unDocRec struct {
	Type    string `xml:"TYPE_OF_DOCUMENT"`
	Type2   string `xml:"TYPE_OF_DOCUMENT2"`
	Number  string `xml:"NUMBER"`
	Issuing string `xml:"ISSUING_COUNTRY"`
	Country string `xml:"COUNTRY_OF_ISSUE"`
}

func parseUN(source, file, data string) ([]Entity, error) {
	var l unList
	if err := xml.Unmarshal([]byte(data), &l); err != nil {
		return nil, &ParseError{File: file, Msg: "not a UN CONSOLIDATED_LIST XML document", Err: err}
	}
	ents := make([]Entity, 0, len(l.Individuals)+len(l.Entities))
	for i, it := range l.Individuals {
		e, err := unEntity(file, fmt.Sprintf("INDIVIDUAL[%d]", i+1), it, TypePerson)
		if err != nil {
			return nil, err
		}
		ents = append(ents, e)
	}
	for i, it := range l.Entities {
		e, err := unEntity(file, fmt.Sprintf("ENTITY[%d]", i+1), it, TypeOrganization)
		if err != nil {
			return nil, err
		}
		ents = append(ents, e)
	}
	return ents, nil
}

func unEntity(file, where string, it unItem, typ string) (Entity, error) {
	id := clean(it.Reference)
	if id == "" {
		id = clean(it.DataID)
	}
	if id == "" {
		return Entity{}, &ParseError{File: file, Field: where + "/REFERENCE_NUMBER", Msg: "missing reference number and DATAID"}
	}
	e := Entity{Type: typ, SourceID: id, ListedOn: clean(it.ListedOn), Remarks: clean(it.Comments),
		Gender: strings.ToLower(clean(it.Gender))}
	var parts []string
	for _, p := range []string{it.First, it.Second, it.Third, it.Fourth} {
		if p = clean(p); p != "" {
			parts = append(parts, p)
		}
	}
	if len(parts) == 0 {
		return Entity{}, &ParseError{File: file, Field: where + "/FIRST_NAME", Msg: fmt.Sprintf("entity %s has no name", id)}
	}
	e.addName(strings.Join(parts, " "), KindPrimary, QualityStrong)
	if o := clean(it.Original); o != "" {
		e.addName(o, KindOriginalScript, QualityStrong)
	}
	for _, a := range append(it.IndAliases, it.EntAliases...) {
		kind, q := KindAKA, QualityStrong
		switch strings.ToLower(clean(a.Quality)) {
		case "low":
			q = QualityWeak
		case "f.k.a.":
			kind = KindFKA
		}
		e.addName(clean(a.Name), kind, q)
	}
	if lt := clean(it.ListType); lt != "" {
		e.Programs = appendUnique(e.Programs, "UN-"+lt)
	}
	for _, n := range it.Nationality {
		e.addNationality(n)
	}
	for _, a := range append(it.IndAddresses, it.EntAddresses...) {
		var ps []string
		for _, p := range []string{a.Street, a.City, a.State, a.Country} {
			if p = clean(p); p != "" {
				ps = append(ps, p)
			}
		}
		if len(ps) > 0 {
			e.Addresses = appendUnique(e.Addresses, strings.Join(ps, ", "))
		}
		e.addCountry(a.Country)
	}
	for _, d := range it.DOBs {
		switch {
		case clean(d.Date) != "":
			e.addDOB(d.Date)
		case clean(d.Year) != "":
			e.addDOB(d.Year)
		case clean(d.FromYear) != "" && clean(d.ToYear) != "":
			e.addDOB(clean(d.FromYear) + " to " + clean(d.ToYear))
		}
	}
	for _, p := range it.POBs {
		var ps []string
		for _, x := range []string{p.City, p.State, p.Country} {
			if x = clean(x); x != "" {
				ps = append(ps, x)
			}
		}
		if len(ps) > 0 {
			e.PlacesOfBirth = appendUnique(e.PlacesOfBirth, strings.Join(ps, ", "))
		}
	}
	for _, d := range it.Documents {
		num := clean(d.Number)
		if num == "" {
			continue
		}
		t := strings.ToLower(clean(d.Type))
		typ := IDOther
		switch {
		case strings.Contains(t, "pasaporte"), strings.Contains(t, "passeport"), strings.Contains(t, "passport"):
			typ = IDPassport
		case strings.Contains(t, "national identification"):
			typ = IDNationalID
		}
		country := clean(d.Issuing)
		if country == "" {
			country = clean(d.Country)
		}
		label := clean(d.Type)
		if t2 := clean(d.Type2); t2 != "" {
			label += " / " + t2
		}
		e.addID(Identifier{Type: typ, Value: num, Label: label, Country: countryOrText(country)})
	}
	e.URL = "https://main.un.org/securitycouncil/en/sanctions/un-sc-consolidated-list"
	return e, nil
}
