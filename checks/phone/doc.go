// Package phone checks a phone number given by an applicant with Google's libphonenumber
// metadata (github.com/nyaruka/phonenumbers): validity, E.164 form, line type, country,
// and whether the country matches the applicant's, graded low/medium/high with reasons.
//
// Design choices that are not obvious:
//   - A number without a country code needs Options.DefaultRegion; guessing one from the
//     server's locale would make the same input mean different numbers on different hosts.
//   - Countries may be given as alpha-2 or alpha-3 (documents carry alpha-3); both are
//     normalized to alpha-2 with golang.org/x/text/language, deprecated codes (UK)
//     canonicalized. A code that is not a country is an error (ErrCountry), because it is
//     the caller's mistake, not a property of the number.
//   - Fictional ranges (Ofcom's drama numbers such as +44 7700 900xxx, NANP 555-01xx,
//     ARCEP and ACMA fiction numbers) are flagged fictional_number whether or not the
//     metadata calls them valid: nobody real has one.
//   - VoIP is medium risk (cheap in bulk, no subscriber identity); premium rate is high
//     (a fraud vector when the service calls or texts it); fixed lines are only noted,
//     since they cannot take SMS codes but are a legitimate contact.
//   - Input is bounded (250 bytes, libphonenumber's own limit) and screened for line
//     breaks and control characters before parsing; a panic inside the library would be
//     reported as unparseable, never propagated.
//
// Example:
//
//	res, err := phone.Check(ctx, "0151 23456789", phone.Options{DefaultRegion: "DE", ExpectedCountry: "AUT"})
//	// res.E164 == "+4915123456789", res.Type == "mobile", res.Region == "DE",
//	// res.CountryMismatch == true, res.RiskLevel == "medium"
package phone
