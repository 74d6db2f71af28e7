package dev.ferry.sftp.subsystem;

import dev.ferry.quotas.QuotaLedger;
import dev.ferry.sftp.session.SessionAccount;
import dev.ferry.sftp.status.SafeErrorMessages;
import dev.ferry.sftp.transfer.KnownDigests;
import dev.ferry.sftp.transport.WindowedChannelOutput;
import dev.ferry.storage.StagedWrite;
import java.io.IOException;
import java.nio.file.LinkOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.sshd.common.util.buffer.Buffer;
import org.apache.sshd.common.util.io.IoUtils;
import org.apache.sshd.server.channel.ChannelSession;
import org.apache.sshd.server.session.ServerSession;
import org.apache.sshd.sftp.common.SftpConstants;
import org.apache.sshd.sftp.common.extensions.openssh.AbstractOpenSSHExtensionParser.OpenSSHExtension;
import org.apache.sshd.sftp.server.FileHandle;
import org.apache.sshd.sftp.server.Handle;
import org.apache.sshd.sftp.server.SftpSubsystem;
import org.apache.sshd.sftp.server.SftpSubsystemConfigurator;

/**
 * MINA's SFTP subsystem with what Ferry adds: {@code statvfs@openssh.com} (OpenSSH's {@code df}),
 * uploads published only on the client's CLOSE, and stat/setstat of an open upload handle
 * answered from the staged file.
 */
class HomeSftpSubsystem extends SftpSubsystem {

    static final String STATVFS = "statvfs@openssh.com";
    static final String FSTATVFS = "fstatvfs@openssh.com";
    private final QuotaLedger ledger;
    private final AccessControl accessControl;
    private final KnownDigests knownDigests;

    HomeSftpSubsystem(ChannelSession channel, SftpSubsystemConfigurator configurator,
            QuotaLedger ledger, AccessControl accessControl,
            KnownDigests knownDigests) {
        super(channel, configurator);
        this.ledger = ledger;
        this.accessControl = accessControl;
        this.knownDigests = knownDigests;
    }

    /**
     * A client that goes away mid-request (killed, its network lost) makes the reply's write fail
     * on a closing session, which MINA's request loop logs as ERROR with a stack trace. That is
     * the client's doing, not a server fault worth an operator's attention: DEBUG then.
     */
    @Override
    protected void error(String message, Object o1, Object o2, Object o3, Object o4, Throwable t) {
        ServerSession session = getServerSession();
        if (session.isClosing() || session.isClosed() || !getServerChannelSession().isOpen()) {
            if (log.isDebugEnabled()) {
                log.debug("SFTP request loop ended by a closing session: {}", t.toString());
            }
            return;
        }
        super.error(message, o1, o2, o3, o4, t);
    }

    /** Replies go out through {@link WindowedChannelOutput}, not MINA's packet-by-packet stream. */
    @Override
    public void setIoOutputStream(org.apache.sshd.common.io.IoOutputStream channelOutput) {
        this.out = new WindowedChannelOutput(getServerChannelSession());
    }

    @Override
    protected List<OpenSSHExtension> resolveOpenSSHExtensions(ServerSession session) {
        List<OpenSSHExtension> extensions = new ArrayList<>(super.resolveOpenSSHExtensions(session));
        extensions.add(new OpenSSHExtension(STATVFS, "2"));
        extensions.add(new OpenSSHExtension(FSTATVFS, "2"));
        return extensions;
    }

    /** Extensions Ferry answers; the others (copy-file, copy-data, md5-hash, ...) would bypass its rules. */
    static final java.util.Set<String> ALLOWED_EXTENSIONS = java.util.Set.of(
            STATVFS, FSTATVFS, "posix-rename@openssh.com", "hardlink@openssh.com", "fsync@openssh.com",
            "lsetstat@openssh.com", "limits@openssh.com", SftpConstants.EXT_CHECK_FILE_NAME, SftpConstants.EXT_CHECK_FILE_HANDLE);

    @Override
    protected java.util.Map<String, org.apache.sshd.common.OptionalFeature> getSupportedClientExtensions(ServerSession session) {
        return java.util.Map.of(SftpConstants.EXT_CHECK_FILE_NAME, org.apache.sshd.common.OptionalFeature.TRUE,
                SftpConstants.EXT_CHECK_FILE_HANDLE, org.apache.sshd.common.OptionalFeature.TRUE);
    }

