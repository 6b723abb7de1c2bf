package models

import "time"

// Signal reason codes (issue #28). They describe the applicant's connection, not the person,
// and move a decision only under --signals-policy review.
const (
	// ReasonIPCountryMismatch: the IP's country is not the applicant's country.
	ReasonIPCountryMismatch = "ip_country_mismatch"
	// ReasonHostingASN: the IP belongs to a hosting or cloud provider (a VPN, proxy or bot).
	ReasonHostingASN = "hosting_asn"
	// ReasonIPVelocity: more verifications than the limit came from the IP within an hour.
	ReasonIPVelocity = "ip_velocity"
)

// SignalUserAgent is a request's User-Agent reduced to families.
type SignalUserAgent struct {
	Browser string `json:"browser" jsonschema:"browser family and major version (e.g. Chrome 126), empty when not recognised"`
	OS      string `json:"os" jsonschema:"operating system (e.g. Android 14, iOS 17, Windows, macOS), empty when not recognised"`
	Device  string `json:"device" jsonschema:"desktop, mobile, tablet or bot; empty when not recognised"`
}

// RequestSignals are the network and device signals of one applicant request. Stored sealed:
// an IP address is personal data.
type RequestSignals struct {
	IP        string          `json:"ip" jsonschema:"the client IP (behind the server's trusted proxies)"`
	Country   string          `json:"country,omitempty" jsonschema:"the IP's country, ISO 3166-1 alpha-2; absent when no country database is configured or the IP is not in it"`
	ASN       uint32          `json:"asn,omitempty" jsonschema:"the IP's autonomous system number; absent when no ASN database is configured or the IP is not in it"`
	ASOrg     string          `json:"as_org,omitempty" jsonschema:"the autonomous system's organisation"`
	Hosting   bool            `json:"hosting" jsonschema:"the ASN is a hosting or cloud provider's (kycd's list)"`
	UserAgent SignalUserAgent `json:"user_agent" jsonschema:"the request's browser, OS and device type"`
	SeenAt    time.Time       `json:"seen_at" jsonschema:"when the request was made"`
	// Lookup says what could not be looked up (no country or ASN database), empty when all was.
	Lookup string `json:"lookup,omitempty" jsonschema:"what could not be looked up, e.g. 'no ASN database configured'; absent when country and ASN were looked up"`
}
