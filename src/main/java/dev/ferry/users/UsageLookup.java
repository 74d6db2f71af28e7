package dev.ferry.users;

import dev.ferry.quotas.Usage;

/** Where a user's current usage comes from (the quota ledger). */
public interface UsageLookup {

    Usage usage(long userId);
}
