package dev.ferry.storage.s3;

import dev.ferry.storage.ObjectVersion;
import dev.ferry.storage.StagedWrite;
import dev.ferry.storage.UnsupportedByStorageException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.model.CompleteMultipartUploadResponse;
import software.amazon.awssdk.services.s3.model.CompletedMultipartUpload;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.PutObjectResponse;

/**
 * An upload to S3, streamed as a multipart upload while the bytes arrive: no temporary file, and
 * at most {@code upload-buffer} bytes in memory (parts being filled plus parts being sent).
 * Writes may arrive out of order as long as they land within those buffers; a write further
 * ahead of missing bytes, or one that rewrites bytes already sent, fails with a clear message.
 * The object appears under its key only when the client closes the file (a small file is one
 * PUT then); a client that goes away leaves the sent parts resumable.
 */
final class S3Upload implements StagedWrite {

    private static final Logger log = LoggerFactory.getLogger(S3Upload.class);
    private static final int MAX_PARTS = 10_000;
    private static final String CONTENT_TYPE = "application/octet-stream";

    private final S3FileSystem fs;
    private final S3Path target;
    private final String key;
    private final String virtualPath;
    private final long partSize;
    private final int partsInMemory;
    private final boolean exclusive;
    /** The object this upload replaces, if any. */
    private final S3Attributes replaced;
    /** Open without truncation on an existing object: its content is the start of this file. */
    private boolean keepExisting;
    /** An interrupted upload of this key that this one continues if the client's first write is where it stopped. */
    private PendingUploads.Resumable resumeCandidate;

    private String uploadId;
    private long pendingId;
    private final TreeMap<Integer, CompletedPart> sent = new TreeMap<>();
    private final Map<Integer, PartBuffer> filling = new HashMap<>();
    private final Set<Integer> sending = new HashSet<>();
    /** Permits of {@link S3FileSystem#uploadMemory} held: buffers beyond the first one. */
    private int borrowed;
    private IOException failure;
    private boolean written;
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
     * @param openedMode the permission bits sent with OPEN (null: none), for an object made anew:
     *                   an object that replaces another keeps that one's mode
     */
    S3Upload(S3FileSystem fs, S3Path target, S3Attributes replaced, boolean keepExisting, boolean exclusive,
            PendingUploads.Resumable resumeCandidate, Integer openedMode) throws IOException {
        this.fs = fs;
        this.target = target;
        this.key = fs.key(target);
        this.virtualPath = S3FileSystem.virtual(target);
        this.partSize = fs.properties.partSize().toBytes();
        this.partsInMemory = fs.properties.partsInMemory();
        this.replaced = replaced;
        this.keepExisting = keepExisting && replaced != null && replaced.size() > 0;
        this.exclusive = exclusive;
        this.resumeCandidate = resumeCandidate;
        this.initialMode = replaced != null ? replaced.mode() : openedMode;
        this.size = this.keepExisting ? replaced.size() : resumeCandidate != null ? resumeCandidate.resumableBytes() : 0;
    }

    // ---- the channel --------------------------------------------------------------------

    @Override
    public synchronized int write(ByteBuffer src) throws IOException {
        ensureOpen();
        throwIfFailed();
        if (!written) {
            firstWrite(position);
        }
        int length = src.remaining();
        long offset = position;
        while (src.hasRemaining()) {
            long index = offset / partSize;
            if (index >= MAX_PARTS) {
                throw fail(new FileSystemException(virtualPath, null, "file too large for S3 storage with parts of "
                        + partSize / (1024 * 1024) + " MiB (at most " + MAX_PARTS + " parts)"));
            }
            int part = (int) index;
            if (sent.containsKey(part) || sending.contains(part)) {
                throw fail(new FileSystemException(virtualPath, null, "cannot rewrite offset " + offset
                        + ": that part of the file was already sent to the storage"));
            }
            PartBuffer buffer = filling.get(part);
            if (buffer == null) {
                buffer = newBuffer(part, offset);
            }
            int within = (int) (offset - index * partSize);
            int n = (int) Math.min(src.remaining(), partSize - within);
            buffer.put(within, src, n);
            offset += n;
            if (buffer.isFull()) {
                filling.remove(part);
                send(part, buffer, (int) partSize);
            }
        }
        position = offset;
        size = Math.max(size, offset);
        return length;
    }

