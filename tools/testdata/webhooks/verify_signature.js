// Verify a kycd webhook delivery in Node (no dependencies). The test suite runs this file
// against real deliveries: node verify_signature.js <secret> <X-Kycd-Signature> <raw-body-file>
const crypto = require('crypto');

function verifyKycdSignature(rawBody, header, secret, toleranceSeconds = 300) {
  const parts = header.split(',').map((p) => p.trim().split('='));
  const t = (parts.find(([k]) => k === 't') || [])[1];
  const signatures = parts.filter(([k]) => k === 'v1').map(([, v]) => v);
  if (!t || signatures.length === 0) return false;
  if (Math.abs(Date.now() / 1000 - Number(t)) > toleranceSeconds) return false; // replayed or stale
  const expected = crypto.createHmac('sha256', secret).update(`${t}.`).update(rawBody).digest();
  return signatures.some((s) => {
    const got = Buffer.from(s, 'hex');
    return got.length === expected.length && crypto.timingSafeEqual(got, expected);
  });
}

module.exports = { verifyKycdSignature };

if (require.main === module) {
  const [secret, header, bodyFile] = process.argv.slice(2);
  const rawBody = require('fs').readFileSync(bodyFile); // the exact bytes received, not re-serialised JSON
  process.exit(verifyKycdSignature(rawBody, header, secret) ? 0 : 1);
}
