"""One soak client: SFTP sessions of one user with paramiko (and now and then OpenSSH's sftp),
doing a seeded random mix of operations in the user's shared directory until a deadline.

Driven by dev.ferry.soak.SoakRun (SoakIT in `mvn verify`, bench/soak.sh for the long run). It
only reports facts: every operation is one JSON line in the log, written before the next one
starts. Whether a failure was legitimate is decided by the Java side (SoakRules), which knows the
users' quotas and permissions.

usage: soak_worker.py CONFIG.json

The config (written by SoakRun) names the server, the user and key, the worker id and its
incarnation, the seed, the deadline (epoch seconds), the log and state files, and the kill plan:
{"atPut": n, "size": bytes, "after": bytes} makes the n-th upload of this incarnation be one of
`size` bytes to one of the worker's own files that kills the worker (SIGKILL, as `kill -9`)
once `after` bytes are written and acknowledged by the server, before the CLOSE. A planned kill
not done by the deadline is done at once then; one refused before the kill point is not retried.

Names in the user's home (every session of the user works in /shared at once):
  /shared/p<i>.bin, /shared/d<j>, /shared/d<j>/q<k>.bin   the pool: every session of the user
        puts, gets, stats, renames, removes them; races between sessions are the point.
  <pool name>.w<worker>.part   an upload under a temporary name of this worker's, renamed onto
        the pool name at once (posix-rename).
  /shared/w<worker>-<i>.bin   this worker's own files: only this worker (in any of its
        incarnations) touches them, so it knows whether each exists and what it holds. The
        state file carries that knowledge over a kill.

Log record fields: t (start, epoch s), ms, worker, inc, session (per incarnation), op, path,
target, ok, status (SFTP status name, or SESSION for a broken connection, TIMEOUT), error, phase
(where it failed: open, write, close, opendir, readdir, connect, ...), and per op: size, sha256,
confirmed (the server answered the CLOSE of an upload with OK), own, existed, oldSize, expected
(sha256 an own file must have), killed, via (paramiko or openssh), entries (listdir).
"""
import errno
import hashlib
import json
import os
import random
import signal
import socket
import subprocess
import sys
import time

import paramiko
from paramiko.sftp import CMD_CLOSE, CMD_HANDLE, CMD_NAME, CMD_OPENDIR, CMD_READDIR, SFTP_EOF, SFTP_OK

STATUS_NAMES = {2: "NO_SUCH_FILE", 3: "PERMISSION_DENIED", 4: "FAILURE", 5: "BAD_MESSAGE", 6: "NO_CONNECTION",
                7: "CONNECTION_LOST", 8: "OP_UNSUPPORTED"}
CHUNK = 32768
POOL_FILES = 10
POOL_DIRS = 3
DIR_FILES = 2
OWN_FILES = 2


class StatusError(IOError):
    """An SFTP status other than OK/EOF, with its code (paramiko keeps only errno for two of them)."""

    def __init__(self, code, text):
        super().__init__({2: errno.ENOENT, 3: errno.EACCES}.get(code, errno.EIO), text)
        self.code = code
        self.text = text


def _convert_status(self, msg):
    code = msg.get_int()
    text = msg.get_text()
    if code == SFTP_OK:
        return
    if code == SFTP_EOF:
        raise EOFError(text)
    raise StatusError(code, text)


paramiko.SFTPClient._convert_status = _convert_status


class SessionBroken(Exception):
    """The connection failed under an operation: the worker logs in again."""


