#!/usr/bin/env python3
"""Fuzzes Ferry's admin API: bad input must get a 4xx with problem details (RFC 9457) that say what
to fix. Any 5xx, dropped connection, or 4xx without a problem+json body is reported. Requests
Tomcat refuses before the application are counted apart, not reported: TRACE (Spring Boot's
plain /error JSON), and any page of Tomcat's own (Ferry replaces its error report valve with one
that writes problem details, so none is expected).

    FERRY_JAR=/tmp/ferry-copy.jar NAME=fuzz bench/ferry.sh start 2320 with FERRY_ARGS=
        "--sftp.defender.max-failures=1000000 --sftp.admin-api.login-throttle.max-failures=1000000
        --sftp.admin-api.login-throttle.max-failures-per-address=1000000"
        (or any Ferry that holds nothing of value, with its login throttles relaxed)
    /usr/bin/python3 tools/fuzz_admin_api.py http://127.0.0.1:2321 admin:PASSWORD keys/some_key.pub

Phase 1 walks /v3/api-docs: odd path segments, odd query values (bad percent-encoding included),
bodies that are not JSON or not objects, and odd values for every documented body field.
Phase 2 starts from a complete, valid user and replaces each value and container in turn (nulls,
huge numbers, lone UTF-16 surrogates, NULs, traversal, impossible dates) on POST and PUT, then
does the same for keys, admins and tokens.

It creates and deletes users and admins. Run the server from a copy of the jar: rebuilding
target/ferry.jar under a running server breaks its class loading, which looks like 500s. The
probes of the login endpoint are failed logins: with the throttle not relaxed the API answers 429
to everything after a few, and the run stops saying so (exit 2). Exit 1 when something was
reported; the server log has the stack traces.
"""
import base64
import copy
import json
import random
import sys
import urllib.error
import urllib.parse
import urllib.request

BASE, CREDENTIALS, KEY_FILE = sys.argv[1], sys.argv[2], sys.argv[3]
AUTH = "Basic " + base64.b64encode(CREDENTIALS.encode()).decode()
ODD_VALUES = [None, "", "x" * 5000, -1, 0, 2**63, -2**63, 2**31, 1.5, 1e308, True, [], {}, ["a"], {"a": 1},
              "\u0000", "a\u0000b", "../..", "/../x", "é\ud800", "\udc00", "2026-13-45T99:00:00Z",
              "9999-12-31T23:59:59Z", "0000-01-01T00:00:00Z", "🙂" * 50, " ", "\n", "%2e%2e", "\\", "/", "*"]
ODD_SEGMENTS = ["", "x" * 5000, "%00", "..", "%2e%2e", "a%2Fb", "-1", "0", "99999999999999999999", "1.5", "abc",
                "%FF", "%C0%AE", "🙂", " ", "null"]
ODD_QUERY_VALUES = ODD_SEGMENTS + ["2026-01-01", "2026-01-01T00:00:00", "LOGIN", "-5", "100000000"]
RAW_BODIES = [(b"not json", "application/json"), (b"[1,2]", "application/json"), (b"null", "application/json"),
              (b'{"a":', "application/json"), (b"{}", "text/plain"), (b"{}", None), (b"{}", "application/xml"),
              (b"[" * 5000 + b"]" * 5000, "application/json"), (b'{"x":' * 3000 + b"1" + b"}" * 3000, "application/json"),
              (b"\xff\xfe", "application/json"), (b"", "application/json")]
findings = []
container_pages = []


class Throttled(Exception):
    pass


def call(method, path, body=None, raw=None, content_type="application/json"):
    data = raw if raw is not None else None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(BASE + path, data=data, method=method, headers={"Authorization": AUTH})
    if data is not None and content_type:
        request.add_header("Content-Type", content_type)
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, response.read()[:300], response.headers.get("Content-Type", "")
    except urllib.error.HTTPError as e:
        if e.code == 429:
            raise Throttled(f"{method} {path}: 429 {e.read()[:200]!r}")
        return e.code, e.read()[:300], e.headers.get("Content-Type", "")
    except Exception as e:  # a dropped connection or a timeout
        return -1, str(e).encode(), ""


def probe(method, path, body=None, raw=None, content_type="application/json", what=""):
    status, answer, answer_type = call(method, path, body, raw, content_type)
    problem = None
    if status >= 500 or status < 0:
        problem = "failed"
    elif status >= 400 and method != "HEAD" and not answer_type.startswith("application/problem+json"):
        problem = "4xx without problem details"
    text = f"{status} {method} {path} {what}".encode("utf-8", "backslashreplace").decode()
    tomcat_page = answer.lstrip().lower().startswith(b"<!doctype html") and b"HTTP Status" in answer
    if problem and problem != "failed" and (tomcat_page or method == "TRACE"):
        # Refused before the application: a page of Tomcat's own, or TRACE, which Tomcat refuses
        # and Spring Boot's /error renders. Counted apart.
        container_pages.append(text)
    elif problem:
        findings.append(text)
        print(f"!! {problem}:", text, answer[:200], flush=True)


def segment(value):
    return value if value.startswith("%") else urllib.parse.quote(value, safe="")


def unique(prefix):
    return prefix + str(random.randint(0, 10**9))


