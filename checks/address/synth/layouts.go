package synth

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"
)

// Layouts of the generator, each a kind of document a person gets at home.
const (
	LayoutUtility    = "utility"
	LayoutBank       = "bank"
	LayoutTelecom    = "telecom"
	LayoutCouncilTax = "council_tax"
	LayoutGovernment = "government"
	LayoutInsurance  = "insurance"
)

// Layouts lists them.
var Layouts = []string{LayoutUtility, LayoutBank, LayoutTelecom, LayoutCouncilTax, LayoutGovernment, LayoutInsurance}

// Languages the layouts are written in.
var Languages = []string{"en", "de", "fr", "es", "pt", "it"}

// ExpectedKind is the document kind each layout should be read as.
var ExpectedKind = map[string]string{LayoutUtility: "utility_bill", LayoutBank: "bank_statement", LayoutTelecom: "utility_bill",
	LayoutCouncilTax: "tax_letter", LayoutGovernment: "government_letter", LayoutInsurance: "other"}

type words struct {
	issuer, title                                 string
	issueLabel, periodLabel, dueLabel, accountLbl string
	customerLbl, amountLbl, pageLbl, from, to     string
	lines                                         []string // table rows (description)
	body                                          []string // paragraph lines
	footer                                        string
}

var issuerAddr = map[string]string{
	"en": "PO Box 1234, Leeds LS1 4AP", "de": "Postfach 10 20 30, 70173 Stuttgart", "fr": "TSA 40111, 69947 Lyon Cedex 20",
	"es": "Apartado de Correos 1001, 28080 Madrid", "pt": "Apartado 2011, 1001-001 Lisboa", "it": "Casella Postale 505, 20100 Milano",
}

