package signals

import (
	"bufio"
	"encoding/binary"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// ASNTable is an IP-to-ASN table read from ip-location-db's CSV layout
// (ip_range_start,ip_range_end,autonomous_system_number,autonomous_system_organization; the
// ranges inclusive, sorted, not overlapping). ip-location-db publishes its ASN data on npm
// only as CSV (@ip-location-db/asn), so kycd reads that directly into sorted arrays (about
// 10 MB for the 515,000 ranges) instead of asking operators for a MaxMind file.
type ASNTable struct {
	v4   []v4Range
	v6   []v6Range
	orgs []string
	// Source names the files read.
	Source string
}

type v4Range struct{ start, end, asn, org uint32 }

type v6Range struct {
	start, end [16]byte
	asn, org   uint32
}

// OpenASNCSV reads one CSV file (IPv4 and/or IPv6 rows). A file that cannot be parsed is an
// error naming the line.
func OpenASNCSV(path string) (*ASNTable, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("asn table %s: %w", path, err)
	}
	defer f.Close()
	t, err := ReadASNCSV(bufio.NewReaderSize(f, 1<<20))
	if err != nil {
		return nil, fmt.Errorf("asn table %s: %w", path, err)
	}
	t.Source = "ip-location-db ASN CSV " + filepath.Base(path)
	return t, nil
}

// ReadASNCSV reads the CSV layout from r.
func ReadASNCSV(r io.Reader) (*ASNTable, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	t := &ASNTable{}
	orgIndex := map[string]uint32{}
	for line := 1; ; line++ {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		if len(rec) < 3 {
			return nil, fmt.Errorf("line %d: want start,end,asn[,organisation], got %d fields", line, len(rec))
		}
		start, err1 := netip.ParseAddr(strings.TrimSpace(rec[0]))
		end, err2 := netip.ParseAddr(strings.TrimSpace(rec[1]))
		asn, err3 := strconv.ParseUint(strings.TrimSpace(rec[2]), 10, 32)
		if err := errors.Join(err1, err2, err3); err != nil {
			if line == 1 {
				continue // a header row
			}
			return nil, fmt.Errorf("line %d: %w", line, err)
		}
		if start.Is4() != end.Is4() || end.Less(start) {
			return nil, fmt.Errorf("line %d: %s–%s is not a range", line, start, end)
		}
		var org uint32
		if len(rec) > 3 {
			name := rec[3]
			i, ok := orgIndex[name]
			if !ok {
				i = uint32(len(t.orgs))
				t.orgs = append(t.orgs, strings.Clone(name))
				orgIndex[t.orgs[i]] = i
			}
			org = i
		} else {
			org = t.org("")
		}
		if start.Is4() {
			t.v4 = append(t.v4, v4Range{v4(start), v4(end), uint32(asn), org})
		} else {
			t.v6 = append(t.v6, v6Range{start.As16(), end.As16(), uint32(asn), org})
		}
	}
	if len(t.v4)+len(t.v6) == 0 {
		return nil, errors.New("no ranges")
	}
	// The files are sorted; sorting anyway makes a concatenation of them work too.
	sort.Slice(t.v4, func(i, j int) bool { return t.v4[i].start < t.v4[j].start })
	sort.Slice(t.v6, func(i, j int) bool { return less16(t.v6[i].start, t.v6[j].start) })
	return t, nil
}

// org adds (or finds) an organisation name without the index map, for the rare row without one.
func (t *ASNTable) org(name string) uint32 {
	for i, o := range t.orgs {
		if o == name {
			return uint32(i)
		}
	}
	t.orgs = append(t.orgs, name)
	return uint32(len(t.orgs) - 1)
}

func v4(a netip.Addr) uint32 { b := a.As4(); return binary.BigEndian.Uint32(b[:]) }

func less16(a, b [16]byte) bool {
	for i := range a {
		if a[i] != b[i] {
			return a[i] < b[i]
		}
	}
	return false
}

// Ranges is how many ranges the table holds.
func (t *ASNTable) Ranges() int { return len(t.v4) + len(t.v6) }

// Lookup is ip's autonomous system number and organisation, 0 when no range holds it.
func (t *ASNTable) Lookup(ip netip.Addr) (uint32, string) {
	if t == nil || !ip.IsValid() {
		return 0, ""
	}
	ip = ip.Unmap()
	if ip.Is4() {
		x := v4(ip)
		i := sort.Search(len(t.v4), func(i int) bool { return t.v4[i].start > x }) - 1
		if i >= 0 && x <= t.v4[i].end {
			return t.v4[i].asn, t.orgs[t.v4[i].org]
		}
		return 0, ""
	}
	x := ip.As16()
	i := sort.Search(len(t.v6), func(i int) bool { return less16(x, t.v6[i].start) }) - 1
	if i >= 0 && !less16(t.v6[i].end, x) {
		return t.v6[i].asn, t.orgs[t.v6[i].org]
	}
	return 0, ""
}

// OrgOf is the organisation of the first range announced by asn, false when the table has
// none (a linear scan: for checks of a list, not for requests).
func (t *ASNTable) OrgOf(asn uint32) (string, bool) {
	for _, r := range t.v4 {
		if r.asn == asn {
			return t.orgs[r.org], true
		}
	}
	for _, r := range t.v6 {
		if r.asn == asn {
			return t.orgs[r.org], true
		}
	}
	return "", false
}
