package business_test

import (
	"fmt"

	"github.com/kycd/kycd/checks/business"
)

// Two records differ only by legal form: the name alone does not decide, the register
// number does.
func ExampleSelect() {
	recs := []business.Record{
		{LEI: "549300B56MD0ZC402L06", LegalName: business.Name{Name: "Bloomberg L.P."}, Jurisdiction: "US-DE",
			RegisteredAs: "2110234", EntityStatus: "ACTIVE", Registration: business.Registration{Status: "ISSUED"}},
		{LEI: "549300RMUDWPHCUQNE66", LegalName: business.Name{Name: "Bloomberg Inc."}, Jurisdiction: "US-DE",
			RegisteredAs: "929944", EntityStatus: "ACTIVE", Registration: business.Registration{Status: "ISSUED"}},
	}
	sel := business.Select(business.CompanyQuery{Name: "BLOOMBERG", Jurisdiction: "US"}, recs, business.SelectOptions{})
	fmt.Println(sel.Outcome, len(sel.Candidates))

	sel = business.Select(business.CompanyQuery{Name: "Bloomberg", Jurisdiction: "US", RegistrationNumber: "2110234"}, recs, business.SelectOptions{})
	fmt.Println(sel.Outcome, sel.Winner.Record.LegalName.Name)
	for _, e := range sel.Winner.Explanation {
		fmt.Println(" ", e)
	}
	// Output:
	// ambiguous 2
	// matched Bloomberg L.P.
	//   name 1.00 against legal name "Bloomberg L.P."
	//   jurisdiction country: query US, record US-DE
	//   registration number exact: query "2110234", record "2110234"
	//   status entity ACTIVE, LEI ISSUED (1.0)
}

func ExampleValidateLEI() {
	fmt.Println(business.ValidateLEI("5493001KJTIIGC8Y1R12"))
	fmt.Println(business.ValidateLEI("5493001KJTIIGC8Y1R21"))
	// Output:
	// <nil>
	// invalid LEI "5493001KJTIIGC8Y1R21": check digits 21 do not match (expected 12 for 5493001KJTIIGC8Y1R): probably a typo
}
