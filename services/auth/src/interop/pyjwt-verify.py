"""Verifies Veto access tokens as a Python client does: PyJWT, PyJWKClient, ES256 only, issuer
and audience pinned, no leeway. Reads one token per stdin line and answers one JSON line each:
{"result": "accepted"} or {"result": "<ErrorClass>: <message>"}.

Usage: python3 pyjwt-verify.py JWKS_URL ISSUER AUDIENCE
"""
import json
import sys

import jwt

jwks_url, issuer, audience = sys.argv[1:4]
client = jwt.PyJWKClient(jwks_url)
# Fetched (and cached) before the first token, as a warm client has it: a token is then checked
# within milliseconds of its issue, inside the same second.
client.get_signing_keys()
print(json.dumps({"ready": True, "library": f"PyJWT {jwt.__version__}"}), flush=True)

for line in sys.stdin:
    token = line.strip()
    try:
        key = client.get_signing_key_from_jwt(token).key
        jwt.decode(token, key, algorithms=["ES256"], audience=audience, issuer=issuer, leeway=0)
        print(json.dumps({"result": "accepted"}), flush=True)
    except Exception as error:  # every rejection is reported, none ends the loop
        print(json.dumps({"result": f"{type(error).__name__}: {error}"}), flush=True)
