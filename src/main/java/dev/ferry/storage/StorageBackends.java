package dev.ferry.storage;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.springframework.stereotype.Component;

/** The storage backends this server runs with, by type name ({@link StorageType#typeName()}). */
@Component
public class StorageBackends {

    private final Map<String, StorageBackend> byType;

    public StorageBackends(List<StorageBackend> backends) {
        this.byType = backends.stream().collect(Collectors.toUnmodifiableMap(backend -> backend.type().typeName(), Function.identity()));
    }

    public Optional<StorageBackend> find(String type) {
        return Optional.ofNullable(byType.get(type));
    }

    public StorageBackend get(String type) {
        StorageBackend backend = byType.get(type);
        if (backend == null) {
            throw new IllegalStateException("storage type '" + type + "' is not available on this server");
        }
        return backend;
    }

    public java.util.Set<String> types() {
        return byType.keySet();
    }
}
