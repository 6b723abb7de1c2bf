package main

import (
	"strings"
	"testing"
)

func TestServeURLWarning(t *testing.T) {
	for _, c := range []struct {
		public, listen, want string
	}{
		{"http://127.0.0.1:8080", "127.0.0.1:8080", ""},                // a developer's machine
		{"http://localhost:8080", "[::1]:8080", ""},                    // same
		{"https://kyc.example.com", "0.0.0.0:8080", ""},                // behind TLS
		{"http://127.0.0.1:8080", "0.0.0.0:8080", "loopback"},          // phones cannot open it
		{"http://kyc.example.com", "0.0.0.0:8080", "not https"},        // no camera
		{"http://192.168.1.20:8080", "192.168.1.20:8080", "not https"}, // LAN, plain http
	} {
		got := serveURLWarning(c.public, c.listen)
		if (c.want == "") != (got == "") || !strings.Contains(got, c.want) {
			t.Errorf("serveURLWarning(%q, %q) = %q, want one saying %q", c.public, c.listen, got, c.want)
		}
	}
}
