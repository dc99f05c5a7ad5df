"""Signs in as a native client; prints "<token> <session_id>" (scripts/fuzz-api.sh).

usage: signin.py BASE_URL IDENTIFIER PASSWORD
"""
import json
import sys
import urllib.error
import urllib.parse
import urllib.request


def main() -> int:
    base, identifier, password = sys.argv[1:4]
    body = urllib.parse.urlencode(
        {"identifier": identifier, "password": password, "strategy": "password"}
    ).encode()
    request = urllib.request.Request(
        f"{base}/v1/client/sign_ins?_is_native=1",
        data=body,
        method="POST",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            token = response.headers.get("Authorization", "")
            data = json.load(response)
    except urllib.error.HTTPError as e:
        print(f"sign-in failed: HTTP {e.code}: {e.read()[:500]!r}", file=sys.stderr)
        return 1
    token = token.removeprefix("Bearer ").strip()
    session = (data.get("response") or {}).get("created_session_id") or ""
    status = (data.get("response") or {}).get("status")
    if not token or not session or status != "complete":
        print(f"sign-in incomplete: token={bool(token)} status={status!r} session={session!r}", file=sys.stderr)
        return 1
    print(token, session)
    return 0


if __name__ == "__main__":
    sys.exit(main())
