// Package webhook is kycd's outbound side of webhooks, with no database in it: the SSRF policy,
// the HTTP client that enforces it at connect time, the signature scheme and the retry schedule.
//
// The policy is checked twice on purpose: at registration (a clear error for the integrator) and
// in the dialer, on the IP actually being connected to, so a name that resolves to a public
// address at registration and to 127.0.0.1 later (DNS rebinding) is still refused.
//
// Signature: X-Kycd-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>,
// with one v1 per valid secret (two during a rotation's grace period). The HMAC key is the whole
// secret string, whsec_ prefix included, as receivers copy it.
package webhook
