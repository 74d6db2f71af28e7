package dev.ferry.storage;

import java.nio.channels.SeekableByteChannel;

/**
 * A file opened for reading with the identity of the content the channel reads (see
 * {@link UserHome#contentIdentity}), or null where the storage cannot tell: a stored digest is
 * only ever paired with the content it was computed from.
 */
public record IdentifiedRead(SeekableByteChannel channel, String identity) {
}