    /**
     * check-file-name / check-file-handle, sha256 of a whole file only: answered from the stored
     * digest while the file's content is the one it was computed from (see {@link KnownDigests}),
     * else read and hashed once and kept for next time. Other requests are refused.
     */
    @Override
    protected void doCheckFileHash(int id, String targetType, String target, java.util.Collection<String> algos,
            long startOffset, long length, int blockSize, Buffer buffer) throws Exception {
        java.nio.file.Path file;
        if (SftpConstants.EXT_CHECK_FILE_HANDLE.equalsIgnoreCase(targetType)) {
            file = validateHandle(target, handles.get(target), FileHandle.class).getFile();
        } else {
            file = resolveFile(target);
        }
        accessControl.require(getServerSession(), file, true, dev.ferry.access.Permission.DOWNLOAD);
        if (algos.stream().noneMatch("sha256"::equalsIgnoreCase)) {
            throw new org.apache.sshd.sftp.common.SftpException(SftpConstants.SSH_FX_OP_UNSUPPORTED,
                    "only sha256 is available");
        }
        long size = java.nio.file.Files.size(file);
        if (startOffset != 0 || (length != 0 && length != size) || blockSize != 0) {
            throw new org.apache.sshd.sftp.common.SftpException(SftpConstants.SSH_FX_OP_UNSUPPORTED,
                    "only the sha256 of a whole file is available");
        }
        if (!java.nio.file.Files.isRegularFile(file)) {
            throw new org.apache.sshd.sftp.common.SftpException(SftpConstants.SSH_FX_FAILURE, "not a regular file");
        }
        String username = SessionAccount.ferrySession(getServerSession()).account().username();
        String sha256 = knownDigests.digestOf(SessionAccount.home(getServerSession()), file, username, AccessControl.virtual(file));
        buffer.putString("sha256");
        // One block: MINA writes each block hash as an SSH string, and its client reads it so.
        buffer.putBytes(java.util.HexFormat.of().parseHex(sha256));
    }

    @Override
    protected Map<String, Object> doStat(int id, String path, int flags) throws IOException {
        requireListOfParent(path);
        return super.doStat(id, path, flags);
    }

    @Override
    protected Map<String, Object> doLStat(int id, String path, int flags) throws IOException {
        requireListOfParent(path);
        return super.doLStat(id, path, flags);
    }

    @Override
    protected java.util.AbstractMap.SimpleImmutableEntry<java.nio.file.Path, String> doReadLink(int id, String path) throws IOException {
        requireListOfParent(path);
        return super.doReadLink(id, path);
    }

    /** Seeing an entry's attributes is listing its directory. */
    private void requireListOfParent(String path) throws IOException {
        if (AccessControl.grantsEverywhere(getServerSession(), dev.ferry.access.Permission.LIST)) {
            return; // MINA resolves (and confines) the path itself right after
        }
        java.nio.file.Path file = resolveFile(path).toAbsolutePath().normalize();
        java.nio.file.Path parent = file.getParent() == null ? file : file.getParent();
        accessControl.require(getServerSession(), parent, true, dev.ferry.access.Permission.LIST);
    }

    @Override
    protected void executeExtendedCommand(Buffer buffer, int id, String extension) throws IOException {
        if (!ALLOWED_EXTENSIONS.contains(extension)) {
            doUnsupportedExtension(buffer, id, extension);
            return;
        }
        switch (extension) {
            case STATVFS -> {
                String path = buffer.getString();
                statvfs(buffer, id, () -> resolveFile(path));
            }
            case FSTATVFS -> {
                String handle = buffer.getString();
                statvfs(buffer, id, () -> validateHandle(handle, handles.get(handle), Handle.class).getFile());
            }
            default -> super.executeExtendedCommand(buffer, id, extension);
        }
    }

    /**
     * The path this request resolved and confined, parent included (see
     * {@link HomeFileSystemAccessor#resolveLocalFilePath}): the accessor does not resolve the same
     * parent again for a stat or open within the request. Reset for every request.
     */
    java.nio.file.Path confinedInRequest;

    @Override
    protected void doProcess(Buffer buffer, int length, int type, int id) throws IOException {
        confinedInRequest = null;
        try {
            super.doProcess(buffer, length, type, id);
        } finally {
            confinedInRequest = null;
        }
    }

