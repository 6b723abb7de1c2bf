"""Verify a kycd webhook delivery in Python (standard library only). The test suite runs this
file against real deliveries: python3 verify_signature.py <secret> <X-Kycd-Signature> <raw-body-file>"""
import hashlib
import hmac
import sys
import time


def verify_kycd_signature(raw_body: bytes, header: str, secret: str, tolerance: int = 300) -> bool:
    parts = [p.strip().split("=", 1) for p in header.split(",") if "=" in p]
    t = next((v for k, v in parts if k == "t"), None)
    signatures = [v for k, v in parts if k == "v1"]
    if t is None or not signatures or abs(time.time() - int(t)) > tolerance:
        return False
    expected = hmac.new(secret.encode(), t.encode() + b"." + raw_body, hashlib.sha256).hexdigest()
    return any(hmac.compare_digest(expected, s) for s in signatures)


if __name__ == "__main__":
    secret, header, body_file = sys.argv[1:4]
    with open(body_file, "rb") as f:
        sys.exit(0 if verify_kycd_signature(f.read(), header, secret) else 1)
