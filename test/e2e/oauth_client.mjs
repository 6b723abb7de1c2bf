// Drives kycd's OAuth with the official MCP TypeScript SDK's OAuth client provider over
// Streamable HTTP: discovery from the 401, dynamic registration, PKCE, consent in a real
// browser, tool calls, a refresh the SDK does itself, reuse of a rotated refresh token (the
// grant dies), re-authorization and revocation.
//
// Like a desktop MCP client, it listens on a loopback redirect URI (RFC 8252) and "opens the
// browser" by printing one line, AUTHORIZE <url>, on stdout: the Go test (oauth_test.go) opens
// it in headless Chromium, where an operator signs in on the dashboard's real page and approves
// on the consent page; the browser then lands on this script's /callback with the code.
//
// usage: node oauth_client.mjs URL   (prints AUTHORIZE lines, then one JSON line of what it saw)
import http from "node:http";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { UnauthorizedError } from "@modelcontextprotocol/sdk/client/auth.js";

const [base] = process.argv.slice(2);
const mcpURL = new URL("/mcp", base);
const fail = (msg) => {
  console.error("FAIL:", msg);
  process.exit(1);
};
const seen = { authorizeURLs: [], tokenRequests: [], callbacks: [] };

// Every request the SDK makes goes through here, so the test can see the OAuth traffic.
const fetchFn = async (url, init) => {
  const u = new URL(url.toString());
  if (u.pathname === "/oauth/token") seen.tokenRequests.push(new URLSearchParams(init?.body?.toString() ?? "").get("grant_type"));
  return fetch(url, init);
};

// The loopback redirect URI: the browser brings the code here.
let waiting;
const callback = http.createServer((req, res) => {
  const u = new URL(req.url, "http://127.0.0.1");
  if (u.pathname !== "/callback") {
    res.writeHead(404).end();
    return;
  }
  const got = { code: u.searchParams.get("code"), state: u.searchParams.get("state"), iss: u.searchParams.get("iss"),
    error: u.searchParams.get("error") };
  seen.callbacks.push({ state: got.state, iss: got.iss, error: got.error, hasCode: !!got.code });
  res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
  res.end('<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Connected</title></head><body><h1 id="done">Connected; you may close this window.</h1></body></html>');
  if (waiting) waiting(got);
});
await new Promise((ok) => callback.listen(0, "127.0.0.1", ok));
const redirectURL = `http://127.0.0.1:${callback.address().port}/callback`;

class Provider {
  constructor() {
    this.info = undefined;
    this._tokens = undefined;
    this.verifier = undefined;
    this.pendingCode = undefined;
    this.allowReauth = true;
  }
  get redirectUrl() {
    return redirectURL;
  }
  get clientMetadata() {
    return { client_name: "kycd e2e agent", redirect_uris: [this.redirectUrl], grant_types: ["authorization_code", "refresh_token"],
      response_types: ["code"], token_endpoint_auth_method: "none" };
  }
  state() {
    return "e2e-state";
  }
  clientInformation() {
    return this.info;
  }
  saveClientInformation(info) {
    this.info = info;
  }
  tokens() {
    return this._tokens;
  }
  saveTokens(t) {
    this._tokens = t;
  }
  saveCodeVerifier(v) {
    this.verifier = v;
  }
  codeVerifier() {
    return this.verifier;
  }
  invalidateCredentials(scope) {
    if (scope === "all" || scope === "tokens") this._tokens = undefined;
  }
  // "Open the browser" and wait for it to come back to the redirect URI.
  async redirectToAuthorization(url) {
    seen.authorizeURLs.push(url.toString());
    if (!this.allowReauth) throw new Error("reauthorization requested");
    const back = new Promise((ok, ko) => {
      const timer = setTimeout(() => ko(new Error("no callback from the browser within 90 s")), 90_000);
      waiting = (got) => {
        clearTimeout(timer);
        ok(got);
      };
    });
    console.log(`AUTHORIZE ${url}`);
    const got = await back;
    waiting = undefined;
    if (got.error) fail(`the browser came back with error=${got.error}`);
    if (got.state !== "e2e-state") fail(`state not returned: ${got.state}`);
    if (got.iss !== new URL(base).origin) fail(`iss ${got.iss}`);
    this.pendingCode = got.code;
  }
}