    /**
     * The attributes sent with MKDIR are part of creating the directory: {@link AccessControl#creating}
     * checked MKDIR (and refused an owner or group) before it was made, so they need no SETSTAT and
     * are audited with the MKDIR, not as a SETSTAT of their own. The mode is applied as mkdir(2)
     * applies it under umask 022, as OpenSSH's sftp-server does (paramiko sends 0777): group and
     * others get no write permission at creation; a later chmod sets any mode. If they cannot be
     * applied, the directory this request made is removed again.
     */
    @Override
    protected void doSetAttributes(int cmd, String extension, java.nio.file.Path file, Map<String, ?> attrs,
            boolean followLinks) throws IOException {
        if (cmd != SftpConstants.SSH_FXP_MKDIR) {
            super.doSetAttributes(cmd, extension, file, attrs, followLinks);
            return;
        }
        if (attrs.isEmpty()) {
            return;
        }
        Map<String, Object> atCreation = new java.util.HashMap<>(attrs);
        if (atCreation.get(org.apache.sshd.common.util.io.IoUtils.PERMISSIONS_VIEW_ATTR) instanceof java.util.Set<?> mode) {
            atCreation.put(org.apache.sshd.common.util.io.IoUtils.PERMISSIONS_VIEW_ATTR, dev.ferry.storage.CreationMode.ofDirectory(mode));
        }
        try {
            setFileAttributes(file, atCreation,
                    getFileSystemAccessor().resolveFileAccessLinkOptions(this, file, cmd, extension, followLinks));
        } catch (IOException | RuntimeException e) {
            try {
                java.nio.file.Files.deleteIfExists(file);
            } catch (IOException | RuntimeException ignored) {
                // an empty directory left behind; the client hears that the MKDIR failed
            }
            throw e;
        }
    }

    /** Entries of the READDIR being answered that were gone before their attributes could be read. */
    private int vanishedFromReply;

    @Override
    protected int doReadDir(int id, String handle, org.apache.sshd.sftp.server.DirectoryHandle dir, Buffer buffer,
            int maxSize, boolean followLinks) throws IOException {
        vanishedFromReply = 0;
        int written = super.doReadDir(id, handle, dir, buffer, maxSize, followLinks);
        return written - vanishedFromReply;
    }

    /**
     * An entry that another session removed or renamed between the directory being read and its
     * attributes being read is left out of the listing, as {@code ls} does: it is no error of the
     * listing (MINA would fail the whole READDIR with "No such file"). Nothing of the entry has
     * been written to the reply then; the count MINA writes is corrected in {@link #doReadDir}.
     * A stat of the same name still fails.
     */
    @Override
    protected void writeDirEntry(int id, org.apache.sshd.sftp.server.DirectoryHandle dir,
            Map<String, java.nio.file.Path> entries, Buffer buffer, int index, java.nio.file.Path f, String shortName,
            LinkOption... options) throws IOException {
        int start = buffer.wpos();
        try {
            super.writeDirEntry(id, dir, entries, buffer, index, f, shortName, options);
        } catch (java.nio.file.NoSuchFileException gone) {
            buffer.wpos(start);
            entries.remove(shortName);
            vanishedFromReply++;
        }
    }

    @Override
    protected void doClose(int id, String handle) throws IOException {
        Handle h = handles.get(handle);
        if (h instanceof FileHandle) {
            h.setAttribute(HomeFileSystemAccessor.CLOSED_BY_CLIENT, Boolean.TRUE);
        }
        super.doClose(id, handle);
    }

    @Override
    protected Map<String, Object> doFStat(int id, String handle, int flags) throws IOException {
        StagedWrite upload = upload(handle);
        if (upload == null) {
            return super.doFStat(id, handle, flags);
        }
        return resolveFileAttributes(upload.stagedFile(), flags, true, LinkOption.NOFOLLOW_LINKS);
    }

