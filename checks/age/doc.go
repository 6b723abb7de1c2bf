// Package age turns the face engine's age estimate into a soft signal for
// age checks: Decide passes an estimate at least 3 years above the minimum,
// fails one at least 2 years below, and sends the rest to review.
//
// Design: the bundled model (SSR-Net, fr_age from faceplugin 0.0.1) is weak —
// on the shared test photos it put one person anywhere from 33 to 61 and
// 70-year-olds in their forties — so an estimate is never a hard gate on its
// own: "fail" should route to review or a document check, not a rejection.
package age
