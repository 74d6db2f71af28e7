package dev.ferry.adminapi;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * What a bulk operation did, one result per row or name in the order given, so a script or the UI
 * can show what failed and why without comparing lists.
 */
record BulkReport(int succeeded, int failed, List<Result> results) {

    /**
     * @param row     the CSV line (1 is the header), or the position in the list of names (from 1)
     * @param status  {@code created}, {@code enabled}, {@code disabled}, {@code deleted} or {@code failed}
     * @param field   for a failure caused by one field, its name (as in the API's problem details)
     * @param message why it failed, as the single-user endpoint would say it
     */
    record Result(long row, @Nullable String username, String status, @Nullable String field, @Nullable String message) {
    }

    static BulkReport of(List<Result> results) {
        int failed = (int) results.stream().filter(r -> r.status().equals("failed")).count();
        return new BulkReport(results.size() - failed, failed, List.copyOf(results));
    }
}
