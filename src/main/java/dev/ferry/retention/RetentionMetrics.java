package dev.ferry.retention;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.springframework.stereotype.Component;

/**
 * Prometheus metrics of retention: {@code ferry_retention_deleted_files_total},
 * {@code ferry_retention_deleted_bytes_total}, {@code ferry_retention_failures_total} (homes or
 * files that could not be swept) and {@code ferry_retention_rounds_seconds} (every round this
 * replica ran, scheduled or asked for; a round left to another replica is not timed).
 */
@Component
class RetentionMetrics {

    private final Counter deletedFiles;
    private final Counter deletedBytes;
    private final Counter failures;
    private final Timer rounds;

    RetentionMetrics(MeterRegistry registry) {
        deletedFiles = Counter.builder("ferry.retention.deleted.files").description("Files deleted by retention rules")
                .register(registry);
        deletedBytes = Counter.builder("ferry.retention.deleted").baseUnit("bytes").description("Bytes freed by retention rules")
                .register(registry);
        failures = Counter.builder("ferry.retention.failures")
                .description("Homes or files retention could not look at or delete (the log says which)").register(registry);
        rounds = Timer.builder("ferry.retention.rounds").description("Retention rounds run by this replica").register(registry);
    }

    void deleted(long bytes) {
        deletedFiles.increment();
        deletedBytes.increment(bytes);
    }

    void failed() {
        failures.increment();
    }

    Timer rounds() {
        return rounds;
    }
}
