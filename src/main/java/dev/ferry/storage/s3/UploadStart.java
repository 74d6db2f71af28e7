package dev.ferry.storage.s3;

import java.io.IOException;
import java.io.InputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What an upload opened without truncation starts with, which the client's first change (a write
 * or a truncation) decides:
 * <ul>
 * <li>the object it replaces ({@code reput}, appends, in-place writes): the first bytes are kept,
 * whole parts copied inside S3 (never through this server), the rest read into memory;</li>
 * <li>an interrupted upload of the name, claimed at open: continued when the first write is
 * where it stopped, else aborted (the client starts over: rclone writes from 0);</li>
 * <li>nothing: a new file, or an open with truncation.</li>
 * </ul>
 * Until then the upload shows the size it would start from, and a CLOSE leaves what is there as it was.
 */
final class UploadStart {

    private static final Logger log = LoggerFactory.getLogger(UploadStart.class);

    private final MultipartSession.Destination destination;
    private final PartAssembler assembler;
    /** The object whose content the upload starts with, until the first change. */
    private S3Attributes kept;
    /** An interrupted upload of the name claimed for continuing, until the first change. */
    private PendingUploads.Resumable claimed;
    private boolean decided;
    private long size;

    UploadStart(MultipartSession.Destination destination, PartAssembler assembler, S3Attributes replaced, boolean keepReplaced,
            PendingUploads.Resumable claimed) {
        this.destination = destination;
        this.assembler = assembler;
        this.kept = keepReplaced && replaced != null && replaced.size() > 0 ? replaced : null;
        this.claimed = claimed;
        this.size = kept != null ? kept.size() : claimed != null ? claimed.resumableBytes() : 0;
    }

    /** The upload's size before its first change; after it, the size it started from. */
    long size() {
        return size;
    }

    boolean isDecided() {
        return decided;
    }

    /**
     * The upload is closed before any change: what it started from stays as it was. The object
     * gets what the client set on the handle (put -p), as an upload would; a claimed interrupted
     * upload goes back to waiting for its client.
     *
     * @return whether there was something to leave; if not, the upload publishes an empty file
     */
    boolean leaveAsItWas(KeptAttributes attributes, ObjectAttributes.Values setByClient) {
        if (kept == null && claimed == null) {
            return false;
        }
        if (kept != null && !setByClient.isEmpty()) {
            attributes.setOnObject(destination.key(), kept.etag(), setByClient);
        }
        release();
        return true;
    }

    /** The first change is a write at {@code offset}; returns the multipart upload it continues or starts with, or null. */
    MultipartSession decideByWrite(long offset) throws IOException {
        return decide(offset, Long.MAX_VALUE);
    }

    /**
     * The first change is a truncation to {@code size}: it continues the claimed interrupted upload
     * when it keeps all of it (and then extends it), else keeps that many bytes of the object.
     *
     * @return the multipart upload it continues or starts with, or null
     */
    MultipartSession decideByTruncation(long size) throws IOException {
        long resumable = claimed == null ? -1 : claimed.resumableBytes();
        return decide(size >= resumable ? resumable : -1, size);
    }

    private MultipartSession decide(long offset, long keep) throws IOException {
        decided = true;
        PendingUploads.Resumable resumable = claimed;
        S3Attributes object = kept;
        claimed = null;
        kept = null;
        if (resumable != null) {
            if (offset == resumable.resumableBytes() && resumable.partSize() == destination.partSize()) {
                resumable.parts().forEach(part -> assembler.alreadyStored(part.number() - 1));
                log.info("Resuming the upload of {} from byte {}", destination.path(), offset);
                return MultipartSession.resume(destination, resumable);
            }
            // The client starts elsewhere: it is a new upload, the interrupted one goes.
            destination.pending().finished(resumable.id());
            destination.bucket().abortQuietly(destination.key(), resumable.uploadId());
            size = 0;
        }
        return object == null ? null : copyStart(object, Math.min(keep, object.size()));
    }

    /** The object's first {@code length} bytes: whole parts copied inside S3, the rest read into the assembler. */
    private MultipartSession copyStart(S3Attributes object, long length) throws IOException {
        long partSize = destination.partSize();
        long wholeParts = length / partSize;
        MultipartSession session = null;
        try {
            if (wholeParts > 0) {
                session = MultipartSession.start(destination);
                for (int part = 0; part < wholeParts; part++) {
                    session.copy(part, part * partSize, (part + 1) * partSize - 1, object.etag());
                    assembler.alreadyStored(part);
                }
            }
            long tail = length - wholeParts * partSize;
            if (tail > 0) {
                try (InputStream in = destination.bucket().read(destination.key(), wholeParts * partSize, length - 1, object.etag(),
                        destination.path())) {
                    assembler.fill((int) wholeParts, in, (int) tail);
                }
            }
        } catch (IOException | RuntimeException e) {
            if (session != null && session.abort()) {
                Thread.currentThread().interrupt();
            }
            throw e;
        }
        size = length;
        return session;
    }

    /** The claimed interrupted upload was not continued: it goes back to waiting for its client. */
    void release() {
        PendingUploads.Resumable resumable = claimed;
        claimed = null;
        if (resumable != null) {
            try {
                destination.pending().suspended(resumable.id(), resumable.resumableBytes());
            } catch (RuntimeException e) {
                log.warn("Could not release the interrupted upload of {}: {}", destination.path(), e.toString());
            }
        }
    }
}
