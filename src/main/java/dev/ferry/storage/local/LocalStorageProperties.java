package dev.ferry.storage.local;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Local disk storage: {@code sftp.storage.local.root} ({@code SFTP_STORAGE_LOCAL_ROOT}) and
 * {@code sftp.storage.local.staging-retention}.
 *
 * @param root             directory under which homes live, one per user ({@code <root>/<username>})
 * @param stagingRetention staged uploads of crashed servers older than this are removed at start
 */
@ConfigurationProperties("sftp.storage.local")
public record LocalStorageProperties(
        @DefaultValue("./data/files") String root,
        @DefaultValue("24h") Duration stagingRetention) {
}
