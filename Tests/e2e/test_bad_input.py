"""Bad input for every method, against one real daemon (as root, a super_admin, so a missing
permission never hides a param check).

The methods come from `rpc.discover`: a method without a row in `METHODS` fails
`test_every_discovered_method_has_a_row`, and every declared field is probed from what the daemon
itself declares, so new methods and fields are covered without touching this file's generator.
For each method:

* each required field left out → -32602 naming it; too many positional params → -32602;
* each field with a value of every other JSON type (string, number, fraction, bool, object,
  array, null for a required field; a wrong element type in arrays and maps) → -32602 naming
  it (`tags.0`); `null` for an optional field means "not given" (`test_null_for_an_optional_field_means_absent`);
* an unknown member (`zz_unknown`) → -32602 naming it (PROTOCOL.md: named params a method does
  not declare are refused);
* each string field at 1 MiB → the row's expectation (default -32602 naming it); each integer
  field at -1 → the row's expectation (default -32602), at 2**63 and 2**64 → -32602, and
  written as 1e400 → -32700 (PROTOCOL.md: a number out of range is a parse error);
* invalid UTF-8 inside a string value → -32700 with `id: null`; a frame one byte over
  `max_frame_bytes` → -32600 `frame_too_large`, then the daemon closes that connection;
* unknown ids (a session, document, job, dataset, account, slot that is not there) → the row's
  application reason (`not_found`; a `users.*` call naming a uid without an account too —
  `no_account` is only ever about the caller).

After every case a second connection must get `daemon.ping` answered, and after each method's
cases the counts of everything a refused call could have created are unchanged.

Calls that would disturb the run are never made valid: `admin.cleanup_run` (only its bool param
exists; every case is refused before it runs), `setup.complete` (the table's password is too
short, so every well-typed case is refused on it; `test_setup_complete_refuses_bad_input_and_stays_open`
covers the other field on a daemon of its own), `models.pull` (no reachable URL: nothing is
downloaded), `users.*` (a throwaway account, never uid 0)."""

from __future__ import annotations

import json
import os
import struct
from dataclasses import dataclass, field

import pytest

from elohim_client import DaemonProcess, RPCConnection, clean_environment, elohimd_bin, remove_tree, short_tempdir, try_ping

LIMIT = 2 * 1024 * 1024  # max_frame_bytes of the daemon under test: a 1 MiB string fits
HUGE = "x" * (1024 * 1024 + 16)
MISSING_SESSION, MISSING_ID, MISSING_UID = 999999, 999999, 4243
ACCOUNT_UID = 4242  # an account the users.* rows may point at (never root's own)

OK = ("ok",)
PARSE = ("parse",)


def invalid(field_name):
    return ("invalid", field_name)


def app(reason):
    return ("app", reason)


@dataclass
class Row:
    """One method's table row. `valid(fx)` are params that pass every check on their own given
    the fixtures (`fx`); each case changes one field of them. `huge`/`negative` map a field to
    its outcome when it is 1 MiB / -1 (default: -32602 naming it); `unknown` are params naming
    things that do not exist and `unknown_outcome` what they get."""

    valid: object = None
    huge: dict = field(default_factory=dict)
    negative: dict = field(default_factory=dict)
    element: dict = field(default_factory=dict)  # outcome of a wrong array element / map value
    unknown: object = None
    unknown_outcome: tuple = app("not_found")
    note: str = ""

    def params(self, fx):
        return dict(self.valid(fx) if callable(self.valid) else (self.valid or {}))


NO_PARAMS = Row()
UNKNOWN_PERMISSION = app("not_found")  # a permission key that does not exist, like an unknown id
STEPS_FROM_1 = {"steps": invalid("steps.1")}  # workflow steps are numbered from 1, as in {{steps.N}}
CURSOR_OK = {"before": OK}  # a keyset cursor below every id is an empty page, not an error

