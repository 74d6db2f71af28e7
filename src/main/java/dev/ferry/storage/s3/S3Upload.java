package dev.ferry.storage.s3;

import dev.ferry.storage.ObjectVersion;
import dev.ferry.storage.StagedWrite;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Path;
import java.time.Instant;

/**
 * An upload to S3, streamed as a multipart upload while the bytes arrive: no temporary file, and
 * at most {@code upload-buffer} bytes in memory. This is the channel the SFTP layer writes to, and
 * it decides what the upload's end means: the object appears under its key only when the client
 * closes the file (a small file is one PUT then); a client that goes away leaves the sent parts
 * resumable where {@code resume-interrupted-uploads} is set, else the upload is aborted. The
 * bytes go into parts in {@link PartAssembler} (out-of-order writes, the memory budget), full
 * parts go to S3 through {@link MultipartSession}, and {@link UploadStart} decides what an open
 * without truncation starts with.
 */
final class S3Upload implements StagedWrite {

    private final MultipartSession.Destination destination;
    private final KeptAttributes attributes;
    private final boolean resumeInterruptedUploads;
    private final S3Path target;
    private final String key;
    private final String virtualPath;
    private final long partSize;
    private final int partsInMemory;
    private final PartAssembler assembler;
    private final UploadStart start;
    private final boolean exclusive;
    /** The object this upload replaces, if any. */
    private final S3Attributes replaced;
    /** The multipart upload, from the first part that leaves memory (or is copied, or resumed); null after it ended. */
    private MultipartSession session;
    private IOException failure;
    private long position;
    private long size;
    private boolean open = true;
    private volatile boolean committed;
    private ObjectVersion stored;
    /** What the client set on the open handle (put -p, chmod), kept once the object exists. */
    private ObjectAttributes.Values setByClient = ObjectAttributes.Values.NONE;
    /** The mode the new object has unless the client sets one: the replaced object's (as open(2) with O_TRUNC keeps it), else OPEN's. */
    private final Integer initialMode;

    /**
     * @param keepReplaced  open without truncation: the replaced object's content is the start of this file
     * @param resumeCandidate an interrupted upload of the name, continued if the client's first write is where it stopped
     * @param openedMode    the permission bits sent with OPEN (null: none), for an object made anew:
     *                      an object that replaces another keeps that one's mode
     */
    S3Upload(S3FileSystem fs, S3Path target, S3Attributes replaced, boolean keepReplaced, boolean exclusive,
            PendingUploads.Resumable resumeCandidate, Integer openedMode) throws IOException {
        this.target = target;
        this.key = fs.key(target);
        this.virtualPath = target.virtual();
        HomeStorage storage = fs.storage();
        this.partSize = storage.properties().partSize().toBytes();
        this.partsInMemory = storage.properties().partsInMemory();
        this.destination = new MultipartSession.Destination(storage.bucket(), key, virtualPath, partSize, storage.io(), storage.pending());
        this.attributes = storage.attributes();
        this.resumeInterruptedUploads = storage.properties().resumeInterruptedUploads();
        this.assembler = new PartAssembler(partSize, partsInMemory, storage.uploadMemory(), virtualPath);
        this.start = new UploadStart(destination, assembler, replaced, keepReplaced, resumeCandidate);
        this.replaced = replaced;
        this.exclusive = exclusive;
        this.initialMode = replaced != null ? replaced.mode() : openedMode;
        this.size = start.size();
    }

    // ---- writing ------------------------------------------------------------------------

    @Override
    public synchronized int write(ByteBuffer src) throws IOException {
        ensureOpen();
        throwIfFailed();
        if (!start.isDecided()) {
            begin(false, position);
        }
        int length = src.remaining();
        long offset = position;
        while (src.hasRemaining()) {
            reserve(offset);
            int before = src.remaining();
            PartAssembler.Part full = assembler.put(offset, src);
            offset += before - src.remaining();
            if (full != null) {
                send(full);
            }
        }
        position = offset;
        size = Math.max(size, offset);
        return length;
    }

    /** A buffer for the part at the offset, waiting for parts in flight to free memory where the window is full. */
    private void reserve(long offset) throws IOException {
        while (true) {
            boolean room;
            try {
                room = assembler.reserve(offset);
            } catch (FileSystemException refused) {
                throw fail(refused);
            }
            if (room) {
                return;
            }
            session.awaitAnyPart(); // room is only lacking while parts are in flight, which a session sends
        }
    }

    /** The first change (a write at {@code at}, or a truncation to {@code at} bytes) says what the open meant. */
    private void begin(boolean truncation, long at) throws IOException {
        try {
            session = truncation ? start.decideByTruncation(at) : start.decideByWrite(at);
        } catch (IOException e) {
            throw fail(e); // without the content it starts with, no later write may go on
        } catch (RuntimeException e) {
            fail(new FileSystemException(virtualPath, null, "the upload could not start from the existing file"));
            throw e;
        }
        size = start.size();
    }

    /** Sends a part in the background (the first starts the multipart upload); its memory is given back when S3 has it. */
    private void send(PartAssembler.Part part) throws IOException {
        if (session == null) {
            try {
                session = MultipartSession.start(destination);
            } catch (IOException e) {
                assembler.landed(); // never sent: its memory is free
                throw fail(e);
            } catch (RuntimeException e) {
                assembler.landed();
                throw e;
            }
        }
        try {
            session.send(part.index(), part.bytes(), part.length(), assembler::landed);
        } catch (IOException e) {
            throw fail(e);
        }
    }

    // ---- publishing -----------------------------------------------------------------------

