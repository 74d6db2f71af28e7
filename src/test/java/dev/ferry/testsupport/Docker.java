package dev.ferry.testsupport;

import org.testcontainers.DockerClientFactory;

/** Whether a Docker engine answers here (Testcontainers can start containers), else the embedded fallbacks are used. */
final class Docker {

    private Docker() {
    }

    static boolean available() {
        try {
            return DockerClientFactory.instance().isDockerAvailable();
        } catch (Throwable e) {
            return false;
        }
    }
}