func wordsFor(layout, lang string) words {
	type L = words
	m := map[string]map[string]L{
		LayoutUtility: {
			"en": {issuer: "Northern Power Ltd", title: "Your electricity and gas bill", issueLabel: "Bill date", periodLabel: "Billing period", dueLabel: "Payment due by", accountLbl: "Account number", customerLbl: "Customer reference", amountLbl: "Amount due", pageLbl: "Page 1 of 2", from: "", to: "to",
				lines: []string{"Electricity 412 kWh", "Gas 1,032 kWh", "Standing charges", "VAT 5%"}, body: []string{"Thank you for being an energy customer of Northern Power.", "Your next meter reading is due in June."}, footer: "Northern Power Ltd, registered in England and Wales no. 04511233. Energy supply licence."},
			"de": {issuer: "Stadtwerke Nordstadt GmbH", title: "Ihre Stromrechnung und Erdgasrechnung", issueLabel: "Rechnungsdatum", periodLabel: "Abrechnungszeitraum", dueLabel: "Fällig am", accountLbl: "Vertragskonto", customerLbl: "Kundennummer", amountLbl: "Rechnungsbetrag", pageLbl: "Seite 1 von 2", from: "", to: "bis",
				lines: []string{"Strom 412 kWh", "Erdgas 1.032 kWh", "Grundpreis", "MwSt. 19%"}, body: []string{"Vielen Dank, dass Sie Energie von den Stadtwerken beziehen.", "Der Betrag wird per Lastschrift eingezogen."}, footer: "Stadtwerke Nordstadt GmbH, Amtsgericht Stuttgart HRB 12345, Geschäftsführer: K. Weber"},
			"fr": {issuer: "Énergie Horizon SA", title: "Votre facture d'électricité et de gaz", issueLabel: "Date de facture", periodLabel: "Période de consommation du", dueLabel: "À payer avant le", accountLbl: "Numéro de contrat", customerLbl: "Référence client", amountLbl: "Montant à payer", pageLbl: "Page 1/2", from: "", to: "au",
				lines: []string{"Électricité 412 kWh", "Gaz 1 032 kWh", "Abonnement", "TVA 20%"}, body: []string{"Merci de votre confiance pour votre fourniture d'énergie.", "Votre prochain relevé aura lieu en juin."}, footer: "Énergie Horizon SA au capital de 10 000 000 €, RCS Lyon 512 345 678"},
			"es": {issuer: "Eléctrica del Sur S.A.", title: "Factura de electricidad y gas", issueLabel: "Fecha de emisión", periodLabel: "Periodo de facturación", dueLabel: "Fecha de cargo", accountLbl: "Nº de contrato", customerLbl: "Nº de cliente", amountLbl: "Importe total", pageLbl: "Página 1 de 2", from: "", to: "-",
				lines: []string{"Energía consumida 412 kWh", "Gas 1.032 kWh", "Potencia contratada", "IVA 21%"}, body: []string{"Gracias por confiar en nosotros para su suministro de luz.", "El importe se cargará en su cuenta."}, footer: "Eléctrica del Sur S.A., CIF A-12345678, Registro Mercantil de Sevilla"},
			"pt": {issuer: "Energia Atlântica S.A.", title: "Fatura de eletricidade e gás", issueLabel: "Data de emissão", periodLabel: "Período de faturação", dueLabel: "Data limite de pagamento", accountLbl: "Nº de contrato", customerLbl: "Nº de cliente", amountLbl: "Total a pagar", pageLbl: "Página 1 de 2", from: "", to: "a",
				lines: []string{"Eletricidade 412 kWh", "Gás natural 1.032 kWh", "Potência contratada", "IVA 23%"}, body: []string{"Obrigado por escolher a nossa energia.", "O valor será debitado na sua conta."}, footer: "Energia Atlântica S.A., NIPC 500 123 456, Capital social 5 000 000 €"},
			"it": {issuer: "Luce e Gas Italia S.p.A.", title: "Bolletta luce e gas", issueLabel: "Data emissione", periodLabel: "Periodo di fatturazione", dueLabel: "Scadenza", accountLbl: "Codice contratto", customerLbl: "Codice cliente", amountLbl: "Totale da pagare", pageLbl: "Pagina 1 di 2", from: "dal", to: "al",
				lines: []string{"Energia elettrica 412 kWh", "Gas 1.032 Smc", "Quota fissa", "IVA 10%"}, body: []string{"Grazie per aver scelto la nostra fornitura di energia elettrica.", "L'importo sarà addebitato sul conto corrente."}, footer: "Luce e Gas Italia S.p.A., P. IVA 01234567890, Sede legale Milano"},
		},
		LayoutBank: {
			"en": {issuer: "Albion Bank plc", title: "Current account statement", issueLabel: "Statement date", periodLabel: "Statement period", dueLabel: "Next statement", accountLbl: "Account number", customerLbl: "Sort code", amountLbl: "Closing balance", pageLbl: "Sheet 42", to: "to",
				lines: []string{"Opening balance", "Card payment TESCO", "Salary ACME LTD", "Direct debit COUNCIL"}, body: []string{"Your bank statement. IBAN GB29 ALBN 6016 1331 9268 19, BIC ALBNGB2L.", "Please check your statement and tell us about anything you do not recognise."}, footer: "Albion Bank plc is authorised by the Prudential Regulation Authority. Registered in England no. 1234567."},
			"de": {issuer: "Nordbank AG", title: "Kontoauszug Girokonto", issueLabel: "Erstellt am", periodLabel: "Zeitraum", dueLabel: "Nächster Kontoauszug", accountLbl: "Kontonummer", customerLbl: "BLZ", amountLbl: "Neuer Saldo", pageLbl: "Auszug 3/2026", to: "bis",
				lines: []string{"Alter Saldo", "Kartenzahlung REWE", "Gehalt ACME GMBH", "Lastschrift Stadtwerke"}, body: []string{"IBAN DE89 3704 0044 0532 0130 00, BIC NORDDEFF. Bitte prüfen Sie Ihren Kontoauszug.", "Einwendungen sind innerhalb von sechs Wochen zu erheben."}, footer: "Nordbank AG, Sitz Hamburg, Amtsgericht Hamburg HRB 9876, Bank"},
			"fr": {issuer: "Banque du Rhône", title: "Relevé de compte", issueLabel: "Date d'édition", periodLabel: "Période du", dueLabel: "Prochain relevé", accountLbl: "Numéro de compte", customerLbl: "Code guichet", amountLbl: "Solde créditeur", pageLbl: "Relevé n° 3", to: "au",
				lines: []string{"Solde précédent", "Paiement carte CARREFOUR", "Virement salaire", "Prélèvement EDF"}, body: []string{"IBAN FR76 3000 6000 0112 3456 7890 189, BIC BRHOFRPP.", "Vérifiez votre relevé de compte et signalez toute opération inconnue."}, footer: "Banque du Rhône SA, RCS Lyon 987 654 321, banque"},
			"es": {issuer: "Banco Ibérico S.A.", title: "Extracto de cuenta", issueLabel: "Fecha del extracto", periodLabel: "Periodo", dueLabel: "Próximo extracto", accountLbl: "Nº de cuenta", customerLbl: "Oficina", amountLbl: "Saldo final", pageLbl: "Hoja 1", to: "-",
				lines: []string{"Saldo anterior", "Pago con tarjeta MERCADONA", "Nómina", "Recibo luz"}, body: []string{"IBAN ES91 2100 0418 4502 0005 1332, BIC IBERESMM.", "Compruebe su extracto bancario."}, footer: "Banco Ibérico S.A., Registro Mercantil de Madrid, CIF A-87654321"},
			"pt": {issuer: "Banco Lusitano S.A.", title: "Extrato de conta à ordem", issueLabel: "Data do extrato", periodLabel: "Período", dueLabel: "Próximo extrato", accountLbl: "Nº de conta", customerLbl: "Balcão", amountLbl: "Saldo final", pageLbl: "Folha 1", to: "a",
				lines: []string{"Saldo anterior", "Compra PINGO DOCE", "Vencimento", "Débito direto EDP"}, body: []string{"IBAN PT50 0002 0123 1234 5678 9015 4, BIC LUSIPTPL.", "Verifique o seu extrato bancário."}, footer: "Banco Lusitano S.A., Sede em Lisboa, NIPC 500 999 888, banco"},
			"it": {issuer: "Banca Adriatica S.p.A.", title: "Estratto conto corrente", issueLabel: "Data documento", periodLabel: "Periodo", dueLabel: "Prossimo estratto", accountLbl: "Numero conto", customerLbl: "Filiale", amountLbl: "Saldo finale", pageLbl: "Foglio 1", from: "dal", to: "al",
				lines: []string{"Saldo iniziale", "Pagamento POS ESSELUNGA", "Stipendio", "Addebito bolletta"}, body: []string{"IBAN IT60 X054 2811 1010 0000 0123 456, BIC ADRIITMM.", "Verifichi il suo estratto conto."}, footer: "Banca Adriatica S.p.A., Sede legale Ancona, banca iscritta all'Albo"},
		},
		LayoutTelecom: {
			"en": {issuer: "Skyline Mobile Ltd", title: "Your mobile and broadband bill", issueLabel: "Invoice date", periodLabel: "Charges for", dueLabel: "Direct debit on", accountLbl: "Account number", customerLbl: "Mobile number", amountLbl: "Total to pay", pageLbl: "Page 1 of 3", to: "to",
				lines: []string{"Mobile plan 20GB", "Broadband fibre 100", "Calls outside allowance", "VAT 20%"}, body: []string{"Thanks for choosing Skyline for your mobile and internet.", "Manage your account online at any time."}, footer: "Skyline Mobile Ltd, registered in England no. 7654321, telephone services"},
			"de": {issuer: "FunkNetz GmbH", title: "Ihre Rechnung Mobilfunk und Internet", issueLabel: "Rechnungsdatum", periodLabel: "Leistungszeitraum", dueLabel: "Abbuchung am", accountLbl: "Kundenkonto", customerLbl: "Rufnummer", amountLbl: "Gesamtbetrag", pageLbl: "Seite 1 von 3", to: "bis",
				lines: []string{"Mobilfunk Tarif 20 GB", "Internet Festnetz DSL", "Verbindungen", "MwSt. 19%"}, body: []string{"Danke, dass Sie telefonieren und surfen mit FunkNetz.", "Ihre Rechnung online im Kundenportal."}, footer: "FunkNetz GmbH, Amtsgericht Köln HRB 55555, Telefon und Internet"},
			"fr": {issuer: "Télécom Azur SA", title: "Votre facture mobile et box internet", issueLabel: "Date de facture", periodLabel: "Période du", dueLabel: "Prélevé le", accountLbl: "Numéro de compte", customerLbl: "Ligne", amountLbl: "Total à payer", pageLbl: "Page 1/3", to: "au",
				lines: []string{"Forfait mobile 20 Go", "Box internet fibre", "Communications hors forfait", "TVA 20%"}, body: []string{"Merci d'avoir choisi Télécom Azur pour votre forfait.", "Retrouvez votre facture dans votre espace client."}, footer: "Télécom Azur SA, RCS Nice 123 456 789, opérateur télécom"},
			"es": {issuer: "Movilnet S.A.", title: "Factura de móvil y fibra", issueLabel: "Fecha de factura", periodLabel: "Periodo de facturación", dueLabel: "Fecha de cargo", accountLbl: "Nº de cuenta", customerLbl: "Línea", amountLbl: "Total factura", pageLbl: "Página 1 de 3", to: "-",
				lines: []string{"Tarifa móvil 20 GB", "Fibra 300 Mb", "Llamadas", "IVA 21%"}, body: []string{"Gracias por confiar en Movilnet para su móvil e internet.", "Consulte su factura en el área de clientes."}, footer: "Movilnet S.A., CIF A-11223344, telefonía"},
			"pt": {issuer: "TeleLuso S.A.", title: "Fatura de telemóvel e internet", issueLabel: "Data da fatura", periodLabel: "Período de faturação", dueLabel: "Débito em", accountLbl: "Nº de conta", customerLbl: "Nº de telefone", amountLbl: "Total a pagar", pageLbl: "Página 1 de 3", to: "a",
				lines: []string{"Tarifário telemóvel 20 GB", "Internet fibra", "Chamadas", "IVA 23%"}, body: []string{"Obrigado por escolher a TeleLuso para telefone e internet.", "Consulte a sua fatura na área de cliente."}, footer: "TeleLuso S.A., NIPC 501 222 333, telefone"},
			"it": {issuer: "TeleItalia Mobile S.p.A.", title: "Fattura telefonia mobile e internet", issueLabel: "Data fattura", periodLabel: "Periodo", dueLabel: "Addebito il", accountLbl: "Codice cliente", customerLbl: "Numero", amountLbl: "Totale fattura", pageLbl: "Pagina 1 di 3", from: "dal", to: "al",
				lines: []string{"Offerta mobile 20 GB", "Internet fibra", "Traffico", "IVA 22%"}, body: []string{"Grazie per aver scelto la nostra telefonia e internet.", "Consulti la fattura nell'area clienti."}, footer: "TeleItalia Mobile S.p.A., P. IVA 09876543210, telefonia"},
		},
		LayoutCouncilTax: {
			"en": {issuer: "Riverside Borough Council", title: "Council Tax bill 2026/27", issueLabel: "Date of issue", periodLabel: "Charge period", dueLabel: "First instalment due", accountLbl: "Council Tax account", customerLbl: "Property band", amountLbl: "Annual council tax", pageLbl: "", to: "to",
				lines: []string{"Riverside Borough Council", "Adult social care", "County council precept", "Police precept"}, body: []string{"This is your council tax bill for the property shown.", "Pay by direct debit to spread the cost over 12 months."}, footer: "Riverside Borough Council, Revenue Services, Town Hall"},
			"de": {issuer: "Finanzamt Mitte", title: "Grundsteuerbescheid 2026", issueLabel: "Datum", periodLabel: "Veranlagungszeitraum", dueLabel: "Fällig am", accountLbl: "Steuernummer", customerLbl: "Aktenzeichen", amountLbl: "Festgesetzte Steuer", pageLbl: "", to: "bis",
				lines: []string{"Grundsteuer B", "Steuermessbetrag", "Hebesatz", "Vorauszahlung"}, body: []string{"Die Grundsteuer wird für das Kalenderjahr festgesetzt.", "Bitte überweisen Sie die Steuer bis zum Fälligkeitstag."}, footer: "Finanzamt Mitte, Steuerverwaltung des Landes"},
			"fr": {issuer: "Direction générale des Finances publiques", title: "Avis de taxe foncière 2026", issueLabel: "Date d'établissement", periodLabel: "Période d'imposition du", dueLabel: "Date limite de paiement", accountLbl: "Numéro fiscal", customerLbl: "Référence de l'avis", amountLbl: "Montant de l'impôt", pageLbl: "", to: "au",
				lines: []string{"Taxe foncière", "Taxe d'enlèvement des ordures", "Frais de gestion", "Total des impôts"}, body: []string{"Cet avis concerne vos impôts locaux.", "Payez en ligne sur impots.gouv.fr."}, footer: "Direction générale des Finances publiques, Centre des impôts"},
			"es": {issuer: "Ayuntamiento - Agencia Tributaria Municipal", title: "Impuesto sobre Bienes Inmuebles (IBI) 2026", issueLabel: "Fecha de emisión", periodLabel: "Periodo impositivo", dueLabel: "Fecha límite de pago", accountLbl: "Referencia catastral", customerLbl: "Nº de recibo", amountLbl: "Cuota líquida", pageLbl: "", to: "-",
				lines: []string{"Impuesto IBI urbana", "Valor catastral", "Bonificación", "Total"}, body: []string{"Recibo del impuesto municipal sobre bienes inmuebles.", "Puede domiciliar el pago en su entidad bancaria."}, footer: "Ayuntamiento, Agencia Tributaria, Hacienda municipal"},
			"pt": {issuer: "Autoridade Tributária e Aduaneira", title: "Nota de cobrança IMI 2026", issueLabel: "Data de emissão", periodLabel: "Período de tributação", dueLabel: "Data limite de pagamento", accountLbl: "NIF", customerLbl: "Nº de cobrança", amountLbl: "Imposto a pagar", pageLbl: "", to: "a",
				lines: []string{"Imposto municipal sobre imóveis", "Valor patrimonial", "Taxa", "Total"}, body: []string{"Nota de cobrança do imposto IMI.", "Pague no Portal das Finanças."}, footer: "Autoridade Tributária e Aduaneira, Finanças, imposto"},
			"it": {issuer: "Comune - Ufficio Tributi", title: "Avviso di pagamento TARI 2026", issueLabel: "Data di emissione", periodLabel: "Periodo", dueLabel: "Scadenza rata", accountLbl: "Codice fiscale", customerLbl: "Numero avviso", amountLbl: "Importo dovuto", pageLbl: "", from: "dal", to: "al",
				lines: []string{"Tassa rifiuti TARI", "Quota fissa", "Quota variabile", "Tributo provinciale"}, body: []string{"Avviso di pagamento dei tributi comunali.", "Il pagamento si effettua con modello F24."}, footer: "Comune, Ufficio Tributi, imposta comunale"},
		},
		LayoutGovernment: {
			"en": {issuer: "Department for Work and Pensions", title: "Your State Pension: annual statement", issueLabel: "Date", periodLabel: "Payment period", dueLabel: "Next payment", accountLbl: "National Insurance number", customerLbl: "Reference", amountLbl: "Weekly amount", pageLbl: "", to: "to",
				lines: []string{"State Pension", "Additional pension", "Pension Credit", "Total"}, body: []string{"This letter from the Department tells you about your payments.", "Government services: keep this letter for your records."}, footer: "Department for Work and Pensions, Pension Service, gov"},
			"de": {issuer: "Bundesagentur für Arbeit", title: "Bescheid über Leistungen", issueLabel: "Datum", periodLabel: "Bewilligungszeitraum", dueLabel: "Nächste Zahlung", accountLbl: "Kundennummer", customerLbl: "Aktenzeichen", amountLbl: "Monatlicher Betrag", pageLbl: "", to: "bis",
				lines: []string{"Regelbedarf", "Mehrbedarf", "Kosten der Unterkunft", "Gesamt"}, body: []string{"Mit diesem Bescheid der Bundesagentur werden Ihnen Leistungen bewilligt.", "Gemeinde und Stadt werden informiert."}, footer: "Bundesagentur für Arbeit, Agentur für Arbeit Mitte, Ministerium"},
			"fr": {issuer: "Caisse d'allocations familiales", title: "Attestation de paiement", issueLabel: "Date", periodLabel: "Période du", dueLabel: "Prochain versement", accountLbl: "Numéro allocataire", customerLbl: "Référence", amountLbl: "Montant mensuel", pageLbl: "", to: "au",
				lines: []string{"Allocations familiales", "Aide au logement", "Prime d'activité", "Total"}, body: []string{"La Caisse d'allocations familiales atteste des paiements.", "Service public, ministère des solidarités."}, footer: "Caisse d'allocations familiales, service public"},
			"es": {issuer: "Seguridad Social", title: "Certificado de prestaciones", issueLabel: "Fecha", periodLabel: "Periodo", dueLabel: "Próximo pago", accountLbl: "Nº de afiliación", customerLbl: "Expediente", amountLbl: "Importe mensual", pageLbl: "", to: "-",
				lines: []string{"Pensión", "Complemento", "Retención", "Total"}, body: []string{"La Seguridad Social certifica las prestaciones.", "Ministerio de Inclusión, Seguridad Social y Migraciones."}, footer: "Seguridad Social, Ministerio, Gobierno de España"},
			"pt": {issuer: "Segurança Social", title: "Declaração de prestações", issueLabel: "Data", periodLabel: "Período", dueLabel: "Próximo pagamento", accountLbl: "NISS", customerLbl: "Processo", amountLbl: "Valor mensal", pageLbl: "", to: "a",
				lines: []string{"Pensão", "Complemento", "Retenção", "Total"}, body: []string{"A Segurança Social declara as prestações pagas.", "Ministério do Trabalho, Solidariedade e Segurança Social."}, footer: "Segurança Social, Instituto da Segurança Social, Ministério"},
			"it": {issuer: "INPS - Istituto Nazionale Previdenza Sociale", title: "Certificazione delle prestazioni", issueLabel: "Data", periodLabel: "Periodo", dueLabel: "Prossimo pagamento", accountLbl: "Codice fiscale", customerLbl: "Protocollo", amountLbl: "Importo mensile", pageLbl: "", from: "dal", to: "al",
				lines: []string{"Pensione", "Maggiorazione", "Ritenute", "Totale"}, body: []string{"L'INPS certifica le prestazioni erogate.", "Ministero del Lavoro, comune di residenza."}, footer: "INPS, Istituto Nazionale Previdenza Sociale, Ministero"},
		},
		LayoutInsurance: {
			"en": {issuer: "Shield Insurance plc", title: "Your home insurance policy renewal", issueLabel: "Date", periodLabel: "Period of cover", dueLabel: "Premium collected on", accountLbl: "Policy number", customerLbl: "Customer number", amountLbl: "Annual premium", pageLbl: "", to: "to",
				lines: []string{"Buildings cover", "Contents cover", "Insurance premium tax", "Total premium"}, body: []string{"Your home insurance policy will renew automatically.", "Please read your policy schedule carefully."}, footer: "Shield Insurance plc, insurer authorised by the PRA"},
			"de": {issuer: "Allgemeine Versicherung AG", title: "Ihre Hausratversicherung: Beitragsrechnung", issueLabel: "Datum", periodLabel: "Versicherungszeitraum", dueLabel: "Beitrag fällig am", accountLbl: "Versicherungsschein-Nr.", customerLbl: "Kundennummer", amountLbl: "Jahresbeitrag", pageLbl: "", to: "bis",
				lines: []string{"Hausrat", "Glasversicherung", "Versicherungsteuer", "Beitrag"}, body: []string{"Ihre Versicherung verlängert sich um ein Jahr.", "Bitte prüfen Sie Ihren Versicherungsschein."}, footer: "Allgemeine Versicherung AG, Versicherer"},
			"fr": {issuer: "Assurances du Midi", title: "Avis d'échéance assurance habitation", issueLabel: "Date", periodLabel: "Période de garantie du", dueLabel: "Prime prélevée le", accountLbl: "Numéro de contrat", customerLbl: "Numéro sociétaire", amountLbl: "Prime annuelle", pageLbl: "", to: "au",
				lines: []string{"Multirisque habitation", "Responsabilité civile", "Taxe sur les assurances", "Prime totale"}, body: []string{"Votre contrat d'assurance est reconduit.", "Consultez vos garanties d'assurance."}, footer: "Assurances du Midi, assureur mutualiste"},
			"es": {issuer: "Seguros Meridiano", title: "Renovación de su póliza de hogar", issueLabel: "Fecha", periodLabel: "Periodo de cobertura", dueLabel: "Cargo de la prima", accountLbl: "Nº de póliza", customerLbl: "Tomador", amountLbl: "Prima anual", pageLbl: "", to: "-",
				lines: []string{"Continente", "Contenido", "Recargo consorcio", "Prima total"}, body: []string{"Su póliza de seguro se renueva automáticamente.", "Revise las condiciones de su seguro."}, footer: "Seguros Meridiano, aseguradora"},
			"pt": {issuer: "Seguros Tejo", title: "Renovação da apólice multirriscos habitação", issueLabel: "Data", periodLabel: "Período de cobertura", dueLabel: "Cobrança do prémio", accountLbl: "Nº de apólice", customerLbl: "Tomador", amountLbl: "Prémio anual", pageLbl: "", to: "a",
				lines: []string{"Edifício", "Recheio", "Encargos", "Prémio total"}, body: []string{"A sua apólice de seguro é renovada.", "Consulte as coberturas do seguro."}, footer: "Seguros Tejo, seguradora"},
			"it": {issuer: "Assicurazioni Alpina", title: "Rinnovo polizza casa", issueLabel: "Data", periodLabel: "Periodo di copertura", dueLabel: "Addebito premio", accountLbl: "Numero polizza", customerLbl: "Contraente", amountLbl: "Premio annuo", pageLbl: "", from: "dal", to: "al",
				lines: []string{"Incendio", "Furto", "Imposte", "Premio totale"}, body: []string{"La sua polizza assicurativa si rinnova.", "Consulti le condizioni di assicurazione."}, footer: "Assicurazioni Alpina, compagnia di assicurazione"},
		},
	}
	return m[layout][lang]
}

