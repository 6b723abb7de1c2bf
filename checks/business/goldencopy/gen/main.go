// Command gen builds GLEIF Golden Copy files (LEI-CDF 3.1, RR-CDF, reporting exceptions)
// from the recorded GLEIF API responses in the shared test data, so the offline register
// can be tested against the same companies as the API client.
//
//	go run ./checks/business/goldencopy/gen -api ../shared/testdata/lei/gleif_api_v1 -out /tmp/gc [-zip]
package main

import (
	"flag"
	"fmt"
	"log"
	"os"

	"github.com/kycd/kycd/checks/business/goldencopy"
)

func main() {
	api := flag.String("api", "../shared/testdata/lei/gleif_api_v1", "folder of recorded GLEIF API v1 responses")
	out := flag.String("out", ".", "output folder")
	zipped := flag.Bool("zip", false, "zip each file, as GLEIF publishes them")
	flag.Parse()
	if err := os.MkdirAll(*out, 0o755); err != nil {
		log.Fatal(err)
	}
	files, st, err := goldencopy.GenerateFiles(*api, *out, *zipped)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%d records -> %s\n%d relationships -> %s\n%d reporting exceptions -> %s\n",
		st.Records, files.LEI, st.Relationships, files.RR, st.Exceptions, files.Repex)
}
