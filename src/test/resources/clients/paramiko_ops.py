"""SFTP requests sent by paramiko exactly as a script using it sends them, one session, driven by
tests through testsupport/Paramiko. Each step's outcome is printed as one JSON line:
{"ok": true, "result": ...} or {"ok": false, "error": "...", "errno": N}; a failing step does not
stop the others.

usage: paramiko_ops.py PORT USER KEYFILE < steps (one JSON array per line, e.g. ["mkdir", "/d"])

steps: mkdir PATH [MODE] | put LOCAL REMOTE | get REMOTE LOCAL | append REMOTE TEXT |
       symlink TARGET LINK | readlink PATH | listdir PATH | stat PATH | remove PATH | rename A B
"""
import json
import sys

import paramiko


def run(sftp, step):
    op, args = step[0], step[1:]
    if op == "mkdir":
        return sftp.mkdir(args[0], *[int(a, 8) for a in args[1:]])
    if op == "put":
        return sftp.put(args[0], args[1]).st_size
    if op == "get":
        return sftp.get(args[0], args[1])
    if op == "append":
        with sftp.open(args[0], "a") as f:
            f.write(args[1].encode())
        return None
    if op == "symlink":
        return sftp.symlink(args[0], args[1])
    if op == "readlink":
        return sftp.readlink(args[0])
    if op == "listdir":
        return sorted(sftp.listdir(args[0]))
    if op == "stat":
        return sftp.stat(args[0]).st_size
    if op == "remove":
        return sftp.remove(args[0])
    if op == "rename":
        return sftp.rename(args[0], args[1])
    raise ValueError("unknown step " + op)


def main():
    port, user, key_file = sys.argv[1:4]
    transport = paramiko.Transport(("127.0.0.1", int(port)))
    transport.connect(username=user, pkey=paramiko.Ed25519Key.from_private_key_file(key_file))
    sftp = paramiko.SFTPClient.from_transport(transport)
    for line in sys.stdin:
        if not line.strip():
            continue
        try:
            print(json.dumps({"ok": True, "result": run(sftp, json.loads(line))}))
        except (IOError, OSError) as e:
            print(json.dumps({"ok": False, "error": str(e), "errno": e.errno}))
        sys.stdout.flush()
    sftp.close()
    transport.close()


main()
