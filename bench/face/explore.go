//go:build onnx

package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/kycd/kycd/checks/face"
	"github.com/kycd/kycd/checks/face/imaging"
)

// explore prints what every model says about every photo.
func explore(eng *face.Engine, testdata, dump string) error {
	photos, err := loadPhotos(testdata)
	if err != nil {
		return err
	}
	sf, _ := filepath.Glob(filepath.Join(testdata, "faces", "Silent-Face-Anti-Spoofing", "images", "sample", "*.jpg"))
	for _, p := range sf {
		rel, _ := filepath.Rel(testdata, p)
		photos = append(photos, photo{Path: p, Name: rel})
	}
	fmt.Printf("%-62s %5s %4s %6s %5s %6s %6s %-18s %-18s %5s %5s %s\n", "photo", "faces", "side", "bright", "sharp", "lyaw", "lpitch", "quality", "modelpose y/p/r", "live", "age", "eyes")
	for _, p := range photos {
		data, err := os.ReadFile(p.Path)
		if err != nil {
			return err
		}
		kind := face.KindSelfie
		if p.Document {
			kind = face.KindDocument
		}
		img, err := imaging.Decode(data)
		if err != nil {
			fmt.Printf("%-62s error: %v\n", p.Name, err)
			continue
		}
		a, err := eng.Analyze(img, kind, face.Want{Liveness: true, Age: true, Eyes: true, ModelPose: true, IgnoreQuality: true})
		if err != nil {
			fmt.Printf("%-62s error: %v\n", p.Name, err)
			continue
		}
		if dump != "" {
			if err := dumpFace(dump, p.Name, img, a.Face); err != nil {
				return err
			}
		}
		if a.Face == nil {
			fmt.Printf("%-62s %5d  no face (%dx%d)\n", p.Name, len(a.Detections), a.Width, a.Height)
			continue
		}
		f := a.Face
		q := a.Quality
		status := "ok"
		if !q.OK {
			status = q.Reason
		}
		fmt.Printf("%-62s %5d %4.0f %6.1f %5.0f %6.1f %6.1f %-18s %5.1f/%5.1f/%5.1f %5.3f %5.1f %.2f/%.2f  score=%.3f\n", p.Name, len(a.Detections), q.FaceSize, q.Brightness, q.Sharpness,
			f.LandmarkPose.Yaw, f.LandmarkPose.Pitch, status, f.ModelPose.Yaw, f.ModelPose.Pitch, f.ModelPose.Roll, *f.Liveness, *f.Age, f.EyesOpen[0], f.EyesOpen[1], f.Box.Score)
	}
	return nil
}
