package address

import "testing"

// The text layer against the printed page: a surname or postcode the OCR missed is a near
// miss (review); few shared words, or another postcode printed where the text layer's is
// missing, or another person's name printed over the same address, is a different document
// (reject). The issuer's postcode, in both, never counts.
func TestTextLayerVerdicts(t *testing.T) {
	p, _ := ParserFor("GB").(*rule)
	b := block{ok: true, name: "Mr John Whitfield", addr: Address{PostalCode: "SW4 7AB"}}
	layer := []string{"Northern Power Ltd", "1 Energy Way, Leeds LS1 4AP", "Your electricity and gas bill",
		"Mr John Whitfield", "12 High Street", "London", "SW4 7AB", "Bill date 12 March 2026", "Amount due 84.20"}
	cases := []struct {
		name string
		ocr  []string
		want layerVerdict
	}{
		{"the same page", layer, layerAgrees},
		{"one slip in the postcode", replace(layer, "SW4 7AB", "SW4 7A8"), layerAgrees},
		{"the surname misread twice", replace(layer, "Mr John Whitfield", "Mr John Wh1tf1e1d"), layerNearMiss},
		{"the postcode misread twice", replace(layer, "SW4 7AB", "SW4 1AE"), layerNearMiss},
		{"another address printed", replace(replace(layer, "SW4 7AB", "LS6 2QT"), "Mr John Whitfield", "Ms Maria Garcia"), layerDiffers},
		{"both names misread", replace(layer, "Mr John Whitfield", "Mr Jchn Wbitfeld"), layerNearMiss},
		{"someone else's bill at the same address", replace(layer, "Mr John Whitfield", "Ms Maria Garcia"), layerDiffers},
		{"the same first name, another surname", replace(layer, "Mr John Whitfield", "Mr John Fernandez"), layerDiffers},
		{"the same surname, another first name", replace(layer, "Mr John Whitfield", "Mrs Ruth Whitfield"), layerDiffers},
		{"the first name misread twice", replace(layer, "Mr John Whitfield", "Mr Jchm Whitfield"), layerNearMiss},
		{"the surname cut short", replace(layer, "Mr John Whitfield", "Mr John Whitf"), layerNearMiss},
		{"someone else's bill in the same template, a postcode one character off",
			replace(replace(replace(layer, "SW4 7AB", "SW4 7AD"), "Mr John Whitfield", "Ms Maria Garcia"), "12 High Street", "7 Low Road"), layerDiffers},
		{"the first name misread twice and the postcode slipped", replace(replace(layer, "Mr John Whitfield", "Mr Jchm Whitfield"), "SW4 7AB", "SW4 7AD"), layerNearMiss},
		{"someone else's name over the issuer's address only", replace(layer, "Mr John Whitfield", ""), layerNearMiss},
		{"another page altogether", []string{"Stadtwerke Nordstadt GmbH", "Ihre Stromrechnung", "Herrn Jürgen Müller", "Hauptstraße 5", "70173 Stuttgart"}, layerDiffers},
	}
	for _, c := range cases {
		if got, data := textLayerAgrees(layer, c.ocr, b, p); got != c.want {
			t.Errorf("%s: verdict %d, want %d (%v)", c.name, got, c.want, data)
		}
	}
}

func replace(lines []string, old, new string) []string {
	out := make([]string, len(lines))
	for i, l := range lines {
		if l == old {
			l = new
		}
		out[i] = l
	}
	return out
}

// The other address counts as the issuer's only when the text layer prints that postcode as a
// word: inside an account number or an amount it is no address.
func TestOtherAddresseeWholeWords(t *testing.T) {
	p, _ := ParserFor("BE").(*rule)
	b := block{ok: true, name: "Mme Claire Lefevre", addr: Address{PostalCode: "4000", HouseNumber: "12"}}
	ocr := []string{"Telecom Azur SA", "", "Monsieur Hugo Mercier", "Rue Neuve 117", "5000 Namur", "", "Total 50,00"}
	for _, c := range []struct {
		layer []string
		want  string
	}{
		{[]string{"Telecom Azur SA", "Mme Claire Lefevre", "Rue Haute 12", "4000 Liege", "Compte 7495000613", "Total 50,00"}, "Monsieur Hugo Mercier"},
		{[]string{"Telecom Azur SA, Rue Neuve 117, 5000 Namur", "Mme Claire Lefevre", "Rue Haute 12", "4000 Liege"}, ""},
	} {
		if got := otherAddressee(p, c.layer, ocr, b, "claire"); got != c.want {
			t.Errorf("layer %q: got %q, want %q", c.layer, got, c.want)
		}
	}
}