    /**
     * FSETSTAT on the handle of an upload: a size truncates or extends the staged bytes (sshfs
     * sends size 0 right after an O_TRUNC open, and ftruncate), which needs no permission beyond
     * the upload's own; times and mode are set on the staged file and kept when it is published.
     */
    @Override
    protected void doFSetStat(int id, String handle, Map<String, ?> attrs) throws IOException {
        StagedWrite upload = upload(handle);
        if (upload == null) {
            super.doFSetStat(id, handle, attrs);
            return;
        }
        Object size = attrs.get(IoUtils.SIZE_VIEW_ATTR);
        if (size != null) {
            upload.truncate(((Number) size).longValue());
        }
        Map<String, ?> others = withoutSize(attrs);
        if (!others.isEmpty()) {
            doSetAttributes(SftpConstants.SSH_FXP_FSETSTAT, "", upload.stagedFile(), others, false);
        }
    }

    /**
     * SETSTAT (and FSETSTAT of a handle that is not an upload) with a size: MINA would truncate
     * the file in place through a write channel, which here is a staged upload it never
     * publishes; {@link HomeFileSystemAccessor#truncate} publishes a new version instead. The
     * other attributes are set as MINA sets them, after it.
     */
    @Override
    protected void setFileAttributes(java.nio.file.Path file, Map<String, ?> attributes, LinkOption... options)
            throws IOException {
        Object size = attributes.get(IoUtils.SIZE_VIEW_ATTR);
        if (size == null) {
            super.setFileAttributes(file, attributes, options);
            return;
        }
        ((HomeFileSystemAccessor) getFileSystemAccessor()).truncate(this, file, ((Number) size).longValue());
        Map<String, ?> others = withoutSize(attributes);
        if (!others.isEmpty()) {
            super.setFileAttributes(file, others, options);
        }
    }

    private static Map<String, ?> withoutSize(Map<String, ?> attributes) {
        if (!attributes.containsKey(IoUtils.SIZE_VIEW_ATTR)) {
            return attributes;
        }
        java.util.TreeMap<String, Object> others = new java.util.TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        others.putAll(attributes);
        others.remove(IoUtils.SIZE_VIEW_ATTR);
        return others;
    }

    /**
     * A path whose existence cannot be told (below a regular file: lftp's {@code cls -l file}
     * asks for {@code file/.}) is ordinary client behaviour, not worth MINA's WARN; the stat that
     * follows answers the client with the error.
     */
    @Override
    protected java.util.NavigableMap<String, Object> handleUnknownStatusFileAttributes(
            java.nio.file.Path file, int flags, LinkOption... options) throws IOException {
        if (log.isDebugEnabled()) {
            log.debug("stat of {}: cannot tell whether it exists", file);
        }
        return getAttributes(file, flags, options);
    }

    /**
     * MINA answers a stat with whatever attributes it could read when a view fails; a path that
     * is refused (outside the home), missing, or whose storage failed (S3 unreachable) must fail
     * the whole request instead of answering with empty attributes.
     */
    @Override
    protected java.util.NavigableMap<String, Object> handleReadFileAttributesException(
            java.nio.file.Path file, String view, LinkOption[] options, IOException e) throws IOException {
        if (e instanceof java.nio.file.FileSystemException || e instanceof java.io.InterruptedIOException) {
            throw e;
        }
        return super.handleReadFileAttributesException(file, view, options, e);
    }

    /** Statuses past SFTP v3's are mapped for v3 clients (see {@link SafeErrorMessages#v3Status}). */
    @Override
    protected void sendStatus(Buffer buffer, int id, int substatus, String msg, String lang) throws IOException {
        super.sendStatus(buffer, id, getVersion() <= SftpConstants.SFTP_V3 ? SafeErrorMessages.v3Status(substatus) : substatus, msg, lang);
    }

    private StagedWrite upload(String handle) {
        Handle h = handles.get(handle);
        if (h instanceof FileHandle fileHandle && fileHandle.getFileChannel() instanceof StagedWrite upload) {
            return upload;
        }
        return null;
    }

    private interface PathSupplier {
        java.nio.file.Path get() throws IOException;
    }

    private void statvfs(Buffer buffer, int id, PathSupplier target) throws IOException {
        StatVfs answer;
        try {
            target.get();
            answer = StatVfs.of(SessionAccount.home(getServerSession()), SessionAccount.ferrySession(getServerSession()).account(),
                    ledger);
        } catch (IOException | RuntimeException e) {
            sendStatus(prepareReply(buffer), id, e, SftpConstants.SSH_FXP_EXTENDED, STATVFS);
            return;
        }
        Buffer reply = prepareReply(buffer);
        answer.write(reply, id);
        send(reply);
    }
}