METHODS = {
    # Founder rights are checked before the values: every well-typed call is `forbidden`.
    "admin.audit_export": Row(negative={"after": app("forbidden"), "limit": app("forbidden")},
                              note="needs founder rights, which this run never unlocks"),
    # Filters that match nothing are an empty page.
    "admin.audit_log": Row(huge={"user_id": OK, "event_type": OK, "resource_type": OK, "resource_id": OK}, negative=CURSOR_OK),
    "admin.audit_verify": NO_PARAMS,
    "admin.cleanup_run": Row(note="only `dry_run` (bool): every case is refused before a run starts"),
    "admin.cleanup_status": NO_PARAMS,
    "auth.effective_permissions": Row(unknown={"uid": MISSING_UID}),
    "auth.founder_drop": NO_PARAMS,
    # No founder on this daemon: a well-typed password is answered with "run setup first".
    "auth.founder_verify": Row(valid={"password": "wrong password"}, huge={"password": app("failed")}),
    "chat.create": NO_PARAMS,
    "chat.delete": Row(valid=lambda fx: {"session_id": fx["session"]}, negative={"session_id": app("not_found")},
                       unknown={"session_id": MISSING_SESSION}),
    "chat.get": Row(valid=lambda fx: {"session_id": fx["session"]}, negative={"session_id": app("not_found"), **CURSOR_OK},
                    unknown={"session_id": MISSING_SESSION}),
    "chat.list": NO_PARAMS,
    "chat.rename": Row(valid=lambda fx: {"session_id": fx["session"], "title": "renamed"},
                       negative={"session_id": app("not_found")}, unknown={"session_id": MISSING_SESSION, "title": "t"}),
    # The table's session is live: restoring it would be `conflict`; no case gets that far.
    "chat.restore": Row(valid=lambda fx: {"session_id": fx["session"]}, negative={"session_id": app("not_found")},
                        unknown={"session_id": MISSING_SESSION}),
    "chat.send": Row(valid=lambda fx: {"session_id": fx["session"], "content": "hello"},
                     negative={"session_id": app("not_found")}, unknown={"session_id": MISSING_SESSION, "content": "hi"},
                     note="never valid here: every case is refused before a model is asked"),
    # A model name that is not in the inventory is not_found, whatever its length.
    "chat.set_model": Row(valid=lambda fx: {"session_id": fx["session"], "model": "no-such-model"},
                          huge={"model": app("not_found")}, negative={"session_id": app("not_found")},
                          unknown={"session_id": MISSING_SESSION, "model": None}),
    "chat.token_count": Row(valid=lambda fx: {"session_id": fx["session"]}, negative={"session_id": app("not_found")},
                            unknown={"session_id": MISSING_SESSION}),
    "daemon.hello": NO_PARAMS,
    "daemon.ping": NO_PARAMS,
    "daemon.status": NO_PARAMS,
    "data.describe": Row(valid=lambda fx: {"name": fx["dataset"]}, huge={"name": app("not_found")},
                         unknown={"name": "no_such_dataset"}),
    "data.drop": Row(valid=lambda fx: {"name": fx["dataset"]}, huge={"name": app("not_found")}, unknown={"name": "no_such_dataset"}),
    # The path does not exist, so nothing is imported even if a case got through; a bad
    # dataset name is bad_data (PROTOCOL.md).
    "data.import": Row(valid={"path": "/nonexistent/x.csv"}, huge={"name": app("bad_data")},
                       unknown={"path": "/nonexistent/x.csv"}),
    "data.list": NO_PARAMS,
    "docs.create": Row(valid={"title": "t", "content": "c"}, huge={"content": app("too_large")}),
    "docs.delete": Row(valid=lambda fx: {"id": fx["doc"]}, negative={"id": app("not_found")}, unknown={"id": MISSING_ID}),
    "docs.get": Row(valid=lambda fx: {"id": fx["doc"]}, negative={"id": app("not_found")}, unknown={"id": MISSING_ID}),
    "docs.list": Row(huge={"tag": OK}, negative=CURSOR_OK),
    "docs.search": Row(valid={"query": "body"}, huge={"query": OK}),
    "docs.update": Row(valid=lambda fx: {"id": fx["doc"]}, huge={"content": app("too_large")}, negative={"id": app("not_found")},
                       unknown={"id": MISSING_ID, "title": "t"}),
    "engine.cancel": Row(valid=lambda fx: {"job": fx["job"]}, negative={"job": app("not_found")}, unknown={"job": MISSING_ID}),
    "engine.result": Row(valid=lambda fx: {"job": fx["job"]}, negative={"job": app("not_found")}, unknown={"job": MISSING_ID}),
    # SQL is SQLite's to judge: 1 MiB of `x` is a syntax error (`failed`) — for engine.submit
    # that arrives with the job's result, the submit itself is accepted.
    "engine.run": Row(valid={"sql": "SELECT 1"}, huge={"sql": app("failed"), "dataset": app("not_found")},
                      unknown={"sql": "SELECT 1", "dataset": "no_such_dataset"}),
    "engine.status": NO_PARAMS,
    "engine.submit": Row(valid={"sql": "SELECT 1"}, huge={"sql": OK, "dataset": app("not_found")},
                         unknown={"sql": "SELECT 1", "dataset": "no_such_dataset"}),
    "events.subscribe": Row(valid={"topics": ["daemon"]}),
    # No model files in this daemon: the lookup answers before `context` is judged.
    "models.check_fit": Row(valid={"model": "no-such-model"}, huge={"model": app("not_found")},
                            negative={"context": app("not_found")}, unknown={"model": "no-such-model"}),
    "models.list": NO_PARAMS,
    "models.loaded": NO_PARAMS,
    # Without `url` or `name` the call is refused on `url`; a malformed URL is `failed` with the
    # reason in the message (the models area's downloader); `name` must look like an Ollama name.
    "models.pull": Row(huge={"url": app("failed"), "sha256": invalid("url")},
                       note="never valid: no URL here is reachable, nothing is downloaded"),
    "models.show": Row(valid={"model": "no-such-model"}, huge={"model": app("not_found")}, unknown={"model": "no-such-model"}),
    "models.unload": Row(valid={"model": "no-such-model"}, huge={"model": app("not_found")}, unknown={"model": "no-such-model"}),
    "rpc.discover": NO_PARAMS,
    # Too short a password: every well-typed case is refused on it, so setup never completes.
    "setup.complete": Row(valid={"founder_password": "short"}, huge={"default_model": invalid("founder_password")},
                          note="the other field: test_setup_complete_refuses_bad_input_and_stays_open"),
    "setup.status": NO_PARAMS,
    # Slots are numbered 1 to 4: another number names no slot.
    "slots.assign": Row(valid={"slot": 1, "model": "no-such-model"}, huge={"model": app("not_found")},
                        negative={"slot": app("not_found"), "context": app("not_found")}, unknown={"slot": 1, "model": "no-such-model"}),
    "slots.eject": Row(valid={"slot": 1}, negative={"slot": app("not_found")}, unknown={"slot": 99}),
    "slots.list": NO_PARAMS,
    "users.add": Row(valid={"uid": MISSING_UID, "role": "guest"}),
    "users.grant": Row(valid={"uid": ACCOUNT_UID, "permission": "docs.read"}, huge={"permission": UNKNOWN_PERMISSION}, unknown={"uid": MISSING_UID, "permission": "docs.read"},
                       unknown_outcome=app("not_found")),
    "users.list": NO_PARAMS,
    "users.remove": Row(valid={"uid": ACCOUNT_UID}, unknown={"uid": MISSING_UID}, unknown_outcome=app("not_found")),
    "users.reset": Row(valid={"uid": ACCOUNT_UID, "permission": "docs.read"}, huge={"permission": UNKNOWN_PERMISSION}, unknown={"uid": MISSING_UID, "permission": "docs.read"},
                       unknown_outcome=app("not_found")),
    "users.revoke": Row(valid={"uid": ACCOUNT_UID, "permission": "docs.read"}, huge={"permission": UNKNOWN_PERMISSION}, unknown={"uid": MISSING_UID, "permission": "docs.read"},
                        unknown_outcome=app("not_found")),
    "users.set_role": Row(valid={"uid": ACCOUNT_UID, "role": "member"}, unknown={"uid": MISSING_UID, "role": "member"},
                          unknown_outcome=app("not_found")),
    "vault.delete": Row(valid=lambda fx: {"name": fx["vault"]}, huge={"name": app("not_found")}, unknown={"name": "no-such-item"}),
    "vault.get": Row(valid=lambda fx: {"name": fx["vault"]}, huge={"name": app("not_found")}, unknown={"name": "no-such-item"}),
    "vault.list": Row(negative=CURSOR_OK),
    "vault.put": Row(valid={"name": "n", "value": "v"}, huge={"value": app("too_large")}),
    "workflows.create": Row(valid={"name": "w", "steps": [{"kind": "template", "text": "x"}]}, element=STEPS_FROM_1),
    # Exactly one of id and name: the table gives neither, each case gives one.
    "workflows.delete": Row(huge={"name": app("not_found")}, negative={"id": app("not_found")}, unknown={"id": MISSING_ID}),
    "workflows.get": Row(huge={"name": app("not_found")}, negative={"id": app("not_found")}, unknown={"name": "no-such-workflow"}),
    "workflows.list": Row(negative=CURSOR_OK),
    "workflows.run": Row(huge={"name": app("not_found")}, negative={"id": app("not_found")}, unknown={"id": MISSING_ID}),
    "workflows.update": Row(valid=lambda fx: {"id": fx["workflow"]}, negative={"id": app("not_found")}, unknown={"id": MISSING_ID},
                            element=STEPS_FROM_1),
}


