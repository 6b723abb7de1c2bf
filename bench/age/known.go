//go:build onnx

package main

import (
	"bytes"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"time"

	"github.com/kycd/kycd/checks/age"
	"github.com/kycd/kycd/checks/face"
	"github.com/kycd/kycd/checks/face/imaging"
)

// dated is a shared photo whose own embedded caption (IPTC / XMP, written by the
// photographer or agency) names the person and the day it was taken; the birth date is
// public record. Caption must occur in the file's bytes, so the label is checked against
// the file, not taken on trust.
type dated struct {
	File    string // under testdata/faces
	Caption string // a piece of the embedded caption naming the person and the day
	Person  string
	Taken   string // YYYY-MM-DD, from the caption
	Born    string // YYYY-MM-DD, public record (Wikipedia)
}

// datedPhotos are every shared photo with such a caption (found by reading each JPEG's
// metadata, 2026-12-07); none was used to build or tune the age check.
var datedPhotos = []dated{
	{"deepface/img61.jpg", "SYDNEY, AUSTRALIA - APRIL 13: (EUROPE AND AUSTRALASIA OUT) Twitter CEO Jack Dorsey poses", "Jack Dorsey", "2016-04-13", "1976-11-19"},
	{"deepface/img26.jpg", "Singer Katy Perry arrives for the 2019 iHeartRadio Music Awards on March 14, 2019", "Katy Perry", "2019-03-14", "1984-10-25"},
	{"deepface/img41.jpg", "George Clooney  walks the red carpet ahead of the 'Suburbicon' screening during the 74th Venice Film Festival at Sala Grande on September 2, 2017", "George Clooney", "2017-09-02", "1961-05-06"},
	{"deepface/img39.jpg", "George Clooney arrives at The 18th Annual Screen Actors Guild Awards broadcast on TNT/TBS at The Shrine Auditorium on January 29, 2012", "George Clooney", "2012-01-29", "1961-05-06"},
	{"deepface/img33.jpg", "In this Jan. 4, 2013 photo, actor Matt Damon", "Matt Damon", "2013-01-04", "1970-10-08"},
	{"face_recognition/examples/knn_examples/test/alex_lacamoire1.jpg", "Music Director Alex Lacamoire poses for a portrait at the 2016 Tony Awards Meet The Nominees Press Reception on May 4, 2016", "Alex Lacamoire", "2016-05-04", "1975-05-24"},
	{"face_recognition/tests/test_images/obama.jpg", "President Barack Obama is photographed during a presidential portrait sitting for an official photo in the Oval Office, Dec. 6, 2012", "Barack Obama", "2012-12-06", "1961-08-04"},
	{"face_recognition/tests/test_images/obama2.jpg", "President Barack Obama delivers a health care address to a joint session of Congress at the U.S. Capitol in Washington, D.C., Sept. 9, 2009", "Barack Obama", "2009-09-09", "1961-08-04"},
	// The same White House photo (May 10, 2010), cropped to each man by face_recognition's author.
	{"face_recognition/tests/test_images/obama3.jpg", "President Barack Obama and Vice President Joe Biden stand with Solicitor General Elena Kagan in the Blue Room of the White House, May 10, 2010", "Barack Obama", "2010-05-10", "1961-08-04"},
	{"face_recognition/tests/test_images/biden.jpg", "President Barack Obama and Vice President Joe Biden stand with Solicitor General Elena Kagan in the Blue Room of the White House, May 10, 2010", "Joe Biden", "2010-05-10", "1942-11-20"},
}

// ageAt is the exact age in years on the day taken.
func (d dated) ageAt() (float64, error) {
	t, err := time.Parse(time.DateOnly, d.Taken)
	if err != nil {
		return 0, fmt.Errorf("%s: taken: %w", d.File, err)
	}
	b, err := time.Parse(time.DateOnly, d.Born)
	if err != nil {
		return 0, fmt.Errorf("%s: born: %w", d.File, err)
	}
	return t.Sub(b).Hours() / 24 / 365.2425, nil
}

