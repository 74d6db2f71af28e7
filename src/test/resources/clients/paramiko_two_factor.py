"""Logs in with paramiko one method at a time, as a script does for a server that asks for two factors.

usage: paramiko_two_factor.py PORT < jobs.json
jobs.json: a JSON list of logins, run at the same time (one thread each):
  {"user": "...", "key": "/path/to/private-key", "cert": "/path/to/key-cert.pub" (optional, an OpenSSH certificate),
   "steps": [["publickey"], ["password", "pw"], ["totp", "123456"]], "continue": false}
Prints one JSON line with a list of results, one per job, in order:
  {"steps": [{"ok": true, "remaining": ["password"]} | {"ok": false, "error": "..."}], "prompts": [...],
   "authenticated": bool, "listed": bool}
A step's "remaining" is what the server allows next (empty when logged in); a failed step ends the job
unless "continue" is true (a client trying its next method).
After the steps, an authenticated job lists "/" over SFTP ("listed").
"""
import json
import socket
import sys
import threading

import paramiko

port = int(sys.argv[1])
jobs = json.load(sys.stdin)
results = [None] * len(jobs)


def login(index, job):
    result = {"steps": [], "prompts": [], "authenticated": False, "listed": False}
    try:
        sock = socket.create_connection(("127.0.0.1", port), timeout=60)
        transport = paramiko.Transport(sock)
        transport.start_client(timeout=60)
    except Exception as e:  # noqa: BLE001 - reported, never raised
        result["steps"].append({"ok": False, "error": "connect: " + repr(e)})
        results[index] = result
        return
    try:
        for step in job["steps"]:
            try:
                if step[0] == "publickey":
                    key = paramiko.Ed25519Key.from_private_key_file(job["key"])
                    if job.get("cert"):
                        key.load_certificate(job["cert"])
                    remaining = transport.auth_publickey(job["user"], key)
                elif step[0] == "password":
                    remaining = transport.auth_password(job["user"], step[1], fallback=False)
                elif step[0] == "totp":
                    def answer(title, instructions, prompts, code=step[1]):
                        result["prompts"].extend(p for p, _echo in prompts)
                        return [code for _ in prompts]
                    remaining = transport.auth_interactive(job["user"], answer)
                else:
                    raise ValueError("unknown step " + step[0])
                result["steps"].append({"ok": True, "remaining": list(remaining)})
            except paramiko.BadAuthenticationType as e:
                result["steps"].append({"ok": False, "error": "bad type, allowed " + ",".join(e.allowed_types)})
                if not job.get("continue"):
                    break
            except (paramiko.AuthenticationException, paramiko.SSHException, EOFError, OSError) as e:
                result["steps"].append({"ok": False, "error": type(e).__name__ + ": " + str(e)})
                if not job.get("continue"):
                    break
        result["authenticated"] = transport.is_authenticated()
        if result["authenticated"]:
            sftp = paramiko.SFTPClient.from_transport(transport)
            sftp.listdir("/")
            sftp.close()
            result["listed"] = True
    except Exception as e:  # noqa: BLE001 - reported, never raised
        result["error"] = type(e).__name__ + ": " + str(e)
    finally:
        transport.close()
    results[index] = result


threads = [threading.Thread(target=login, args=(i, job)) for i, job in enumerate(jobs)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print(json.dumps(results))
