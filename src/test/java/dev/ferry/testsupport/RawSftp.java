package dev.ferry.testsupport;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.apache.sshd.common.util.buffer.Buffer;
import org.apache.sshd.common.util.buffer.ByteArrayBuffer;
import org.apache.sshd.sftp.client.RawSftpClient;
import org.apache.sshd.sftp.client.SftpClient;
import org.apache.sshd.sftp.common.SftpConstants;

/**
 * SFTP v3 requests built field by field, as real clients send them (OPEN and MKDIR with their
 * attributes, extensions with their arguments), over MINA's client session; the reply is returned
 * as it came, never turned into an exception.
 */
public final class RawSftp {

    /** SFTP v3 ATTRS: only the fields whose flag is set are sent. */
    public record Attrs(Long size, int[] uidGid, Integer permissions, long[] times) {

        public static Attrs none() {
            return new Attrs(null, null, null, null);
        }

        public static Attrs mode(int permissions) {
            return new Attrs(null, null, permissions, null);
        }

        public Attrs withTimes(long atimeSeconds, long mtimeSeconds) {
            return new Attrs(size, uidGid, permissions, new long[] {atimeSeconds, mtimeSeconds});
        }

        public Attrs withOwner(int uid, int gid) {
            return new Attrs(size, new int[] {uid, gid}, permissions, times);
        }

        void write(Buffer buffer) {
            int flags = (size != null ? SftpConstants.SSH_FILEXFER_ATTR_SIZE : 0)
                    | (uidGid != null ? SftpConstants.SSH_FILEXFER_ATTR_UIDGID : 0)
                    | (permissions != null ? SftpConstants.SSH_FILEXFER_ATTR_PERMISSIONS : 0)
                    | (times != null ? SftpConstants.SSH_FILEXFER_ATTR_ACMODTIME : 0);
            buffer.putInt(flags);
            if (size != null) {
                buffer.putLong(size);
            }
            if (uidGid != null) {
                buffer.putInt(uidGid[0]);
                buffer.putInt(uidGid[1]);
            }
            if (permissions != null) {
                buffer.putInt(permissions);
            }
            if (times != null) {
                buffer.putInt(times[0]);
                buffer.putInt(times[1]);
            }
        }
    }

    /** A reply: its type, and for STATUS its code and message, for HANDLE the handle, for NAME the first name. */
    public record Reply(int type, int status, String message, byte[] handle, String name) {

        public boolean ok() {
            return type != SftpConstants.SSH_FXP_STATUS || status == SftpConstants.SSH_FX_OK;
        }

        public boolean denied() {
            return type == SftpConstants.SSH_FXP_STATUS && status == SftpConstants.SSH_FX_PERMISSION_DENIED;
        }

        @Override
        public String toString() {
            return type == SftpConstants.SSH_FXP_STATUS
                    ? SftpConstants.getStatusName(status) + " " + message
                    : SftpConstants.getCommandMessageName(type) + (name == null ? "" : " " + name);
        }
    }

    private final RawSftpClient raw;

    public RawSftp(SftpClient sftp) {
        this.raw = (RawSftpClient) sftp;
    }

    /**
     * Sends one request: each field is written as its type says (String: an SSH string, byte[]:
     * a handle, Integer: uint32, Long: uint64, Attrs: ATTRS).
     */
    public Reply send(int type, Object... fields) throws IOException {
        Buffer request = new ByteArrayBuffer();
        for (Object field : fields) {
            if (field instanceof String text) {
                request.putString(text);
            } else if (field instanceof byte[] bytes) {
                request.putBytes(bytes);
            } else if (field instanceof Integer number) {
                request.putInt(number);
            } else if (field instanceof Long number) {
                request.putLong(number);
            } else if (field instanceof Attrs attrs) {
                attrs.write(request);
            } else {
                throw new IllegalArgumentException("cannot send " + field);
            }
        }
        int id = raw.send(type, request);
        Buffer reply = raw.receive(id);
        reply.getInt(); // length
        int replyType = reply.getUByte();
        reply.getInt(); // id
        return switch (replyType) {
            case SftpConstants.SSH_FXP_STATUS -> new Reply(replyType, reply.getInt(), reply.getString(), null, null);
            case SftpConstants.SSH_FXP_HANDLE -> new Reply(replyType, SftpConstants.SSH_FX_OK, null, reply.getBytes(), null);
            case SftpConstants.SSH_FXP_NAME -> {
                int count = reply.getInt();
                yield new Reply(replyType, SftpConstants.SSH_FX_OK, null, null,
                        count == 0 ? null : reply.getString(StandardCharsets.UTF_8));
            }
            default -> new Reply(replyType, SftpConstants.SSH_FX_OK, null, null, null);
        };
    }

    /** An extended request ({@code posix-rename@openssh.com}, ...) with its arguments. */
    public Reply extended(String name, Object... fields) throws IOException {
        Object[] all = new Object[fields.length + 1];
        all[0] = name;
        System.arraycopy(fields, 0, all, 1, fields.length);
        return send(SftpConstants.SSH_FXP_EXTENDED, all);
    }

    /** CLOSE of a handle. */
    public Reply close(byte[] handle) throws IOException {
        return send(SftpConstants.SSH_FXP_CLOSE, handle);
    }
}