var monthNames = map[string][12]string{
	"en": {"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"},
	"de": {"Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September", "Oktober", "November", "Dezember"},
	"fr": {"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"},
	"es": {"enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "octubre", "noviembre", "diciembre"},
	"pt": {"janeiro", "fevereiro", "março", "abril", "maio", "junho", "julho", "agosto", "setembro", "outubro", "novembro", "dezembro"},
	"it": {"gennaio", "febbraio", "marzo", "aprile", "maggio", "giugno", "luglio", "agosto", "settembre", "ottobre", "novembre", "dicembre"},
}

// FormatDate writes a date as documents of a language and country do, in one of several styles.
func FormatDate(r *rand.Rand, t time.Time, lang, country string) string {
	mn := monthNames[lang][t.Month()-1]
	d, m, y := t.Day(), int(t.Month()), t.Year()
	switch lang {
	case "en":
		if country == "US" {
			return pick(r, []string{fmt.Sprintf("%s %d, %d", mn, d, y), fmt.Sprintf("%02d/%02d/%d", m, d, y), fmt.Sprintf("%s %d, %d", mn[:3], d, y)})
		}
		return pick(r, []string{fmt.Sprintf("%d %s %d", d, mn, y), fmt.Sprintf("%02d/%02d/%d", d, m, y), fmt.Sprintf("%d %s %d", d, mn[:3], y), fmt.Sprintf("%02d/%02d/%02d", d, m, y%100)})
	case "de":
		return pick(r, []string{fmt.Sprintf("%02d.%02d.%d", d, m, y), fmt.Sprintf("%d. %s %d", d, mn, y)})
	case "fr":
		return pick(r, []string{fmt.Sprintf("%d %s %d", d, mn, y), fmt.Sprintf("%02d/%02d/%d", d, m, y)})
	case "es":
		return pick(r, []string{fmt.Sprintf("%d de %s de %d", d, mn, y), fmt.Sprintf("%02d/%02d/%d", d, m, y), fmt.Sprintf("%02d-%02d-%d", d, m, y)})
	case "pt":
		return pick(r, []string{fmt.Sprintf("%d de %s de %d", d, mn, y), fmt.Sprintf("%02d/%02d/%d", d, m, y), fmt.Sprintf("%d-%02d-%02d", y, m, d)})
	default:
		return pick(r, []string{fmt.Sprintf("%d %s %d", d, mn, y), fmt.Sprintf("%02d/%02d/%d", d, m, y)})
	}
}

// Content is what goes on a document.
type Content struct {
	Layout, Lang, Country string
	Person                Person
	Addr                  Addr
	Issue                 time.Time
}

// Compose lays out a document page. Positions, optional pieces and the date styles are
// drawn from r, so two documents of one layout differ.
func Compose(r *rand.Rand, c Content) *Page {
	w := wordsFor(c.Layout, c.Lang)
	p := &Page{}
	fs := 9.0 + r.Float64()*1.2
	lh := fs * 1.35
	// Header: a logo (a dark box with the issuer's initial) and the issuer's name and address.
	logoX := 40.0 + r.Float64()*20
	if r.IntN(2) == 0 {
		logoX = 430 + r.Float64()*60
	}
	p.rect(logoX, 40, 60, 40, 0.15+0.3*r.Float64())
	p.text(logoX+8, 68, 22, true, strings.ToUpper(w.issuer[:1]))
	hx := 40.0
	if logoX < 200 {
		hx = 120
	}
	p.text(hx, 55, fs+3, true, w.issuer)
	p.text(hx, 55+lh+2, fs-1, false, issuerAddr[c.Lang])

	// Addressee block: the window of a left or right window envelope, or under the header.
	bx, by := 57.0, 150.0+r.Float64()*20
	infoX := 340.0
	switch r.IntN(3) {
	case 1:
		bx, infoX = 330, 57
	case 2:
		by = 120 + r.Float64()*10
	}
	y := by
	if r.IntN(2) == 0 {
		p.text(bx, y-lh, fs-2.5, false, issuerReturn(c.Lang)) // the return line above the window
	}
	p.text(bx, y, fs+1, false, c.Person.Printed)
	for _, l := range c.Addr.Printed {
		y += lh + 1
		p.text(bx, y, fs+1, false, l)
	}
	// Information box beside it: account, customer number, the dates.
	iy := by - 10
	issue := FormatDate(r, c.Issue, c.Lang, c.Country)
	start := c.Issue.AddDate(0, -1, -r.IntN(5))
	end := c.Issue.AddDate(0, 0, -1-r.IntN(4))
	due := c.Issue.AddDate(0, 0, 14+r.IntN(14))
	period := strings.TrimSpace(w.from+" "+FormatDate(r, start, c.Lang, c.Country)) + " " + w.to + " " + FormatDate(r, end, c.Lang, c.Country)
	info := [][2]string{
		{w.accountLbl, fmt.Sprintf("%d %04d %04d", 100+r.IntN(900), r.IntN(10000), r.IntN(10000))},
		{w.customerLbl, fmt.Sprintf("%d-%05d", 10+r.IntN(90), r.IntN(100000))},
		{w.issueLabel, issue},
		{w.periodLabel, period},
	}
	r.Shuffle(len(info)-1, func(i, j int) { info[i], info[j] = info[j], info[i] })
	// Beside a window on the right, "label: value" lines would run into the address: stack them.
	stacked := r.IntN(2) == 0 || infoX < bx
	for _, kv := range info {
		if stacked {
			p.text(infoX, iy, fs-1, true, kv[0])
			iy += lh
			p.text(infoX, iy, fs, false, kv[1])
			iy += lh + 2
		} else {
			p.text(infoX, iy, fs-1, false, kv[0]+": "+kv[1])
			iy += lh + 1
		}
	}
	// Title and body.
	ty := max(y, iy) + 40
	p.text(57, ty, fs+5, true, w.title)
	ty += 2 * lh
	for _, b := range w.body {
		p.text(57, ty, fs, false, b)
		ty += lh
	}
	// A table: header bar, rows, total, due date.
	ty += lh
	p.rect(55, ty-fs-2, 485, fs+5, 0.85)
	ty += lh + 2
	for _, l := range w.lines {
		p.text(60, ty, fs, false, l)
		p.text(470, ty, fs, false, fmt.Sprintf("%d,%02d", 5+r.IntN(300), r.IntN(100)))
		ty += lh
	}
	p.rect(55, ty-fs+2, 485, 0.8, 0.2)
	ty += lh
	p.text(60, ty, fs+1, true, w.amountLbl)
	p.text(470, ty, fs+1, true, fmt.Sprintf("%d,%02d", 50+r.IntN(900), r.IntN(100)))
	ty += 2 * lh
	p.text(60, ty, fs, false, w.dueLabel+" "+FormatDate(r, due, c.Lang, c.Country))
	// Footer.
	p.rect(40, 790, 515, 0.6, 0.4)
	p.text(40, 805, fs-2.5, false, w.footer)
	if w.pageLbl != "" {
		p.text(500, 820, fs-2.5, false, w.pageLbl)
	}
	return p
}

func issuerReturn(lang string) string {
	return map[string]string{"en": "Return address: PO Box 1234, Leeds", "de": "Absender: Postfach 10 20 30, Stuttgart",
		"fr": "Expéditeur : TSA 40111, Lyon", "es": "Remite: Apdo. 1001, Madrid", "pt": "Remetente: Apartado 2011, Lisboa",
		"it": "Mittente: C.P. 505, Milano"}[lang]
}
