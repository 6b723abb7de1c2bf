//go:build onnx

// Command biometrics measures the product side of the face checks: what a submit_selfie
// call costs (decode + full chain + match), what an active-liveness capture costs, and
// duplicate detection at scale (loading N enrolled faces from the database, then searching).
//
//	go run -tags onnx ./bench/biometrics -runs 20 selfie
//	go run -tags onnx ./bench/biometrics -runs 5 liveness
//	go run -tags onnx ./bench/biometrics -n 100000 duplicates
package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"flag"
	"fmt"
	"image/jpeg"
	"io"
	"log"
	"log/slog"
	"math"
	mrand "math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"syscall"
	"time"

	"github.com/kycd/kycd/checks/face"
	"github.com/kycd/kycd/checks/face/imaging"
	"github.com/kycd/kycd/checks/liveness"
	"github.com/kycd/kycd/db"
	"github.com/kycd/kycd/models"
	"github.com/kycd/kycd/verify"
)

func main() {
	testdata := flag.String("testdata", "", "shared testdata dir (default ../shared/testdata, or $KYCD_TESTDATA)")
	runs := flag.Int("runs", 20, "timed runs")
	n := flag.Int("n", 100000, "duplicates: enrolled faces")
	flag.Parse()
	if *testdata == "" {
		*testdata = os.Getenv("KYCD_TESTDATA")
	}
	if *testdata == "" {
		*testdata = filepath.Join("..", "shared", "testdata")
	}
	if flag.NArg() != 1 {
		log.Fatal("usage: biometrics [flags] selfie|liveness|duplicates")
	}
	eng, err := face.New(face.Config{})
	if err != nil {
		log.Fatal(err)
	}
	defer func() { _ = eng.Close() }()
	dir, err := os.MkdirTemp("", "kycd-bench-biometrics")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	raw := make([]byte, 32)
	_, _ = rand.Read(raw)
	keys, err := db.NewKeyring("b1:" + base64.StdEncoding.EncodeToString(raw))
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	store, err := db.Open(ctx, db.Options{DataDir: dir, Keyring: keys})
	if err != nil {
		log.Fatal(err)
	}
	defer store.Close()
	if err := store.Migrate(ctx); err != nil {
		log.Fatal(err)
	}
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	b, err := verify.NewBiometrics(store, eng, verify.BiometricsConfig{}, quiet)
	if err != nil {
		log.Fatal(err)
	}
	photo := func(elem ...string) []byte {
		data, err := os.ReadFile(filepath.Join(append([]string{*testdata, "faces", "face_recognition"}, elem...)...))
		if err != nil {
			log.Fatal(err)
		}
		return data
	}
	switch flag.Arg(0) {
	case "selfie":
		err = selfie(ctx, b, photo("tests", "test_images", "obama.jpg"), photo("examples", "obama-720p.jpg"), *runs)
	case "liveness":
		err = live(ctx, b, eng, photo("tests", "test_images", "obama.jpg"), *runs)
	case "duplicates":
		err = duplicates(ctx, store, b, *n, *runs)
	default:
		err = fmt.Errorf("unknown command %q", flag.Arg(0))
	}
	if err != nil {
		log.Fatal(err)
	}
}

func stats(name string, d []time.Duration) {
	sort.Slice(d, func(i, j int) bool { return d[i] < d[j] })
	fmt.Printf("%-62s median %7.1f ms  p90 %7.1f ms  min %7.1f ms  (%d runs)\n", name,
		ms(d[len(d)/2]), ms(d[len(d)*9/10]), ms(d[0]), len(d))
}

// cpu is the process's CPU time (user + system). On a shared, loaded machine wall-clock
// time mostly measures waiting for a core; CPU time is the work itself.
func cpu() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// resample re-encodes a photo at about one megapixel (JPEG q90), the size a phone selfie
// is usually sent at.
func resample(data []byte, mp float64) []byte {
	img, err := imaging.Decode(data)
	if err != nil {
		log.Fatal(err)
	}
	s := math.Sqrt(mp * 1e6 / float64(img.W*img.H))
	w, h := int(float64(img.W)*s), int(float64(img.H)*s)
	out := imaging.CropResize(img, imaging.Rect{W: float64(img.W), H: float64(img.H)}, w, h, [3]uint8{})
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, out.ToImage(), &jpeg.Options{Quality: 90}); err != nil {
		log.Fatal(err)
	}
	return buf.Bytes()
}

