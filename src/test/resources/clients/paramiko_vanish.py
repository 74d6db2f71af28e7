"""Sessions that vanish right after their upload's CLOSE (paramiko, driven by AuditTrailContract):
each logs in, writes a file, sends CLOSE without waiting for the answer and drops the connection,
so the server closes the session (and MINA interrupts its SFTP thread) while it handles the CLOSE.
Prints "done" at the end.

usage: paramiko_vanish.py PORT USER KEYFILE SESSIONS
"""
import os
import socket
import sys

import paramiko
from paramiko.sftp import CMD_CLOSE

port, user, key_file, sessions = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
key = paramiko.Ed25519Key.from_private_key_file(key_file)
data = os.urandom(256 * 1024)
for i in range(sessions):
    sock = socket.create_connection(("127.0.0.1", int(port)))
    transport = paramiko.Transport(sock)
    transport.connect(username=user, pkey=key)
    sftp = paramiko.SFTPClient.from_transport(transport)
    f = sftp.open("/vanish%d.bin" % i, "wb")
    f.set_pipelined(True)
    f.write(data)
    sftp._async_request(f, CMD_CLOSE, f.handle)
    f._closed = True  # paramiko must not send its own CLOSE later
    sock.shutdown(socket.SHUT_RDWR)
    sock.close()
print("done")
