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
	Browser string `json:"browser" jsonschema:"browser and major version (Chrome 126); empty when unknown"`
	OS      string `json:"os" jsonschema:"OS (Android 14, iOS 17, Windows); empty when unknown"`
	Device  string `json:"device" jsonschema:"desktop, mobile, tablet or bot; empty when unknown"`
}

// RequestSignals are the network and device signals of one applicant request. Stored sealed:
// an IP address is personal data.
type RequestSignals struct {
	IP        string          `json:"ip" jsonschema:"client IP (behind the trusted proxies)"`
	Country   string          `json:"country,omitempty" jsonschema:"the IP's country (alpha-2); absent when unknown (see lookup)"`
	ASN       uint32          `json:"asn,omitempty" jsonschema:"the IP's autonomous system number; absent when unknown (see lookup)"`
	ASOrg     string          `json:"as_org,omitempty" jsonschema:"the autonomous system's organisation"`
	Hosting   bool            `json:"hosting" jsonschema:"the ASN is a hosting or cloud provider's"`
	UserAgent SignalUserAgent `json:"user_agent" jsonschema:"the request's browser, OS and device type"`
	SeenAt    time.Time       `json:"seen_at" jsonschema:"when the request was made"`
	// Lookup says what could not be looked up (no country or ASN database), empty when all was.
	Lookup string `json:"lookup,omitempty" jsonschema:"what could not be looked up (no ASN database, say); absent when all was"`
}
