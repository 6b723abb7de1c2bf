// Package flow is the hosted verification flow (/verify/{token}) and the Web SDK
// (/sdk/kycd.js): server-rendered html/template pages and one small script, an adapter over
// the tool registry like every other surface. The applicant is a tools.AuthenticateSession
// caller, so the registry itself confines them to their own verification and the
// applicant-facing tools; the handlers call reg.Call and hold no tool logic. A capture step
// appears only when the verification asked for its check and its tool is registered.
//
// Design choices that are not obvious:
//   - No cookies. Inside the SDK's iframe on an integrator's site a cookie is third-party
//     and browsers block it, so the session lives in the URL path (the token already is the
//     bearer secret of hosted_url). POSTs are CSRF-safe because a forger knows neither the
//     path token nor the per-session CSRF token derived from it, and cross-site
//     Origin/Sec-Fetch-Site are refused; pages send no Referer so the token does not leak.
//   - The parent origin for postMessage comes from the SDK in the URL fragment and is used
//     only when it is on the server's frame-ancestors allow-list: a page that may not frame
//     the flow can never receive its kycd:complete message, and only {status, reference}
//     ever crosses.
package flow