# --------------------------------------------------------------------------------------------
# The daemon and its fixtures


class TableDaemon:
    def __init__(self):
        self.workdir = short_tempdir("ebi")
        os.chmod(self.workdir, 0o700)
        home = os.path.join(self.workdir, "home")
        os.makedirs(home, mode=0o700)
        self.env = clean_environment(home)
        self.socket = os.path.join(self.workdir, "d.sock")
        self.process = DaemonProcess(
            [elohimd_bin(), "--socket", self.socket, "--data-dir", os.path.join(self.workdir, "data"),
             "--max-frame-bytes", str(LIMIT)],
            self.env, os.path.join(self.workdir, "elohimd.log"), self.socket).wait_ready()

    def connect(self) -> RPCConnection:
        return RPCConnection(self.socket)

    def call(self, method, params=None):
        with self.connect() as connection:
            return connection.call(method, params)

    def assert_serving(self, case: str):
        assert self.process.running(), f"elohimd died after {case}; stderr:\n{self.process.log()[-5000:]}"
        assert try_ping(self.socket), f"no pong after {case}"

    def close(self):
        self.process.stop()
        remove_tree(self.workdir)


@pytest.fixture(scope="module")
def table():
    daemon = TableDaemon()
    try:
        csv = os.path.join(daemon.workdir, "t.csv")
        with open(csv, "w") as out:
            out.write("a,b\n1,x\n2,y\n")
        daemon.call("users.add", {"uid": ACCOUNT_UID, "role": "guest"})
        with daemon.connect() as connection:
            job = connection.call("engine.submit", {"sql": "SELECT 1"})["job"]
            connection.call("engine.result", {"job": job})
        daemon.fixtures = {
            "session": daemon.call("chat.create", {"title": "table"})["id"],
            "doc": daemon.call("docs.create", {"title": "table", "content": "body"})["id"],
            "vault": daemon.call("vault.put", {"name": "table", "value": "v"})["name"],
            "workflow": daemon.call("workflows.create", {"name": "table", "steps": [{"kind": "template", "text": "x"}]})["id"],
            "dataset": daemon.call("data.import", {"path": csv, "name": "table_ds"})["name"],
            "job": job,
        }
        daemon.discovered = {m["name"]: m for m in daemon.call("rpc.discover")["methods"]}
        yield daemon
    finally:
        daemon.close()