def phase_one(spec):
    schemas = spec["components"]["schemas"]

    def resolve(schema):
        while "$ref" in schema:
            schema = schemas[schema["$ref"].split("/")[-1]]
        return schema

    # the login endpoint last: its failures make the API refuse this address for a while
    for path, operations in sorted(spec["paths"].items(), key=lambda item: item[0] == "/api/v1/session"):
        for method, operation in operations.items():
            method = method.upper()
            parameters = operation.get("parameters", [])
            defaults = {p["name"]: "fuzzuser" if p["name"] == "username" else "1" for p in parameters if p["in"] == "path"}

            def fill(values):
                filled = path
                for name, value in values.items():
                    filled = filled.replace("{" + name + "}", segment(value))
                return filled

            for name in defaults:
                for value in ODD_SEGMENTS:
                    probe(method, fill({**defaults, name: value}), {} if "requestBody" in operation else None)
            for name in [p["name"] for p in parameters if p["in"] == "query"]:
                for value in ODD_QUERY_VALUES:
                    probe(method, fill(defaults) + "?" + name + "=" + segment(value))
            if "requestBody" not in operation:
                continue
            target = fill(defaults)
            for raw, content_type in RAW_BODIES:
                probe(method, target, raw=raw, content_type=content_type, what=f"raw {raw[:20]!r} as {content_type}")
            schema = resolve(list(operation["requestBody"]["content"].values())[0]["schema"])
            for field in schema.get("properties", {}):
                for value in ODD_VALUES:
                    body = {field: value}
                    if method == "POST" and field != "username" and "username" in schema["properties"]:
                        body["username"] = unique("fz")
                    probe(method, target, body, what=f"{field}={str(value)[:40]}")
    for path in spec["paths"]:
        for method in ["PATCH", "OPTIONS", "HEAD", "TRACE"]:
            probe(method, path.replace("{username}", "fuzzuser").replace("{id}", "1").replace("{address}", "192.0.2.1"))


def valid_user(key):
    return {"username": unique("dz"), "password": "a fine password 123", "publicKeys": [key], "enabled": True,
            "expiresAt": None, "storage": {"type": "local"}, "quota": {"maxBytes": 1073741824, "maxFiles": 10000},
            "permissions": {"/": ["list", "download"], "/inbox": ["list", "upload", "mkdir"]},
            "allowedIps": ["203.0.113.0/24"], "maxSessions": 4,
            "bandwidth": {"uploadBytesPerSecond": 1000000, "downloadBytesPerSecond": 1000000}}


def each_value_replaced(body):
    """(where, odd value, body) for every value and container of the body, and odd permission paths."""
    def places(value, where):
        yield where
        children = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else []
        for name, child in children:
            yield from places(child, where + [name])

    for where in list(places(body, []))[1:]:
        for odd in ODD_VALUES:
            changed = copy.deepcopy(body)
            parent = changed
            for name in where[:-1]:
                parent = parent[name]
            parent[where[-1]] = odd
            yield where, odd, changed
    for odd in [v for v in ODD_VALUES if isinstance(v, str)]:
        changed = copy.deepcopy(body)
        changed["permissions"][odd] = ["list"]
        yield ["permissions", "<key>"], odd, changed


def phase_two(key):
    existing = valid_user(key)
    status, answer, _ = call("POST", "/api/v1/users", existing)
    if status != 201:
        sys.exit(f"cannot create a valid user ({status}): {answer!r}")
    for where, odd, body in each_value_replaced(valid_user(key)):
        what = f"{where}={str(odd)[:40]}"
        if where != ["username"]:
            body["username"] = unique("dz")
        probe("POST", "/api/v1/users", body, what=what)
        body.pop("username", None)
        probe("PUT", "/api/v1/users/" + existing["username"], body, what=what)
    for odd in ODD_VALUES:
        for path, body in [("/api/v1/users/%s/keys" % existing["username"], {"publicKey": odd}),
                           ("/api/v1/admins", {"username": unique("adz"), "password": odd, "role": "AUDITOR"}),
                           ("/api/v1/admins", {"username": odd, "password": "a long admin password", "role": "AUDITOR"}),
                           ("/api/v1/admins", {"username": unique("adz"), "password": "a long admin password", "role": odd}),
                           ("/api/v1/tokens", {"name": odd, "role": "AUDITOR"}),
                           ("/api/v1/tokens", {"name": "t", "role": odd}),
                           ("/api/v1/tokens", {"name": "t", "role": "AUDITOR", "expiresAt": odd})]:
            probe("POST", path, body, what=json.dumps(body)[:80])


def main():
    key = open(KEY_FILE).read().strip()
    spec = json.load(urllib.request.urlopen(urllib.request.Request(BASE + "/v3/api-docs", headers={"Authorization": AUTH})))
    if call("POST", "/api/v1/users", {"username": "fuzzuser"})[0] not in (201, 409):
        sys.exit("cannot create the user fuzzuser: are the credentials right?")
    try:
        phase_two(key)
        phase_one(spec)
    except Throttled as e:
        print(f"stopped: the API refuses this address after failed logins ({e}); start the server with "
              f"--sftp.admin-api.login-throttle.max-failures=1000000 "
              f"--sftp.admin-api.login-throttle.max-failures-per-address=1000000. Reported so far: {len(findings)}")
        sys.exit(2)
    print(f"{len(findings)} answers reported; {len(container_pages)} 4xx were Tomcat's own page "
          "or Spring Boot's /error (refused before the application, e.g. TRACE)")
    sys.exit(1 if findings else 0)


if __name__ == "__main__":
    main()
