// Package signals reads the network and device signals of an applicant's request: the client
// IP (behind trusted proxies), the user agent as browser, OS and device type, and the IP's
// country and autonomous system from MaxMind-format databases. It holds no state and stores
// nothing; verify decides what the signals mean for a verification.
package signals
