"""One login with a NUL byte in the username, as any unauthenticated client can send it (paramiko,
driven by AuditTrailContract). Prints "refused" when the server refuses the login.

usage: paramiko_nul_username.py PORT
"""
import sys

import paramiko

transport = paramiko.Transport(("127.0.0.1", int(sys.argv[1])))
transport.start_client(timeout=20)
try:
    transport.auth_password("nul\x00user", "any password")
    print("accepted")
except paramiko.AuthenticationException:
    print("refused")
finally:
    transport.close()