def counts(daemon) -> dict:
    """Everything a refused call could have created, or removed."""
    with daemon.connect() as c:
        return {
            "documents": len(c.call("docs.list", {"limit": 200})["documents"]),
            "vault": len(c.call("vault.list", {"limit": 200})["items"]),
            "workflows": len(c.call("workflows.list", {"limit": 200})["workflows"]),
            "chat": c.call("chat.list")["total"],
            "datasets": len(c.call("data.list")["datasets"]),
            "accounts": json.dumps(c.call("users.list"), sort_keys=True),
            "setup": c.call("setup.status"),
            "slots": [s["state"] for s in c.call("slots.list")["slots"]],
        }


# --------------------------------------------------------------------------------------------
# Cases


def kinds(schema: dict) -> set:
    if "oneOf" in schema:
        return set().union(*(kinds(s) for s in schema["oneOf"]))
    if "enum" in schema and "type" not in schema:
        return {"string"}
    return {schema.get("type")}


SAMPLES = {"string": "s", "integer": 7, "number": 1.5, "boolean": True, "object": {}, "array": [], "null": None}


def wrong_values(schema: dict, required: bool):
    """(label, value, field suffix) for every value of the wrong type for `schema`."""
    accepted = kinds(schema)
    for label, value in SAMPLES.items():
        if label in accepted or (label == "integer" and "number" in accepted):
            continue
        if label == "null" and not required:
            continue  # null = not given, see test_null_for_an_optional_field_means_absent
        yield label, value, ""
    if "array" in accepted and "items" in schema:
        wrong = 1 if "string" in kinds(schema["items"]) else "s"
        yield "array element", [wrong], ".0"
    if "object" in accepted and isinstance(schema.get("additionalProperties"), dict):
        yield "map value", {"k": 1}, ".k"


