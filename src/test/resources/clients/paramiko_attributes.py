"""File attributes as paramiko sets them (chmod, chmod on an open handle, truncate of a path and of
an open handle, symlink), driven by HomeContractIT on every storage backend. Prints one JSON object with what each step saw; an
unexpected error fails the script.

usage: paramiko_attributes.py PORT USER KEYFILE
"""
import json
import sys

import paramiko

port, user, key_file = sys.argv[1:4]
transport = paramiko.Transport(("127.0.0.1", int(port)))
transport.connect(username=user, pkey=paramiko.Ed25519Key.from_private_key_file(key_file))
sftp = paramiko.SFTPClient.from_transport(transport)
seen = {}

sftp.mkdir("/pk")
with sftp.open("/pk/chmod.bin", "w") as f:
    f.write(b"0123456789")
sftp.chmod("/pk/chmod.bin", 0o640)
seen["chmod"] = sftp.stat("/pk/chmod.bin").st_mode & 0o7777

# FSETSTAT on the handle of a file being written (what put -p does), before it is closed.
with sftp.open("/pk/handle.bin", "w") as f:
    f.write(b"abc")
    f.chmod(0o751)
seen["handle"] = sftp.stat("/pk/handle.bin").st_mode & 0o7777
seen["listed"] = {a.filename: a.st_mode & 0o7777 for a in sftp.listdir_attr("/pk")}

# SETSTAT with a size: shrink, extend with zeros, empty.
data = bytes(range(256)) * 4
with sftp.open("/pk/cut.bin", "w") as f:
    f.write(data)
sftp.truncate("/pk/cut.bin", 300)
with sftp.open("/pk/cut.bin", "r") as f:
    seen["shrunk"] = f.read() == data[:300]
sftp.truncate("/pk/cut.bin", 500)
with sftp.open("/pk/cut.bin", "r") as f:
    seen["extended"] = f.read() == data[:300] + bytes(200)
sftp.truncate("/pk/cut.bin", 0)
seen["emptied"] = sftp.stat("/pk/cut.bin").st_size

# FSETSTAT with a size on the handle of a file being written (ftruncate), shrinking then extending.
with sftp.open("/pk/ftruncate.bin", "w") as f:
    f.write(b"abcdefghij")
    f.flush()
    f.truncate(4)
    f.seek(4)
    f.write(b"XY")
    f.flush()
    f.truncate(8)
with sftp.open("/pk/ftruncate.bin", "r") as f:
    seen["ftruncated"] = f.read().hex()

try:
    sftp.symlink("/pk/chmod.bin", "/pk/link.bin")
    seen["symlink"] = "created"
except IOError as e:
    seen["symlink"] = str(e)

sftp.close()
transport.close()
print(json.dumps(seen))