    @Override
    public synchronized void commit() throws IOException {
        if (committed) {
            return;
        }
        ensureOpen();
        open = false;
        try {
            throwIfFailed();
            if (!start.isDecided() && start.leaveAsItWas(attributes, setByClient)) {
                committed = true; // opened and closed without a change: the object, or the interrupted upload, stays as it was
                return;
            }
            if (exclusive && destination.bucket().head(key, virtualPath).isPresent()) {
                throw new FileAlreadyExistsException(virtualPath);
            }
            if (session == null && assembler.isOnePut(size)) {
                stored = destination.bucket().put(key, assembler.firstPart((int) size), (int) size, virtualPath);
                assembler.dropFilling();
            } else {
                completeMultipart();
            }
            committed = true;
            target.forget();
            attributes.stored(key, stored.etag(), keptAttributes());
            // Interrupted uploads of this name are obsolete now (e.g. a client that started over).
            destination.pending().discardResumable(destination.bucket(), key);
        } catch (IOException | RuntimeException e) {
            discardQuietly();
            throw e;
        }
    }

    /** Sends what is still in memory (zeros for parts never written) and completes the multipart upload. */
    private void completeMultipart() throws IOException {
        int last = (int) ((size - 1) / partSize);
        for (int part = 0; part <= last; part++) {
            if (assembler.hasLeft(part)) {
                continue;
            }
            int length = part == last ? (int) (size - (long) last * partSize) : (int) partSize;
            while (assembler.inFlight() >= partsInMemory) {
                session.awaitAnyPart();
            }
            send(assembler.remaining(part, length));
        }
        stored = session.complete(last);
        session = null; // completed: nothing left to abort
    }

    /** A modification time or mode set on the open handle (FSETSTAT: put -p), kept with the object once it exists. */
    synchronized void setByClient(ObjectAttributes.Values set) {
        this.setByClient = setByClient.and(set);
    }

    /** The time and mode the new object shows: what the client set, else the mode it started with. */
    private ObjectAttributes.Values keptAttributes() {
        return new ObjectAttributes.Values(null, initialMode).and(setByClient);
    }

    // ---- the client went away ---------------------------------------------------------------

    /**
     * The client went away: with {@code resume-interrupted-uploads}, keeps the parts S3 has for
     * the client to resume (anything only in memory is dropped); otherwise discards the upload.
     */
    @Override
    public synchronized boolean suspend() {
        if (committed || !open && session == null) {
            return false;
        }
        boolean interrupted = Thread.interrupted(); // MINA interrupts the thread of a closed channel: clean up anyway
        try {
            open = false;
            assembler.dropFilling();
            start.release();
            if (session != null) {
                interrupted |= session.awaitPartsInFlight(); // a part in flight is not counted as kept
            }
            if (resumeInterruptedUploads && session != null && session.keepForResuming(size)) {
                return true;
            }
            discardQuietly();
            return false;
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public synchronized void abort() {
        if (committed) {
            return;
        }
        open = false;
        discardQuietly();
    }

    private void discardQuietly() {
        boolean interrupted = Thread.interrupted(); // the SDK refuses to send on an interrupted thread: restored after
        try {
            start.release();
            assembler.dropFilling();
            if (session != null) {
                MultipartSession discarded = session;
                session = null;
                interrupted |= discarded.abort();
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public void close() {
        if (!committed) {
            abort();
        }
    }

    // ---- state ----------------------------------------------------------------------------

    @Override
    public Path target() {
        return target;
    }

    /** The upload as it stands, for stat and setstat on the open handle. */
    @Override
    public synchronized Path stagedFile() {
        return target.getFileSystem().getPath(target.toString()).ofUpload(this)
                .withAttributes(S3Attributes.file(size, Instant.now(), null, null).with(keptAttributes()));
    }

    @Override
    public long replacedSize() {
        return replaced == null ? -1 : replaced.size();
    }

    @Override
    public ObjectVersion storedVersion() {
        return stored;
    }

    @Override
    public boolean isCommitted() {
        return committed;
    }

    @Override
    public synchronized long position() {
        return position;
    }

    @Override
    public synchronized S3Upload position(long newPosition) {
        if (newPosition < 0) {
            throw new IllegalArgumentException("negative position");
        }
        position = newPosition;
        return this;
    }

    @Override
    public synchronized long size() {
        return size;
    }

    /**
     * Truncates or extends the upload (FSETSTAT with a size on its handle, as sshfs sends after an
     * O_TRUNC open and for ftruncate; a SETSTAT truncation of a path). Extending only moves the end:
     * the bytes never written are zeros when the object is made. Shrinking cuts what is still in
     * memory; bytes already sent to S3 cannot be taken back, so a truncation below them is refused
     * and changes nothing.
     */
    @Override
    public synchronized S3Upload truncate(long newSize) throws IOException {
        ensureOpen();
        throwIfFailed();
        if (newSize < 0) {
            throw new IllegalArgumentException("negative size");
        }
        if (newSize > (long) PartAssembler.MAX_PARTS * partSize) {
            throw assembler.tooLarge();
        }
        if (!start.isDecided()) {
            begin(true, newSize);
        }
        if (newSize < size) {
            assembler.truncate(newSize);
        }
        size = newSize;
        return this;
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        throw new FileSystemException(virtualPath, null, "reading a file being uploaded is not supported on S3 storage");
    }

    @Override
    public synchronized boolean isOpen() {
        return open;
    }

    private void ensureOpen() throws ClosedChannelException {
        if (!open) {
            throw new ClosedChannelException();
        }
    }

    private void throwIfFailed() throws IOException {
        if (failure != null) {
            throw failure;
        }
        if (session != null) {
            session.throwIfFailed();
        }
    }

    private IOException fail(IOException e) {
        if (failure == null) {
            failure = e;
        }
        return e;
    }
}
