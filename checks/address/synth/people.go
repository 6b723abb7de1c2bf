package synth

import (
	"fmt"
	"math/rand/v2"
	"strings"
)

// Person is an addressee: the name as declared and how the document prints it.
type Person struct {
	Declared string // "John Michael Smith"
	Printed  string // "Mr J Smith", "Herrn Jürgen Müller"
}

var firstNames = map[string][2][]string{ // [male, female]
	"en": {{"John", "James", "David", "Michael", "Robert", "Thomas", "Daniel", "Oliver", "Liam", "Patrick"}, {"Sarah", "Emma", "Olivia", "Grace", "Emily", "Charlotte", "Hannah", "Siobhan", "Chloe", "Megan"}},
	"de": {{"Jürgen", "Stefan", "Andreas", "Thomas", "Lukas", "Matthias", "Jörg", "Florian", "Tobias", "Max"}, {"Anna", "Katrin", "Sabine", "Julia", "Lena", "Sophie", "Birgit", "Ursula", "Marie", "Claudia"}},
	"fr": {{"Jean", "Pierre", "François", "Nicolas", "Julien", "Thierry", "Stéphane", "Benoît", "Hugo", "Louis"}, {"Sophie", "Camille", "Élodie", "Céline", "Claire", "Manon", "Hélène", "Amélie", "Chloé", "Léa"}},
	"es": {{"José", "Javier", "Carlos", "Alejandro", "Sergio", "Andrés", "Raúl", "Íñigo", "Pablo", "Álvaro"}, {"María", "Lucía", "Carmen", "Laura", "Marta", "Sofía", "Inés", "Paula", "Elena", "Begoña"}},
	"pt": {{"João", "António", "José", "Tiago", "Rui", "Gonçalo", "Luís", "Pedro", "Vítor", "Paulo"}, {"Maria", "Ana", "Inês", "Beatriz", "Joana", "Sónia", "Mariana", "Luísa", "Conceição", "Rita"}},
	"it": {{"Marco", "Giuseppe", "Luca", "Andrea", "Francesco", "Niccolò", "Matteo", "Davide", "Stefano", "Lorenzo"}, {"Giulia", "Francesca", "Chiara", "Sara", "Valentina", "Elena", "Federica", "Alessia", "Martina", "Paola"}},
}

