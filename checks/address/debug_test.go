//go:build debug

package address

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/kycd/kycd/checks/address/synth"
)

func TestDebugOne(t *testing.T) {
	seed, _ := strconv.ParseUint(os.Getenv("SEED"), 10, 64)
	idx, _ := strconv.Atoi(os.Getenv("IDX"))
	vs := strings.Split(os.Getenv("VARIANTS"), ",")
	ss := synth.Generate(seed, idx+1, synth.Options{Variants: vs, Hostile: os.Getenv("HOSTILE") != ""})
	s := ss[idx]
	os.WriteFile("/tmp/debug_doc", s.Bytes, 0o644)
	e, _ := NewEngine(Config{})
	rd, err := e.read(context.Background(), s.Bytes, s.Country)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Println("=== TEXT", rd.engine, rd.conf)
	for _, l := range rd.lines {
		fmt.Println("|" + l)
	}
	fmt.Println("=== OCR")
	for _, l := range rd.ocrLines {
		fmt.Println("|" + l)
	}
	decl, _ := ParseDeclared("", &Address{Line1: s.Declared.Line1, Line2: s.Declared.Line2, City: s.Declared.City, PostalCode: s.Declared.PostalCode, Country: s.Country})
	p := rules[s.Country]
	res := e.decide(rd, p, Input{DeclaredName: s.DeclaredName, DeclaredAddress: decl}, synth.Now, 90)
	res.Text = ""
	fmt.Printf("%+v\n", res)
}
