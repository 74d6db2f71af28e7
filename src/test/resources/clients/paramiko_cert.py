"""Logs in to an SSH server with an OpenSSH certificate through paramiko, optionally damaged.

usage: paramiko_cert.py PORT USER KEY CERT MODE
MODE: valid (the certificate as it is), truncated (a malformed certificate blob),
      badsig (a byte of the CA signature flipped). Prints OK or REFUSED, then exits 0.
"""
import socket
import sys

import paramiko
from paramiko.pkey import PublicBlob

port, user, key_file, cert_file, mode = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5]
key = paramiko.Ed25519Key.from_private_key_file(key_file)
key.load_certificate(cert_file)
blob = bytearray(key.public_blob.key_blob)
if mode == "truncated":
    key.public_blob = PublicBlob(key.public_blob.key_type, bytes(blob[:60]))
elif mode == "badsig":
    blob[-5] ^= 0x01
    key.public_blob = PublicBlob(key.public_blob.key_type, bytes(blob))

sock = socket.create_connection(("127.0.0.1", int(port)), timeout=30)
transport = paramiko.Transport(sock)
transport.start_client(timeout=30)
try:
    transport.auth_publickey(user, key)
    sftp = paramiko.SFTPClient.from_transport(transport)
    sftp.listdir(".")
    print("OK")
except paramiko.AuthenticationException as e:
    print("REFUSED " + str(e))
finally:
    transport.close()
