package synth

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"
)

// Kind is the ICAO 9303 document size of a synthetic document.
type Kind string

const (
	// TD1 is the ID-card size (85.6 × 54 mm, three MRZ lines of 30 characters on the back).
	TD1 Kind = "TD1"
	// TD3 is the passport data page (125 × 88 mm, two MRZ lines of 44 characters).
	TD3 Kind = "TD3"
)

// Identity is the ground truth printed on a synthetic document. Dates are
// YYYY-MM-DD, as in mrz.Result, so benches compare fields directly.
type Identity struct {
	Kind           Kind   `json:"kind"`
	DocumentCode   string `json:"document_code"`
	IssuingState   string `json:"issuing_state"`
	Surname        string `json:"surname"`
	GivenNames     string `json:"given_names"`
	DocumentNumber string `json:"document_number"`
	Nationality    string `json:"nationality"`
	DateOfBirth    string `json:"date_of_birth"`
	Sex            string `json:"sex"`
	ExpiryDate     string `json:"expiry_date"`
	OptionalData   string `json:"optional_data"`
}

var surnames = []string{
	"ERIKSSON", "MUSTERMANN", "SMITH", "GARCIA", "MUELLER", "ROSSI", "NOVAK", "KOWALSKI",
	"DUBOIS", "JANSEN", "OKAFOR", "TANAKA", "NGUYEN", "SILVA", "PETROV", "HANSEN", "OBRIEN",
	"VAN DER BERG", "DE LA CRUZ", "ABDULLAH", "KIM", "LINDQVIST", "PAPADOPOULOS", "WOJCIK",
	"MAXIMILIANSTRASSENBAUER", "QUINTERO", "YILMAZ", "ZHANG", "FITZGERALD", "BJORKMAN",
}

var givenNames = []string{
	"ANNA", "MARIA", "JOHN", "PETER", "ERIKA", "LUCA", "SOFIA", "JAN", "OLGA", "AHMED",
	"YUKI", "CHIDI", "MARTA", "KAROL", "ZOE", "XAVIER", "WILHELMINA", "QUENTIN", "IVAN",
	"BEATRIZ", "HUGO", "FATIMA", "NOAH", "EMMA", "JOSE", "LI", "VALENTINA", "OSKAR",
}

// Codes are a sample of ICAO 9303 issuing-state codes, including the
// three-letter German "D<<" and the fictional specimen state "UTO".
var countries = []string{
	"UTO", "D<<", "FRA", "GBR", "USA", "NLD", "ESP", "ITA", "POL", "SWE", "CHE", "CZE",
	"AUT", "BEL", "CAN", "AUS", "JPN", "NGA", "BRA", "IND", "TUR", "GRC", "IRL", "NOR",
}

const alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

// RefDate is the fixed "today" the generator draws expiry dates around, so
// that a seed always yields the same document whatever day it runs.
var RefDate = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// RandomIdentity draws an identity of the given kind; about one in eight is
// already expired relative to RefDate.
func RandomIdentity(r *rand.Rand, kind Kind) Identity {
	id := Identity{Kind: kind}
	switch kind {
	case TD1:
		id.DocumentCode = []string{"I", "ID", "IR", "AC"}[r.IntN(4)]
	default:
		id.DocumentCode = []string{"P", "P", "PP", "PD"}[r.IntN(4)]
	}
	id.IssuingState = countries[r.IntN(len(countries))]
	id.Nationality = id.IssuingState
	if r.IntN(5) == 0 {
		id.Nationality = countries[r.IntN(len(countries))]
	}
	id.Surname = surnames[r.IntN(len(surnames))]
	if r.IntN(6) == 0 {
		id.Surname += " " + surnames[r.IntN(len(surnames))]
	}
	id.GivenNames = givenNames[r.IntN(len(givenNames))]
	if r.IntN(2) == 0 {
		id.GivenNames += " " + givenNames[r.IntN(len(givenNames))]
	}
	var num strings.Builder
	n := 8 + r.IntN(2)
	for i := 0; i < n; i++ {
		if i < 2 || r.IntN(3) == 0 {
			num.WriteByte(alnum[r.IntN(len(alnum))])
		} else {
			num.WriteByte(byte('0' + r.IntN(10)))
		}
	}
	id.DocumentNumber = num.String()
	dob := time.Date(1940+r.IntN(66), time.Month(1+r.IntN(12)), 1+r.IntN(28), 0, 0, 0, 0, time.UTC)
	id.DateOfBirth = dob.Format("2006-01-02")
	exp := RefDate.AddDate(0, 0, -400+r.IntN(3650+400))
	id.ExpiryDate = exp.Format("2006-01-02")
	id.Sex = []string{"M", "F", "<"}[r.IntN(3)]
	if id.Sex == "<" && r.IntN(3) != 0 {
		id.Sex = "F"
	}
	if r.IntN(2) == 0 {
		var opt strings.Builder
		for i := 0; i < 5+r.IntN(6); i++ {
			opt.WriteByte(alnum[r.IntN(len(alnum))])
		}
		id.OptionalData = opt.String()
	}
	return id
}

