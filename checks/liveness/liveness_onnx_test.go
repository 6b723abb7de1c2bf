//go:build onnx

package liveness

import (
	"math"
	"os"
	"slices"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kycd/kycd/checks/face"
	"github.com/kycd/kycd/checks/face/imaging"
	"github.com/kycd/kycd/internal/testfiles"
)

var (
	engOnce sync.Once
	engVal  *face.Engine
	engErr  error
)

// engine loads the shared engine once for all tests of the package.
func engine(t *testing.T) *face.Engine {
	t.Helper()
	engOnce.Do(func() { engVal, engErr = face.New(face.Config{}) })
	require.NoError(t, engErr, "run scripts/setup/onnx.sh first")
	return engVal
}

func read(t *testing.T, elem ...string) []byte {
	t.Helper()
	b, err := os.ReadFile(testfiles.Path(t, elem...))
	require.NoError(t, err)
	return b
}

func TestPassiveSilentFaceSamples(t *testing.T) {
	t.Parallel()
	c, err := New(engine(t), Config{})
	require.NoError(t, err)
	for _, tc := range []struct {
		file string
		live bool
	}{{"image_T1.jpg", true}, {"image_F1.jpg", false}, {"image_F2.jpg", false}} {
		r, err := c.Passive(read(t, "faces", "Silent-Face-Anti-Spoofing", "images", "sample", tc.file))
		require.NoError(t, err)
		if r.Reason != "" {
			// F1 is a turned spoof: the selfie gate already refuses it.
			require.False(t, tc.live, "%s: %s", tc.file, r.Reason)
			continue
		}
		require.Equal(t, tc.live, r.Live, "%s score %.3f", tc.file, r.Score)
		require.Equal(t, face.ModelLiveness, r.Model.Name)
	}
}

// frames renders a capture from one still photo: yaw warps of theta
// degrees (cylinder model), each with a one-pixel jitter like a hand-held
// camera, so the frames are not byte-identical, 200 ms apart.
func frames(t *testing.T, eng *face.Engine, img *imaging.RGB, thetas ...float64) []Observation {
	t.Helper()
	c, err := New(eng, Config{})
	require.NoError(t, err)
	boxes, err := eng.Detect(img)
	require.NoError(t, err)
	b := boxes[0]
	var obs []Observation
	for i, th := range thetas {
		w := yawWarp(img, (b.X1+b.X2)/2+float64(i%2), 0.6*b.W(), th*math.Pi/180)
		o, err := c.Observe(w)
		require.NoError(t, err)
		o.AtMS, o.Timed = float64(200*i), true
		obs = append(obs, o)
	}
	return obs
}

func reference(t *testing.T, eng *face.Engine, elem ...string) face.Embedding {
	t.Helper()
	a, err := eng.AnalyzeBytes(read(t, elem...), face.KindSelfie, face.Want{Embedding: true})
	require.NoError(t, err)
	require.True(t, a.Quality.OK, a.Quality.Reason)
	return a.Face.Embedding
}

