// Package age turns the face engine's age model into an age interval and a
// soft decision: DecideInterval passes when the whole interval is at or above
// the minimum age, fails when all of it is below, and sends a straddling
// interval to review.
//
// Design: the bundled model (SSR-Net, fr_age from faceplugin 0.0.1) is weak
// and was sensitive to framing — one photo at two resolutions got 36.0 and
// 47.7 years — so EstimateFace first warps the face by its landmarks onto a
// fixed canvas (same size and framing at any resolution), then averages eight
// views (mirrored, tighter, looser, shifted) and gives each model the interval
// mean ± max(6 years, 2σ of the views). A second model, FaceRes's age head
// (SecondOpinion, installed by scripts/setup/facemodels.sh), runs on the same
// views, and the reported interval covers both models' intervals (Combine):
// models that disagree widen it, so neither approves alone. bench/age compares
// every installable age model; FaceRes's head was the one at least as steady
// as fr_age (docs/benchmarks/face-decisions.md, "Age"). Only ten shared photos
// have a known age (their captions date them; all adults 34–68): there the check
// errs by 5.3 years on average, low, and covers the true age 9 times of 10
// (bench/age -known). Ten adults calibrate nothing near 18, so the ±6 floor
// stays a prior and an estimate is never a hard gate on its own.
package age
