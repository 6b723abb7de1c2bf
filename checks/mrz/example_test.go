package mrz_test

import (
	"fmt"
	"time"

	"github.com/kycd/kycd/checks/mrz"
)

// Parse a passport's two 44-character lines (TD3): the specimen of ICAO Doc 9303 part 4,
// issued by the fictional state Utopia (UTO), which only WithSpecimenCodes accepts.
func ExampleParse() {
	lines := []string{
		"P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
		"L898902C36UTO7408122F1204159ZE184226B<<<<<10",
	}
	today := time.Date(2010, 6, 1, 0, 0, 0, 0, time.UTC) // century inference and expiry need "today"
	r, err := mrz.Parse(lines, mrz.WithNow(today), mrz.WithSpecimenCodes())
	if err != nil {
		fmt.Println("no MRZ:", err)
		return
	}
	fmt.Println(r.Format, r.Valid, r.Errors)
	fmt.Println(r.Surname+",", r.GivenNames, "—", r.Nationality, r.Sex)
	fmt.Println("document", r.DocumentNumber, "born", r.DateOfBirth, "expires", r.ExpiryDate)
	for _, c := range r.Checks {
		fmt.Printf("%s %s=%s %v\n", c.Field, c.Expected, c.Computed, c.Valid)
	}
	// Output:
	// TD3 true []
	// ERIKSSON, ANNA MARIA — UTO F
	// document L898902C3 born 1974-08-12 expires 2012-04-15
	// document_number 6=6 true
	// date_of_birth 2=2 true
	// expiry_date 9=9 true
	// personal_number 1=1 true
	// composite 0=0 true
}