// selfie times what submit_selfie computes in the request: decode + the full selfie chain,
// then the cosine against an already analysed portrait (the portrait is analysed once per
// verification and its analysis stored).
func selfie(ctx context.Context, b *verify.Biometrics, selfieJPEG, portraitSrc []byte, runs int) error {
	img := resample(selfieJPEG, 1.0)
	portrait, err := b.Analyze(ctx, resample(portraitSrc, 0.05), face.KindDocument)
	if err != nil {
		return err
	}
	fmt.Printf("selfie: %d bytes JPEG at 1.0 MP; portrait: %v (%s)\n", len(img), portrait.Quality.OK, portrait.Quality.Reason)
	var analyze, total, cpus []time.Duration
	for i := 0; i < runs+2; i++ {
		t0, c0 := time.Now(), cpu()
		fa, err := b.Analyze(ctx, img, face.KindSelfie)
		if err != nil {
			return err
		}
		t1, c1 := time.Now(), cpu()
		th, err := b.ThresholdsFor(ctx, "") // the server's thresholds
		if err != nil {
			return err
		}
		m, err := b.Match(fa, portrait, "selfie", "document", th)
		if err != nil {
			return err
		}
		t2 := time.Now()
		if i < 2 {
			fmt.Printf("  score %.3f, liveness %.3f, age %.1f\n", m.Score, *fa.Liveness, *fa.Age)
			continue // warm-up
		}
		analyze = append(analyze, t1.Sub(t0))
		total = append(total, t2.Sub(t0))
		cpus = append(cpus, c1-c0)
	}
	stats("decode + detect + quality + embed×2 + liveness + age (wall)", analyze)
	stats("decode + detect + quality + embed×2 + liveness + age (CPU)", cpus)
	stats("… + match against the stored portrait", total)
	return nil
}

// live times an active-liveness capture of 10 frames at 640×480-ish (decode + per-frame
// detect, landmarks, embedding, eyes, pose + sequence check).
func live(ctx context.Context, b *verify.Biometrics, eng *face.Engine, src []byte, runs int) error {
	img, err := imaging.Decode(src)
	if err != nil {
		return err
	}
	s := 640 / float64(img.W)
	img = imaging.CropResize(img, imaging.Rect{W: float64(img.W), H: float64(img.H)}, 640, int(float64(img.H)*s), [3]uint8{})
	boxes, err := eng.Detect(img)
	if err != nil || len(boxes) == 0 {
		return fmt.Errorf("no face: %v", err)
	}
	ref, err := eng.Analyze(img, face.KindSelfie, face.Want{Embedding: true})
	if err != nil {
		return err
	}
	var frames [][]byte
	for i, th := range []float64{0, 0, 20, 40, 45, 0, -20, -40, -45, 0} {
		w := warp(img, (boxes[0].X1+boxes[0].X2)/2+float64(i%2), 0.6*boxes[0].W(), th)
		var buf bytes.Buffer
		if err := jpeg.Encode(&buf, w.ToImage(), &jpeg.Options{Quality: 85}); err != nil {
			return err
		}
		frames = append(frames, buf.Bytes())
	}
	steps := []liveness.Step{liveness.LookStraight, liveness.TurnLeft, liveness.TurnRight}
	var all, cpus []time.Duration
	th, err := b.ThresholdsFor(ctx, "") // the server's thresholds
	if err != nil {
		return err
	}
	for i := 0; i < runs+1; i++ {
		t0, c0 := time.Now(), cpu()
		dec, err := b.DecodeFrames(context.Background(), frames)
		if err != nil {
			return err
		}
		obs, err := b.ObserveFrames(ctx, dec, nil)
		if err != nil {
			return err
		}
		r, err := b.JudgeFrames(ctx, steps, obs, ref.Face.Embedding, th)
		if err != nil {
			return err
		}
		if i == 0 {
			// Warps of one still photo: they fail (warped_still, or too few untimed frames);
			// the timing covers the work either way.
			fmt.Printf("10 frames %d×%d: passed %v (%s)\n", img.W, img.H, r.Passed, r.Reason)
			continue
		}
		all = append(all, time.Since(t0))
		cpus = append(cpus, cpu()-c0)
	}
	stats("submit_liveness work, 10 frames (decode + observe + verify, wall)", all)
	stats("submit_liveness work, 10 frames (CPU)", cpus)
	return nil
}

