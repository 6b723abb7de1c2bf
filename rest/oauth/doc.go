// Package oauth serves kycd's OAuth endpoints: the protected resource metadata (RFC 9728) in
// every mode, and with the built-in authorization server its metadata (RFC 8414), the
// authorization endpoint with the operator's consent page, the token, registration (RFC 7591),
// revocation (RFC 7009) and JWKS endpoints. The protocol rules live in tools (tools/oauth*.go);
// this package is the HTTP edge over them, like every other adapter.
//
// Design: the consent page finds the operator through the dashboard's Authenticator (a
// session cookie) and carries that session's CSRF token in its form, so it cannot be
// submitted cross-site; it may not be framed. The JSON endpoints take no cookies and answer
// any origin (CORS *), because browser-based MCP clients call them directly.
package oauth