    /**
     * The first write says what an open without truncation meant: continuing an interrupted upload
     * (it starts where that one stopped), or writing into the existing object's content.
     */
    private void firstWrite(long offset) throws IOException {
        begin(offset, Long.MAX_VALUE);
    }

    /**
     * The first change (a write at {@code offset}, or a truncation) says what an open without
     * truncation meant: continuing an interrupted upload from where it stopped, or changing the
     * existing object, whose first {@code keep} bytes this upload starts with.
     */
    private void begin(long offset, long keep) throws IOException {
        written = true;
        if (resumeCandidate != null) {
            PendingUploads.Resumable resumable = resumeCandidate;
            resumeCandidate = null;
            if (offset == resumable.resumableBytes() && resumable.partSize() == partSize) {
                uploadId = resumable.uploadId();
                pendingId = resumable.id();
                for (PendingUploads.Part part : resumable.parts()) {
                    sent.put(part.number() - 1, CompletedPart.builder().partNumber(part.number()).eTag(part.etag()).build());
                }
                log.info("Resuming the upload of {} from byte {}", virtualPath, offset);
                return;
            }
            // The client starts elsewhere: it is a new upload, the interrupted one goes.
            fs.pending.finished(resumable.id());
            PendingUploads.abortQuietly(fs.s3, fs.bucket, key, resumable.uploadId());
            size = 0;
        }
        if (keepExisting) {
            copyExistingContent(Math.min(keep, replaced.size()));
        }
    }

    /**
     * Starts this upload with the replaced object's first {@code length} bytes: whole parts copied
     * inside S3 (never through this server), the rest read into a buffer.
     */
    private void copyExistingContent(long length) throws IOException {
        keepExisting = false;
        long wholeParts = length / partSize;
        try {
            if (wholeParts > 0) {
                startMultipart();
                for (int part = 0; part < wholeParts; part++) {
                    int number = part + 1;
                    String range = "bytes=" + part * partSize + "-" + ((part + 1) * partSize - 1);
                    String partEtag = fs.s3.uploadPartCopy(b -> b.sourceBucket(fs.bucket).sourceKey(key)
                            .copySourceIfMatch(replaced.etag()).destinationBucket(fs.bucket).destinationKey(key)
                            .uploadId(uploadId).partNumber(number).copySourceRange(range)).copyPartResult().eTag();
                    partDone(part, partEtag, partSize);
                }
            }
            long tail = length - wholeParts * partSize;
            if (tail > 0) {
                PartBuffer buffer = new PartBuffer((int) partSize, true);
                String range = "bytes=" + wholeParts * partSize + "-" + (length - 1);
                try (InputStream in = fs.s3.getObject(b -> b.bucket(fs.bucket).key(key).range(range).ifMatch(replaced.etag()))) {
                    buffer.putAll(in, (int) tail);
                }
                filling.put((int) wholeParts, buffer);
            }
        } catch (SdkException e) {
            throw fail(S3Errors.translate(e, virtualPath));
        }
        size = length;
    }

    /** A buffer for a part; waits for parts being sent to free memory, refuses writes too far ahead of a gap. */
    private PartBuffer newBuffer(int part, long offset) throws IOException {
        while (filling.size() + sending.size() >= partsInMemory) {
            if (sending.isEmpty()) {
                long gap = filling.keySet().stream().mapToLong(p -> p * partSize + filling.get(p).firstMissing()).min().orElse(0);
                throw fail(new FileSystemException(virtualPath, null, "write at offset " + offset
                        + " is too far ahead of the missing bytes at offset " + gap + ": writes may arrive out of order within "
                        + partsInMemory * partSize / (1024 * 1024) + " MiB"));
            }
            awaitSending();
        }
        reserveBuffer();
        PartBuffer buffer = new PartBuffer((int) partSize, part > 0);
        filling.put(part, buffer);
        return buffer;
    }

