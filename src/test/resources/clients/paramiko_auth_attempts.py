"""Authentication attempts on ONE connection with paramiko, which asks for the ssh-userauth service
anew before every attempt (as a brute-force script built on it does). Driven by ConnectionLimitsIT.

usage: paramiko_auth_attempts.py PORT USER passwords N   -- N wrong passwords
       paramiko_auth_attempts.py PORT USER none SECONDS  -- "none" probes, one a second, for SECONDS

Prints one JSON object: how many attempts were answered as failures, how the connection ended
("disconnected" with paramiko's message, or "open" if it was still open after the last one), and
the seconds it stayed open.
"""
import json
import sys
import time

import paramiko

port, user, mode, count = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
transport = paramiko.Transport(("127.0.0.1", int(port)))
transport.start_client(timeout=20)
started = time.monotonic()
answered = 0
ended = "open"
try:
    for i in range(count):
        try:
            if mode == "passwords":
                transport.auth_password(user, "wrong password %d" % i)
            else:
                transport.auth_none(user)
            ended = "authenticated"
            break
        except paramiko.BadAuthenticationType:
            answered += 1  # the "none" probe: the server listed its methods
        except paramiko.AuthenticationException as e:
            if not transport.is_active():
                ended = "disconnected: %s" % e
                break
            answered += 1
        except (paramiko.SSHException, EOFError, OSError) as e:
            ended = "disconnected: %s" % e
            break
        if not transport.is_active():
            ended = "disconnected"
            break
        if mode == "none":
            time.sleep(1)
finally:
    seconds = time.monotonic() - started
    transport.close()
print(json.dumps({"answered": answered, "ended": ended, "seconds": round(seconds, 1)}))
