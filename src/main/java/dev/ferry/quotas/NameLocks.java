package dev.ferry.quotas;

import java.util.concurrent.locks.ReentrantLock;
import org.springframework.stereotype.Component;

/**
 * Changes that alter a user's usage (publishing an upload, removing a file, renaming over one)
 * look at what the name holds and change it while holding the name's lock, so that two sessions
 * changing the same name one after the other each see what the other left: an upload published
 * over a file another session just removed counts as a new file, two uploads of the same new name
 * count one file. Without it the count drifts (20 sessions creating and removing the same names
 * left a usage of 14 files for 3 stored) and a full file quota then refuses overwrites.
 * <p>
 * The same locks are held by everything else on this instance that changes a name and its usage:
 * SFTP sessions, event rules' move and copy actions (which hold the target, and a move's source,
 * for the whole placement), and retention (which looks at a file again and deletes it under the
 * lock, so that an upload published meanwhile is never deleted as the old file).
 * <p>
 * Locks are per instance, striped by user and path (a few names share a lock, which costs only
 * waiting). Replicas each have their own: two replicas changing the same name within the same
 * moment can still count it twice; the quota's limit itself is checked in PostgreSQL.
 */
@Component
public final class NameLocks {

    private static final int STRIPES = 256;

    private final ReentrantLock[] stripes = new ReentrantLock[STRIPES];

    public NameLocks() {
        for (int i = 0; i < STRIPES; i++) {
            stripes[i] = new ReentrantLock();
        }
    }

    /** Held locks, released by {@link #close()}. */
    public interface Held extends AutoCloseable {
        @Override
        void close();
    }

    /** Locks one name of a user (a virtual path). */
    public Held hold(String username, String path) {
        ReentrantLock lock = stripes[stripe(username, path)];
        lock.lock();
        return lock::unlock;
    }

    /** Locks two names of a user, in a fixed order so that two sessions never wait for each other. */
    public Held hold(String username, String path, String other) {
        return hold(username, path, username, other);
    }

    /** Locks two names of (possibly) two users, in a fixed order so that two holders never wait for each other. */
    public Held hold(String username, String path, String otherUsername, String other) {
        int first = stripe(username, path);
        int second = stripe(otherUsername, other);
        if (first == second) {
            return hold(username, path);
        }
        ReentrantLock low = stripes[Math.min(first, second)];
        ReentrantLock high = stripes[Math.max(first, second)];
        low.lock();
        high.lock();
        return () -> {
            high.unlock();
            low.unlock();
        };
    }

    private static int stripe(String username, String path) {
        return Math.floorMod(31 * username.hashCode() + path.hashCode(), STRIPES);
    }
}
