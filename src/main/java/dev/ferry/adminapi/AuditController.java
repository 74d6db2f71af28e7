package dev.ferry.adminapi;

import dev.ferry.audit.AuditPage;
import dev.ferry.audit.AuditQuery;
import dev.ferry.audit.AuditSearch;
import dev.ferry.audit.AuditStatistics;
import dev.ferry.audit.AuditStats;
import dev.ferry.audit.AuditType;
import dev.ferry.audit.ChainVerification;
import dev.ferry.shared.InvalidInputException;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import org.springframework.format.annotation.DateTimeFormat;
import org.springframework.format.annotation.DateTimeFormat.ISO;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.StreamingResponseBody;

/** /api/v1/audit: search, CSV export and verification of the tamper-evident trail. */
@RestController
@RequestMapping("/api/v1/audit")
@Tag(name = "audit", description = "Transfer and admin audit trail")
class AuditController {

    private final AuditSearch search;
    private final AuditStatistics statistics;
    private final Clock clock;

    AuditController(AuditSearch search, AuditStatistics statistics, Optional<Clock> clock) {
        this.search = search;
        this.statistics = statistics;
        this.clock = clock.orElse(Clock.systemUTC());
    }

    @GetMapping(produces = {MediaType.APPLICATION_JSON_VALUE})
    @Operation(summary = "Search the audit trail, newest first; Accept: text/csv exports every match")
    AuditPage list(@RequestParam(required = false) String username, @RequestParam(required = false) String type,
            @RequestParam(required = false) @DateTimeFormat(iso = ISO.DATE_TIME) OffsetDateTime from,
            @RequestParam(required = false) @DateTimeFormat(iso = ISO.DATE_TIME) OffsetDateTime to,
            @RequestParam(required = false) String path,
            @RequestParam(defaultValue = "0") @Paging.Page int page,
            @RequestParam(defaultValue = Paging.DEFAULT_SIZE) @Paging.Size int size) {
        Paging.requireReachable(page, size);
        return search.search(query(username, type, from, to, path, page, size));
    }

    @GetMapping(produces = "text/csv")
    ResponseEntity<StreamingResponseBody> csv(@RequestParam(required = false) String username,
            @RequestParam(required = false) String type,
            @RequestParam(required = false) @DateTimeFormat(iso = ISO.DATE_TIME) OffsetDateTime from,
            @RequestParam(required = false) @DateTimeFormat(iso = ISO.DATE_TIME) OffsetDateTime to,
            @RequestParam(required = false) String path) {
        AuditQuery query = query(username, type, from, to, path, 0, 1);
        StreamingResponseBody body = out -> {
            AuditCsv csv = new AuditCsv(new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8)));
            try {
                search.export(query, r -> {
                    try {
                        csv.print(r);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                });
            } finally {
                csv.flush();
            }
        };
        return ResponseEntity.ok()
                .contentType(new MediaType("text", "csv", StandardCharsets.UTF_8))
                .header(HttpHeaders.CONTENT_DISPOSITION, "attachment; filename=\"ferry-audit.csv\"")
                .body(body);
    }

    @GetMapping("/verify")
    @Operation(summary = "Walk the hash chain and name the first record that was altered or removed")
    ChainVerification verify() {
        return search.verify();
    }

    @GetMapping("/stats")
    @Operation(summary = "Uploads, downloads, bytes in and out, logins and failed logins per hour or day, and the busiest users "
            + "(defaults: the last 24 hours by hour, or the last 7 days by day, the current one included)")
    AuditStats stats(@RequestParam(required = false) @DateTimeFormat(iso = ISO.DATE_TIME) OffsetDateTime from,
            @RequestParam(required = false) @DateTimeFormat(iso = ISO.DATE_TIME) OffsetDateTime to,
            @RequestParam(defaultValue = "hour") String bucket) {
        AuditStats.Bucket unit = switch (bucket.trim().toLowerCase(Locale.ROOT)) {
            case "hour" -> AuditStats.Bucket.HOUR;
            case "day" -> AuditStats.Bucket.DAY;
            default -> throw new InvalidInputException("bucket", "bucket must be 'hour' or 'day'");
        };
        Instant toTime = instant(to);
        if (toTime == null) {
            toTime = AuditStatistics.nextBucket(AuditStatistics.bucketStart(clock.instant(), unit), unit);
        }
        Instant fromTime = instant(from);
        if (fromTime == null) {
            fromTime = toTime.minus(unit == AuditStats.Bucket.HOUR ? Duration.ofHours(24) : Duration.ofDays(7));
        }
        if (!fromTime.isBefore(toTime)) {
            throw new InvalidInputException("from", "'from' must be before 'to'");
        }
        long buckets = Duration.between(AuditStatistics.bucketStart(fromTime, unit), toTime).toSeconds()
                / (unit == AuditStats.Bucket.HOUR ? 3600 : 86400);
        if (buckets > AuditStatistics.MAX_BUCKETS) {
            throw new InvalidInputException("from", "the range spans " + buckets + " " + unit.name().toLowerCase(Locale.ROOT)
                    + "s; at most " + AuditStatistics.MAX_BUCKETS + " are allowed: shorten it or use bucket=day");
        }
        return statistics.stats(fromTime, toTime, unit);
    }

    private static AuditQuery query(String username, String type, OffsetDateTime from, OffsetDateTime to, String path,
            int page, int size) {
        AuditType auditType = null;
        if (type != null && !type.isBlank()) {
            try {
                auditType = AuditType.valueOf(type.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new InvalidInputException("type", "unknown type '" + type.replaceAll("[^\\x20-\\x7e]", "?")
                        + "': use one of " + Arrays.toString(AuditType.values()));
            }
        }
        Instant fromTime = instant(from);
        Instant toTime = instant(to);
        if (fromTime != null && toTime != null && !fromTime.isBefore(toTime)) {
            throw new InvalidInputException("from", "'from' must be before 'to'");
        }
        return new AuditQuery(blankToNull(username), auditType, fromTime, toTime, blankToNull(path), page, size);
    }

    private static Instant instant(OffsetDateTime time) {
        return time == null ? null : time.toInstant();
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.trim();
    }
}
