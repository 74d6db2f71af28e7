package dev.ferry.storage.s3;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.NonWritableChannelException;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.FileSystemException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;

/**
 * A download from S3. A fetcher reads one ranged GET from the client's position ahead of the
 * client, into at most {@code read-ahead} bytes of chunks, so the SFTP thread never waits on a
 * request while data is on its way. A read elsewhere (reget, random access) starts a new ranged
 * GET there. Every GET names the ETag seen at open: if the object is replaced meanwhile the read
 * fails instead of mixing two versions.
 */
final class S3ReadChannel implements SeekableByteChannel {

    static final int CHUNK = 256 * 1024;
    private static final int RECONNECTS = 3;

    private final S3Bucket bucket;
    private final Executor fetchers;
    private final String key;
    private final String path;
    private final long size;
    private final String etag;
    private final int chunksAhead;
    private long position;
    private Fetcher fetcher;
    private ByteBuffer current;
    private volatile boolean open = true;

    private S3ReadChannel(S3FileSystem fs, String key, String path, long size, String etag) {
        this.bucket = fs.storage().bucket();
        this.fetchers = fs.storage().io();
        this.key = key;
        this.path = path;
        this.size = size;
        this.etag = etag;
        this.chunksAhead = (int) Math.max(2, fs.storage().properties().readAhead().toBytes() / CHUNK);
    }

    static S3ReadChannel open(S3Path file) throws IOException {
        S3FileSystem fs = file.getFileSystem();
        String path = file.virtual();
        S3Attributes attributes = fs.stat(file);
        if (attributes.isDirectory()) {
            throw new FileSystemException(path, null, "is a directory");
        }
        if (attributes.etag() == null) {
            throw new java.nio.file.NoSuchFileException(path); // an interrupted upload, not a file yet
        }
        return new S3ReadChannel(fs, fs.key(file), path, attributes.size(), attributes.etag());
    }

    /** The content this channel reads, as {@link S3UserHome#contentIdentity} names it. */
    String identity() {
        return identity(size, etag);
    }

    /** Size and ETag (without the quotes some responses carry). */
    static String identity(long size, String etag) {
        return "s3:" + size + ":" + etag.replace("\"", "");
    }

    @Override
    public synchronized int read(ByteBuffer dst) throws IOException {
        ensureOpen();
        if (position >= size) {
            return -1;
        }
        int read = 0;
        while (dst.hasRemaining() && position < size) {
            if (current == null || !current.hasRemaining()) {
                current = nextChunk();
            }
            int n = Math.min(dst.remaining(), current.remaining());
            ByteBuffer slice = current.slice();
            slice.limit(n);
            dst.put(slice);
            current.position(current.position() + n);
            position += n;
            read += n;
        }
        return read;
    }

