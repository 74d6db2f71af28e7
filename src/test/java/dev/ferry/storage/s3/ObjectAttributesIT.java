package dev.ferry.storage.s3;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.testsupport.FerryInstance;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What is stored for an S3 object reads back as stored, against the real schema in PostgreSQL. */
class ObjectAttributesIT {

    @Test
    void aTimeWithoutAModeReadsBackWithoutAMode() {
        try (FerryInstance ferry = FerryInstance.start()) {
            ObjectAttributes attributes = ferry.bean(ObjectAttributes.class);
            Instant time = Instant.parse("2020-01-02T03:04:05Z");
            attributes.stored("bucket", "home/time-only.csv", "\"e1\"", ObjectAttributes.Values.time(time));
            attributes.stored("bucket", "home/both.csv", "\"e2\"", ObjectAttributes.Values.time(time).and(ObjectAttributes.Values.mode(0640)));

            Map<String, ObjectAttributes.Values> found = attributes.find("bucket",
                    Map.of("home/time-only.csv", "\"e1\"", "home/both.csv", "\"e2\""));
            // null: the object's mode is the default one; 0 would list it as ---------- (no permission at all)
            assertThat(found.get("home/time-only.csv")).isEqualTo(new ObjectAttributes.Values(time, null));
            assertThat(found.get("home/both.csv")).isEqualTo(new ObjectAttributes.Values(time, 0640));
        }
    }
}
