// Package liveness decides whether a selfie shows a live person: Passive
// scores one photo with the face engine's liveness model and model-free spoof
// cues (Cues: the halftone of a print, the pixel grid and moiré of a screen);
// Active verifies a short capture in which the applicant performed a challenge
// sequence (turn_left, turn_right, blink, open_mouth, look_straight) with the
// same face throughout, matching a reference embedding.
//
// Passive is weak: the bundled MiniFASNet-style model (fr_liveness from
// faceplugin 0.0.1) catches the Silent-Face print and screen samples but
// scores many simulated prints, screens and paper masks live, and missed 3-D
// masks; the cues catch most simulated prints and screens but not the
// Silent-Face samples. Use both with Active, never alone (figures in
// docs/benchmarks/face.md).
//
// Eyes: the eye model misreads some people's open eyes (one eye of a real webcam
// recording read closed in 44 of 53 frames), so EyeStates leaves out an eye it
// reads closed through most of a capture and falls back on the eyelids' landmarks.
//
// Active is built against one attacker in particular, the one with a single
// still photo of the victim (issue #15): every challenge holds a non-rigid
// action (blink, open_mouth) a warp cannot produce. The warped-still test
// (warp.go: turned frames a 2-D warp of the frontal frame explains) is off by
// default: on real recorded videos it refused 35 of 40 captures with a real
// turn, whose residuals were as low as the warp attacks' — a test of attacks
// must be measured on real captures before it may refuse anyone. A
// "video" cut from several photos of the victim changes background or light
// between frames and fails as scene_cut (scene.go; the light on the face is
// judged against the room's, so a phone's white balance, exposure or tone curve
// adapting during the capture cancels out — the tone curve only as a second
// reading that can lower the shift, never raise it); capture times are checked; PHash/FrameHash
// find replays whatever their bytes.
//
// Design: Active is split into a pure function over per-frame observations
// (VerifySequence: testable with recorded pose/eye sequences) and Checker.Active,
// which turns frames into observations with the engine — side by side (ObserveAll): the
// hosted flow sends 30 frames (8 a second, so a quick blink is not missed between two), and
// the applicant waits for them. The nonce, deadline,
// challenge limit and replay lookup belong to the tool layer that issues the
// challenge.
package liveness
