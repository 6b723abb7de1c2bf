// Command address measures the proof-of-address engine on generated documents
// (checks/address/synth): decision accuracy per variant, address components read exactly,
// document dates, the hostile cases, and CPU time per document. Output is Markdown for
// docs/benchmarks/address.md. Use a seed the engine was not tuned on (the tests and the
// development runs used seeds 1–3).
//
//	go build -tags tesseract -o /tmp/benchaddr ./bench/address
//	OMP_THREAD_LIMIT=1 nice -n 10 /tmp/benchaddr -seed 20261207 -n 300
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"os"
	"runtime"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/kycd/kycd/checks/address"
	"github.com/kycd/kycd/checks/address/synth"
)

// record is one document's outcome, written as a JSON line as soon as it is known (so a
// long run can be summarised part-way with -summarize).
type record struct {
	ID, Variant, Layout, Lang, Country, Hostile, Expected, Status string
	Components                                                    map[string]bool
	DateOK, KindOK                                                bool
	CPU                                                           time.Duration
}

type tally struct{ n, ok int }

func (t *tally) add(ok bool) {
	t.n++
	if ok {
		t.ok++
	}
}

func (t tally) String() string {
	if t.n == 0 {
		return "—"
	}
	return fmt.Sprintf("%d/%d (%.1f %%)", t.ok, t.n, 100*float64(t.ok)/float64(t.n))
}

func cpuNow() time.Duration {
	var self, kids syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &self)
	_ = syscall.Getrusage(syscall.RUSAGE_CHILDREN, &kids)
	tv := func(t syscall.Timeval) time.Duration {
		return time.Duration(t.Sec)*time.Second + time.Duration(t.Usec)*time.Microsecond
	}
	return tv(self.Utime) + tv(self.Stime) + tv(kids.Utime) + tv(kids.Stime)
}

func main() {
	seed := flag.Uint64("seed", 20261207, "generator seed")
	n := flag.Int("n", 300, "documents")
	hostile := flag.Bool("hostile", true, "include hostile cases (one in five)")
	variants := flag.String("variants", "text_pdf,image_pdf,photo", "variants to make")
	verbose := flag.Bool("v", false, "print every wrong decision")
	jsonl := flag.String("jsonl", "", "append each document's outcome to this file as a JSON line")
	summarize := flag.String("summarize", "", "only print the tables of -jsonl files, comma-separated (a run part-way or finished)")
	from := flag.Int("from", 0, "check only samples from this index on (the same documents: a second process can take the second half)")
	to := flag.Int("to", 0, "check only samples before this index (0 = all n); with -from, processes can share one set")
	flag.Parse()
	if *summarize != "" {
		var recs []record
		seen := map[string]bool{}
		for _, f := range strings.Split(*summarize, ",") {
			rs, err := readRecords(f)
			if err != nil {
				log.Fatal(err)
			}
			for _, r := range rs {
				if !seen[r.ID] { // two processes may both have checked a document
					seen[r.ID] = true
					recs = append(recs, r)
				}
			}
		}
		fmt.Printf("## address bench (summary of %s: %d documents)\n\n", *summarize, len(recs))
		report(recs)
		return
	}
	var out *json.Encoder
	if *jsonl != "" {
		f, err := os.OpenFile(*jsonl, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o644)
		if err != nil {
			log.Fatal(err)
		}
		defer f.Close()
		out = json.NewEncoder(f)
	}

	eng, err := address.NewEngine(address.Config{})
	if err != nil {
		log.Fatal(err)
	}
	gen := time.Now()
	end := *n
	if *to > 0 {
		end = min(*to, *n)
	}
	// The generator draws documents in order, so the first end of n are those of the set of n.
	samples := synth.Generate(*seed, end, synth.Options{Variants: strings.Split(*variants, ","), Hostile: *hostile})
	genTime := time.Since(gen)

	var recs []record
	for _, s := range samples[min(*from, len(samples)):] {
		decl, err := address.ParseDeclared("", &address.Address{Line1: s.Declared.Line1, Line2: s.Declared.Line2, City: s.Declared.City,
			PostalCode: s.Declared.PostalCode, Region: s.Declared.Region, Country: s.Country})
		if err != nil {
			log.Fatalf("%s: declared address: %v", s.ID, err)
		}
		t0 := cpuNow()
		res, err := eng.Check(context.Background(), address.Input{Document: s.Bytes, DeclaredName: s.DeclaredName, DeclaredAddress: decl,
			MaxAgeDays: synth.MaxAgeDays, Now: synth.Now})
		dt := cpuNow() - t0
		if err != nil {
			log.Printf("%s: %v", s.ID, err)
			res.Status = "error"
		}
		good := res.Status == s.Expected
		rec := record{ID: s.ID, Variant: s.Variant, Layout: s.Layout, Lang: s.Lang, Country: s.Country, Hostile: s.Hostile,
			Expected: s.Expected, Status: res.Status, Components: map[string]bool{}, CPU: dt,
			DateOK: res.DocumentDate == s.Issue.Format("2006-01-02"), KindOK: res.DocumentKind == s.Kind}
		for c, m := range res.AddressMatch.Components {
			rec.Components[c] = m.Matched && m.Score >= 0.9
		}
		recs = append(recs, rec)
		if out != nil {
			_ = out.Encode(rec)
		}
		if !good && *verbose {
			fmt.Fprintf(os.Stderr, "WRONG %s %s/%s/%s/%s hostile=%q expected=%s got=%s date=%s(%s) want %s name=%q %v addr=%v kind=%s\n",
				s.ID, s.Variant, s.Layout, s.Lang, s.Country, s.Hostile, s.Expected, res.Status, res.DocumentDate, res.DateLabel,
				s.Issue.Format("2006-01-02"), res.AddresseeName, res.NameMatch, componentsString(res.AddressMatch.Components), res.DocumentKind)
			for _, r := range res.Reasons {
				fmt.Fprintf(os.Stderr, "    %s %s: %s", r.Effect, r.Code, r.Message)
				if len(r.Data) > 0 {
					fmt.Fprintf(os.Stderr, " %v", r.Data)
				}
				fmt.Fprintln(os.Stderr)
			}
			if res.ExtractedAddress != nil {
				fmt.Fprintf(os.Stderr, "    read: %+v\n", *res.ExtractedAddress)
			}
			fmt.Fprintf(os.Stderr, "    declared: %q %+v\n", s.DeclaredName, decl)
		}
	}
	fmt.Printf("## address bench (seed %d, %d documents, GOMAXPROCS=%d, %s/%s, OMP_THREAD_LIMIT=%s, tesseract=%v)\n\n",
		*seed, *n, runtime.GOMAXPROCS(0), runtime.GOOS, runtime.GOARCH, os.Getenv("OMP_THREAD_LIMIT"), address.TesseractAvailable)
	fmt.Printf("Generated in %s.\n\n", genTime.Round(time.Millisecond))
	report(recs)
}