def short(value) -> str:
    text = str(value)
    return text if len(text) <= 400 else text[:400] + f"… ({len(text)} characters)"


def check(response: dict, expected: tuple, case: str):
    """`response` is what `expected` says; the error names the field for -32602."""
    kind = expected[0]
    if kind == "ok":
        assert "result" in response, f"{case}: expected a result, got {short(response)}"
        return
    assert "error" in response, f"{case}: expected an error ({expected}), got a result: {short(response)}"
    error = response["error"]
    data = error.get("data") or {}
    if kind == "invalid":
        assert error["code"] == -32602, f"{case}: expected -32602 naming {expected[1]}, got {short(error)}"
        assert data.get("field") == expected[1], f"{case}: -32602 should name {expected[1]!r}: {short(error)}"
        assert error["message"].startswith("Invalid params: "), short(error)
    elif kind == "parse":
        assert error["code"] == -32700 and response["id"] is None, f"{case}: expected -32700 with id null, got {short(response)}"
    else:
        assert data.get("reason") == expected[1], f"{case}: expected {expected[1]}, got {short(error)}"
        assert -32099 <= error["code"] <= -32000, short(error)


def request(daemon, method, params) -> dict:
    with daemon.connect() as connection:
        return connection.request(method, params)


def run_case(daemon, method, params, expected, case):
    check(request(daemon, method, params), expected, f"{method} {case}")
    daemon.assert_serving(f"{method} {case}")


def raw_frame(method: str, params: dict, replace: bytes, by: bytes) -> bytes:
    text = json.dumps({"jsonrpc": "2.0", "id": 1, "method": method, "params": params}).encode()
    assert replace in text
    return text.replace(replace, by)


def test_every_discovered_method_has_a_row(table):
    discovered = set(table.discovered)
    assert discovered - set(METHODS) == set(), "methods without a bad-input row in test_bad_input.py"
    assert set(METHODS) - discovered == set(), "rows for methods the daemon does not have"


