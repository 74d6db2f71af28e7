# Sourced by the bench scripts: start OpenSSH's sshd (internal-sftp) with the shared harness.
#
#   openssh_start PORT      (NAME=... as for ../shared/bench/servers/openssh.sh; needs $HARNESS)
#
# servers/openssh.sh runs `sshd -t`, which needs /run/sshd before it reaches its own namespace
# fallback; where /run/sshd is missing, the script runs in a private mount namespace with a
# throw-away /run (the host is not changed; sshd stays in that namespace).
openssh_start() {
    if [ -d /run/sshd ]; then
        "$HARNESS/servers/openssh.sh" start "$1"
    else
        unshare -m sh -c 'mount -t tmpfs -o mode=755,size=1m sshd-run /run && mkdir -m 755 /run/sshd &&
            exec "$1" start "$2"' sh "$HARNESS/servers/openssh.sh" "$1"
    fi
}
