package db

import (
	"fmt"
	"net/url"
	"strings"
)

// NormalizeOrigin checks that o is a web origin (scheme://host[:port], http or https, no
// path, query or wildcard) and returns it lower-cased: the form CSP frame-ancestors and
// postMessage target origins need.
func NormalizeOrigin(o string) (string, error) {
	u, err := url.Parse(strings.TrimSpace(o))
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil ||
		(u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" || strings.ContainsAny(u.Host, "*' ;,") {
		return "", fmt.Errorf("%q is not an origin like https://shop.example.com", o)
	}
	return u.Scheme + "://" + strings.ToLower(u.Host), nil
}
