// Package dashboard is the compliance dashboard at /dashboard: server-rendered pages
// (html/template, a little JavaScript, no build step) for operators — review queue, case view,
// search, settings, analytics, reports — and the operator sign-in pages.
//
// Design: it is one more thin adapter over the tool registry. Every page calls the same tools
// the API does, with the signed-in operator's Caller (its account, mode and the scopes of the
// operator's role), so there is no second business logic and every read is audited like any
// other tool call. It never imports db, verify or jobs.
package dashboard

// Every list page builds one table that renders as HTML or, with ?format=csv, as CSV, so an
// export is exactly what the page shows. Charts are SVG drawn on the server (no chart library,
// no inline script or style: the CSP has no unsafe-inline), each with its numbers as a table.
// A POST needs the session's CSRF token (form field "csrf"); the secret of a new API key is
// shown in the response to the POST that created it, never in a redirect URL.
//
// A viewer sees applicants' personal data masked on the server (mask.go) until an audited,
// per-session, time-limited reveal of one case; reviewers and admins see it unmasked.
