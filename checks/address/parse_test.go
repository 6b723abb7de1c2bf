package address

import (
	"strings"
	"testing"
)

func TestParsePerCountry(t *testing.T) {
	t.Parallel()
	cases := []struct {
		country string
		lines   string // separated by |
		want    Address
	}{
		{"GB", "Flat 3|12 High St|London|SW1A 1AA", Address{HouseNumber: "12", Street: "High St", City: "London", PostalCode: "SW1A 1AA", Line2: "Flat 3"}},
		{"GB", "221B Baker Street|LONDON NW1 6XE|United Kingdom", Address{HouseNumber: "221b", Street: "Baker Street", City: "LONDON", PostalCode: "NW1 6XE"}},
		{"GB", "Flat 2, 7 St John's Road|Manchester|m14 5tt", Address{HouseNumber: "7", Street: "St John's Road", City: "Manchester", PostalCode: "M14 5TT"}},
		{"IE", "14 Main Street|Ballina|Co. Mayo|F26 X2Y3", Address{HouseNumber: "14", Street: "Main Street", City: "Co. Mayo", PostalCode: "F26 X2Y3", Line2: "Ballina"}},
		{"IE", "3 Grafton Street|Dublin 2", Address{HouseNumber: "3", Street: "Grafton Street", City: "Dublin 2"}},
		{"US", "1600 Pennsylvania Ave NW|Washington, DC 20500", Address{HouseNumber: "1600", Street: "Pennsylvania Ave NW", City: "Washington", Region: "DC", PostalCode: "20500"}},
		{"US", "350 Fifth Avenue, Apt 4B|New York NY 10118-0110", Address{HouseNumber: "350", Street: "Fifth Avenue, Apt 4B", City: "New York", Region: "NY", PostalCode: "10118-0110"}},
		{"CA", "24 Sussex Drive|Ottawa ON K1M 1M4", Address{HouseNumber: "24", Street: "Sussex Drive", City: "Ottawa", Region: "ON", PostalCode: "K1M 1M4"}},
		{"DE", "Hauptstr. 5a|10115 Berlin", Address{HouseNumber: "5a", Street: "Hauptstr.", City: "Berlin", PostalCode: "10115"}},
		{"DE", "c/o Müller|Am Weißen Steg 12-14|D-80331 München|Deutschland", Address{HouseNumber: "12-14", Street: "Am Weißen Steg", City: "München", PostalCode: "80331", Line2: "c/o Müller"}},
		{"AT", "Mariahilfer Straße 45/3/12|1060 Wien", Address{HouseNumber: "45/3/12", Street: "Mariahilfer Straße", City: "Wien", PostalCode: "1060"}},
		{"CH", "Bahnhofstrasse 10|CH-8001 Zürich", Address{HouseNumber: "10", Street: "Bahnhofstrasse", City: "Zürich", PostalCode: "8001"}},
		{"FR", "12 bis rue de la Paix|75002 Paris", Address{HouseNumber: "12bis", Street: "rue de la Paix", City: "Paris", PostalCode: "75002"}},
		{"FR", "Appartement 4|8, avenue Victor Hugo|69002 LYON CEDEX 02", Address{HouseNumber: "8", Street: "avenue Victor Hugo", City: "LYON CEDEX 02", PostalCode: "69002", Line2: "Appartement 4"}},
		{"BE", "Rue de la Loi 16|1000 Bruxelles", Address{HouseNumber: "16", Street: "Rue de la Loi", City: "Bruxelles", PostalCode: "1000"}},
		{"BE", "Kerkstraat 7 bus 2|2000 Antwerpen", Address{HouseNumber: "7", Street: "Kerkstraat", City: "Antwerpen", PostalCode: "2000"}},
		{"NL", "Keizersgracht 123|1015 CJ Amsterdam", Address{HouseNumber: "123", Street: "Keizersgracht", City: "Amsterdam", PostalCode: "1015 CJ"}},
		{"NL", "Damrak 1-III|1012lg amsterdam", Address{HouseNumber: "1-iii", Street: "Damrak", City: "amsterdam", PostalCode: "1012 LG"}},
		{"ES", "Calle Mayor, 5, 3º B|28013 Madrid", Address{HouseNumber: "5", Street: "Calle Mayor", City: "Madrid", PostalCode: "28013"}},
		{"ES", "Avda. de la Constitución 21|41004 Sevilla", Address{HouseNumber: "21", Street: "Avda. de la Constitución", City: "Sevilla", PostalCode: "41004"}},
		{"IT", "Via Roma 10|00184 Roma RM", Address{HouseNumber: "10", Street: "Via Roma", City: "Roma RM", PostalCode: "00184"}},
		{"IT", "P.za del Duomo, 1|20122 Milano", Address{HouseNumber: "1", Street: "P.za del Duomo", City: "Milano", PostalCode: "20122"}},
		{"PT", "Rua Augusta, 15, 2º Esq|1100-048 Lisboa", Address{HouseNumber: "15", Street: "Rua Augusta", City: "Lisboa", PostalCode: "1100-048"}},
		{"BR", "Av. Paulista, 1578|Bela Vista|São Paulo - SP|01310-200", Address{HouseNumber: "1578", Street: "Av. Paulista", City: "São Paulo - SP", PostalCode: "01310-200", Line2: "Bela Vista"}},
		{"PL", "ul. Marszałkowska 10/5|00-590 Warszawa", Address{HouseNumber: "10/5", Street: "ul. Marszałkowska", City: "Warszawa", PostalCode: "00-590"}},
	}
	for _, c := range cases {
		t.Run(c.country+"/"+c.lines, func(t *testing.T) {
			a, ok := ParserFor(c.country).Parse(strings.Split(c.lines, "|"))
			if !ok {
				t.Fatalf("no address in %q", c.lines)
			}
			if a.HouseNumber != c.want.HouseNumber || a.Street != c.want.Street || a.City != c.want.City ||
				a.PostalCode != c.want.PostalCode || a.Region != c.want.Region || (c.want.Line2 != "" && a.Line2 != c.want.Line2) {
				t.Errorf("got number=%q street=%q city=%q pc=%q region=%q line2=%q\nwant %+v", a.HouseNumber, a.Street, a.City, a.PostalCode, a.Region, a.Line2, c.want)
			}
		})
	}
}

