package dev.ferry.storage.s3;

import dev.ferry.storage.ObjectVersion;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.FileSystemException;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.s3.model.CompletedPart;

/**
 * One S3 multipart upload behind an upload in progress: its parts, each a future that completes
 * when S3 has it (sent in the background, so the SFTP thread goes on receiving), and its row in
 * {@link PendingUploads}, which lets an interrupted upload be resumed and a crashed server's be
 * aborted. It ends one of three ways: completed into the object, kept for resuming, or aborted.
 * <p>
 * Cleanup runs when MINA closes the channel, which interrupts the SFTP thread at any moment: it
 * waits for the parts in flight without being cut short (S3 may keep a part that lands after its
 * upload was aborted, and bill it), and aborts from a sender thread (the SDK refuses to send from
 * an interrupted one). Both waits end after a minute.
 */
final class MultipartSession {

    private static final Logger log = LoggerFactory.getLogger(MultipartSession.class);
    private static final long CLEANUP_WAIT_NANOS = TimeUnit.MINUTES.toNanos(1);

    /**
     * Where an upload goes: the bucket and key, the path the client named (for messages), the part
     * size, the threads that send parts, and the record of multipart uploads.
     */
    record Destination(S3Bucket bucket, String key, String path, long partSize, ExecutorService senders, PendingUploads pending) {
    }

    private final S3Bucket bucket;
    private final ExecutorService senders;
    private final PendingUploads pending;
    private final String key;
    private final String path;
    private final long partSize;
    private final String uploadId;
    private volatile long pendingId;
    /** Every part by index (S3's part number minus one); a part's future completes after its memory was given back. */
    private final ConcurrentSkipListMap<Integer, CompletableFuture<CompletedPart>> parts = new ConcurrentSkipListMap<>();
    private final Set<CompletableFuture<?>> inFlight = ConcurrentHashMap.newKeySet();
    /** Why a part failed to get to S3, once one did: the upload cannot be completed. */
    private volatile IOException failure;

    private MultipartSession(Destination destination, String uploadId, long pendingId) {
        this.bucket = destination.bucket();
        this.senders = destination.senders();
        this.pending = destination.pending();
        this.key = destination.key();
        this.path = destination.path();
        this.partSize = destination.partSize();
        this.uploadId = uploadId;
        this.pendingId = pendingId;
    }

    /** Starts a multipart upload to the key and records it, so that it is aborted should this server crash. */
    static MultipartSession start(Destination destination) throws IOException {
        S3Bucket bucket = destination.bucket();
        String uploadId = bucket.startUpload(destination.key(), destination.path());
        long pendingId;
        try {
            pendingId = destination.pending().started(bucket.name(), destination.key(), uploadId, destination.partSize());
        } catch (RuntimeException e) {
            bucket.abortQuietly(destination.key(), uploadId); // unrecorded, nothing would ever abort it
            throw e;
        }
        return new MultipartSession(destination, uploadId, pendingId);
    }

    /** Continues an interrupted upload claimed for resuming (of the destination's part size): its parts are in S3 already. */
    static MultipartSession resume(Destination destination, PendingUploads.Resumable resumable) {
        MultipartSession session = new MultipartSession(destination, resumable.uploadId(), resumable.id());
        for (PendingUploads.Part part : resumable.parts()) {
            session.parts.put(part.number() - 1, CompletableFuture.completedFuture(completed(part.number(), part.etag())));
        }
        return session;
    }

    /**
     * Sends a part in the background. {@code whenLanded} runs once S3 has it or it failed, before
     * the part counts as done for {@link #awaitAnyPart()}.
     */
    void send(int index, byte[] bytes, int length, Runnable whenLanded) throws IOException {
        CompletableFuture<CompletedPart> sending;
        try {
            sending = CompletableFuture.supplyAsync(() -> upload(index, bytes, length), senders);
        } catch (RejectedExecutionException e) {
            whenLanded.run();
            throw new FileSystemException(path, null, "the server is stopping");
        }
        CompletableFuture<CompletedPart> done = sending.whenComplete((part, e) -> whenLanded.run());
        parts.put(index, done);
        inFlight.add(done);
        done.whenComplete((part, e) -> inFlight.remove(done));
    }

    private CompletedPart upload(int index, byte[] bytes, int length) {
        int number = index + 1;
        try {
            String etag = bucket.uploadPart(key, uploadId, number, bytes, length, path);
            recordPart(number, etag, length);
            return completed(number, etag);
        } catch (IOException e) {
            failure = e;
            throw new CompletionException(e);
        } catch (RuntimeException e) {
            log.warn("Sending part {} of {} failed", number, path, e);
            failure = new FileSystemException(path, null, "sending a part to the storage failed");
            throw new CompletionException(failure);
        }
    }

