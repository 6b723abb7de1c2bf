// Package liveness decides whether a selfie shows a live person: Passive
// scores one photo with the face engine's liveness model; Active verifies a
// short capture in which the applicant performed a challenge sequence
// (turn_left, turn_right, blink, look_straight) with the same face throughout,
// matching a reference embedding.
//
// Passive is weak: the bundled MiniFASNet-style model (fr_liveness from
// faceplugin 0.0.1) catches print and screen replays (the Silent-Face spoof
// samples score ≤ 0.002, the real sample 0.96) but, in an earlier
// measurement on 7 labelled attacks, it caught both prints and missed both
// 3-D masks; use it with Active, never alone.
//
// Design: Active is split into a pure function over per-frame observations
// (VerifySequence: testable with recorded pose/eye sequences) and Checker.Active,
// which turns frames into observations with the engine. The nonce, deadline
// and replay protection belong to the tool layer that issues the challenge.
package liveness
