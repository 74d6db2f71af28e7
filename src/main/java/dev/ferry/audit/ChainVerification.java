package dev.ferry.audit;

/**
 * Result of walking the hash chain: {@code valid}, how many records were checked, and the first
 * record that was altered, or that follows a removed one.
 */
public record ChainVerification(boolean valid, long checkedRecords, Long firstInvalidId, String reason) {
}
