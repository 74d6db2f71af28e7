"""Many paramiko sessions changing one directory at once, as the day-one reliability report did:
each session loops put / stat / listdir / listdir_attr / get / rename / remove on names of its own
while the others do the same. Prints one JSON object: the calls made and the failures per request
type, with the first error messages. Driven by HomeContractIT.

usage: paramiko_churn.py PORT USER KEYFILE DIR SESSIONS ROUNDS
"""
import io
import json
import sys
import threading

import paramiko

port, user, key_file, directory = sys.argv[1:5]
sessions, rounds = int(sys.argv[5]), int(sys.argv[6])
key = paramiko.Ed25519Key.from_private_key_file(key_file)
lock = threading.Lock()
calls, failures, errors = {}, {}, []


def count(op, error=None):
    with lock:
        calls[op] = calls.get(op, 0) + 1
        if error is not None:
            failures[op] = failures.get(op, 0) + 1
            if len(errors) < 10:
                errors.append("%s: %s" % (op, error))


def step(op, action):
    try:
        result = action()
        count(op)
        return result
    except Exception as e:  # every failure counts, whatever its type
        count(op, repr(e))
        return None


def churn(n):
    transport = paramiko.Transport(("127.0.0.1", int(port)))
    transport.connect(username=user, pkey=key)
    sftp = paramiko.SFTPClient.from_transport(transport)
    data = ("session %d " % n).encode() * 200
    for r in range(rounds):
        name = "%s/s%d-r%d.bin" % (directory, n, r)
        moved = "%s/s%d-r%d-moved.bin" % (directory, n, r)
        step("put", lambda: sftp.putfo(io.BytesIO(data), name))
        step("stat", lambda: sftp.stat(name))
        step("listdir", lambda: sftp.listdir(directory))
        step("listdir_attr", lambda: sftp.listdir_attr(directory))
        step("get", lambda: sftp.getfo(name, io.BytesIO()))
        step("rename", lambda: sftp.rename(name, moved))
        step("remove", lambda: sftp.remove(moved))
    sftp.close()
    transport.close()


threads = [threading.Thread(target=churn, args=(n,)) for n in range(sessions)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print(json.dumps({"calls": calls, "failures": failures, "errors": errors}))