// CheckDigit is the ICAO 9303 7-3-1 check digit of s.
func CheckDigit(s string) byte {
	w := [3]int{7, 3, 1}
	sum := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		v := 0
		switch {
		case c >= '0' && c <= '9':
			v = int(c - '0')
		case c >= 'A' && c <= 'Z':
			v = int(c-'A') + 10
		}
		sum += v * w[i%3]
	}
	return byte('0' + sum%10)
}

func pad(s string, n int) string {
	if len(s) >= n {
		return s[:n]
	}
	return s + strings.Repeat("<", n-len(s))
}

func mrzDate(iso string) string {
	return iso[2:4] + iso[5:7] + iso[8:10]
}

func mrzName(surname, given string, n int) string {
	s := strings.ReplaceAll(surname, " ", "<") + "<<" + strings.ReplaceAll(given, " ", "<")
	return pad(s, n)
}

// MRZLines renders the identity's machine-readable zone with valid check digits.
func MRZLines(id Identity) ([]string, error) {
	if len(id.DateOfBirth) != 10 || len(id.ExpiryDate) != 10 {
		return nil, fmt.Errorf("identity dates must be YYYY-MM-DD, got %q and %q", id.DateOfBirth, id.ExpiryDate)
	}
	num := pad(id.DocumentNumber, 9)
	if len(id.DocumentNumber) > 9 {
		return nil, fmt.Errorf("document number %q longer than 9 characters", id.DocumentNumber)
	}
	dob, exp := mrzDate(id.DateOfBirth), mrzDate(id.ExpiryDate)
	if (id.Kind == TD3 || id.Kind == TD1) && (len(id.IssuingState) != 3 || len(id.Nationality) != 3) {
		return nil, fmt.Errorf("issuing state %q and nationality %q must be 3 characters (pad with <: D<<)", id.IssuingState, id.Nationality)
	}
	switch id.Kind {
	case TD3:
		l1 := pad(id.DocumentCode, 2) + id.IssuingState + mrzName(id.Surname, id.GivenNames, 39)
		opt := pad(id.OptionalData, 14)
		optCD := CheckDigit(opt)
		if strings.Trim(opt, "<") == "" {
			optCD = '<'
		}
		l2 := num + string(CheckDigit(num)) + id.Nationality + dob + string(CheckDigit(dob)) + id.Sex +
			exp + string(CheckDigit(exp)) + opt + string(optCD)
		comp := l2[0:10] + l2[13:20] + l2[21:43]
		l2 += string(CheckDigit(comp))
		return []string{l1, l2}, nil
	case TD1:
		l1 := pad(id.DocumentCode, 2) + id.IssuingState + num + string(CheckDigit(num)) + pad(id.OptionalData, 15)
		l2 := dob + string(CheckDigit(dob)) + id.Sex + exp + string(CheckDigit(exp)) + id.Nationality + pad("", 11)
		comp := l1[5:30] + l2[0:7] + l2[8:15] + l2[18:29]
		l2 += string(CheckDigit(comp))
		l3 := mrzName(id.Surname, id.GivenNames, 30)
		return []string{l1, l2, l3}, nil
	default:
		return nil, fmt.Errorf("unknown document kind %q", id.Kind)
	}
}

// MRZNames returns the surname and given names as they survive in the MRZ
// (truncated to the name field), which is what a reader can recover.
func MRZNames(id Identity) (surname, given string) {
	n := 39
	if id.Kind == TD1 {
		n = 30
	}
	s := mrzName(id.Surname, id.GivenNames, n)
	parts := strings.SplitN(s, "<<", 2)
	surname = strings.TrimSpace(strings.ReplaceAll(strings.TrimRight(parts[0], "<"), "<", " "))
	if len(parts) == 2 {
		given = strings.TrimSpace(strings.ReplaceAll(strings.TrimRight(parts[1], "<"), "<", " "))
	}
	return surname, given
}
