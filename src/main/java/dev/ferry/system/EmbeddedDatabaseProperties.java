package dev.ferry.system;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Embedded PostgreSQL used when no external database is configured.
 *
 * @param dir  data directory, kept across restarts
 * @param port TCP port on 127.0.0.1; 0 picks a free one
 */
@ConfigurationProperties("sftp.embedded-db")
record EmbeddedDatabaseProperties(@DefaultValue("./data/pg") String dir, @DefaultValue("0") int port) {
}
