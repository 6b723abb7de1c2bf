package address

import (
	"strings"
	"testing"
)

func TestFindDatesFormats(t *testing.T) {
	t.Parallel()
	cases := []struct {
		country, line, want string
	}{
		{"GB", "12 March 2026", "2026-03-12"}, {"GB", "12th Mar 2026", "2026-03-12"}, {"US", "March 12, 2026", "2026-03-12"},
		{"DE", "12.03.2026", "2026-03-12"}, {"DE", "12. März 2026", "2026-03-12"}, {"AT", "12. Jänner 2026", "2026-01-12"},
		{"FR", "12 mars 2026", "2026-03-12"}, {"FR", "1er février 2026", "2026-02-01"}, {"FR", "12 févr. 2026", "2026-02-12"},
		{"ES", "12 de marzo de 2026", "2026-03-12"}, {"IT", "12 marzo 2026", "2026-03-12"}, {"PT", "12 de março de 2026", "2026-03-12"},
		{"NL", "12 maart 2026", "2026-03-12"}, {"PL", "12 marca 2026", "2026-03-12"}, {"GB", "2026-03-12", "2026-03-12"},
		{"GB", "12/03/26", "2026-03-12"}, {"US", "03/12/26", "2026-03-12"}, {"US", "13/03/2026", "2026-03-13"},
		{"FR", "12/03/2026", "2026-03-12"}, {"ES", "12-03-2026", "2026-03-12"}, {"BR", "12/03/2026", "2026-03-12"},
	}
	for _, c := range cases {
		ds := FindDates([]string{"Date: " + c.line}, c.country)
		if len(ds) != 1 || ds[0].Date.Format("2006-01-02") != c.want {
			t.Errorf("%s %q: got %+v, want %s", c.country, c.line, ds, c.want)
		}
	}
	if ds := FindDates([]string{"31/02/2026", "IBAN DE89 3704 0044 0532 0130 00", "Tel. 030 12.34.5678"}, "DE"); len(ds) != 0 {
		t.Errorf("impossible dates and numbers read as dates: %+v", ds)
	}
}

func TestChooseDate(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, country, text, want string
	}{
		{"statement date over due and period", "GB",
			"Billing period: 1 February 2026 - 28 February 2026|Statement date: 3 March 2026|Payment due by 24 March 2026", "2026-03-03"},
		{"label above the date", "GB", "Account number      Statement date|12345678            14 March 2026|Due date 30 March 2026", "2026-03-14"},
		{"German invoice", "DE", "Abrechnungszeitraum 01.01.2026 bis 31.01.2026|Rechnungsdatum: 05.02.2026|Fällig am 20.02.2026", "2026-02-05"},
		{"letter date line", "DE", "Berlin, den 12.03.2026|Ihre Grundsteuer", "2026-03-12"},
		{"French", "FR", "Facture du 4 mars 2026|Période du 1 février au 28 février 2026|À payer avant le 25/03/2026", "2026-03-04"},
		{"Spanish", "ES", "Fecha de emisión: 10/03/2026|Periodo de facturación: 01/02/2026 - 28/02/2026|Fecha de cargo: 20/03/2026", "2026-03-10"},
		{"Italian", "IT", "Data emissione 06/03/2026|Scadenza 26/03/2026", "2026-03-06"},
		{"Portuguese", "PT", "Data de emissão: 2026-03-09|Data limite de pagamento: 2026-03-30", "2026-03-09"},
		{"only a period", "GB", "For the period 1 Jan 2026 to 31 Mar 2026", "2026-03-31"},
		{"birth date ignored", "GB", "Date of birth: 01/01/1980|Date: 02/03/2026", "2026-03-02"},
	}
	for _, c := range cases {
		ds := FindDates(strings.Split(c.text, "|"), c.country)
		d, ok := ChooseDate(ds)
		if !ok || d.Date.Format("2006-01-02") != c.want {
			t.Errorf("%s: got %s (%s), want %s; all: %+v", c.name, d.Date.Format("2006-01-02"), d.Label, c.want, ds)
		}
	}
}

func TestNameScore(t *testing.T) {
	t.Parallel()
	cases := []struct {
		declared, read string
		match          bool
	}{
		{"John Smith", "Mr John Smith", true},
		{"John Smith", "SMITH John", true},
		{"John Smith", "Mr J Smith", true},
		{"John Michael Smith", "John Smith", true},
		{"John Smith", "John M. Smith", true},
		{"José Álvarez García", "Jose Alvarez Garcia", true},
		{"Jürgen Müller", "Herrn Juergen Mueller", true},
		{"Zoë O'Brien", "Ms Zoe OBrien", true},
		{"John Smith", "Jane Smith", false},
		{"John Smith", "Maria Garcia", false},
		{"John Smith", "John S.", false},
		{"John Smith", "Smith", false},
		{"Jürgen Köhler", "Herrn JURG EN KOHLER", true},
	}
	for _, c := range cases {
		if m := nameScore(c.declared, c.read); m.Matched != c.match {
			t.Errorf("%q vs %q: %+v, want matched=%v", c.declared, c.read, m, c.match)
		}
	}
}