// Head turns made from one photo, the attack of issue #15: the pose model reads a 40°
// cylinder warp as about 24°, enough for the 20° turn threshold, so before the warped-still
// test these frames passed a turns-only challenge. Now they fail as warped_still; with a
// blink or an open mouth in the challenge (as every drawn challenge has) they fail too.
func TestActiveSyntheticTurns(t *testing.T) {
	t.Parallel()
	eng := engine(t)
	obamaImg, err := imaging.Decode(read(t, "faces", "face_recognition", "tests", "test_images", "obama.jpg"))
	require.NoError(t, err)
	bidenImg, err := imaging.Decode(read(t, "faces", "face_recognition", "tests", "test_images", "biden.jpg"))
	require.NoError(t, err)
	ref := reference(t, eng, "faces", "face_recognition", "examples", "obama-720p.jpg")
	cfg := ActiveConfig{MatchThreshold: eng.Threshold(), WarpResidual: DefaultWarpResidual}
	seq := []Step{LookStraight, TurnLeft, TurnRight, LookStraight}
	warped := frames(t, eng, obamaImg, 0, 15, 40, 45, 20, 0, -20, -40, -45, -10, 0)

	r := VerifySequence(seq, warped, ref, cfg)
	require.False(t, r.Passed)
	require.Equal(t, ReasonWarpedStill, r.Reason, "%+v", r)
	require.Less(t, r.WarpResidual, DefaultWarpResidual)
	require.GreaterOrEqual(t, r.FailedFrame, 0)
	r = VerifySequence([]Step{TurnLeft, Blink, TurnRight}, warped, ref, cfg)
	require.False(t, r.Passed)
	require.Contains(t, []string{ReasonWarpedStill, ReasonStepNotPerformed}, r.Reason)

	// With the warped-still test off, the same frames do pass the turns: the test is what
	// stops them, and the steps are still checked in order.
	noWarp := cfg
	noWarp.WarpResidual = -1
	r = VerifySequence(seq, warped, ref, noWarp)
	require.True(t, r.Passed, "%+v", r)
	require.Equal(t, -1.0, r.WarpResidual)
	r = VerifySequence([]Step{TurnRight, TurnLeft}, warped, ref, noWarp)
	require.False(t, r.Passed)
	require.Equal(t, ReasonStepNotPerformed, r.Reason)
	require.Equal(t, TurnLeft, r.FailedStep)

	// A still photo repeated: no motion, no turn.
	still := frames(t, eng, obamaImg, 0, 0, 0, 0, 0, 0)
	for i := range still {
		at := still[i].AtMS
		still[i] = still[0]
		still[i].AtMS = at
	}
	r = VerifySequence(seq, still, ref, cfg)
	require.False(t, r.Passed)
	require.Equal(t, ReasonStaticFrames, r.Reason)

	// A different person in some frames.
	mixed := append([]Observation(nil), warped...)
	other := frames(t, eng, bidenImg, 40, 45)
	mixed[2], mixed[3] = other[0], other[1]
	mixed[2].AtMS, mixed[3].AtMS = warped[2].AtMS, warped[3].AtMS
	r = VerifySequence(seq, mixed, ref, cfg)
	require.False(t, r.Passed)
	require.Equal(t, ReasonDifferentFace, r.Reason)
	require.Contains(t, []int{2, 3}, r.FailedFrame)

	// The right steps by the wrong person against the reference.
	roseImg, err := imaging.Decode(read(t, "faces", "face_recognition", "examples", "knn_examples", "train", "rose_leslie", "img1.jpg"))
	require.NoError(t, err)
	r = VerifySequence(seq, frames(t, eng, roseImg, 0, 15, 40, 45, 20, 0, -20, -40, -45, -10, 0), ref, noWarp)
	require.False(t, r.Passed)
	require.Contains(t, []string{ReasonReferenceMismatch, ReasonSceneCut}, r.Reason, "%+v", r)
	// With the scene tests off too, only the reference is left to refuse it.
	noScene := noWarp
	noScene.SceneContinuity, noScene.MaxChromaShift = -1, -1
	r = VerifySequence(seq, frames(t, eng, roseImg, 0, 15, 40, 45, 20, 0, -20, -40, -45, -10, 0), ref, noScene)
	require.False(t, r.Passed)
	require.Equal(t, ReasonReferenceMismatch, r.Reason, "%+v", r)
}

// The warp-attack generator against held-out stills (deepface photos; the threshold was set
// on face_recognition photos): shifts, rotations, perspective and cylinder warps, ramped and
// jumped, every frame re-encoded. None may pass, not even a challenge of turns alone. The
// scene tests run before the warped-still test and cut some of these sequences (a cylinder
// warp to 50° smears the nose), so whether warped_still itself refuses the turns is counted
// with them off.
func TestWarpAttacksNeverPass(t *testing.T) {
	t.Parallel()
	c, err := New(engine(t), Config{})
	require.NoError(t, err)
	// The warped-still test is off by default (it refuses real turns too); it is measured here.
	withWarp := c.cfg.Active
	withWarp.WarpResidual = DefaultWarpResidual
	noScene := withWarp
	noScene.SceneContinuity, noScene.MaxChromaShift = -1, -1
	warpedStill, turnsOnlyPass := 0, 0
	for si, name := range []string{"img18.jpg"} {
		img, err := imaging.Decode(read(t, "faces", "deepface", name))
		require.NoError(t, err)
		ref, err := c.Observe(img)
		require.NoError(t, err)
		require.Empty(t, ref.Reason)
		for _, k := range warpKinds {
			for _, shape := range []string{"ramp", "jump"} {
				obs := attackSequence(t, c, img, k, shape, si)
				for _, steps := range [][]Step{turnsOnly, {TurnLeft, Blink, TurnRight}, {OpenMouth, TurnRight}} {
					// A drawn challenge always holds a blink or an open mouth, which no warp makes; a
					// challenge of turns alone is stopped only with the warped-still test on.
					cfg := c.cfg.Active
					if !slices.ContainsFunc(steps, NonRigid) {
						cfg = withWarp
						if r := VerifySequence(steps, obs, ref.Embedding, c.cfg.Active); r.Passed {
							turnsOnlyPass++
						}
					}
					r := VerifySequence(steps, obs, ref.Embedding, cfg)
					require.False(t, r.Passed, "%s %s %s %v: %+v", name, k, shape, steps, r)
					r = VerifySequence(steps, obs, ref.Embedding, noScene)
					require.False(t, r.Passed, "%s %s %s %v without the scene tests: %+v", name, k, shape, steps, r)
					if r.Reason == ReasonWarpedStill {
						warpedStill++
					}
				}
			}
		}
	}
	require.Positive(t, warpedStill, "the turns that the pose model reads as turns are refused as warps")
	t.Logf("with the default configuration (warped-still test off) %d of %d turns-only challenges passed", turnsOnlyPass, 2*len(warpKinds))
}

