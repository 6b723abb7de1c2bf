package goldencopy

import (
	"bytes"
	"fmt"
	"io"
	"time"

	"github.com/kycd/kycd/checks/business"
)

var (
	synthWords = []string{"Global", "Nordic", "Alpine", "Atlantic", "Capital", "Holding", "Energy", "Logistics",
		"Finance", "Systems", "Trading", "Invest", "Real Estate", "Partners", "Services", "Industries", "Müller",
		"Société", "Générale", "Østergaard", "Technologies", "Pharma", "Maritime", "Foods", "Retail", "Bank"}
	synthForms = []string{"GmbH", "AG", "S.A.", "SAS", "S.p.A.", "B.V.", "N.V.", "Ltd", "LIMITED", "PLC", "LLC",
		"Inc.", "AB", "A/S", "Oy", "Sp. z o.o.", "S.R.L.", "K.K.", "SE", "GmbH & Co. KG"}
	synthJur = []string{"DE", "FR", "IT", "NL", "GB", "US-DE", "US-NY", "SE", "DK", "FI", "PL", "RO", "JP", "LU", "IE", "ES"}
	synthCat = []string{"GENERAL", "GENERAL", "GENERAL", "FUND", "BRANCH", "SOLE_PROPRIETOR"}
	synthReg = []string{"ISSUED", "ISSUED", "ISSUED", "LAPSED", "RETIRED", "PENDING_TRANSFER"}
)

// SyntheticRecord returns a deterministic, realistic-looking record number i (valid LEI,
// names with legal forms and diacritics, both addresses, dates), for benchmarks and load
// tests that need millions of rows without GLEIF's file.
func SyntheticRecord(i int) business.Record {
	prefix := fmt.Sprintf("9999%02d%012X", i%100, i)
	lei := prefix + business.CheckDigits(prefix)
	w := func(k int) string { return synthWords[(i/(k+1)+k*7)%len(synthWords)] }
	jur := synthJur[i%len(synthJur)]
	country := jur[:2]
	t0 := time.Date(2012+i%12, time.Month(1+i%12), 1+i%28, i%24, i%60, 0, 0, time.UTC)
	r := business.Record{
		LEI:           lei,
		LegalName:     business.Name{Name: w(0) + " " + w(1) + " " + w(2) + " " + synthForms[i%len(synthForms)], Language: "en"},
		Jurisdiction:  jur,
		Category:      synthCat[i%len(synthCat)],
		RegisteredAt:  fmt.Sprintf("RA%06d", 100+i%700),
		RegisteredAs:  fmt.Sprintf("HRB %d", 1000+i),
		LegalFormCode: fmt.Sprintf("%04X", i%65536),
		EntityStatus:  "ACTIVE",
		CreationDate:  t0.AddDate(-10, 0, 0),
		LegalAddress: business.Address{Language: "en", Lines: []string{fmt.Sprintf("%d %s Street", 1+i%300, w(3)), "Floor 3"},
			City: w(4) + "ville", Region: jur, Country: country, PostalCode: fmt.Sprintf("%05d", i%100000)},
		Registration: business.Registration{InitialRegistrationDate: t0, LastUpdateDate: t0.AddDate(1, 0, 0),
			Status: synthReg[i%len(synthReg)], NextRenewalDate: t0.AddDate(2, 0, 0),
			ManagingLOU: "5299000J2N45DDNE4Y28", CorroborationLevel: "FULLY_CORROBORATED",
			ValidatedAt: fmt.Sprintf("RA%06d", 100+i%700), ValidatedAs: fmt.Sprintf("HRB %d", 1000+i)},
		ConformityFlag: "CONFORMING",
	}
	r.HeadquartersAddress = r.LegalAddress
	if i%3 == 0 {
		r.OtherNames = []business.Name{{Name: w(5) + " " + w(6) + " Limited", Language: "en", Type: "PREVIOUS_LEGAL_NAME"}}
	}
	if i%5 == 0 {
		r.TransliteratedNames = []business.Name{{Name: "ООО " + w(7), Language: "ru", Type: "AUTO_ASCII_TRANSLITERATED_LEGAL_NAME"}}
	}
	if r.Registration.Status == "RETIRED" {
		r.EntityStatus, r.ExpirationReason, r.ExpirationDate = "INACTIVE", "DISSOLVED", t0.AddDate(3, 0, 0)
	}
	return r
}

// SyntheticLEIFile returns a reader of an LEI-CDF file with n data rows: distinct rows
// (at most 50,000 are generated) repeated as often as needed, so a benchmark can read
// millions of rows without a file on disk. rowBytes is the average row size.
func SyntheticLEIFile(n int) (r io.Reader, rowBytes int) {
	distinct := min(n, 50000)
	var head, body bytes.Buffer
	lw, _ := NewLEIWriter(&head)
	_ = lw.Flush()
	lw.tw.cw = newCSVWriter(&body)
	for i := 0; i < distinct; i++ {
		_ = lw.Write(SyntheticRecord(i))
	}
	_ = lw.Flush()
	parts := []io.Reader{bytes.NewReader(head.Bytes())}
	for left := n; left > 0; left -= distinct {
		if left >= distinct {
			parts = append(parts, bytes.NewReader(body.Bytes()))
			continue
		}
		// a partial repeat: cut the body after `left` rows
		b := body.Bytes()
		cut, rows := 0, 0
		for rows < left {
			j := bytes.IndexByte(b[cut:], '\n')
			cut += j + 1
			rows++
		}
		parts = append(parts, bytes.NewReader(b[:cut]))
	}
	return io.MultiReader(parts...), body.Len() / max(distinct, 1)
}