@pytest.mark.parametrize("method", sorted(METHODS))
def test_bad_input_for_every_method(table, method):
    spec = table.discovered.get(method)
    assert spec is not None, f"{method} is not in rpc.discover"
    row = METHODS[method]
    fields = spec.get("params", [])
    valid = row.params(table.fixtures)
    before = counts(table)

    for f in fields:
        name, schema, required = f["name"], f["schema"], f.get("required", False)
        # Missing.
        if required:
            run_case(table, method, {k: v for k, v in valid.items() if k != name}, invalid(name), f"without {name}")
        # Wrong types.
        for label, value, suffix in wrong_values(schema, required):
            expected = row.element.get(name, invalid(name + suffix)) if suffix else invalid(name)
            run_case(table, method, {**valid, name: value}, expected, f"{name} as {label}")
        accepted = kinds(schema)
        # Huge strings.
        if "string" in accepted:
            run_case(table, method, {**valid, name: HUGE}, row.huge.get(name, invalid(name)), f"{name} of 1 MiB")
        # Negative and overflowing numbers.
        if "integer" in accepted:
            run_case(table, method, {**valid, name: -1}, row.negative.get(name, invalid(name)), f"{name} = -1")
            for big in (2**63, 2**64):
                run_case(table, method, {**valid, name: big}, invalid(name), f"{name} = {big}")
            with table.connect() as connection:
                connection.send_frame(raw_frame(method, {**valid, name: 424242424242}, b"424242424242", b"1e400"))
                check(connection.read_json(), PARSE, f"{method} {name} = 1e400")
            table.assert_serving(f"{method} {name} = 1e400")
    for name in row.huge:
        assert name in {f["name"] for f in fields}, f"{method}: the row's huge[{name!r}] is not a declared field"
    for name in [*row.negative, *row.element]:
        assert name in {f["name"] for f in fields}, f"{method}: the row's negative[{name!r}] is not a declared field"

    # An unknown member, and too many positional params.
    run_case(table, method, {**valid, "zz_unknown": 1}, invalid("zz_unknown"), "with an unknown field")
    response = request(table, method, [None] * (len(fields) + 1))
    assert response.get("error", {}).get("code") == -32602, f"{method} with too many positional params: {response}"
    table.assert_serving(f"{method} positional")

    # Invalid UTF-8 inside a string value (a declared string field, else the unknown member).
    target = next((f["name"] for f in fields if "string" in kinds(f["schema"])), "zz_unknown")
    with table.connect() as connection:
        connection.send_frame(raw_frame(method, {**valid, target: "MARK"}, b'"MARK"', b'"a\xff\xfeb"'))
        check(connection.read_json(), PARSE, f"{method} {target} with invalid UTF-8")
        assert connection.call("daemon.ping") == {"pong": True}, "the connection keeps working after a parse error"
    table.assert_serving(f"{method} invalid UTF-8")

    # A frame one byte over the limit: frame_too_large, then the daemon closes the connection.
    body = raw_frame(method, {**valid, target: "MARK"}, b'"MARK"', b'"PAD"')
    body = body.replace(b'"PAD"', b'"' + b"y" * (LIMIT + 1 - len(body) + 3) + b'"')
    assert len(body) == LIMIT + 1
    with table.connect() as connection:
        try:
            connection.send_raw(struct.pack(">I", len(body)) + body)
        except (BrokenPipeError, ConnectionResetError):
            pass
        error = connection.read_json()["error"]
        assert error["code"] == -32600 and error["data"]["reason"] == "frame_too_large", error
        assert connection.at_eof(), "the daemon must close the connection after frame_too_large"
    table.assert_serving(f"{method} over the frame limit")

    # Unknown ids.
    if row.unknown is not None:
        run_case(table, method, row.unknown, row.unknown_outcome, f"naming something that does not exist {row.unknown}")

    assert counts(table) == before, f"{method}: refused calls changed what is stored"


@pytest.mark.parametrize(
    "method, params",
    [("docs.list", {"limit": None, "tag": None}), ("chat.list", {"offset": None}), ("admin.audit_log", {"limit": None}),
     ("engine.run", {"sql": "SELECT 2 AS two", "dataset": None, "timeout_ms": None})],
)
def test_null_for_an_optional_field_means_absent(table, method, params):
    given = request(table, method, params)
    absent = request(table, method, {k: v for k, v in params.items() if v is not None})
    assert "result" in given, given
    assert given["result"].keys() == absent["result"].keys()


def test_chat_set_model_needs_model_even_though_null_is_a_value(table):
    response = request(table, "chat.set_model", {"session_id": table.fixtures["session"]})
    check(response, invalid("model"), "chat.set_model without model")
    assert table.call("chat.set_model", {"session_id": table.fixtures["session"], "model": None})["active_model"] is None


def test_setup_complete_refuses_bad_input_and_stays_open(daemons):
    daemon = daemons.start(["--max-frame-bytes", str(LIMIT)], test_methods=False)
    password = "a long enough founder password"
    with daemon.connect() as connection:
        for params, expected in [
            ({"founder_password": password, "default_model": HUGE}, invalid("default_model")),
            ({"founder_password": password, "default_model": 7}, invalid("default_model")),
            ({"founder_password": HUGE}, invalid("founder_password")),
            ({"founder_password": password, "zz_unknown": 1}, invalid("zz_unknown")),
        ]:
            check(connection.request("setup.complete", params), expected, f"setup.complete {str(params)[:60]}")
        assert connection.call("setup.status")["completed"] is False
