// Command synthgen writes synthetic identity documents (checks/document/synth)
// to a directory: one image per side plus a JSON file with the ground truth.
//
//	go run ./bench/document/synthgen -n 20 -seed 0 -out /tmp/synth
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"math/rand/v2"
	"os"
	"path/filepath"

	"github.com/kycd/kycd/checks/document/synth"
)

func main() {
	n := flag.Int("n", 10, "documents to write")
	seed := flag.Uint64("seed", 0, "first seed; document i uses seed+i")
	out := flag.String("out", "synth-docs", "output directory")
	kind := flag.String("kind", "mixed", "TD1, TD3 or mixed (alternating)")
	clean := flag.Bool("clean", false, "no degradations (straight, sharp, PNG)")
	flag.Parse()
	if err := os.MkdirAll(*out, 0o755); err != nil {
		log.Fatal(err)
	}
	for i := 0; i < *n; i++ {
		s := *seed + uint64(i)
		k := synth.Kind(*kind)
		if *kind == "mixed" {
			k = synth.TD3
			if i%2 == 1 {
				k = synth.TD1
			}
		}
		if k != synth.TD1 && k != synth.TD3 {
			log.Fatalf("kind %q: want TD1, TD3 or mixed", *kind)
		}
		r := rand.New(rand.NewPCG(s, 1))
		opts := synth.Options{Kind: k}
		if !*clean {
			opts = synth.RandomOptions(r, k)
		}
		doc, err := synth.Render(synth.RandomIdentity(r, k), opts, r)
		if err != nil {
			log.Fatalf("seed %d: %v", s, err)
		}
		ext := "png"
		if doc.Format == "jpeg" {
			ext = "jpg"
		}
		base := filepath.Join(*out, fmt.Sprintf("doc_%06d", s))
		if err := os.WriteFile(base+"_front."+ext, doc.Front, 0o644); err != nil {
			log.Fatal(err)
		}
		if doc.Back != nil {
			if err := os.WriteFile(base+"_back."+ext, doc.Back, 0o644); err != nil {
				log.Fatal(err)
			}
		}
		meta, _ := json.MarshalIndent(doc, "", "  ")
		if err := os.WriteFile(base+".json", meta, 0o644); err != nil {
			log.Fatal(err)
		}
	}
	log.Printf("wrote %d documents to %s", *n, *out)
}
