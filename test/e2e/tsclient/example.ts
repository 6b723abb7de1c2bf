// A small program against the TypeScript types openapi-typescript generates from
// /api/openapi.json (kycd.ts, written by the Go test). tsc type-checks it; node then runs it
// against the live server. usage: node build/example.js BASE_URL API_KEY
import type { components, paths } from "./kycd.js";

type Create = paths["/api/v1/verifications"]["post"];
type CreateBody = NonNullable<Create["requestBody"]>["content"]["application/json"];
type Verification = Create["responses"][201]["content"]["application/json"];
type ApiError = Create["responses"][422]["content"]["application/json"];
type List = paths["/api/v1/verifications"]["get"];
type ListQuery = NonNullable<List["parameters"]["query"]>;
type Page = List["responses"][200]["content"]["application/json"];

declare const process: { argv: string[] }; // no @types/node needed for this
const [base, key] = process.argv.slice(2);
const headers = { Authorization: `Bearer ${key}`, "Content-Type": "application/json" };

async function create(body: CreateBody, idempotencyKey: string): Promise<Verification> {
  const res = await fetch(`${base}/api/v1/verifications`, {
    method: "POST",
    headers: { ...headers, "Idempotency-Key": idempotencyKey },
    body: JSON.stringify(body),
  });
  if (res.status !== 201) {
    const e = (await res.json()) as ApiError;
    throw new Error(`${res.status} ${e.error.code} ${e.error.field ?? ""}: ${e.error.message}`);
  }
  return (await res.json()) as Verification;
}

async function list(q: ListQuery): Promise<Page> {
  const qs = new URLSearchParams();
  for (const s of q.status ?? []) qs.append("status", s);
  if (q.limit !== undefined) qs.set("limit", String(q.limit));
  const res = await fetch(`${base}/api/v1/verifications?${qs}`, { headers });
  return (await res.json()) as Page;
}

// Shared results and nested inputs are named components a program can use (#20).
type Schemas = components["schemas"];
const erika: Schemas["ApplicantData"] = { name: "Erika Mustermann", country: "DE" };
const v = await create({ checks: ["screening"], applicant: erika, external_ref: "ts-client" }, "ts-1");
const statuses: Array<Verification["status"]> = ["pending", "in_progress"];
if (!statuses.includes(v.status)) throw new Error(`unexpected status ${v.status}`);
const replay = await create({ checks: ["screening"], applicant: { name: "Erika Mustermann", country: "DE" }, external_ref: "ts-client" }, "ts-1");
if (replay.id !== v.id) throw new Error("Idempotency-Key did not replay");
const page = await list({ status: ["pending"], limit: 5 });
const rows: Schemas["Verification"][] = page.data ?? [];
if (!rows.some((x) => x.id === v.id)) throw new Error("created verification not listed");
let refused = "";
try {
  await create({ applicant: { email: "not-an-email" } }, "ts-2");
} catch (e) {
  refused = String(e);
}
if (!refused.includes("applicant.email")) throw new Error(`bad input not refused: ${refused}`);
console.log(JSON.stringify({ ok: true, id: v.id, listed: rows.length }));
