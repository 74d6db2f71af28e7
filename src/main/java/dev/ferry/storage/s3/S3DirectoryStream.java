package dev.ferry.storage.s3;

import java.io.IOException;
import java.nio.file.DirectoryIteratorException;
import java.nio.file.DirectoryStream;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import software.amazon.awssdk.services.s3.model.CommonPrefix;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * A directory listing read one S3 page (up to 1,000 keys) at a time, as the client asks for
 * entries: the first entries go out before the last page is fetched, and each entry carries
 * the size and time the listing gave (or the time and mode a client set, looked up once per page), so no
 * request is made per entry.
 */
final class S3DirectoryStream implements DirectoryStream<Path> {

    private final S3Path dir;
    private final S3FileSystem fs;
    private final Filter<? super Path> filter;
    private final String listPrefix;
    private boolean iterated;
    private volatile boolean closed;

    S3DirectoryStream(S3Path dir, Filter<? super Path> filter) throws IOException {
        this.dir = dir;
        this.fs = dir.getFileSystem();
        this.filter = filter;
        this.listPrefix = fs.directoryPrefix(dir);
    }

    @Override
    public Iterator<Path> iterator() {
        if (iterated || closed) {
            throw new IllegalStateException("a directory stream is iterated once");
        }
        iterated = true;
        return new Pages();
    }

    @Override
    public void close() {
        closed = true;
    }

    private final class Pages implements Iterator<Path> {

        private final Deque<S3Path> ready = new ArrayDeque<>();
        private String continuation;
        private boolean lastPageRead;

        @Override
        public boolean hasNext() {
            while (ready.isEmpty() && !lastPageRead && !closed) {
                readPage();
            }
            return !ready.isEmpty() && !closed;
        }

        @Override
        public Path next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            return ready.poll();
        }

        private void readPage() {
            ListObjectsV2Response page;
            try {
                page = fs.storage().bucket().listingPage(listPrefix, continuation, dir.virtual());
            } catch (IOException e) {
                throw new DirectoryIteratorException(e);
            }
            Set<String> files = new HashSet<>();
            Map<String, String> etags = new HashMap<>();
            for (S3Object object : page.contents()) {
                String name = object.key().substring(listPrefix.length());
                if (usable(name)) {
                    files.add(name);
                    etags.put(object.key(), object.eTag());
                }
            }
            // times and modes clients set on the page's files: one query per page, never one per entry
            Map<String, ObjectAttributes.Values> setByClients = fs.storage().attributes().forPage(etags);
            for (S3Object object : page.contents()) {
                if (etags.containsKey(object.key())) {
                    add(object.key().substring(listPrefix.length()), S3Attributes.file(object.size(),
                            object.lastModified(), object.eTag(), null).with(setByClients.get(object.key())));
                }
            }
            for (CommonPrefix common : page.commonPrefixes()) {
                String name = common.prefix().substring(listPrefix.length(), common.prefix().length() - 1);
                if (usable(name) && !files.contains(name)) {
                    add(name, S3Attributes.directory(Instant.EPOCH));
                }
            }
            continuation = page.isTruncated() ? page.nextContinuationToken() : null;
            lastPageRead = continuation == null;
        }

        /** Keys that cannot be named by an SFTP path (the directory's own marker, empty segments) are left out. */
        private boolean usable(String name) {
            return !name.isEmpty() && name.indexOf('/') < 0 && !name.equals(".") && !name.equals("..") && name.indexOf('\0') < 0;
        }

        private void add(String name, S3Attributes attributes) {
            S3Path entry = dir.resolve(name).withAttributes(attributes);
            try {
                if (filter == null || filter.accept(entry)) {
                    ready.add(entry);
                }
            } catch (IOException e) {
                throw new DirectoryIteratorException(e);
            }
        }
    }
}