// connect runs the authorization when needed: the first attempt gets the 401, the SDK discovers,
// registers and sends the browser to consent; finishAuth exchanges the code; then reconnect.
async function connect(provider) {
  let transport = new StreamableHTTPClientTransport(mcpURL, { authProvider: provider, fetch: fetchFn });
  let client = new Client({ name: "kycd-oauth-e2e", version: "1.0.0" });
  try {
    await client.connect(transport);
    return client;
  } catch (e) {
    if (!(e instanceof UnauthorizedError)) throw e;
  }
  if (!provider.pendingCode) fail("no authorization code after the 401");
  await transport.finishAuth(provider.pendingCode);
  provider.pendingCode = undefined;
  transport = new StreamableHTTPClientTransport(mcpURL, { authProvider: provider, fetch: fetchFn });
  client = new Client({ name: "kycd-oauth-e2e", version: "1.0.0" });
  await client.connect(transport);
  return client;
}

const tokenEndpoint = new URL("/oauth/token", base);
async function rawRefresh(provider, refreshToken) {
  const res = await fetch(tokenEndpoint, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ grant_type: "refresh_token", refresh_token: refreshToken, client_id: provider.info.client_id }) });
  return { status: res.status, body: await res.json() };
}

// claims reads an access token's payload (the test checks the account the consent chose).
const claims = (jwt) => JSON.parse(Buffer.from(jwt.split(".")[1], "base64url").toString());

const provider = new Provider();
let client = await connect(provider);
const authURL = new URL(seen.authorizeURLs[0]);
seen.authorize = {
  path: authURL.pathname,
  code_challenge_method: authURL.searchParams.get("code_challenge_method"),
  has_challenge: (authURL.searchParams.get("code_challenge") ?? "").length >= 43,
  resource: authURL.searchParams.get("resource"),
  scope: authURL.searchParams.get("scope"),
};
seen.clientID = provider.info?.client_id;
seen.redirectURL = redirectURL;
const c1 = claims(provider.tokens().access_token);
seen.token = { account: c1.kycd_account, mode: c1.kycd_mode, scope: provider.tokens().scope };

const { tools } = await client.listTools();
seen.tools = tools.length;
seen.listsCreate = tools.some((t) => t.name === "create_verification");
const created = await client.callTool({ name: "create_verification", arguments: { checks: ["document"] } });
if (created.isError) fail(`create_verification: ${JSON.stringify(created.content)}`);
seen.verification = created.structuredContent.id;
const got = await client.callTool({ name: "get_verification", arguments: { id: seen.verification } });
seen.gotMode = got.structuredContent?.mode;

// Refresh: the access token goes bad; the SDK gets 401, refreshes with its refresh token, retries.
const first = provider.tokens();
provider.saveTokens({ ...first, access_token: "e.y.z" });
client = await connect(provider);
const again = await client.callTool({ name: "get_verification", arguments: { id: seen.verification } });
seen.afterRefresh = !again.isError;
const second = provider.tokens();
seen.rotated = second.refresh_token !== first.refresh_token && second.access_token !== "e.y.z";

// Reuse of the rotated (spent) refresh token: refused, and the grant's tokens all die.
const reuse = await rawRefresh(provider, first.refresh_token);
seen.reuse = { status: reuse.status, error: reuse.body.error };
const dead = await fetch(mcpURL, { method: "POST", headers: { authorization: `Bearer ${second.access_token}`,
  "content-type": "application/json", accept: "application/json, text/event-stream" },
  body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" }) });
seen.afterReuse = { status: dead.status, challenge: dead.headers.get("www-authenticate") };
seen.currentRefreshAfterReuse = (await rawRefresh(provider, second.refresh_token)).body.error;

// Revocation: authorize again (the SDK reuses its registration), then revoke the refresh token.
provider.invalidateCredentials("tokens");
client = await connect(provider);
seen.reauthorized = !(await client.callTool({ name: "get_verification", arguments: { id: seen.verification } })).isError;
const third = provider.tokens();
seen.reauthAccount = claims(third.access_token).kycd_account;
const rev = await fetch(new URL("/oauth/revoke", base), { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" },
  body: new URLSearchParams({ token: third.refresh_token, token_type_hint: "refresh_token", client_id: provider.info.client_id }) });
seen.revoke = rev.status;
provider.allowReauth = false;
try {
  client = await connect(provider);
  const r = await client.callTool({ name: "get_verification", arguments: { id: seen.verification } });
  seen.afterRevoke = r.isError ? "tool error" : "worked";
} catch (e) {
  seen.afterRevoke = String(e.message ?? e);
}
callback.close();
console.log(JSON.stringify(seen));
process.exit(0);
