package dev.ferry.sftp.transport;

import java.io.IOException;
import org.apache.sshd.common.AttributeRepository.AttributeKey;
import org.apache.sshd.common.Service;
import org.apache.sshd.common.SshConstants;
import org.apache.sshd.common.SshException;
import org.apache.sshd.common.session.Session;
import org.apache.sshd.common.util.buffer.Buffer;
import org.apache.sshd.server.session.AbstractServerSession;
import org.apache.sshd.server.session.ServerConnectionService;
import org.apache.sshd.server.session.ServerConnectionServiceFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * At most {@code sftp.max-channels-per-connection} open channels per connection (OpenSSH's
 * MaxSessions): every SFTP channel has a thread of its own, so one connection must not open a
 * thousand. One more is refused with a channel-open failure ({@code SSH_OPEN_RESOURCE_SHORTAGE})
 * and the connection and its other channels go on. MINA's own {@code MAX_CONCURRENT_CHANNELS}
 * throws instead, which ends the whole connection.
 */
public final class ChannelLimit extends ServerConnectionServiceFactory {

    private static final Logger log = LoggerFactory.getLogger(ChannelLimit.class);

    private static final AttributeKey<Boolean> REFUSAL_LOGGED = new AttributeKey<>();

    private final int maxChannels;

    public ChannelLimit(int maxChannels) {
        this.maxChannels = maxChannels;
    }

    @Override
    public Service create(Session session) throws IOException {
        if (!(session instanceof AbstractServerSession server)) {
            throw new SshException("not a server session: " + session);
        }
        LimitedConnectionService service = new LimitedConnectionService(server);
        service.addPortForwardingEventListenerManager(this);
        return service;
    }

    private final class LimitedConnectionService extends ServerConnectionService {

        LimitedConnectionService(AbstractServerSession session) throws SshException {
            super(session);
        }

        @Override
        protected void channelOpen(Buffer buffer) throws Exception {
            // Channel-open messages of a connection are handled one at a time, so the count cannot race.
            int open = getChannels().size();
            if (open < maxChannels) {
                super.channelOpen(buffer);
                return;
            }
            int start = buffer.rpos();
            String type = buffer.getString();
            long sender = buffer.getUInt();
            buffer.rpos(start);
            if (getSession().setAttribute(REFUSAL_LOGGED, Boolean.TRUE) == null) {
                log.info("Refused a {} channel of {} from {}: it has {} channels open (sftp.max-channels-per-connection); "
                        + "further refusals on this connection are not logged", type, getSession().getUsername(),
                        ClientAddress.of(getSession()), open);
            }
            sendChannelOpenFailure(buffer, sender, SshConstants.SSH_OPEN_RESOURCE_SHORTAGE,
                    "too many channels on this connection (at most " + maxChannels + ")", "");
        }
    }
}