func TestPostcodeValidation(t *testing.T) {
	t.Parallel()
	cases := []struct {
		country, in, want string
		ok                bool
	}{
		{"GB", "sw1a1aa", "SW1A 1AA", true}, {"GB", "SW1A 1CA", "", false}, {"GB", "12345", "", false},
		{"IE", "D02 X285", "D02 X285", true}, {"IE", "D6WXY12", "D6W XY12", true}, {"IE", "B12 3456", "", false},
		{"US", "90210", "90210", true}, {"US", "90210-1234", "90210-1234", true}, {"US", "9021", "", false},
		{"CA", "k1a0b1", "K1A 0B1", true}, {"CA", "D1A 0B1", "", false},
		{"DE", "01067", "01067", true}, {"DE", "00999", "", false}, {"DE", "D-10115", "10115", true},
		{"AT", "1010", "1010", true}, {"AT", "0100", "", false},
		{"CH", "CH-8001", "8001", true}, {"FR", "75001", "75001", true}, {"FR", "99000", "", false},
		{"BE", "1000", "1000", true}, {"NL", "1015cj", "1015 CJ", true}, {"NL", "1015 SS", "", false}, {"NL", "0123 AB", "", false},
		{"ES", "28013", "28013", true}, {"ES", "53000", "", false}, {"IT", "00184", "00184", true},
		{"PT", "1100-048", "1100-048", true}, {"PT", "1100048", "", false}, {"BR", "01310200", "01310-200", true},
		{"PL", "00-590", "00-590", true}, {"PL", "00590", "", false},
	}
	for _, c := range cases {
		got, ok := ParserFor(c.country).Postcode(c.in)
		if ok != c.ok || got != c.want {
			t.Errorf("%s %q: got %q %v, want %q %v", c.country, c.in, got, ok, c.want, c.ok)
		}
	}
}

