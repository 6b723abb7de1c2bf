// Drives /rpc/ws with Node's built-in WebSocket client (undici): a JSON-RPC call, an error
// with its data.field, and a batch-free pipeline of concurrent calls answered by id.
// usage: node ws_client.mjs WS_URL KEY
const [url, key] = process.argv.slice(2);
const fail = (msg) => {
  console.error("FAIL:", msg);
  process.exit(1);
};
const ws = new WebSocket(url, { headers: { Authorization: `Bearer ${key}` } });
const pending = new Map();
ws.addEventListener("message", (ev) => {
  const msg = JSON.parse(ev.data);
  const p = pending.get(msg.id);
  if (!p) fail(`answer to unknown id ${msg.id}`);
  pending.delete(msg.id);
  p(msg);
});
ws.addEventListener("error", (ev) => fail(`websocket error: ${ev.message ?? ev.type}`));
await new Promise((resolve) => ws.addEventListener("open", resolve));
let next = 1;
const call = (method, params) =>
  new Promise((resolve) => {
    const id = next++;
    pending.set(id, resolve);
    ws.send(JSON.stringify({ jsonrpc: "2.0", id, method, params }));
  });

const created = await call("create_verification", { checks: ["screening"], applicant: { name: "Web Socket" } });
if (created.error) fail(`create: ${JSON.stringify(created.error)}`);
const id = created.result.id;
const [got, bad, discover] = await Promise.all([
  call("get_verification", { id }),
  call("get_verification", { id: "" }),
  call("rpc.discover"),
]);
if (got.result?.id !== id) fail(`get: ${JSON.stringify(got)}`);
if (bad.error?.code !== -32602 || bad.error?.data?.field !== "id") fail(`bad params: ${JSON.stringify(bad)}`);
if (discover.result?.openrpc !== "1.3.2") fail("rpc.discover");
ws.close(1000);
console.log(JSON.stringify({ ok: true, id, methods: discover.result.methods.length }));
