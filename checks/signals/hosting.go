package signals

import (
	_ "embed"
	"strconv"
	"strings"
)

//go:embed hosting_asns.txt
var hostingList string

// hostingASNs is hosting_asns.txt, read once.
var hostingASNs = func() map[uint32]string {
	m := map[uint32]string{}
	for _, line := range strings.Split(hostingList, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		num, name, _ := strings.Cut(line, " ")
		n, err := strconv.ParseUint(num, 10, 32)
		if err != nil {
			panic("hosting_asns.txt: bad line " + line)
		}
		m[uint32(n)] = strings.TrimSpace(name)
	}
	return m
}()

// HostingASN reports whether asn is a major hosting or cloud provider's (hosting_asns.txt).
func HostingASN(asn uint32) bool {
	_, ok := hostingASNs[asn]
	return ok && asn != 0
}

// HostingList is the hosting list: ASN → the provider's name as written in hosting_asns.txt.
func HostingList() map[uint32]string {
	out := make(map[uint32]string, len(hostingASNs))
	for k, v := range hostingASNs {
		out[k] = v
	}
	return out
}