func TestActiveRejectsBadFrames(t *testing.T) {
	t.Parallel()
	c, err := New(engine(t), Config{})
	require.NoError(t, err)
	photo := read(t, "faces", "face_recognition", "tests", "test_images", "obama.jpg")
	_, err = c.Active([]Step{Blink}, [][]byte{photo, photo}, face.Embedding{1})
	require.ErrorContains(t, err, "2 frames")
	_, err = c.Active([]Step{Blink}, [][]byte{photo, photo, photo, photo, []byte("junk")}, face.Embedding{1})
	require.ErrorContains(t, err, "frame 4")
	two := read(t, "faces", "face_recognition", "examples", "two_people.jpg")
	ref := reference(t, engine(t), "faces", "face_recognition", "tests", "test_images", "obama.jpg")
	r, err := c.Active([]Step{LookStraight}, [][]byte{photo, photo, two, photo, photo, photo, photo, photo, photo, photo}, ref)
	require.NoError(t, err)
	require.Equal(t, ReasonBadFrame, r.Reason)
	require.Equal(t, 2, r.FailedFrame)
}

// DefaultSameFaceThreshold on the default embedding's scale: every frame of a
// turning capture (cylinder warps of one photo to ±50°) keeps its own face,
// most frames of another person are caught, and none would be a match. Five
// people; the threshold was set from the bench's operating points, with these
// figures in view (same person ≥ 0.929, another person's frames up to 0.872).
func TestSameFaceThresholdKeepsTurnedFrames(t *testing.T) {
	t.Parallel()
	eng := engine(t)
	var caps [][]Observation
	for _, p := range [][]string{
		{"tests", "test_images", "obama.jpg"},
		{"tests", "test_images", "biden.jpg"},
		{"examples", "knn_examples", "train", "rose_leslie", "img1.jpg"},
		{"examples", "knn_examples", "train", "kit_harington", "john1.jpeg"},
		{"examples", "knn_examples", "train", "alex_lacamoire", "img1.jpg"},
	} {
		img, err := imaging.Decode(read(t, append([]string{"faces", "face_recognition"}, p...)...))
		require.NoError(t, err)
		caps = append(caps, frames(t, eng, img, 0, 15, 30, 40, 45, 50, -30, -45, -50))
	}
	same, other := 1.0, -1.0
	strangers, caught := 0, 0
	for a := range caps {
		for b := range caps {
			for _, o := range caps[b] {
				s, err := face.Cosine(o.Embedding, caps[a][0].Embedding)
				require.NoError(t, err)
				if a == b {
					same = math.Min(same, s)
					continue
				}
				other = math.Max(other, s)
				strangers++
				if s < DefaultSameFaceThreshold {
					caught++
				}
			}
		}
	}
	t.Logf("same person, turned frames vs the frontal one: min %.3f; another person's frames: max %.3f, %d of %d under the threshold %.2f",
		same, other, caught, strangers, DefaultSameFaceThreshold)
	require.GreaterOrEqual(t, same, DefaultSameFaceThreshold)
	require.Greater(t, caught, strangers*2/3, "the check no longer catches most strangers")
	require.Less(t, other, face.DefaultMatchThreshold)
}