class Worker:

    def __init__(self, cfg):
        self.cfg = cfg
        self.wid = cfg["worker"]
        self.inc = cfg["incarnation"]
        self.rng = random.Random("%s/%s/%s" % (cfg["seed"], self.wid, self.inc))
        self.deadline = cfg["deadline"]
        self.log_file = open(cfg["log"], "a", buffering=1)
        self.state_path = cfg["state"]
        self.workdir = cfg["workdir"]
        self.kill = cfg.get("kill")
        self.puts = 0
        self.session_no = 0
        self.transport = None
        self.sftp = None
        self.own = self.load_state()
        self.pool_files = ["/shared/p%d.bin" % i for i in range(POOL_FILES)]
        self.pool_dirs = ["/shared/d%d" % i for i in range(POOL_DIRS)]
        self.dir_files = ["%s/q%d.bin" % (d, k) for d in self.pool_dirs for k in range(DIR_FILES)]
        self.own_names = ["/shared/w%d-%d.bin" % (self.wid, i) for i in range(OWN_FILES)]
        self.mkdir_counter = 0

    # ------------------------------------------------------------------ bookkeeping

    def load_state(self):
        if os.path.exists(self.state_path):
            with open(self.state_path) as f:
                return json.load(f)
        return {}

    def save_state(self):
        tmp = self.state_path + ".tmp"
        with open(tmp, "w") as f:
            json.dump(self.own, f)
        os.replace(tmp, self.state_path)

    def own_content_path(self, name):
        return os.path.join(self.workdir, "own-" + name.rsplit("/", 1)[1])

    def log(self, record):
        record.setdefault("worker", self.wid)
        record.setdefault("inc", self.inc)
        record.setdefault("session", self.session_no)
        self.log_file.write(json.dumps(record, sort_keys=True) + "\n")

    def timed(self, op, path, fn, **fields):
        """Runs fn(record), logs the record with the outcome. A broken session is re-raised."""
        record = {"op": op, "path": path, "t": round(time.time(), 3)}
        record.update(fields)
        start = time.monotonic()
        broken = None
        try:
            fn(record)
            record.setdefault("ok", True)
        except StatusError as e:
            record.update(ok=False, status=STATUS_NAMES.get(e.code, str(e.code)), error=e.text)
        except socket.timeout as e:
            record.update(ok=False, status="TIMEOUT", error="no answer within %ss: %s" % (self.cfg["opTimeout"], e))
            broken = e
        except (EOFError, paramiko.SSHException, OSError) as e:
            # OSError after StatusError: socket errors, and paramiko's plain IOErrors (a closed channel)
            record.update(ok=False, status="SESSION", error="%s: %s" % (type(e).__name__, e))
            broken = e
        record["ms"] = round((time.monotonic() - start) * 1000, 1)
        self.log(record)
        if broken is not None:
            raise SessionBroken() from broken
        return record

    # ------------------------------------------------------------------ sessions

    def login(self):
        self.session_no += 1

        def connect(record):
            record["phase"] = "connect"
            sock = socket.create_connection((self.cfg["host"], self.cfg["port"]), timeout=self.cfg["opTimeout"])
            t = paramiko.Transport(sock)
            t.banner_timeout = self.cfg["opTimeout"]
            t.auth_timeout = self.cfg["opTimeout"]
            try:
                record["phase"] = "handshake"
                t.start_client(timeout=self.cfg["opTimeout"])
                record["phase"] = "auth"
                t.auth_publickey(self.cfg["user"], paramiko.Ed25519Key.from_private_key_file(self.cfg["key"]))
                record["phase"] = "subsystem"
                sftp = paramiko.SFTPClient.from_transport(t)
                sftp.get_channel().settimeout(self.cfg["opTimeout"])
            except BaseException:
                t.close()
                raise
            record.pop("phase")
            self.transport, self.sftp = t, sftp

        self.timed("login", None, connect)

    def logout(self):
        def close(record):
            try:
                self.sftp.close()
            finally:
                self.transport.close()
        try:
            self.timed("logout", None, close)
        except SessionBroken:
            pass
        self.sftp = self.transport = None

    def drop_session(self):
        if self.transport is not None:
            self.transport.close()
        self.sftp = self.transport = None

    # ------------------------------------------------------------------ operations

    def pick_size(self):
        r = self.rng.random()
        if r < 0.55:
            return self.rng.randint(0, 4096)
        if r < 0.85:
            return self.rng.randint(4097, 256 * 1024)
        if r < 0.97:
            return self.rng.randint(256 * 1024, 3 * 1024 * 1024)
        if self.cfg["bigUploads"]:
            return self.rng.randint(17 * 1024 * 1024, 22 * 1024 * 1024)  # several S3 parts
        return self.rng.randint(3 * 1024 * 1024, 6 * 1024 * 1024)

    def put(self, path, size, own=False, kill_after=None):
        data = os.urandom(size)
        fields = {"size": size, "sha256": hashlib.sha256(data).hexdigest(), "confirmed": False, "via": "paramiko"}
        if own:
            state = self.own.get(path)
            fields.update(own=True, existed=bool(state and state["exists"]))
            if state and state["exists"]:
                fields["oldSize"] = state["size"]

        def upload(record):
            record["phase"] = "open"
            f = self.sftp.open(path, "wb", bufsize=0)
            f.set_pipelined(True)
            failure = None
            try:
                record["phase"] = "write"
                offset = 0
                while offset < size:
                    n = min(CHUNK, size - offset)
                    f.write(data[offset:offset + n])
                    offset += n
                    if kill_after is not None and offset >= kill_after:
                        # Every WRITE so far answered: the server holds `offset` bytes of an open upload.
                        self.sftp._finish_responses(f)
                        record.update(killed=True, written=offset, ms=0)
                        self.log(record)
                        self.log_file.flush()
                        os.kill(os.getpid(), signal.SIGKILL)
                self.sftp._finish_responses(f)  # raises the first failed WRITE's status
            except StatusError as e:
                failure = e
            # paramiko's own close() ignores the status of the CLOSE, which is where an upload is
            # confirmed or refused: send it ourselves and mark the file closed.
            f._closed = True
            record["phase"] = "close"
            self.sftp._request(CMD_CLOSE, f.handle)
            if failure is not None:
                record["phase"] = "write"
                raise failure
            record.pop("phase")
            record["confirmed"] = True

        try:
            return self.timed("put", path, upload, **fields), data
        finally:
            self.puts += 1

    def put_pool(self):
        path = self.rng.choice(self.pool_files + self.dir_files)
        self.put(path, self.pick_size())

    def put_via_temp(self):
        """Upload under a temporary name, then rename onto the final one, as many clients and
        scripts deliver files. The temporary name is this worker's alone."""
        target = self.rng.choice(self.pool_files + self.dir_files)
        temp = "%s.w%d.part" % (target, self.wid)
        record, _ = self.put(temp, self.pick_size())
        if record["ok"]:
            self.timed("rename", temp, lambda r: self.sftp.posix_rename(temp, target), target=target, posix=True, temp=True)

    def put_own(self, size=None, kill_after=None, name=None):
        path = name or self.rng.choice(self.own_names)
        try:
            record, data = self.put(path, self.pick_size() if size is None else size, own=True, kill_after=kill_after)
        except SessionBroken:
            # Whether the CLOSE took effect is unknown: the next session learns it from a listing.
            self.own[path] = {"exists": None, "size": None, "sha256": None}
            self.save_state()
            raise
        if record["ok"]:
            with open(self.own_content_path(path), "wb") as f:
                f.write(data)
            self.own[path] = {"exists": True, "size": len(data), "sha256": record["sha256"]}
            self.save_state()
        elif path not in self.own:
            self.own[path] = {"exists": False, "size": None, "sha256": None}
            self.save_state()

    def get(self, path, expected=None):
        fields = {"own": True, "expected": expected} if expected else {}

        def download(record):
            record["phase"] = "open"
            with self.sftp.open(path, "rb") as f:
                record["phase"] = "read"
                size = f.stat().st_size
                f.prefetch(size)
                data = f.read()
            record.pop("phase")
            record.update(size=len(data), sha256=hashlib.sha256(data).hexdigest())

        self.timed("get", path, download, **fields)

    def get_pool(self):
        self.get(self.rng.choice(self.pool_files + self.dir_files))

    def get_own(self):
        known = [p for p in self.own_names if (self.own.get(p) or {}).get("sha256")]
        if known:
            path = self.rng.choice(known)
            self.get(path, expected=self.own[path]["sha256"])

    def stat(self):
        path = self.rng.choice(self.pool_files + self.dir_files + self.pool_dirs + self.own_names)
        fields = {}
        if path in self.own_names:
            fields = {"own": True, "existed": (self.own.get(path) or {}).get("exists")}

        def do(record):
            record["size"] = self.sftp.stat(path).st_size

        self.timed("stat", path, do, **fields)

    def listdir(self, path=None):
        path = path or self.rng.choice(["/shared"] * 3 + self.pool_dirs)
        names = []

        def do(record):
            # OPENDIR, READDIR until EOF, CLOSE by hand: whether a failure came at the opening
            # (the directory is gone: fine in a race) or mid-listing (never fine) is told apart.
            record["phase"] = "opendir"
            t, msg = self.sftp._request(CMD_OPENDIR, path)
            if t != CMD_HANDLE:
                raise StatusError(4, "expected a handle")
            handle = msg.get_binary()
            record["phase"] = "readdir"
            while True:
                try:
                    t, msg = self.sftp._request(CMD_READDIR, handle)
                except EOFError:
                    break
                if t != CMD_NAME:
                    raise StatusError(4, "expected names")
                for _ in range(msg.get_int()):
                    name = msg.get_text()
                    msg.get_text()
                    paramiko.SFTPAttributes._from_msg(msg)
                    if name not in (".", ".."):
                        names.append(name)
            record["phase"] = "closedir"
            self.sftp._request(CMD_CLOSE, handle)
            record.pop("phase")
            record["entries"] = len(names)

        record = self.timed("listdir", path, do)
        return names if record["ok"] else None

    def rename(self):
        names = self.pool_files + self.dir_files
        source = self.rng.choice(names)
        target = self.rng.choice([n for n in names if n != source])
        posix = self.rng.random() < 0.5

        def do(record):
            if posix:
                self.sftp.posix_rename(source, target)
            else:
                self.sftp.rename(source, target)

        self.timed("rename", source, do, target=target, posix=posix)

    def remove(self):
        path = self.rng.choice(self.pool_files + self.dir_files)
        self.timed("remove", path, lambda record: self.sftp.remove(path))

    def mkdir(self):
        # paramiko sends the mode as an attribute with MKDIR, as OpenSSH does
        path = self.rng.choice(self.pool_dirs)
        self.timed("mkdir", path, lambda record: self.sftp.mkdir(path))

    def rmdir(self):
        path = self.rng.choice(self.pool_dirs)
        self.timed("rmdir", path, lambda record: self.sftp.rmdir(path))

    def truncate(self):
        known = [p for p in self.own_names if (self.own.get(p) or {}).get("sha256")]
        if not known:
            return
        path = self.rng.choice(known)
        state = self.own[path]
        size = self.rng.randint(0, state["size"])
        with open(self.own_content_path(path), "rb") as f:
            data = f.read(size)
        sha = hashlib.sha256(data).hexdigest()
        record = self.timed("truncate", path, lambda record: self.sftp.truncate(path, size), own=True, size=size,
                            sha256=sha, oldSize=state["size"])
        if record["ok"]:
            with open(self.own_content_path(path), "wb") as f:
                f.write(data)
            self.own[path] = {"exists": True, "size": size, "sha256": sha}
            self.save_state()

    def openssh(self):
        """OpenSSH's sftp in batch mode: its own login, MKDIR (with attributes), upload, listing, RMDIR."""
        self.mkdir_counter += 1
        new_dir = "/shared/o%d-%d-%d" % (self.wid, self.inc, self.mkdir_counter)
        target = self.rng.choice(self.pool_files)
        size = self.rng.randint(0, 200 * 1024)
        data = os.urandom(size)
        local = os.path.join(self.workdir, "openssh-upload.bin")
        with open(local, "wb") as f:
            f.write(data)
        commands = [("mkdir", new_dir, {}), ("put", target, {"size": size, "sha256": hashlib.sha256(data).hexdigest()}),
                    ("listdir", "/shared", {}), ("rmdir", new_dir, {})]
        batch = "mkdir %s\nput %s %s\nls -l /shared\nrmdir %s\n" % (new_dir, local, target, new_dir)
        argv = ["sftp", "-b", "-", "-P", str(self.cfg["port"]), "-F", "/dev/null", "-i", self.cfg["key"],
                "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "BatchMode=yes",
                "-o", "IdentitiesOnly=yes", "-o", "LogLevel=ERROR", "-o", "ConnectTimeout=%d" % self.cfg["opTimeout"],
                "%s@%s" % (self.cfg["user"], self.cfg["host"])]
        started = time.time()
        start = time.monotonic()
        try:
            run = subprocess.run(argv, input=batch, capture_output=True, text=True, timeout=2 * self.cfg["opTimeout"])
            code, out, err = run.returncode, run.stdout, run.stderr
        except subprocess.TimeoutExpired as e:
            code, out, err = None, e.stdout or "", "no answer within %ss" % (2 * self.cfg["opTimeout"])
            out = out.decode() if isinstance(out, bytes) else out
        ms = round((time.monotonic() - start) * 1000, 1)
        # sftp -b echoes each command ("sftp> put ...") before running it and stops at the first failure.
        echoed = sum(1 for line in out.splitlines() if line.startswith("sftp> "))
        base = {"t": round(started, 3), "via": "openssh", "ms": ms}
        if echoed == 0:
            status = "TIMEOUT" if code is None else "SESSION"
            self.log(dict(base, op="login", path=None, ok=code == 0, status=status, error=err.strip()[-500:]))
            return
        self.log(dict(base, op="login", path=None, ok=True))
        for i, (op, path, fields) in enumerate(commands[:echoed]):
            record = dict(base, op=op, path=path, **fields)
            failed = i == echoed - 1 and code != 0
            if op == "put":
                record["confirmed"] = not failed
            if failed:
                record.update(ok=False, status="TIMEOUT" if code is None else "OPENSSH", error=err.strip()[-500:])
            else:
                record["ok"] = True
            self.log(record)

    # ------------------------------------------------------------------ main loop

    def learn_own_files(self):
        """Which own files exist, from a listing, where a broken session left it unknown (a
        pending S3 upload answers stat but is not listed). Their content is then unknown too:
        they are not read back or truncated until this worker uploads them again."""
        unknown = [p for p in self.own_names if p not in self.own or self.own[p]["exists"] is None]
        if not unknown:
            return
        listed = self.listdir("/shared")
        if listed is None:
            return
        names = set(listed)
        for path in unknown:
            self.own[path] = {"exists": path.rsplit("/", 1)[1] in names, "size": None, "sha256": None}
        self.save_state()

    def killing_upload(self):
        """The planned upload that kills this worker, over an own file that exists if there is
        one (a full file quota does not refuse an overwrite). Tried once: an upload refused
        before the kill point (a full quota) leaves the worker alive."""
        kill, self.kill = self.kill, None
        existing = [p for p in self.own_names if (self.own.get(p) or {}).get("exists")]
        self.put_own(size=kill["size"], kill_after=kill["after"], name=(existing or self.own_names)[-1])

    def kill_pending(self):
        """A planned kill happens even when the deadline comes first (a slow machine): then at
        once, with the next operation. The run must see its clients killed."""
        return self.kill is not None

    def run(self):
        ops = {"put": (self.put_pool, 14), "put_temp": (self.put_via_temp, 10), "put_own": (self.put_own, 10),
               "get": (self.get_pool, 12), "get_own": (self.get_own, 6), "stat": (self.stat, 10),
               "listdir": (self.listdir, 12), "rename": (self.rename, 8), "remove": (self.remove, 7),
               "mkdir": (self.mkdir, 5), "rmdir": (self.rmdir, 4)}
        if self.cfg["truncate"]:
            ops["truncate"] = (self.truncate, 3)
        if self.cfg["openssh"]:
            ops["openssh"] = (self.openssh, 2)
        only = self.cfg.get("ops") or list(ops)
        choices = [ops[name][0] for name in sorted(ops) if name in only for _ in range(ops[name][1])]
        while time.time() < self.deadline or self.kill_pending():
            try:
                self.login()
            except SessionBroken:
                time.sleep(0.5)  # a refused login is logged; do not hammer a server that refuses
                continue
            if self.sftp is None:
                time.sleep(0.5)
                continue
            try:
                self.learn_own_files()
                if self.inc == 0 and self.session_no == 1:
                    # Own files first: with a file quota they then exist when the quota is full,
                    # and their overwrites (which add no file) are tried against a full quota.
                    for name in self.own_names:
                        self.put_own(name=name)
                for _ in range(self.rng.randint(5, 40)):
                    if time.time() >= self.deadline and not self.kill_pending():
                        break
                    if self.kill_pending() and (self.puts + 1 >= self.kill["atPut"] or time.time() >= self.deadline):
                        self.killing_upload()
                        continue
                    self.rng.choice(choices)()
                self.logout()
            except SessionBroken:
                self.drop_session()

def main():
    with open(sys.argv[1]) as f:
        cfg = json.load(f)
    worker = Worker(cfg)
    try:
        worker.run()
    finally:
        worker.drop_session()
        worker.log_file.close()


if __name__ == "__main__":
    main()
