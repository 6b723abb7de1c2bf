//go:build onnx

package main

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// photo is one test image with its identity label ("" = not used in pairs).
type photo struct {
	Path     string
	Name     string // path relative to the testdata dir
	Identity string
	Document bool // a specimen document scan: one distinct person each
}

// identity derives the person from the file name, as faces/PROVENANCE.md says.
func identity(rel string) string {
	base := strings.ToLower(filepath.Base(rel))
	switch {
	case strings.HasPrefix(base, "obama"):
		return "obama"
	case strings.HasPrefix(base, "biden"):
		return "biden"
	case strings.Contains(rel, "kit_harington/"), strings.HasPrefix(base, "johnsnow"):
		return "kit_harington"
	case strings.Contains(rel, "rose_leslie/"):
		return "rose_leslie"
	case strings.Contains(rel, "alex_lacamoire"):
		return "alex_lacamoire"
	}
	return ""
}

// loadPhotos lists the face_recognition photos (labelled) and the MRZ
// document scans (each its own identity).
func loadPhotos(testdata string) ([]photo, error) {
	var out []photo
	root := filepath.Join(testdata, "faces", "face_recognition")
	err := filepath.Walk(root, func(p string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(testdata, p)
		out = append(out, photo{Path: p, Name: rel, Identity: identity(rel)})
		return nil
	})
	if err != nil {
		return nil, err
	}
	docs, err := filepath.Glob(filepath.Join(testdata, "mrz", "images", "*", "*"))
	if err != nil {
		return nil, err
	}
	for _, p := range docs {
		rel, _ := filepath.Rel(testdata, p)
		out = append(out, photo{Path: p, Name: rel, Identity: docIdentity(filepath.Base(p)), Document: true})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// docIdentity labels a specimen document's portrait. PROVENANCE says each
// document is a different person, but the scores (0.97–0.996) and a look at
// the crops show that the ICAO specimen portrait is reused across five files
// and the Czech specimen appears in both collections; they are labelled the
// same person here so they are not miscounted as false accepts.
func docIdentity(base string) string {
	switch base {
	case "passport-td2.jpg", "passport-td3.jpg", "other_TD2_ICAO_Example.png", "visas_MRVA_ICAO_Example.png", "visas_MRVB_ICAO_Example.png":
		return "doc:icao-specimen"
	case "passports_Czech_Republic.png", "100_pass-cze.jpg":
		return "doc:cz-specimen"
	}
	return "doc:" + base
}
