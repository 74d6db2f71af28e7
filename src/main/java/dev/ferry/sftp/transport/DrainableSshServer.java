package dev.ferry.sftp.transport;

import org.apache.sshd.server.ServerBuilder;
import org.apache.sshd.server.SshServer;

/** MINA's SSH server, able to stop accepting connections while its sessions go on. */
public final class DrainableSshServer extends SshServer {

    /** A server with MINA's defaults, as {@link SshServer#setUpDefaultServer()} makes it, but drainable. */
    public static DrainableSshServer create() {
        return (DrainableSshServer) ServerBuilder.builder().factory(DrainableSshServer::new).build();
    }

    /** Closes the listening socket: new connections are refused, open sessions are untouched. */
    void stopAccepting() {
        if (acceptor != null) {
            acceptor.unbind();
        }
    }
}