    /** The chunk at the current position, from a fetcher that starts there if none does. */
    private ByteBuffer nextChunk() throws IOException {
        if (fetcher == null || fetcher.consumed != position) {
            stopFetcher();
            current = null;
            fetcher = new Fetcher(position);
            fetchers.execute(fetcher);
        }
        ByteBuffer chunk;
        try {
            chunk = fetcher.chunks.poll(120, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("download interrupted");
        }
        if (chunk == null) {
            throw new FileSystemException(path, null, "the storage did not send data in time");
        }
        if (chunk == Fetcher.FAILED) {
            IOException failure = fetcher.failure;
            stopFetcher();
            throw failure;
        }
        fetcher.consumed += chunk.remaining();
        return chunk;
    }

    private void stopFetcher() {
        if (fetcher != null) {
            fetcher.stop();
            fetcher = null;
        }
    }

    /** Reads the object from an offset to its end into a bounded queue of chunks. */
    private final class Fetcher implements Runnable {

        static final ByteBuffer FAILED = ByteBuffer.allocate(0);

        final BlockingQueue<ByteBuffer> chunks = new ArrayBlockingQueue<>(chunksAhead + 1);
        /** Offset of the end of what the reader has taken. */
        long consumed;
        private long fetched;
        private volatile boolean stopped;
        private volatile ResponseInputStream<GetObjectResponse> stream;
        volatile IOException failure;

        Fetcher(long from) {
            this.consumed = from;
            this.fetched = from;
        }

        @Override
        public void run() {
            int reconnects = 0;
            while (!stopped && fetched < size) {
                ResponseInputStream<GetObjectResponse> range;
                try {
                    range = bucket.read(key, fetched, size - 1, etag, path);
                } catch (IOException refused) {
                    if (stopped) {
                        return;
                    }
                    if (isFinal(refused) || ++reconnects > RECONNECTS) {
                        fail(refused);
                        return;
                    }
                    continue;
                }
                stream = range;
                try {
                    pump(range);
                } catch (IOException | RuntimeException e) {
                    // the connection broke mid-range (the SDK's own failures while reading included)
                    if (stopped) {
                        return;
                    }
                    if (++reconnects > RECONNECTS) {
                        fail(new FileSystemException(path, null, "the storage connection broke during the download"));
                        return;
                    }
                } catch (InterruptedException e) {
                    return;
                } finally {
                    closeStream();
                }
            }
        }

        private boolean isFinal(IOException e) {
            return e instanceof java.nio.file.NoSuchFileException || e instanceof java.nio.file.AccessDeniedException
                    || e instanceof S3Errors.ObjectChangedException;
        }

        private void pump(InputStream in) throws IOException, InterruptedException {
            while (!stopped && fetched < size) {
                byte[] buffer = new byte[(int) Math.min(CHUNK, size - fetched)];
                int filled = 0;
                while (filled < buffer.length) {
                    int n = in.read(buffer, filled, buffer.length - filled);
                    if (n < 0) {
                        break;
                    }
                    filled += n;
                }
                if (filled > 0) {
                    fetched += filled;
                    while (!stopped && !chunks.offer(ByteBuffer.wrap(buffer, 0, filled), 1, TimeUnit.SECONDS)) {
                        // the client reads slower than the storage sends: wait for room
                    }
                }
                if (filled < buffer.length) {
                    if (fetched < size) {
                        throw new IOException("the object ended early");
                    }
                    return;
                }
            }
        }

        private void fail(IOException e) {
            failure = e;
            chunks.clear();
            chunks.offer(FAILED);
        }

        void stop() {
            stopped = true;
            closeStream();
            chunks.clear();
        }

        private void closeStream() {
            ResponseInputStream<GetObjectResponse> s = stream;
            if (s != null) {
                stream = null;
                s.abort(); // do not drain the rest of the range into a pooled connection
            }
        }
    }

    @Override
    public int write(ByteBuffer src) {
        throw new NonWritableChannelException();
    }

    @Override
    public synchronized long position() {
        return position;
    }

    @Override
    public synchronized SeekableByteChannel position(long newPosition) throws IOException {
        ensureOpen();
        if (newPosition < 0) {
            throw new IllegalArgumentException("negative position");
        }
        if (newPosition != position) {
            long skip = newPosition - position;
            if (current != null && skip > 0 && skip <= current.remaining()) {
                current.position(current.position() + (int) skip); // a small skip inside the chunk in hand
            } else {
                current = null;
                stopFetcher();
            }
            position = newPosition;
        }
        return this;
    }

    @Override
    public long size() throws IOException {
        ensureOpen();
        return size;
    }

    @Override
    public SeekableByteChannel truncate(long size) {
        throw new NonWritableChannelException();
    }

    @Override
    public boolean isOpen() {
        return open;
    }

    @Override
    public synchronized void close() {
        open = false;
        current = null;
        stopFetcher();
    }

    private void ensureOpen() throws ClosedChannelException {
        if (!open) {
            throw new ClosedChannelException();
        }
    }
}
