// Package mrz parses and validates the machine-readable zone of travel and
// identity documents per ICAO Doc 9303 (parts 3–7): TD1, TD2 and TD3, the
// visa formats MRV-A and MRV-B, and the French 1988 identity card. It checks
// every check digit, state code and date, repairs OCR output guided by the
// check digits, transliterates names into MRZ form (9303 part 3 section 6)
// and compares MRZ names with names from elsewhere.
//
// Design choices that are not obvious from the code:
//
//   - Parse never fails on content: only a shape that fits no format is an
//     error; everything else (check digits, unknown codes, bad dates) is a
//     named entry in Result.Errors, so callers can show the applicant why.
//     Century inference needs "today"; it comes from WithNow/WithClock, and
//     the specimen state UTO is rejected unless WithSpecimenCodes is given.
//   - Repair changes a character only where the position's class forces it
//     (a digit in a name, a letter in a date) or where a check digit singles
//     out one reading. Ambiguous letters in numbers are tried only where they
//     break the field's letter/digit pattern, at most two at a time and only
//     as one systematic misreading, and only if no other confusable reading
//     of the field satisfies the digit too. G↔6 and 0↔'<' have equal check
//     values, so they are never "repaired", and the composite digit alone is
//     never used to pick a repair (its weights line up with the field digits,
//     so it adds no information about which character is wrong).
//
// Example:
//
//	r, err := mrz.Repair(ocrLines)            // or mrz.Parse / mrz.ParseText
//	if err != nil { /* no MRZ shape in the text */ }
//	if !r.Valid { /* r.Errors names each failing field */ }
//	score, ok := mrz.NameMatches(r.Surname+"<<"+r.GivenNames, "Anna María Eriksson")
package mrz