    /** Makes part {@code index} inside S3 from bytes {@code from} to {@code to} (inclusive) of the object at the key, while it has this ETag. */
    void copy(int index, long from, long to, String etag) throws IOException {
        String partEtag = bucket.copyPart(key, uploadId, index + 1, from, to, etag, path);
        recordPart(index + 1, partEtag, to - from + 1);
        parts.put(index, CompletableFuture.completedFuture(completed(index + 1, partEtag)));
    }

    private void recordPart(int number, String etag, long size) {
        try {
            pending.partSent(pendingId, new PendingUploads.Part(number, etag, size));
        } catch (RuntimeException e) {
            // The part is in S3 either way; without its row only resuming from here is lost.
            log.warn("Could not record part {} of {}: {}", number, path, e.toString());
        }
    }

    private static CompletedPart completed(int number, String etag) {
        return CompletedPart.builder().partNumber(number).eTag(etag).build();
    }

    void throwIfFailed() throws IOException {
        if (failure != null) {
            throw failure;
        }
    }

    /** Waits until a part in flight is done (none: returns at once); throws when a part failed. */
    void awaitAnyPart() throws IOException {
        CompletableFuture<?>[] sending = inFlight.toArray(CompletableFuture[]::new);
        if (sending.length > 0) {
            try {
                CompletableFuture.anyOf(sending).get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("upload interrupted");
            } catch (ExecutionException e) {
                // the part's failure, thrown below
            }
        }
        throwIfFailed();
    }

    /**
     * The client went away: keeps the upload for a later session to continue (OpenSSH's reput,
     * lftp's put -c) from the end of the parts S3 holds without a gap, when that is a whole number
     * of parts of a file of {@code size} bytes. The parts in flight were awaited.
     *
     * @return whether it was kept; if not, the caller aborts it
     */
    boolean keepForResuming(long size) {
        long resumable = 0;
        for (int index = 0; isStored(index); index++) {
            resumable += partSize;
        }
        resumable = Math.min(resumable, size);
        if (resumable == 0 || resumable % partSize != 0) {
            return false;
        }
        try {
            pending.suspended(pendingId, resumable);
            log.info("Upload of {} interrupted: {} bytes kept for resuming", path, resumable);
            return true;
        } catch (RuntimeException e) {
            log.warn("Could not keep the interrupted upload of {} for resuming: {}", path, e.toString());
            return false;
        }
    }

    private boolean isStored(int index) {
        CompletableFuture<CompletedPart> part = parts.get(index);
        return part != null && part.isDone() && !part.isCompletedExceptionally();
    }

    /** Completes the upload into the object from parts 0 to {@code lastIndex}, once every part in flight is in S3. */
    ObjectVersion complete(int lastIndex) throws IOException {
        while (!inFlight.isEmpty()) {
            awaitAnyPart();
        }
        throwIfFailed();
        List<CompletedPart> completed = parts.headMap(lastIndex, true).values().stream().map(CompletableFuture::join).toList();
        ObjectVersion version = bucket.completeUpload(key, uploadId, completed, path);
        forget();
        return version;
    }

    /**
     * Waits, at most a minute, until no part is in flight; an interrupt does not cut the wait short.
     *
     * @return whether the thread was interrupted meanwhile (the flag is left cleared)
     */
    boolean awaitPartsInFlight() {
        long deadline = System.nanoTime() + CLEANUP_WAIT_NANOS;
        boolean interrupted = false;
        for (CompletableFuture<?> part : List.copyOf(inFlight)) {
            interrupted |= awaitQuietly(part, deadline);
        }
        return interrupted;
    }

    /**
     * Aborts the upload once no part is in flight, from a sender thread, and forgets its record.
     *
     * @return whether the calling thread was interrupted meanwhile (the flag is left cleared)
     */
    boolean abort() {
        boolean interrupted = awaitPartsInFlight();
        Future<?> abort;
        try {
            abort = senders.submit(() -> bucket.abortQuietly(key, uploadId));
        } catch (RejectedExecutionException stopping) {
            bucket.abortQuietly(key, uploadId);
            abort = CompletableFuture.completedFuture(null);
        }
        interrupted |= awaitQuietly(abort, System.nanoTime() + CLEANUP_WAIT_NANOS);
        forget();
        return interrupted;
    }

    /** @return whether the thread was interrupted while waiting */
    private static boolean awaitQuietly(Future<?> future, long deadline) {
        boolean interrupted = false;
        while (!future.isDone() && System.nanoTime() < deadline) {
            try {
                future.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                interrupted = true;
            } catch (ExecutionException | TimeoutException e) {
                // a part that failed is no longer in flight; aborts log their own failures; the deadline is checked by the loop
            }
        }
        return interrupted;
    }

    /** The upload is completed or aborted: its record goes. */
    private void forget() {
        if (pendingId != 0) {
            try {
                pending.finished(pendingId);
            } catch (RuntimeException e) {
                log.warn("Could not remove the record of the upload of {}: {}", path, e.toString());
            }
            pendingId = 0;
        }
    }
}
