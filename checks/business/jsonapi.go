package business

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// The wire shapes of GLEIF's JSON:API documents. Every field may be null or absent;
// encoding/json leaves nulls as zero values, which is what we want.

type apiDoc struct {
	Data   json.RawMessage `json:"data"`
	Meta   apiMeta         `json:"meta"`
	Links  apiLinks        `json:"links"`
	Errors []apiErrorObj   `json:"errors"`
}

type apiMeta struct {
	Pagination *struct {
		CurrentPage int `json:"currentPage"`
		PerPage     int `json:"perPage"`
		Total       int `json:"total"`
		LastPage    int `json:"lastPage"`
	} `json:"pagination"`
}

type apiLinks struct {
	Next string `json:"next"`
}

type apiErrorObj struct {
	Status string `json:"status"`
	Title  string `json:"title"`
	Detail string `json:"detail"`
}

type apiResource struct {
	Type       string          `json:"type"`
	ID         string          `json:"id"`
	Attributes json.RawMessage `json:"attributes"`
}

type apiName struct {
	Name     string `json:"name"`
	Language string `json:"language"`
	Type     string `json:"type"`
}

type apiAddress struct {
	Language      string   `json:"language"`
	AddressLines  []string `json:"addressLines"`
	AddressNumber string   `json:"addressNumber"`
	City          string   `json:"city"`
	Region        string   `json:"region"`
	Country       string   `json:"country"`
	PostalCode    string   `json:"postalCode"`
}

type apiIDOther struct {
	ID    string `json:"id"`
	Other string `json:"other"`
}

type apiLEIRecord struct {
	LEI    string `json:"lei"`
	Entity struct {
		LegalName                apiName    `json:"legalName"`
		OtherNames               []apiName  `json:"otherNames"`
		TransliteratedOtherNames []apiName  `json:"transliteratedOtherNames"`
		LegalAddress             apiAddress `json:"legalAddress"`
		HeadquartersAddress      apiAddress `json:"headquartersAddress"`
		RegisteredAt             apiIDOther `json:"registeredAt"`
		RegisteredAs             string     `json:"registeredAs"`
		Jurisdiction             string     `json:"jurisdiction"`
		Category                 string     `json:"category"`
		SubCategory              string     `json:"subCategory"`
		LegalForm                apiIDOther `json:"legalForm"`
		Status                   string     `json:"status"`
		CreationDate             string     `json:"creationDate"`
		Expiration               struct {
			Date   string `json:"date"`
			Reason string `json:"reason"`
		} `json:"expiration"`
		SuccessorEntity struct {
			LEI  string `json:"lei"`
			Name string `json:"name"`
		} `json:"successorEntity"`
	} `json:"entity"`
	Registration struct {
		InitialRegistrationDate string     `json:"initialRegistrationDate"`
		LastUpdateDate          string     `json:"lastUpdateDate"`
		Status                  string     `json:"status"`
		NextRenewalDate         string     `json:"nextRenewalDate"`
		ManagingLOU             string     `json:"managingLou"`
		CorroborationLevel      string     `json:"corroborationLevel"`
		ValidatedAt             apiIDOther `json:"validatedAt"`
		ValidatedAs             string     `json:"validatedAs"`
	} `json:"registration"`
	ConformityFlag string `json:"conformityFlag"`
}

type apiRelationship struct {
	Relationship struct {
		StartNode struct{ ID, Type string } `json:"startNode"`
		EndNode   struct{ ID, Type string } `json:"endNode"`
		Type      string                    `json:"type"`
		Status    string                    `json:"status"`
		Periods   []struct {
			StartDate string `json:"startDate"`
			EndDate   string `json:"endDate"`
			Type      string `json:"type"`
		} `json:"periods"`
	} `json:"relationship"`
	Registration struct {
		InitialRegistrationDate string `json:"initialRegistrationDate"`
		LastUpdateDate          string `json:"lastUpdateDate"`
		Status                  string `json:"status"`
		ManagingLOU             string `json:"managingLou"`
		CorroborationLevel      string `json:"corroborationLevel"`
	} `json:"registration"`
}

