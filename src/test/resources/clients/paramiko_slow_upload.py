"""Writes a local file to the server with paramiko, 256 KiB per acknowledged WRITE and slowly, and
never closes it: HomeContractIT kills this process (kill -9) while it writes.

usage: paramiko_slow_upload.py PORT USER KEYFILE LOCAL_FILE REMOTE_PATH
"""
import sys
import time

import paramiko

port, user, key_file, local_file, remote_path = sys.argv[1:6]
transport = paramiko.Transport(("127.0.0.1", int(port)))
transport.connect(username=user, pkey=paramiko.Ed25519Key.from_private_key_file(key_file))
sftp = paramiko.SFTPClient.from_transport(transport)
remote = sftp.open(remote_path, "w")
with open(local_file, "rb") as source:
    while True:
        chunk = source.read(256 * 1024)
        if not chunk:
            break
        remote.write(chunk)
        time.sleep(0.005)
time.sleep(3600)  # killed before it gets here
