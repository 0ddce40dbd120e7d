"""Introspects tokens with authlib (Debian's python3-authlib), for the jest interop tests.

Reads one JSON request on stdin: {"endpoint", "cases": [{"clientId", "secret", "method", "token"}]}
with method "client_secret_basic" or "client_secret_post"; prints one JSON array: per case the
status, the JSON body and the WWW-Authenticate header of the answer.

authlib's requests integration needs python3-requests, which the interop set-up does not install;
OAuth2Client takes any session, so this one sends authlib's prepared request with urllib.
authlib builds the request (body, client authentication); only the transport is ours.
"""
import json
import sys
import urllib.error
import urllib.request
from urllib.parse import urlencode

from authlib.oauth2.client import OAuth2Client


class Answer:
    def __init__(self, status, headers, body):
        self.status_code = status
        self.headers = headers
        self.body = body


class UrllibSession:
    """The one method OAuth2Client.introspect_token calls on its session: post(url, data, headers, auth)."""

    def post(self, url, data=None, headers=None, auth=None, **kwargs):
        headers = dict(headers or {})
        body = urlencode(data or {})
        url, headers, body = auth.prepare('POST', url, headers, body)
        request = urllib.request.Request(url, data=body.encode('utf-8'), headers=headers, method='POST')
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return Answer(response.status, response.headers, response.read())
        except urllib.error.HTTPError as error:
            return Answer(error.code, error.headers, error.read())


request = json.load(sys.stdin)
results = []
for case in request['cases']:
    client = OAuth2Client(
        UrllibSession(),
        client_id=case['clientId'],
        client_secret=case['secret'],
        revocation_endpoint_auth_method=case['method'],
    )
    answer = client.introspect_token(request['endpoint'], token=case['token'])
    results.append({
        'status': answer.status_code,
        'contentType': answer.headers.get('Content-Type'),
        'wwwAuthenticate': answer.headers.get('WWW-Authenticate'),
        'body': json.loads(answer.body),
    })
json.dump(results, sys.stdout)