type apiException struct {
	LEI       string          `json:"lei"`
	Category  string          `json:"category"`
	Reason    string          `json:"reason"`
	Reference json.RawMessage `json:"reference"` // null, a string or a list
}

// ParseTime reads the timestamps GLEIF publishes (API and Golden Copy): RFC 3339 with or
// without fractional seconds, or a bare date. Empty gives the zero time.
func ParseTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("unreadable timestamp %q", s)
}

// lenientTime is ParseTime for data we do not want to reject a whole record over.
func lenientTime(s string) time.Time {
	t, _ := ParseTime(s)
	return t
}

func convName(n apiName) Name { return Name(n) }

func convNames(ns []apiName) []Name {
	var out []Name
	for _, n := range ns {
		if strings.TrimSpace(n.Name) != "" {
			out = append(out, convName(n))
		}
	}
	return out
}

func convAddress(a apiAddress) Address {
	var lines []string
	for _, l := range a.AddressLines {
		if l != "" {
			lines = append(lines, l)
		}
	}
	return Address{Language: a.Language, Lines: lines, AddressNumber: a.AddressNumber, City: a.City,
		Region: a.Region, Country: a.Country, PostalCode: a.PostalCode}
}

func decodeRecord(res apiResource) (*Record, error) {
	if res.Type != "" && res.Type != "lei-records" {
		return nil, fmt.Errorf("resource type %q, want lei-records", res.Type)
	}
	var a apiLEIRecord
	if len(res.Attributes) == 0 || string(res.Attributes) == "null" {
		return nil, fmt.Errorf("lei-record %q has no attributes", res.ID)
	}
	if err := json.Unmarshal(res.Attributes, &a); err != nil {
		return nil, fmt.Errorf("lei-record %q: %w", res.ID, err)
	}
	if a.LEI == "" {
		a.LEI = res.ID
	}
	if a.LEI == "" {
		return nil, fmt.Errorf("lei-record without an LEI")
	}
	e := a.Entity
	r := &Record{
		LEI:                 a.LEI,
		LegalName:           convName(e.LegalName),
		OtherNames:          convNames(e.OtherNames),
		TransliteratedNames: convNames(e.TransliteratedOtherNames),
		LegalAddress:        convAddress(e.LegalAddress),
		HeadquartersAddress: convAddress(e.HeadquartersAddress),
		RegisteredAt:        e.RegisteredAt.ID,
		RegisteredAtOther:   e.RegisteredAt.Other,
		RegisteredAs:        e.RegisteredAs,
		Jurisdiction:        e.Jurisdiction,
		Category:            e.Category,
		SubCategory:         e.SubCategory,
		LegalFormCode:       e.LegalForm.ID,
		LegalFormOther:      e.LegalForm.Other,
		EntityStatus:        e.Status,
		CreationDate:        lenientTime(e.CreationDate),
		ExpirationDate:      lenientTime(e.Expiration.Date),
		ExpirationReason:    e.Expiration.Reason,
		SuccessorLEI:        e.SuccessorEntity.LEI,
		SuccessorName:       e.SuccessorEntity.Name,
		Registration: Registration{
			InitialRegistrationDate: lenientTime(a.Registration.InitialRegistrationDate),
			LastUpdateDate:          lenientTime(a.Registration.LastUpdateDate),
			Status:                  a.Registration.Status,
			NextRenewalDate:         lenientTime(a.Registration.NextRenewalDate),
			ManagingLOU:             a.Registration.ManagingLOU,
			CorroborationLevel:      a.Registration.CorroborationLevel,
			ValidatedAt:             a.Registration.ValidatedAt.ID,
			ValidatedAs:             a.Registration.ValidatedAs,
		},
		ConformityFlag: a.ConformityFlag,
	}
	return r, nil
}

