// Drives a running kycd with the official MCP TypeScript SDK: lists the tools, creates a
// verification, reads it back, and checks every structuredContent against the tool's
// advertised outputSchema (the SDK validates too; Ajv here makes the check explicit).
//
// usage: node mcp_client.mjs http URL KEY
//        node mcp_client.mjs stdio KYCD_BINARY DATA_DIR KEY
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import Ajv from "ajv";

const [mode, target, ...rest] = process.argv.slice(2);
let transport;
if (mode === "http") {
  const [key] = rest;
  transport = new StreamableHTTPClientTransport(new URL(target), {
    requestInit: { headers: { Authorization: `Bearer ${key}` } },
  });
} else if (mode === "stdio") {
  const [dataDir, key] = rest;
  transport = new StdioClientTransport({
    command: target,
    args: ["mcp", "--data-dir", dataDir],
    env: { ...process.env, KYCD_API_KEY: key },
    stderr: "inherit",
  });
} else {
  console.error("usage: mcp_client.mjs http URL KEY | stdio BINARY DATA_DIR KEY");
  process.exit(2);
}

const fail = (msg) => {
  console.error("FAIL:", msg);
  process.exit(1);
};

const client = new Client({ name: "kycd-e2e", version: "1.0.0" });
await client.connect(transport);

const { tools } = await client.listTools();
const byName = Object.fromEntries(tools.map((t) => [t.name, t]));
for (const name of ["create_verification", "get_verification", "list_verifications", "cancel_verification", "submit_verification"]) {
  const t = byName[name];
  if (!t) fail(`tool ${name} not listed`);
  if (!t.inputSchema || t.inputSchema.type !== "object") fail(`${name}: no object inputSchema`);
  if (!t.outputSchema || t.outputSchema.type !== "object") fail(`${name}: no object outputSchema`);
  for (const hint of ["readOnlyHint", "destructiveHint", "idempotentHint", "openWorldHint"]) {
    if (typeof t.annotations?.[hint] !== "boolean") fail(`${name}: annotation ${hint} not set`);
  }
}

const ajv = new Ajv({ strict: false, allErrors: true });
// Every tool, as this client and Ajv read it (#20): no union types or top-level anyOf/oneOf/allOf
// in its input (agent platforms refuse them), its examples fit its input schema, and its output
// schema (with its $defs) compiles.
const unions = (s, path) => {
  if (!s || typeof s !== "object") return;
  if (Array.isArray(s.type)) fail(`${path}: union type ${JSON.stringify(s.type)}`);
  for (const [k, p] of Object.entries(s.properties ?? {})) unions(p, `${path}.${k}`);
  unions(s.items, `${path}[]`);
};
for (const t of tools) {
  for (const k of ["anyOf", "oneOf", "allOf"]) if (t.inputSchema[k]) fail(`${t.name}: top-level ${k} in inputSchema`);
  unions(t.inputSchema, t.name);
  const examples = t.inputSchema.examples ?? [];
  if (examples.length === 0) fail(`${t.name}: no example input`);
  const validIn = ajv.compile(t.inputSchema);
  for (const ex of examples) if (!validIn(ex)) fail(`${t.name}: example ${JSON.stringify(ex)} does not fit: ${ajv.errorsText(validIn.errors)}`);
  ajv.compile(t.outputSchema);
}
const checked = (name, result) => {
  if (result.isError) fail(`${name} returned an error: ${JSON.stringify(result.content)}`);
  const validate = ajv.compile(byName[name].outputSchema);
  if (!validate(result.structuredContent)) {
    fail(`${name}: structuredContent does not match outputSchema: ${ajv.errorsText(validate.errors)}`);
  }
  if (!result.content?.[0]?.text) fail(`${name}: no text content`);
  return result.structuredContent;
};

const created = checked(
  "create_verification",
  await client.callTool({
    name: "create_verification",
    arguments: { checks: ["screening"], applicant: { name: "Erika Mustermann", dob: "1964-08-12", country: "DE" }, external_ref: `e2e-${mode}` },
  }),
);
if (created.status !== "pending" || !created.id.startsWith("ver_")) fail(`unexpected creation: ${JSON.stringify(created)}`);

const got = checked("get_verification", await client.callTool({ name: "get_verification", arguments: { id: created.id } }));
if (got.id !== created.id || got.reference !== created.reference) fail("get_verification returned another verification");

// A tool error is an isError result whose text names the field.
const bad = await client.callTool({ name: "create_verification", arguments: { applicant: { email: "not-an-email" } } });
if (!bad.isError || !bad.content[0].text.includes("applicant.email")) fail(`bad input not reported: ${JSON.stringify(bad)}`);

checked("list_verifications", await client.callTool({ name: "list_verifications", arguments: { limit: 5 } }));
await client.close();
console.log(JSON.stringify({ ok: true, mode, tools: tools.length, id: created.id }));
