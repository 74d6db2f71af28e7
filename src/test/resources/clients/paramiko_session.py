"""One SFTP session with paramiko (the library of many Python tools and WinSCP-style scripts),
driven by ClientCompatibilityIT. Prints one JSON object with what each step saw; fails on any error.

usage: paramiko_session.py PORT USER KEYFILE LOCAL_FILE DOWNLOAD_TO
"""
import json
import sys

import paramiko

port, user, key_file, local_file, download_to = sys.argv[1:6]
transport = paramiko.Transport(("127.0.0.1", int(port)))
transport.connect(username=user, pkey=paramiko.Ed25519Key.from_private_key_file(key_file))
sftp = paramiko.SFTPClient.from_transport(transport)
seen = {"cipher": transport.remote_cipher, "mac": transport.remote_mac, "home": sftp.normalize(".")}

sftp.mkdir("/in")
sftp.put(local_file, "/in/data.bin")
seen["size"] = sftp.stat("/in/data.bin").st_size
sftp.chmod("/in/data.bin", 0o640)
sftp.utime("/in/data.bin", (1700000000, 1700000000))
attrs = sftp.stat("/in/data.bin")
seen["mode"] = attrs.st_mode & 0o777
seen["mtime"] = attrs.st_mtime
sftp.rename("/in/data.bin", "/in/renamed.bin")
seen["listing"] = sorted(sftp.listdir("/in"))
sftp.get("/in/renamed.bin", download_to)
# Random access as a resuming or seeking client does it.
with sftp.open("/in/renamed.bin", "r") as f:
    f.seek(1000)
    seen["at1000"] = f.read(16).hex()
try:
    sftp.stat("/../../etc/passwd")
    seen["escape"] = "visible"
except IOError as e:
    seen["escape"] = "errno %s" % e.errno
sftp.remove("/in/renamed.bin")
sftp.rmdir("/in")
seen["after"] = sorted(sftp.listdir("/"))
sftp.close()
transport.close()
print(json.dumps(seen))
