package dev.ferry.quotas;

/**
 * The quota in force for a user (their own, or their groups'), read by {@link QuotaLedger} in the
 * transaction that locks the user's usage row. The module that knows how settings combine
 * provides it, so the ledger stays unaware of groups.
 */
public interface QuotaLimits {

    /** The limits; 0 means unlimited. */
    record Limits(long maxBytes, long maxFiles) {
    }

    Limits of(long userId);
}
