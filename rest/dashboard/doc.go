// Package dashboard is the compliance dashboard at /dashboard: server-rendered pages
// (html/template, a little JavaScript, no build step) for operators — review queue, case view,
// search, settings, analytics, reports — and the operator sign-in pages.
//
// Design: it is one more thin adapter over the tool registry. Every page calls the same tools
// the API does, with the signed-in operator's Caller (its account, mode and the scopes of the
// operator's role), so there is no second business logic and every read is audited like any
// other tool call. It never imports db, verify or jobs.
package dashboard
