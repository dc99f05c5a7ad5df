"""Schemathesis hooks for scripts/fuzz-api.sh (loaded through SCHEMATHESIS_HOOKS).

Every request is made as Userdesk's native client would make it, and some generated values are
swapped for real ones so that the fuzzing reaches past "not found":

- `_is_native=1` goes into every query and `Authorization: Bearer $USERDESK_FUZZ_TOKEN` into
  every request's headers (the spec declares both only as security schemes, so schemathesis
  would send neither), except for 3 in 10 sign-ins, which come from a new client: the token's
  client is signed in already, and a second sign-in on it is refused (`session_exists`).
- The `Origin` header that the spec declares on POST /v1/client/sign_ins is dropped from 9 of 10
  requests: a native client sends none, and the server refuses browser origins before anything
  else.
- 3 in 10 sign-in bodies name the demo account (USERDESK_FUZZ_IDENTIFIER), half of those with
  its password (USERDESK_FUZZ_PASSWORD), and half of those lose the generated extra fields
  (the server refuses unknown ones, as Clerk does).
- Half of the `unsafe_metadata` values become a JSON object built from the generated string (the
  spec only says "string"; random strings are almost never JSON), half of those alone in the body.
- Of the requests with the token, 1 in 5 sends it bare (no `Bearer `) and 1 in 20 sends an
  unknown token instead.
- 1 in 5 requests to /v1/me* carry `_clerk_session_id`: the real session, an unknown one, an
  empty one or garbage.
- With USERDESK_FUZZ_SESSION_ID set (the signed-in session), half of the `session_id` path
  parameters are that id.
- With USERDESK_FUZZ_SELFTEST=1, every JSON object response gets an extra root property after it
  arrives, so the schema check must fail: proof that the checks bite.
"""
import json
import os
import random

import schemathesis

SESSION_ID = os.environ.get("USERDESK_FUZZ_SESSION_ID") or None
IDENTIFIER = os.environ.get("USERDESK_FUZZ_IDENTIFIER") or None
PASSWORD = os.environ.get("USERDESK_FUZZ_PASSWORD") or None
SELFTEST = os.environ.get("USERDESK_FUZZ_SELFTEST") == "1"
TOKEN = os.environ.get("USERDESK_FUZZ_TOKEN") or None

# Hypothesis reseeds the global `random` for every test case (so each case replays), which would
# make every choice below the same: draw from an own generator, seeded from FUZZ_SEED when given.
_rng = random.Random(os.environ.get("FUZZ_SEED") or None)


@schemathesis.hook
def before_call(context, case, kwargs):
    query = dict(case.query or {})
    query["_is_native"] = "1"
    case.query = query

    path = case.operation.path
    if path.startswith("/v1/me") and _rng.random() < 0.2:
        query["_clerk_session_id"] = _rng.choice(
            [SESSION_ID or "sess_x", "sess_0000000000000000000000000000", "", "\u00e9\u0000"]
        )
    headers = dict(case.headers or {})
    if "Origin" in headers and _rng.random() < 0.9:
        del headers["Origin"]
    if TOKEN and not (path == "/v1/client/sign_ins" and _rng.random() < 0.3):
        roll = _rng.random()
        if roll < 0.2:
            headers["Authorization"] = TOKEN  # bare, as the protocol also allows
        elif roll < 0.25:
            headers["Authorization"] = "Bearer " + TOKEN[::-1]  # unknown token
        else:
            headers["Authorization"] = f"Bearer {TOKEN}"
    case.headers = headers

    if SESSION_ID and case.path_parameters and "session_id" in case.path_parameters:
        if _rng.random() < 0.5:
            case.path_parameters = {**case.path_parameters, "session_id": SESSION_ID}

    body = case.body
    if not isinstance(body, dict):
        return
    if path == "/v1/client/sign_ins" and IDENTIFIER and _rng.random() < 0.3:
        body = {**body, "identifier": IDENTIFIER}
        if PASSWORD and _rng.random() < 0.5:
            body.update(strategy="password", password=PASSWORD)
            if _rng.random() < 0.5:
                body = {k: body[k] for k in ("identifier", "password", "strategy")}
        case.body = body
    elif path == "/v1/me/metadata" and "unsafe_metadata" in body and _rng.random() < 0.5:
        value = body["unsafe_metadata"]
        patch = {"fuzz": value, "nested": {"value": value, "gone": None}}
        if _rng.random() < 0.3:
            patch = {"fuzz": None}
        if _rng.random() < 0.5:
            body = {}
        case.body = {**body, "unsafe_metadata": json.dumps(patch)}


@schemathesis.hook
def after_call(context, case, response):
    if not SELFTEST:
        return
    try:
        data = response.json()
    except Exception:
        return
    if isinstance(data, dict):
        data["userdesk_selftest_extra"] = True
