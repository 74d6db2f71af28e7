package dev.ferry.storage.s3;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Modes kept for S3 objects: the nine rwx bits, shown as clients set them. */
class S3AttributesTest {

    @Test
    void everyModeTurnsIntoPermissionsAndBackUnchanged() {
        for (int mode = 0; mode <= 0777; mode++) {
            assertThat(S3Attributes.bits(S3Attributes.permissions(mode))).isEqualTo(mode);
        }
        assertThat(S3Attributes.bits(PosixFilePermissions.fromString("rw-r-----"))).isEqualTo(0640);
    }

    @Test
    void aFileShowsTheModeAndTimeSetOnItElseTheDefaults() {
        S3Attributes file = S3Attributes.file(10, Instant.EPOCH, "\"etag\"", null);
        assertThat(PosixFilePermissions.toString(file.permissions())).isEqualTo("rw-r--r--");

        S3Attributes chmodded = file.with(ObjectAttributes.Values.mode(04751));
        assertThat(PosixFilePermissions.toString(chmodded.permissions())).as("setuid is never kept").isEqualTo("rwxr-x--x");
        assertThat(chmodded.lastModified()).isEqualTo(Instant.EPOCH);

        Instant set = Instant.parse("2011-02-03T04:05:06Z");
        S3Attributes both = chmodded.with(ObjectAttributes.Values.time(set));
        assertThat(both.lastModified()).isEqualTo(set);
        assertThat(both.mode()).isEqualTo(0751);
        assertThat(file.with(null)).isSameAs(file);
    }

    @Test
    void laterValuesWinWhereTheyAreSet() {
        Instant first = Instant.parse("2020-01-01T00:00:00Z");
        ObjectAttributes.Values values = ObjectAttributes.Values.time(first).and(ObjectAttributes.Values.mode(0600));
        assertThat(values).isEqualTo(new ObjectAttributes.Values(first, 0600));
        assertThat(values.and(ObjectAttributes.Values.NONE)).isEqualTo(values);
        assertThat(ObjectAttributes.Values.NONE.isEmpty()).isTrue();
    }
}
