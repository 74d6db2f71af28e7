package dev.ferry.hostkeys;

/** Published after a change to the host keys is committed, so this replica serves it at once (others poll). */
public record HostKeysChanged() {
}