func TestNormalizeStreet(t *testing.T) {
	t.Parallel()
	same := [][3]string{
		{"GB", "12 High St", "12 High Street"}, {"GB", "St John's Rd", "Saint Johns Road"},
		{"DE", "Hauptstr.", "Hauptstraße"}, {"DE", "Haupt Straße", "Hauptstrasse"}, {"AT", "Mariahilfer Str.", "Mariahilfer Straße"},
		{"ES", "Avda. de la Constitución", "Avenida de la Constitucion"}, {"ES", "C/ Mayor", "Calle Mayor"},
		{"PT", "Av. da Liberdade", "Avenida da Liberdade"}, {"BR", "R. Augusta", "Rua Augusta"},
		{"IT", "P.za del Duomo", "Piazza del Duomo"}, {"IT", "V.le Monza", "Viale Monza"},
		{"FR", "Bd Haussmann", "Boulevard Haussmann"}, {"FR", "av. Victor Hugo", "Avenue Victor Hugo"},
		{"PL", "ul. Marszałkowska", "Marszalkowska"}, {"NL", "Kerkstr.", "Kerkstraat"},
		{"US", "Pennsylvania Ave NW", "Pennsylvania Avenue NW"},
	}
	for _, c := range same {
		if a, b := normalizeStreet(c[0], c[1]), normalizeStreet(c[0], c[2]); a != b {
			t.Errorf("%s: %q → %q, %q → %q", c[0], c[1], a, c[2], b)
		}
	}
	if normalizeStreet("GB", "High Street") == normalizeStreet("GB", "Church Street") {
		t.Error("different streets normalise the same")
	}
}

func TestParseDeclared(t *testing.T) {
	t.Parallel()
	a, err := ParseDeclared("10 Downing Street, London SW1A 2AA", nil)
	if err != nil || a.Country != "GB" || a.HouseNumber != "10" || a.PostalCode != "SW1A 2AA" || a.City != "London" {
		t.Fatalf("GB one line: %+v %v", a, err)
	}
	a, err = ParseDeclared("Calle Mayor, 5, 28013 Madrid, España", nil)
	if err != nil || a.Country != "ES" || a.HouseNumber != "5" || a.Street != "Calle Mayor" {
		t.Fatalf("ES one line: %+v %v", a, err)
	}
	a, err = ParseDeclared("1600 Pennsylvania Ave NW, Washington, DC 20500", nil)
	if err != nil || a.Country != "US" || a.Region != "DC" {
		t.Fatalf("US one line: %+v %v", a, err)
	}
	if _, err := ParseDeclared("Hauptstraße 5, 10115 Berlin", nil); err == nil || err.(*Error).Field != "declared_address" {
		t.Fatalf("a German address without country must ask for it: %v", err)
	}
	_, err = ParseDeclared("", &Address{Line1: "Hauptstraße 5", City: "Berlin", PostalCode: "1011", Country: "DE"})
	if e, ok := err.(*Error); !ok || e.Field != "declared_address.postal_code" {
		t.Fatalf("bad postcode: %v", err)
	}
	_, err = ParseDeclared("", &Address{Line1: "x 1", City: "Tokyo", PostalCode: "100-0001", Country: "JP"})
	if e, ok := err.(*Error); !ok || e.Field != "declared_address.country" {
		t.Fatalf("unsupported country: %v", err)
	}
	a, err = ParseDeclared("", &Address{Line1: "Hauptstr. 5", City: "Berlin", PostalCode: "10115", Country: "de"})
	if err != nil || a.HouseNumber != "5" || a.Country != "DE" {
		t.Fatalf("structured: %+v %v", a, err)
	}
}

func TestCompareAddress(t *testing.T) {
	t.Parallel()
	decl, _ := ParseDeclared("", &Address{Line1: "Hauptstraße 5", City: "München", PostalCode: "80331", Country: "DE"})
	read, _ := ParserFor("DE").Parse([]string{"Hauptstr. 5", "80331 Muenchen"})
	read.Country = "DE"
	m := compareAddress("DE", decl, read)
	if !m.Matched {
		t.Fatalf("same address did not match: %+v", m)
	}
	other, _ := ParserFor("DE").Parse([]string{"Hauptstr. 7", "80331 München"})
	other.Country = "DE"
	if m := compareAddress("DE", decl, other); m.Matched || m.Components["house_number"].Matched {
		t.Fatalf("neighbour matched: %+v", m)
	}
}