func decodeRelationship(res apiResource) (*Relationship, error) {
	var a apiRelationship
	if len(res.Attributes) == 0 || string(res.Attributes) == "null" {
		return nil, fmt.Errorf("relationship-record %q has no attributes", res.ID)
	}
	if err := json.Unmarshal(res.Attributes, &a); err != nil {
		return nil, fmt.Errorf("relationship-record %q: %w", res.ID, err)
	}
	rr := a.Relationship
	if rr.StartNode.ID == "" || rr.EndNode.ID == "" {
		return nil, fmt.Errorf("relationship-record %q without start or end node", res.ID)
	}
	r := &Relationship{
		StartLEI: rr.StartNode.ID, StartType: rr.StartNode.Type,
		EndLEI: rr.EndNode.ID, EndType: rr.EndNode.Type,
		Type: rr.Type, Status: rr.Status,
		RegistrationStatus:  a.Registration.Status,
		InitialRegistration: lenientTime(a.Registration.InitialRegistrationDate),
		LastUpdate:          lenientTime(a.Registration.LastUpdateDate),
		ManagingLOU:         a.Registration.ManagingLOU,
		CorroborationLevel:  a.Registration.CorroborationLevel,
	}
	for _, p := range rr.Periods {
		r.Periods = append(r.Periods, Period{Start: lenientTime(p.StartDate), End: lenientTime(p.EndDate), Type: p.Type})
	}
	return r, nil
}

func decodeException(res apiResource) (*ReportingException, error) {
	var a apiException
	if len(res.Attributes) == 0 || string(res.Attributes) == "null" {
		return nil, fmt.Errorf("reporting-exception %q has no attributes", res.ID)
	}
	if err := json.Unmarshal(res.Attributes, &a); err != nil {
		return nil, fmt.Errorf("reporting-exception %q: %w", res.ID, err)
	}
	x := &ReportingException{LEI: a.LEI, Category: a.Category, Reason: a.Reason}
	var one string
	var many []string
	switch {
	case len(a.Reference) == 0 || string(a.Reference) == "null":
	case json.Unmarshal(a.Reference, &one) == nil:
		if one != "" {
			x.References = []string{one}
		}
	case json.Unmarshal(a.Reference, &many) == nil:
		x.References = many
	}
	return x, nil
}

// one decodes a document whose data is a single resource (or null).
func (d *apiDoc) one() (*apiResource, error) {
	if len(d.Data) == 0 || string(d.Data) == "null" {
		return nil, nil
	}
	var r apiResource
	if err := json.Unmarshal(d.Data, &r); err != nil {
		return nil, fmt.Errorf("data is not a resource object: %w", err)
	}
	return &r, nil
}

// many decodes a document whose data is a list of resources.
func (d *apiDoc) many() ([]apiResource, error) {
	if len(d.Data) == 0 || string(d.Data) == "null" {
		return nil, nil
	}
	var rs []apiResource
	if err := json.Unmarshal(d.Data, &rs); err != nil {
		return nil, fmt.Errorf("data is not a list of resources: %w", err)
	}
	return rs, nil
}

// decodeBody parses a JSON:API document whose data is one resource or a list.
func decodeBody(body []byte) ([]apiResource, error) {
	doc, err := parseDoc(body)
	if err != nil {
		return nil, err
	}
	d := bytes.TrimSpace(doc.Data)
	if len(d) > 0 && d[0] == '{' {
		r, err := doc.one()
		if err != nil || r == nil {
			return nil, err
		}
		return []apiResource{*r}, nil
	}
	return doc.many()
}

// decodeAll decodes every resource of a body with decode.
func decodeAll[T any](body []byte, decode func(apiResource) (*T, error)) ([]T, error) {
	rs, err := decodeBody(body)
	if err != nil {
		return nil, err
	}
	out := make([]T, 0, len(rs))
	for _, res := range rs {
		v, err := decode(res)
		if err != nil {
			return nil, err
		}
		out = append(out, *v)
	}
	return out, nil
}

// DecodeRecords reads the lei-records of a GLEIF API response body (one or a list).
// It lets tools such as the Golden Copy generator reuse the client's mapping.
func DecodeRecords(body []byte) ([]Record, error) { return decodeAll(body, decodeRecord) }

// DecodeRelationships reads the relationship-records of a GLEIF API response body.
func DecodeRelationships(body []byte) ([]Relationship, error) {
	return decodeAll(body, decodeRelationship)
}

// DecodeReportingExceptions reads the reporting-exceptions of a GLEIF API response body.
func DecodeReportingExceptions(body []byte) ([]ReportingException, error) {
	return decodeAll(body, decodeException)
}