    /**
     * Room for one more buffer: the first is always there; more come from the budget all uploads
     * share. With the budget spent, waits for this upload's parts being sent to free theirs; with
     * none being sent (only parts with gaps held), goes over the budget rather than stall.
     */
    private void reserveBuffer() throws IOException {
        while (filling.size() + sending.size() >= 1 + borrowed) {
            if (fs.uploadMemory.tryAcquire()) {
                borrowed++;
                return;
            }
            if (sending.isEmpty()) {
                return;
            }
            awaitSending();
        }
    }

    /** Gives back the budget for buffers this upload no longer holds. */
    private void settleBudget() {
        int keep = Math.max(0, filling.size() + sending.size() - 1);
        if (borrowed > keep) {
            fs.uploadMemory.release(borrowed - keep);
            borrowed = keep;
        }
    }

    private void awaitSending() throws IOException {
        try {
            wait(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("upload interrupted");
        }
        throwIfFailed();
    }

    private void startMultipart() throws IOException {
        if (uploadId != null) {
            return;
        }
        try {
            uploadId = fs.s3.createMultipartUpload(b -> b.bucket(fs.bucket).key(key).contentType(CONTENT_TYPE)).uploadId();
        } catch (SdkException e) {
            throw fail(S3Errors.translate(e, virtualPath));
        }
        pendingId = fs.pending.started(fs.bucket, key, uploadId, partSize);
    }

    /** Sends a part in the background; its buffer is freed when S3 has it. */
    private void send(int part, PartBuffer buffer, int length) throws IOException {
        startMultipart();
        sending.add(part);
        byte[] bytes = buffer.bytes(length);
        String id = uploadId;
        try {
            fs.partSenders.execute(() -> {
                try {
                    String partEtag = fs.s3.uploadPart(b -> b.bucket(fs.bucket).key(key).uploadId(id).partNumber(part + 1)
                            .contentLength((long) length), RequestBody.fromContentProvider(
                                    () -> new ByteArrayInputStream(bytes, 0, length), length, CONTENT_TYPE)).eTag();
                    synchronized (S3Upload.this) {
                        partDone(part, partEtag, length);
                    }
                } catch (SdkException e) {
                    synchronized (S3Upload.this) {
                        failure = S3Errors.translate(e, virtualPath);
                    }
                } catch (RuntimeException e) {
                    synchronized (S3Upload.this) {
                        failure = new FileSystemException(virtualPath, null, "sending a part to the storage failed");
                    }
                    log.warn("Sending part {} of {} failed", part + 1, virtualPath, e);
                } finally {
                    synchronized (S3Upload.this) {
                        sending.remove(part);
                        settleBudget();
                        S3Upload.this.notifyAll();
                    }
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            sending.remove(part);
            throw fail(new FileSystemException(virtualPath, null, "the server is stopping"));
        }
    }

    private void partDone(int part, String partEtag, long length) {
        sent.put(part, CompletedPart.builder().partNumber(part + 1).eTag(partEtag).build());
        try {
            fs.pending.partSent(pendingId, new PendingUploads.Part(part + 1, partEtag, length));
        } catch (RuntimeException e) {
            // The part is in S3 either way; without its row only resuming from here is lost.
            log.warn("Could not record part {} of {}: {}", part + 1, virtualPath, e.toString());
        }
    }

    private void awaitAllSent() throws IOException {
        while (!sending.isEmpty()) {
            awaitSending();
        }
        throwIfFailed();
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
            if (!written && (keepExisting || resumeCandidate != null)) {
                // Opened and closed without writing: the object, or the interrupted upload, stays as it was.
                releaseResumeCandidate();
                if (keepExisting && !setByClient.isEmpty()) {
                    fs.setOnObject(key, replaced.etag(), setByClient); // what was set on the handle, as for an upload
                }
                committed = true;
                return;
            }
            if (exclusive && fs.headObject(key, virtualPath).isPresent()) {
                throw new FileAlreadyExistsException(virtualPath);
            }
            if (uploadId == null && size <= partSize && filling.keySet().stream().allMatch(p -> p == 0)) {
                putWhole();
            } else {
                completeMultipart();
            }
            committed = true;
            target.forget();
            fs.objectStored(key, stored.etag(), keptAttributes());
            // Interrupted uploads of this name are obsolete now (e.g. a client that started over).
            fs.pending.discardResumable(fs.bucket, key, fs.s3);
        } catch (SdkException e) {
            IOException translated = S3Errors.translate(e, virtualPath);
            discardQuietly();
            throw translated;
        } catch (IOException | RuntimeException e) {
            discardQuietly();
            throw e;
        }
    }

    /** A modification time or mode set on the open handle (FSETSTAT: put -p), kept with the object once it exists. */
    synchronized void setByClient(ObjectAttributes.Values set) {
        this.setByClient = setByClient.and(set);
    }

    /** The time and mode the new object shows: what the client set, else the mode it started with. */
    private ObjectAttributes.Values keptAttributes() {
        return new ObjectAttributes.Values(null, initialMode).and(setByClient);
    }

    private void putWhole() {
        PartBuffer buffer = filling.remove(0);
        int length = (int) size;
        byte[] bytes = buffer == null ? new byte[0] : buffer.bytes(length);
        PutObjectResponse put = fs.s3.putObject(b -> b.bucket(fs.bucket).key(key).contentType(CONTENT_TYPE)
                .contentLength((long) length), RequestBody.fromContentProvider(() -> new ByteArrayInputStream(bytes, 0, length),
                        length, CONTENT_TYPE));
        stored = new ObjectVersion(put.eTag(), put.versionId());
        settleBudget();
    }

    private void completeMultipart() throws IOException {
        int last = (int) ((size - 1) / partSize);
        for (int part = 0; part <= last; part++) {
            if (sent.containsKey(part) || sending.contains(part)) {
                continue;
            }
            PartBuffer buffer = filling.remove(part);
            if (buffer == null) {
                buffer = new PartBuffer((int) partSize, true); // never written: zeros, as a sparse file reads
            }
            int length = part == last ? (int) (size - (long) last * partSize) : (int) partSize;
            while (sending.size() >= partsInMemory) {
                awaitSending();
            }
            send(part, buffer, length);
        }
        awaitAllSent();
        List<CompletedPart> parts = new ArrayList<>(sent.headMap(last, true).values());
        CompleteMultipartUploadResponse done = fs.s3.completeMultipartUpload(b -> b.bucket(fs.bucket).key(key)
                .uploadId(uploadId).multipartUpload(CompletedMultipartUpload.builder().parts(parts).build()));
        stored = new ObjectVersion(done.eTag(), done.versionId());
        finishedQuietly();
    }

    // ---- the client went away ---------------------------------------------------------------

    /**
     * The client went away: with {@code resume-interrupted-uploads}, keeps the parts S3 has for
     * the client to resume (anything only in memory is dropped); otherwise discards the upload.
     */
    @Override
    public synchronized boolean suspend() {
        if (committed || !open && uploadId == null) {
            return false;
        }
        boolean interrupted = Thread.interrupted(); // MINA interrupts the thread of a closed channel: clean up anyway
        try {
            open = false;
            filling.clear();
            settleBudget();
            releaseResumeCandidate();
            interrupted |= awaitPartsInFlight();
            if (!fs.properties.resumeInterruptedUploads()) {
                discardQuietly();
                return false;
            }
            long resumable = 0;
            for (int part = 0; sent.containsKey(part); part++) {
                resumable += partSize;
            }
            resumable = Math.min(resumable, size);
            if (uploadId != null && resumable > 0 && resumable % partSize == 0) {
                try {
                    fs.pending.suspended(pendingId, resumable);
                    log.info("Upload of {} interrupted: {} bytes kept for resuming", virtualPath, resumable);
                    return true;
                } catch (RuntimeException e) {
                    log.warn("Could not keep the interrupted upload of {} for resuming: {}", virtualPath, e.toString());
                }
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

    /**
     * Waits, at most a minute, until no part is being sent: S3 may keep a part that arrives after
     * its upload was aborted (it would cost money until the bucket's lifecycle rule), and a part
     * in flight is not counted as kept for resuming. An interrupt does not cut the wait short (MINA
     * interrupts the thread of a channel that closed, which is when this cleanup runs).
     *
     * @return whether the thread was interrupted meanwhile (the flag is left cleared)
     */
    private boolean awaitPartsInFlight() {
        long deadline = System.nanoTime() + 60_000_000_000L;
        boolean interrupted = false;
        while (!sending.isEmpty() && System.nanoTime() < deadline) {
            try {
                wait(1000);
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        return interrupted;
    }

    /**
     * Aborts the multipart upload from a sender thread and waits for it (at most a minute): the SDK
     * refuses to send from an interrupted thread, and MINA interrupts the SFTP thread of a channel
     * that closes at any moment, even during this cleanup.
     *
     * @return whether the calling thread was interrupted meanwhile (the flag is left cleared)
     */
    private boolean abortMultipart(String id) {
        Future<?> abort;
        try {
            abort = fs.partSenders.submit(() -> PendingUploads.abortQuietly(fs.s3, fs.bucket, key, id));
        } catch (java.util.concurrent.RejectedExecutionException stopping) {
            PendingUploads.abortQuietly(fs.s3, fs.bucket, key, id);
            return false;
        }
        boolean interrupted = false;
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (!abort.isDone() && System.nanoTime() < deadline) {
            try {
                abort.get(1, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                interrupted = true;
            } catch (ExecutionException | TimeoutException e) {
                // abortQuietly logs its own failures; a timeout is checked by the loop
            }
        }
        return interrupted;
    }

    /** An interrupted upload claimed at open but not continued goes back to waiting for its client. */
    private void releaseResumeCandidate() {
        PendingUploads.Resumable candidate = resumeCandidate;
        resumeCandidate = null;
        if (candidate != null) {
            try {
                fs.pending.suspended(candidate.id(), candidate.resumableBytes());
            } catch (RuntimeException e) {
                log.warn("Could not release the interrupted upload of {}: {}", virtualPath, e.toString());
            }
        }
    }

    private void discardQuietly() {
        boolean interrupted = Thread.interrupted(); // the SDK refuses to send on an interrupted thread: restored after
        try {
            releaseResumeCandidate();
            filling.clear();
            settleBudget();
            if (uploadId != null) {
                interrupted |= awaitPartsInFlight();
                String id = uploadId;
                uploadId = null;
                interrupted |= abortMultipart(id);
                finishedQuietly();
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void finishedQuietly() {
        if (pendingId != 0) {
            try {
                fs.pending.finished(pendingId);
            } catch (RuntimeException e) {
                log.warn("Could not remove the record of the upload of {}: {}", virtualPath, e.toString());
            }
            pendingId = 0;
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
        if (newSize > (long) MAX_PARTS * partSize) {
            throw new FileSystemException(virtualPath, null, "file too large for S3 storage with parts of "
                    + partSize / (1024 * 1024) + " MiB (at most " + MAX_PARTS + " parts)");
        }
        if (!written) {
            long resumable = resumeCandidate == null ? -1 : resumeCandidate.resumableBytes();
            begin(newSize >= resumable ? resumable : -1, newSize);
        }
        if (newSize < size) {
            long sentUpTo = 0;
            for (int part : sent.keySet()) {
                sentUpTo = Math.max(sentUpTo, (part + 1) * partSize);
            }
            for (int part : sending) {
                sentUpTo = Math.max(sentUpTo, (part + 1) * partSize);
            }
            if (newSize < sentUpTo) {
                throw new UnsupportedByStorageException(virtualPath, "truncating to " + newSize + " bytes is not supported on S3 "
                        + "storage: the first " + sentUpTo + " bytes of this upload were already sent to the storage");
            }
            int cut = (int) (newSize / partSize);
            filling.keySet().removeIf(part -> part > cut || part == cut && newSize == (long) cut * partSize);
            PartBuffer last = filling.get(cut);
            if (last != null) {
                last.truncate((int) (newSize - (long) cut * partSize));
            }
            settleBudget();
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
    }

    private IOException fail(IOException e) {
        if (failure == null) {
            failure = e;
        }
        return e;
    }
}
