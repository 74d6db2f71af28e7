"""Uploads N 4 KiB files one at a time in one SFTP session (paramiko) and prints, per file,
"<path> <epoch ms when its CLOSE was confirmed>": SFTPFile.close() returns once the server's
status reply to CLOSE arrived. A random pause of 100-300 ms between files keeps the outbox
empty (no backlog) and does not lock in step with the delivery worker's poll interval.
    python3 latency.py HOST PORT USER KEYFILE REMOTE_DIR N
"""
import os, random, sys, time
import paramiko

host, port, user, keyfile, remote, n = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5], int(sys.argv[6])
t = paramiko.Transport((host, port))
t.connect(username=user, pkey=paramiko.Ed25519Key.from_private_key_file(keyfile))
sftp = paramiko.SFTPClient.from_transport(t)
try:
    sftp.mkdir(remote)
except IOError:
    pass
data = os.urandom(4096)
for i in range(n):
    path = f"{remote}/l{i:05d}"
    f = sftp.open(path, "wb")
    f.write(data)
    f.close()
    print(path, f"{time.time() * 1000:.3f}", flush=True)
    time.sleep(random.uniform(0.1, 0.3))
sftp.close()
t.close()
