//go:build onnx

package main

import (
	"fmt"

	"github.com/kycd/kycd/checks/face"
	"github.com/kycd/kycd/checks/liveness"
)

// Blinks and face size. In the two webcam recordings (face box ≈ 130–145 px) the check read
// 2 blinks in 84 s, in franck (≈ 180 px) 55 in 200 s: is it the size of the face? franck is
// shrunk (the whole frame, area-averaged, as if the camera were further away) and observed
// again; the blinks read at full size are the labels (50 of them looked at on eye crops). For
// each size: how often the blink step, in the capture shape, still sees a labelled blink
// (blinkCatch), and how often it "sees" one where franck did not blink (windows of one
// instruction, every second and every phase, at least half a second from any labelled
// blink; an upper bound, since a blink the full-size reading missed counts here), which
// is what would let a still photo through the blink step.

// blinkSizeEval runs the comparison on path at each scale.
func blinkSizeEval(eng *face.Engine, path, cache string, scales []float64, shape captureShape) error {
	full, err := loadRecordings(eng, []string{path}, cache, 1)
	if err != nil {
		return err
	}
	ref := full[0]
	events := blinkEvents(ref.Obs, ref.FPS, 8)
	fmt.Printf("%s: %d blinks read at full size (%.0f fps); capture %d fps, %d frames an instruction\n\n", ref.Name, len(events), ref.FPS, shape.FPS, shape.PerStep)
	fmt.Println("| scale | frames unusable (no face, too small, two faces) | blink step completed: all / 1–2 / 3–4 / 5–8 frames shut | blink seen where none was labelled |")
	fmt.Println("|---:|---:|---|---:|")
	for _, s := range scales {
		recs, err := loadRecordings(eng, []string{path}, cache, s)
		if err != nil {
			return err
		}
		r := recs[0]
		if len(r.Obs) != len(ref.Obs) {
			return fmt.Errorf("%s: %d frames at scale %g, %d at full size", path, len(r.Obs), s, len(ref.Obs))
		}
		bad := 0
		for _, o := range r.Obs {
			if o.Reason != "" {
				bad++
			}
		}
		c := blinkCatch(r.Obs, r.FPS, events, shape)
		fp, windows := blinkFalse(r.Obs, r.FPS, events, shape)
		fmt.Printf("| %g | %d/%d | %d/%d (%s) / %s / %s / %s | %d/%d (%s) |\n", s, bad, len(r.Obs), c.seen, c.total, share(c.seen, c.total),
			share(c.caught[0], c.count[0]*c.phases), share(c.caught[1], c.count[1]*c.phases), share(c.caught[2], c.count[2]*c.phases),
			fp, windows, share(fp, windows))
	}
	return nil
}

// blinkFalse counts the windows of one instruction (the capture shape's frames, starting every
// second at every sampling phase) at least half a second from every labelled blink in which the
// blink step passes anyway.
func blinkFalse(obs []liveness.Observation, fps float64, events []blinkEvent, shape captureShape) (passed, windows int) {
	step := shape.sampleRate(fps)
	margin := int(fps / 2)
	span := (shape.PerStep - 1) * step
	for phase := range step {
		for start := phase; start+span < len(obs); start += int(fps) {
			end := start + span
			near := false
			for _, e := range events {
				if e.To+margin >= start && e.From-margin <= end {
					near = true
					break
				}
			}
			if near {
				continue
			}
			var w []liveness.Observation
			for i := start; i <= end; i += step {
				w = append(w, obs[i])
			}
			windows++
			if liveness.VerifySequence([]liveness.Step{liveness.Blink}, w, frontalEmbedding(w), liveness.ActiveConfig{}).Passed {
				passed++
			}
		}
	}
	return passed, windows
}
