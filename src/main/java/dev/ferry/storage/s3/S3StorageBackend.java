package dev.ferry.storage.s3;

import dev.ferry.storage.HomeLocation;
import dev.ferry.storage.StorageBackend;
import dev.ferry.storage.StorageType;
import dev.ferry.storage.UserHome;
import java.io.IOException;
import java.nio.file.FileSystemException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.stereotype.Component;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Homes on S3 or an S3-compatible store: {@code bucket/prefix}, the bucket defaulting to
 * {@code sftp.storage.s3.bucket} and the prefix to {@code <username>/}. Uploads stream as
 * multipart uploads and can be resumed; the store is never asked to do what it cannot (no
 * links, no in-place rewrites of sent bytes), and says so.
 */
@Component
@EnableConfigurationProperties(S3StorageProperties.class)
class S3StorageBackend implements StorageBackend, DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(S3StorageBackend.class);
    /** S3's bucket naming rules (lower case, digits, dots, hyphens; 3-63 characters). */
    private static final Pattern BUCKET = Pattern.compile("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]");
    private static final int MAX_PREFIX = 512;

    private final S3StorageProperties properties;
    private final PendingUploads pending;
    private final ObjectAttributes attributes;
    private final S3Client s3;
    private final S3FileSystemProvider provider = new S3FileSystemProvider();
    private final ExecutorService io;
    /**
     * Part buffers all uploads together may hold beyond the one each upload always gets: an eighth of
     * the heap, and at least enough for one upload's whole upload-buffer. Without it, N uploads could
     * hold N x upload-buffer (8 x 32 MiB filled a 256 MiB heap); with it, an upload that finds the
     * budget spent sends its part before it fills the next one (slower, never out of memory).
     */
    private final Semaphore uploadMemory;

    S3StorageBackend(S3StorageProperties properties, PendingUploads pending, ObjectAttributes attributes) {
        this.properties = properties;
        this.pending = pending;
        this.attributes = attributes;
        this.s3 = S3Clients.create(properties);
        this.io = Executors.newCachedThreadPool(daemonThreads("s3-io-"));
        this.uploadMemory = new Semaphore((int) Math.max(properties.partsInMemory() - 1,
                Math.min(Integer.MAX_VALUE, Runtime.getRuntime().maxMemory() / 8 / properties.partSize().toBytes())));
        pending.useBuckets(this::bucket);
        attributes.useBuckets(this::bucket);
        if (properties.endpoint() != null || properties.bucket() != null) {
            log.info("S3 storage at {} (default bucket {})", properties.endpoint() == null ? "AWS " + properties.region()
                    : properties.endpoint(), properties.bucket());
        }
    }

    @Override
    public StorageType type() {
        return StorageType.S3;
    }

    @Override
    public void check(HomeLocation location) {
        bucketOf(location);
        if (location.prefix() != null) {
            checkPrefix(location.prefix());
        }
    }

    @Override
    public UserHome open(HomeLocation location) throws IOException {
        String bucket;
        try {
            bucket = bucketOf(location);
        } catch (IllegalArgumentException e) {
            throw new FileSystemException("/", null, e.getMessage());
        }
        HomeStorage storage = new HomeStorage(bucket(bucket), prefixOf(location), properties, pending,
                new KeptAttributes(attributes, bucket), io, uploadMemory);
        return new S3UserHome(new S3FileSystem(provider, storage));
    }

    @Override
    public void purgeHome(HomeLocation location) throws IOException {
        String bucket = bucketOf(location);
        String prefix = prefixOf(location);
        if (prefix.isEmpty()) {
            throw new IOException("refusing to empty the whole bucket " + bucket + ": the home has no prefix");
        }
        S3Bucket home = bucket(bucket);
        home.forEachPage(prefix, "/", page -> home.deleteAll(page.stream().map(S3Object::key).toList(), "/"));
        new KeptAttributes(attributes, bucket).removedAllUnder(prefix);
    }

    private S3Bucket bucket(String name) {
        return new S3Bucket(s3, name);
    }

    private String bucketOf(HomeLocation location) {
        String bucket = location.bucket() != null ? location.bucket() : properties.bucket();
        if (bucket == null || bucket.isBlank()) {
            throw new IllegalArgumentException("no bucket given, and the server has no default bucket "
                    + "(set sftp.storage.s3.bucket or give storage.bucket)");
        }
        if (!BUCKET.matcher(bucket).matches() || bucket.contains("..")) {
            throw new IllegalArgumentException("'" + bucket.replaceAll("\\p{Cntrl}", "?") + "' is not a valid S3 bucket name "
                    + "(3-63 lower-case letters, digits, dots and hyphens)");
        }
        return bucket;
    }

    /** The key prefix of a home: given (made to end with '/'), or {@code <username>/}. */
    private static String prefixOf(HomeLocation location) {
        String prefix = location.prefix() != null ? location.prefix() : location.username() + "/";
        return prefix.isEmpty() || prefix.endsWith("/") ? prefix : prefix + "/";
    }

    private static void checkPrefix(String prefix) {
        if (prefix.length() > MAX_PREFIX) {
            throw new IllegalArgumentException("the prefix is longer than " + MAX_PREFIX + " characters");
        }
        if (prefix.startsWith("/")) {
            throw new IllegalArgumentException("the prefix must not start with '/' (write 'partners/acme/')");
        }
        for (int i = 0; i < prefix.length(); i++) {
            if (Character.isISOControl(prefix.charAt(i))) {
                throw new IllegalArgumentException("the prefix contains a control character");
            }
        }
        String trimmed = prefix.endsWith("/") ? prefix.substring(0, prefix.length() - 1) : prefix;
        if (!trimmed.isEmpty()) {
            for (String segment : trimmed.split("/", -1)) {
                if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
                    throw new IllegalArgumentException("the prefix must be names separated by single '/', without '.' or '..'");
                }
            }
        }
    }

    @Override
    public void destroy() {
        io.shutdownNow();
        s3.close();
    }

    private static ThreadFactory daemonThreads(String name) {
        AtomicInteger count = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, name + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }
}