func readRecords(path string) ([]record, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var out []record
	for _, l := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		if l == "" {
			continue
		}
		var r record
		if err := json.Unmarshal([]byte(l), &r); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}

// report prints the tables: decisions per variant on genuine documents, components, dates,
// kinds, hostile cases, approvals of hostile documents, CPU per document.
func report(recs []record) {
	decision := map[string]*tally{}
	dates := map[string]*tally{}
	comps := map[string]*tally{}
	cpu := map[string][]time.Duration{}
	kinds := &tally{}
	hostileT := map[string]*tally{}
	wrongApprovals := 0
	confusion := map[string]int{}
	variants := []string{"text_pdf", "image_pdf", "photo"}
	for _, v := range variants {
		decision[v], dates[v] = &tally{}, &tally{}
	}
	names := []string{"house_number", "street", "postal_code", "city", "country"}
	for _, c := range names {
		comps[c] = &tally{}
	}
	for _, r := range recs {
		good := r.Status == r.Expected
		confusion[r.Expected+" → "+r.Status]++
		if r.Hostile != synth.HostileTextMismatch {
			cpu[r.Variant] = append(cpu[r.Variant], r.CPU)
		}
		if r.Hostile != "" {
			hostileT[r.Hostile+" ("+r.Variant+")"] = orNew(hostileT[r.Hostile+" ("+r.Variant+")"])
			hostileT[r.Hostile+" ("+r.Variant+")"].add(good)
			if r.Status == address.StatusApproved {
				wrongApprovals++
			}
			continue
		}
		decision[r.Variant].add(good)
		for _, c := range names {
			comps[c].add(r.Components[c])
		}
		dates[r.Variant].add(r.DateOK)
		kinds.add(r.KindOK)
	}
	fmt.Println("| variant | correct decisions (genuine documents) | document date right | CPU per document median / p90 |")
	fmt.Println("|---|---|---|---|")
	for _, v := range variants {
		fmt.Printf("| %s | %s | %s | %s / %s |\n", v, decision[v], dates[v], pct(cpu[v], 0.5), pct(cpu[v], 0.9))
	}
	fmt.Println()
	fmt.Println("| address component (genuine documents, all variants) | read and matched exactly |")
	fmt.Println("|---|---|")
	for _, c := range names {
		fmt.Printf("| %s | %s |\n", c, comps[c])
	}
	fmt.Printf("\nDocument kind right: %s\n\n", kinds)
	fmt.Println("| hostile case | rejected (expected) |")
	fmt.Println("|---|---|")
	hs := make([]string, 0, len(hostileT))
	for h := range hostileT {
		hs = append(hs, h)
	}
	sort.Strings(hs)
	for _, h := range hs {
		fmt.Printf("| %s | %s |\n", h, hostileT[h])
	}
	fmt.Printf("\n**Approvals of a hostile document (wrong name, wrong address, too old, doctored): %d**\n\n", wrongApprovals)
	fmt.Println("Decisions, expected → got:")
	ks := make([]string, 0, len(confusion))
	for k := range confusion {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	for _, k := range ks {
		fmt.Printf("- %s: %d\n", k, confusion[k])
	}
}

func orNew(t *tally) *tally {
	if t == nil {
		return &tally{}
	}
	return t
}

func componentsString(c map[string]address.Match) string {
	var b strings.Builder
	for _, k := range []string{"house_number", "street", "postal_code", "city", "country"} {
		fmt.Fprintf(&b, "%s=%.2f ", k, c[k].Score)
	}
	return b.String()
}

func pct(ds []time.Duration, p float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[int(p*float64(len(s)-1))].Round(time.Millisecond)
}