// knownResult is one dated photo through the age check.
type knownResult struct {
	dated
	Age      float64
	Est      age.Estimate // the check's combined estimate (quality gate ignored)
	Decision age.Decision // the check as the service runs it, min age 18
	Reason   string       // the quality gate's refusal, if any
}

// knownAges runs every dated photo through the age check: once as the service runs it
// (Estimator.Check, quality gate on, min age 18) and once on the face regardless of the
// gate, for the error.
func knownAges(eng *face.Engine, testdata string) ([]knownResult, error) {
	est, err := age.New(eng)
	if err != nil {
		return nil, err
	}
	defer func() { _ = est.Close() }()
	var out []knownResult
	for _, d := range datedPhotos {
		years, err := d.ageAt()
		if err != nil {
			return nil, err
		}
		b, err := os.ReadFile(filepath.Join(testdata, "faces", d.File))
		if err != nil {
			return nil, err
		}
		if !bytes.Contains(b, []byte(d.Caption)) {
			return nil, fmt.Errorf("%s: the caption %q is not in the file", d.File, d.Caption)
		}
		chk, err := est.Check(b, 18)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", d.File, err)
		}
		img, err := imaging.Decode(b)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", d.File, err)
		}
		a, err := eng.Analyze(img, face.KindSelfie, face.Want{IgnoreQuality: true})
		if err != nil {
			return nil, fmt.Errorf("%s: %w", d.File, err)
		}
		if a.Face == nil {
			return nil, fmt.Errorf("%s: no face found", d.File)
		}
		e, err := est.EstimateFace(img, &a.Face.Landmarks)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", d.File, err)
		}
		out = append(out, knownResult{dated: d, Age: years, Est: e, Decision: chk.Decision, Reason: chk.Reason})
	}
	return out, nil
}

// errorStats are the mean absolute error, the mean signed error (estimate − age) and the
// worst absolute error of years against the true ages.
func errorStats(years, truth []float64) (mae, bias, worst float64) {
	for i := range years {
		d := years[i] - truth[i]
		mae += math.Abs(d)
		bias += d
		worst = math.Max(worst, math.Abs(d))
	}
	n := float64(len(years))
	return mae / n, bias / n, worst
}

func reportKnown(rs []knownResult) {
	fmt.Printf("%d photos with a documented person and day (embedded caption) and a public birth date\n\n", len(rs))
	fmt.Println("| photo | person | age that day | check: estimate [interval] | covered | " + face.ModelAge + " | " + age.SecondOpinion.Name + " | check as the service runs it (min age 18) |")
	fmt.Println("|---|---|---:|---|---|---:|---:|---|")
	truth := make([]float64, len(rs))
	per := map[string][]float64{}
	var names []string
	covered := 0
	for i, r := range rs {
		truth[i] = r.Age
		per["check"] = append(per["check"], r.Est.Years)
		cells := ""
		for _, o := range r.Est.Models {
			if _, ok := per[o.Model]; !ok {
				names = append(names, o.Model)
			}
			per[o.Model] = append(per[o.Model], o.Years)
			cells += fmt.Sprintf(" %.1f |", o.Years)
		}
		in := r.Age >= r.Est.Low && r.Age <= r.Est.High
		if in {
			covered++
		}
		dec := string(r.Decision)
		if r.Reason != "" {
			dec += " (" + r.Reason + ")"
		}
		fmt.Printf("| %s | %s | %.1f | %.1f [%.1f, %.1f] | %v |%s %s |\n", r.File, r.Person, r.Age, r.Est.Years, r.Est.Low, r.Est.High, in, cells, dec)
	}
	fmt.Println()
	fmt.Println("| estimate | MAE (years) | mean signed error | worst |")
	fmt.Println("|---|---:|---:|---:|")
	for _, n := range append([]string{"check"}, names...) {
		if len(per[n]) != len(truth) {
			continue
		}
		mae, bias, worst := errorStats(per[n], truth)
		fmt.Printf("| %s | %.1f | %+.1f | %.1f |\n", n, mae, bias, worst)
	}
	fmt.Printf("\ntrue age inside the check's interval: %d of %d\n", covered, len(rs))
}