func warp(src *imaging.RGB, cx, r, deg float64) *imaging.RGB {
	theta := deg * math.Pi / 180
	out := imaging.NewRGB(src.W, src.H)
	for x := 0; x < src.W; x++ {
		u := (float64(x) - cx) / r
		sx := float64(x)
		if math.Abs(u) < 1 {
			sx = cx + r*math.Sin(math.Max(-math.Pi/2, math.Min(math.Pi/2, math.Asin(u)-theta)))
		}
		xi := max(0, min(src.W-1, int(math.Round(sx))))
		for y := 0; y < src.H; y++ {
			copy(out.Pix[3*(y*src.W+x):3*(y*src.W+x)+3], src.Pix[3*(y*src.W+xi):3*(y*src.W+xi)+3])
		}
	}
	return out
}

// duplicates enrolls n random faces (sealed, as the completion hook stores them) in one
// account, then measures the start-up load into the index and FindDuplicate (sync of the
// scope's new rows + brute-force search) against it.
func duplicates(ctx context.Context, store *db.Store, b *verify.Biometrics, n, runs int) error {
	sc := db.Scope{AccountID: "acct_bench", Mode: models.ModeTest}
	if err := store.EnsureAccount(ctx, sc.AccountID, "bench"); err != nil {
		return err
	}
	model := b.EmbeddingModel().SHA256
	rng := mrand.New(mrand.NewPCG(1, 2))
	vec := func() face.Embedding {
		v := make(face.Embedding, 512)
		for i := range v {
			v[i] = float32(rng.NormFloat64())
		}
		_ = face.Normalize(v)
		return v
	}
	t0 := time.Now()
	const batch = 1000
	var probe face.Embedding
	for done := 0; done < n; done += batch {
		err := store.InTx(ctx, func(ctx context.Context, tx *db.Tx) error {
			app, err := tx.FindOrCreateApplicant(ctx, sc, nil, nil)
			if err != nil {
				return err
			}
			for i := done; i < min(done+batch, n); i++ {
				now := store.Now()
				token := db.RandomBase62(20)
				sealed, _ := store.Keyring().Seal([]byte(token))
				v := &models.Verification{ID: db.NewID("ver", now), Reference: "VER-" + db.RandomBase62(10), AccountID: sc.AccountID, Mode: sc.Mode,
					APIKeyID: "key_bench", ApplicantID: app.ID, Status: models.StatusApproved, Checks: `["face_match"]`, Metadata: "{}",
					TokenHash: db.HashSecret(token), TokenSealed: sealed, ExpiresAt: now, CreatedAt: now, UpdatedAt: now}
				if err := tx.InsertVerification(ctx, v); err != nil {
					return err
				}
				e := vec()
				if i == n/2 {
					probe = e
				}
				enc, err := e.MarshalBinary()
				if err != nil {
					return err
				}
				if _, err := tx.EnrollFace(ctx, &models.FaceEnrollment{AccountID: sc.AccountID, Mode: sc.Mode, VerificationID: v.ID,
					ApplicantID: app.ID, Model: model}, enc); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	fmt.Printf("enrolled %d faces in %v (SQLite, sealed float32 embeddings)\n", n, time.Since(t0).Round(time.Millisecond))
	t1 := time.Now()
	loaded, err := b.LoadEnrollments(ctx)
	if err != nil {
		return err
	}
	fmt.Printf("LoadEnrollments: %d faces in %v (read + decrypt + decode + index)\n", loaded, time.Since(t1).Round(time.Millisecond))
	// The probe: the middle face slightly perturbed, from "another applicant".
	q := append(face.Embedding(nil), probe...)
	for i := range q {
		q[i] += float32(rng.NormFloat64() * 0.01)
	}
	other := &models.Verification{ID: "ver_probe", ApplicantID: "app_probe", AccountID: sc.AccountID, Mode: sc.Mode}
	var all []time.Duration
	for i := 0; i < runs+1; i++ {
		t := time.Now()
		dup, err := b.FindDuplicate(ctx, sc, other, q)
		if err != nil {
			return err
		}
		if i == 0 {
			if dup == nil {
				return fmt.Errorf("the planted duplicate was not found")
			}
			fmt.Printf("planted duplicate found: %s score %.3f\n", dup.VerificationID, dup.Score)
			continue
		}
		all = append(all, time.Since(t))
	}
	stats(fmt.Sprintf("FindDuplicate over %d faces (sync + search)", n), all)
	// The database part alone: the same call on a scope with no faces is only the sync query.
	empty := db.Scope{AccountID: sc.AccountID, Mode: models.ModeLive}
	var syncOnly []time.Duration
	for i := 0; i < runs; i++ {
		t := time.Now()
		if _, err := b.FindDuplicate(ctx, empty, other, q); err != nil {
			return err
		}
		syncOnly = append(syncOnly, time.Since(t))
	}
	stats("FindDuplicate on an empty scope (the sync query alone)", syncOnly)
	return nil
}