var surnames = map[string][]string{
	"en": {"Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "O'Brien", "Murphy", "Walker", "Robinson", "Thompson", "Harris"},
	"de": {"Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Schäfer", "Becker", "Hoffmann", "Köhler", "Wagner", "Groß", "Krüger"},
	"fr": {"Dupont", "Martin", "Bernard", "Lefèvre", "Moreau", "Girard", "Rousseau", "Faure", "Mercier", "Lambert", "Bonnet", "Dubois"},
	"es": {"García López", "Martínez", "Rodríguez Pérez", "Sánchez", "Fernández", "Gómez Ruiz", "Díaz", "Muñoz", "Álvarez", "Romero"},
	"pt": {"Silva", "Santos", "Ferreira", "Pereira", "Oliveira Costa", "Rodrigues", "Martins", "Sousa", "Gonçalves", "Magalhães"},
	"it": {"Rossi", "Russo", "Ferrari", "Esposito", "Bianchi", "Romano", "Colombo", "Ricci", "Marino", "De Luca", "Galli", "Conti"},
}

var middleNames = []string{"Alexander", "Marie", "Anne", "Joseph", "Elisabeth", "Louis", "Maria", "Paul"}

// NewPerson draws a person for a language and how a document addresses them.
func NewPerson(r *rand.Rand, lang string) Person {
	fem := r.IntN(2)
	first := pick(r, firstNames[lang][fem])
	sur := pick(r, surnames[lang])
	declared := first + " " + sur
	if r.IntN(5) == 0 {
		declared = first + " " + pick(r, middleNames) + " " + sur
	}
	var title string
	switch lang {
	case "en":
		title = [2]string{"Mr", "Ms"}[fem]
		if r.IntN(3) == 0 {
			title = [2]string{"Mr", "Mrs"}[fem]
		}
	case "de":
		title = [2]string{"Herrn", "Frau"}[fem]
	case "fr":
		title = [2]string{"M.", "Mme"}[fem]
		if r.IntN(2) == 0 {
			title = [2]string{"Monsieur", "Madame"}[fem]
		}
	case "es":
		title = [2]string{"Sr.", "Sra."}[fem]
		if r.IntN(2) == 0 {
			title = [2]string{"D.", "Dña."}[fem]
		}
	case "pt":
		title = [2]string{"Exmo. Sr.", "Exma. Sra."}[fem]
	case "it":
		title = [2]string{"Sig.", "Sig.ra"}[fem]
	}
	printed := first + " " + sur
	switch r.IntN(6) {
	case 0:
		printed = strings.ToUpper(printed)
	case 1:
		if lang == "en" {
			printed = first[:1] + " " + sur // "Mr J Smith"
		}
	case 2:
		if lang == "fr" || lang == "it" {
			printed = strings.ToUpper(sur) + " " + first // "DUPONT Jean"
		}
	}
	if r.IntN(4) != 0 {
		printed = title + " " + printed
	}
	return Person{Declared: declared, Printed: printed}
}

func pick[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }

// Addr is a generated address: the lines as printed and the fields as an applicant declares them.
type Addr struct {
	Country                                         string
	Printed                                         []string
	Line1, Line2, City, PostalCode, Region          string
	HouseNumber, StreetFull, StreetPrinted, Display string
}

type street struct{ full, short string }

var streets = map[string][]street{
	"GB": {{"High Street", "High St"}, {"Church Road", "Church Rd"}, {"Station Road", "Station Rd"}, {"Victoria Road", "Victoria Rd"},
		{"Park Lane", "Park Ln"}, {"St John's Road", "St John's Rd"}, {"Mill Lane", "Mill Lane"}, {"Queen's Avenue", "Queen's Ave"}},
	"IE": {{"Main Street", "Main St"}, {"Grafton Street", "Grafton St"}, {"Patrick Street", "Patrick St"}, {"Shop Street", "Shop St"}, {"Church Road", "Church Rd"}},
	"US": {{"Main Street", "Main St"}, {"Oak Avenue", "Oak Ave"}, {"Maple Drive", "Maple Dr"}, {"Elm Street", "Elm St"}, {"Washington Boulevard", "Washington Blvd"}, {"Lincoln Road", "Lincoln Rd"}},
	"CA": {{"King Street West", "King St W"}, {"Maple Avenue", "Maple Ave"}, {"Queen Street", "Queen St"}, {"Lakeshore Road", "Lakeshore Rd"}},
	"DE": {{"Hauptstraße", "Hauptstr."}, {"Bahnhofstraße", "Bahnhofstr."}, {"Gartenweg", "Gartenweg"}, {"Schillerstraße", "Schillerstr."}, {"Am Markt", "Am Markt"}, {"Lindenallee", "Lindenallee"}},
	"AT": {{"Mariahilfer Straße", "Mariahilfer Str."}, {"Herrengasse", "Herrengasse"}, {"Hauptplatz", "Hauptplatz"}, {"Landstraßer Hauptstraße", "Landstraßer Hauptstr."}},
	"CH": {{"Bahnhofstrasse", "Bahnhofstr."}, {"Seestrasse", "Seestr."}, {"Dorfstrasse", "Dorfstr."}, {"Kirchweg", "Kirchweg"}},
	"FR": {{"rue de la République", "rue de la République"}, {"avenue Victor Hugo", "av. Victor Hugo"}, {"boulevard Voltaire", "bd Voltaire"}, {"place de la Mairie", "pl. de la Mairie"}, {"chemin des Vignes", "chemin des Vignes"}},
	"BE": {{"Rue de la Loi", "Rue de la Loi"}, {"Avenue Louise", "Av. Louise"}, {"Chaussée de Waterloo", "Chaussée de Waterloo"}, {"Rue Neuve", "Rue Neuve"}},
	"ES": {{"Calle Mayor", "C/ Mayor"}, {"Avenida de la Constitución", "Avda. de la Constitución"}, {"Calle de Alcalá", "C/ de Alcalá"}, {"Plaza de España", "Pza. de España"}, {"Paseo de Gracia", "Pº de Gracia"}},
	"PT": {{"Rua Augusta", "R. Augusta"}, {"Avenida da Liberdade", "Av. da Liberdade"}, {"Rua do Carmo", "Rua do Carmo"}, {"Praça do Comércio", "Pç. do Comércio"}},
	"BR": {{"Rua Augusta", "R. Augusta"}, {"Avenida Paulista", "Av. Paulista"}, {"Rua das Flores", "R. das Flores"}, {"Avenida Atlântica", "Av. Atlântica"}},
	"IT": {{"Via Roma", "Via Roma"}, {"Via Giuseppe Garibaldi", "Via G. Garibaldi"}, {"Piazza del Duomo", "P.za del Duomo"}, {"Viale Monza", "V.le Monza"}, {"Corso Vittorio Emanuele II", "C.so Vittorio Emanuele II"}},
}

type town struct {
	name, region string
	pc           func(r *rand.Rand) string
}

func digits(r *rand.Rand, lo, hi int, width int) string {
	return fmt.Sprintf("%0*d", width, lo+r.IntN(hi-lo+1))
}

const inwardLetters = "ABDEFGHJLNPQRSTUWXYZ"
const eirChars = "0123456789ACDEFHKNPRTVWXY"
const caLetters = "ABCEGHJKLMNPRSTVWXYZ"

func gbPC(outs ...string) func(r *rand.Rand) string {
	return func(r *rand.Rand) string {
		return pick(r, outs) + " " + fmt.Sprint(r.IntN(10)) + string(inwardLetters[r.IntN(20)]) + string(inwardLetters[r.IntN(20)])
	}
}

func iePC(keys ...string) func(r *rand.Rand) string {
	return func(r *rand.Rand) string {
		b := []byte{eirChars[10+r.IntN(15)], eirChars[r.IntN(25)], eirChars[r.IntN(25)], eirChars[r.IntN(25)]}
		return pick(r, keys) + " " + string(b)
	}
}

func caPC(fsa ...string) func(r *rand.Rand) string {
	return func(r *rand.Rand) string {
		return pick(r, fsa) + " " + fmt.Sprint(r.IntN(10)) + string(caLetters[r.IntN(20)]) + fmt.Sprint(r.IntN(10))
	}
}

func rangePC(lo, hi, w int) func(r *rand.Rand) string {
	return func(r *rand.Rand) string { return digits(r, lo, hi, w) }
}

var towns = map[string][]town{
	"GB": {{"London", "", gbPC("SW4", "N1", "E8", "SE15", "NW3")}, {"Manchester", "", gbPC("M1", "M14", "M20")}, {"Leeds", "", gbPC("LS6", "LS1")},
		{"Bristol", "", gbPC("BS1", "BS8")}, {"Glasgow", "", gbPC("G12", "G3")}},
	"IE": {{"Dublin", "", iePC("D02", "D04", "D06")}, {"Cork", "", iePC("T12", "T23")}, {"Galway", "", iePC("H91")}, {"Limerick", "", iePC("V94")}},
	"US": {{"Springfield", "IL", rangePC(62701, 62799, 5)}, {"Austin", "TX", rangePC(78701, 78799, 5)}, {"Portland", "OR", rangePC(97201, 97299, 5)},
		{"Denver", "CO", rangePC(80201, 80299, 5)}, {"Columbus", "OH", rangePC(43201, 43299, 5)}},
	"CA": {{"Toronto", "ON", caPC("M5V", "M4C", "M6H")}, {"Vancouver", "BC", caPC("V6B", "V5K")}, {"Calgary", "AB", caPC("T2P", "T3A")}, {"Ottawa", "ON", caPC("K1P", "K2B")}},
	"DE": {{"Berlin", "", rangePC(10115, 14199, 5)}, {"München", "", rangePC(80331, 81929, 5)}, {"Hamburg", "", rangePC(20095, 22769, 5)},
		{"Köln", "", rangePC(50667, 51149, 5)}, {"Leipzig", "", rangePC(4103, 4357, 5)}},
	"AT": {{"Wien", "", func(r *rand.Rand) string { return fmt.Sprintf("1%02d0", 1+r.IntN(23)) }}, {"Graz", "", rangePC(8010, 8055, 4)}, {"Linz", "", rangePC(4020, 4040, 4)}, {"Salzburg", "", rangePC(5020, 5026, 4)}},
	"CH": {{"Zürich", "", rangePC(8001, 8057, 4)}, {"Bern", "", rangePC(3011, 3030, 4)}, {"Basel", "", rangePC(4051, 4059, 4)}, {"Luzern", "", rangePC(6003, 6006, 4)}},
	"FR": {{"Paris", "", func(r *rand.Rand) string { return fmt.Sprintf("750%02d", 1+r.IntN(20)) }}, {"Lyon", "", func(r *rand.Rand) string { return fmt.Sprintf("6900%d", 1+r.IntN(9)) }},
		{"Marseille", "", func(r *rand.Rand) string { return fmt.Sprintf("130%02d", 1+r.IntN(16)) }}, {"Toulouse", "", rangePC(31000, 31500, 5)}, {"Nantes", "", rangePC(44000, 44300, 5)}},
	"BE": {{"Bruxelles", "", rangePC(1000, 1000, 4)}, {"Liège", "", rangePC(4000, 4032, 4)}, {"Namur", "", rangePC(5000, 5004, 4)}, {"Charleroi", "", rangePC(6000, 6001, 4)}},
	"ES": {{"Madrid", "", rangePC(28001, 28055, 5)}, {"Barcelona", "", rangePC(8001, 8042, 5)}, {"Sevilla", "", rangePC(41001, 41020, 5)}, {"Valencia", "", rangePC(46001, 46025, 5)}},
	"PT": {{"Lisboa", "", func(r *rand.Rand) string { return fmt.Sprintf("1%03d-%03d", 100+r.IntN(900), r.IntN(1000)) }},
		{"Porto", "", func(r *rand.Rand) string { return fmt.Sprintf("4%03d-%03d", r.IntN(400), r.IntN(1000)) }},
		{"Coimbra", "", func(r *rand.Rand) string { return fmt.Sprintf("3000-%03d", r.IntN(1000)) }}},
	"BR": {{"São Paulo", "SP", func(r *rand.Rand) string { return fmt.Sprintf("0%04d-%03d", 1000+r.IntN(4999), r.IntN(1000)) }},
		{"Rio de Janeiro", "RJ", func(r *rand.Rand) string { return fmt.Sprintf("2%04d-%03d", 2000+r.IntN(1799), r.IntN(1000)) }},
		{"Belo Horizonte", "MG", func(r *rand.Rand) string { return fmt.Sprintf("3%04d-%03d", 100+r.IntN(1899), r.IntN(1000)) }}},
	"IT": {{"Roma", "RM", rangePC(118, 199, 5)}, {"Milano", "MI", rangePC(20121, 20162, 5)}, {"Torino", "TO", rangePC(10121, 10156, 5)},
		{"Napoli", "NA", rangePC(80121, 80147, 5)}, {"Bologna", "BO", rangePC(40121, 40141, 5)}},
}

// LangCountries are the countries whose documents each language's layouts are printed for.
var LangCountries = map[string][]string{"en": {"GB", "IE", "US", "CA"}, "de": {"DE", "AT", "CH"}, "fr": {"FR", "BE"},
	"es": {"ES"}, "pt": {"PT", "BR"}, "it": {"IT"}}

// NewAddr draws an address in a country, printed as its post writes it (abbreviations
// sometimes, flat details, region codes).
func NewAddr(r *rand.Rand, country string) Addr {
	st := pick(r, streets[country])
	tw := pick(r, towns[country])
	num := fmt.Sprint(1 + r.IntN(180))
	if r.IntN(6) == 0 && country != "IT" {
		num += string("abc"[r.IntN(3)])
	}
	a := Addr{Country: country, City: tw.name, Region: tw.region, PostalCode: tw.pc(r), HouseNumber: num, StreetFull: st.full}
	sp := st.full
	if r.IntN(2) == 0 {
		sp = st.short
	}
	a.StreetPrinted = sp
	var street1, printed1 string
	var extra string
	switch country {
	case "GB", "IE", "US", "CA":
		street1, printed1 = num+" "+st.full, num+" "+sp
		if r.IntN(4) == 0 {
			extra = fmt.Sprintf("Flat %d", 1+r.IntN(20))
			if country == "US" || country == "CA" {
				extra = fmt.Sprintf("Apt %d", 1+r.IntN(20))
			}
		}
	case "FR":
		street1, printed1 = num+" "+st.full, num+" "+sp
		if r.IntN(3) == 0 {
			printed1 = num + ", " + sp
		}
		if r.IntN(5) == 0 {
			extra = fmt.Sprintf("Appartement %d", 1+r.IntN(30))
		}
	case "ES":
		street1, printed1 = st.full+" "+num, sp+", "+num
		if r.IntN(2) == 0 {
			printed1 += fmt.Sprintf(", %dº %s", 1+r.IntN(8), string("ABCD"[r.IntN(4)]))
		}
	case "PT":
		street1, printed1 = st.full+" "+num, sp+", "+num
		if r.IntN(2) == 0 {
			printed1 += fmt.Sprintf(", %dº %s", 1+r.IntN(8), pick(r, []string{"Esq", "Dto", "Frt"}))
		}
	case "BR":
		street1, printed1 = st.full+" "+num, sp+", "+num
		if r.IntN(2) == 0 {
			printed1 += fmt.Sprintf(" - Apto %d", 11+r.IntN(150))
		}
		extra = pick(r, []string{"Bela Vista", "Centro", "Jardim Paulista", "Copacabana", "Savassi"})
	case "AT":
		street1, printed1 = st.full+" "+num, sp+" "+num
		if r.IntN(2) == 0 {
			printed1 += fmt.Sprintf("/%d/%d", 1+r.IntN(5), 1+r.IntN(20))
		}
	case "IT":
		street1, printed1 = st.full+" "+num, sp+" "+num
		if r.IntN(2) == 0 {
			printed1 = sp + ", " + num
		}
	default: // DE, CH, BE
		street1, printed1 = st.full+" "+num, sp+" "+num
	}
	a.Line1 = street1
	var lines []string
	if extra != "" && country != "BR" {
		lines = append(lines, extra)
		a.Line2 = extra
	}
	lines = append(lines, printed1)
	if country == "BR" {
		lines = append(lines, extra)
		a.Line2 = extra
	}
	switch country {
	case "GB":
		if r.IntN(2) == 0 {
			lines = append(lines, strings.ToUpper(tw.name), a.PostalCode)
		} else {
			lines = append(lines, tw.name+" "+a.PostalCode)
		}
	case "IE":
		lines = append(lines, "Co. "+map[string]string{"Dublin": "Dublin", "Cork": "Cork", "Galway": "Galway", "Limerick": "Limerick"}[tw.name], a.PostalCode)
		lines[len(lines)-2] = tw.name
	case "US":
		lines = append(lines, fmt.Sprintf("%s, %s %s", tw.name, tw.region, a.PostalCode))
	case "CA":
		lines = append(lines, fmt.Sprintf("%s %s  %s", tw.name, tw.region, a.PostalCode))
	case "BR":
		if r.IntN(2) == 0 {
			lines = append(lines, fmt.Sprintf("%s - %s", tw.name, tw.region), a.PostalCode)
		} else {
			lines = append(lines, fmt.Sprintf("%s %s - %s", a.PostalCode, tw.name, tw.region))
		}
	case "IT":
		if r.IntN(2) == 0 {
			lines = append(lines, fmt.Sprintf("%s %s (%s)", a.PostalCode, strings.ToUpper(tw.name), tw.region))
		} else {
			lines = append(lines, fmt.Sprintf("%s %s %s", a.PostalCode, tw.name, tw.region))
		}
	case "FR":
		c := tw.name
		if r.IntN(2) == 0 {
			c = strings.ToUpper(c)
		}
		lines = append(lines, a.PostalCode+" "+c)
	case "CH":
		pc := a.PostalCode
		if r.IntN(3) == 0 {
			pc = "CH-" + pc
		}
		lines = append(lines, pc+" "+tw.name)
	default:
		lines = append(lines, a.PostalCode+" "+tw.name)
	}
	if r.IntN(5) == 0 {
		lines = append(lines, countryLine[country])
	}
	a.Printed = lines
	a.Display = strings.Join(lines, ", ")
	return a
}

var countryLine = map[string]string{"GB": "UNITED KINGDOM", "IE": "IRELAND", "US": "USA", "CA": "CANADA", "DE": "DEUTSCHLAND", "AT": "ÖSTERREICH",
	"CH": "SCHWEIZ", "FR": "FRANCE", "BE": "BELGIQUE", "ES": "ESPAÑA", "PT": "PORTUGAL", "BR": "BRASIL", "IT": "ITALIA"}
