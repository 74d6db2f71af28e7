package dev.ferry.storage;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The kinds of storage a home can be on, by the name users are given ({@code storage.type} in the
 * admin API, the admin UI's form, the {@code users} table): the one list of them. Each backend
 * declares its type from here, user validation accepts these names, and {@code StorageTypeTest}
 * checks that the admin UI offers exactly these.
 */
public enum StorageType {

    /** Homes on the server's disk: {@code <sftp.storage.local.root>/<username>}. */
    LOCAL,
    /** Homes in an S3 bucket under a key prefix. */
    S3;

    /** The name users are given: the constant's name in lower case, {@code local}, {@code s3}. */
    public String typeName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The type of this name (as written, lower case), if there is one. */
    public static Optional<StorageType> named(String name) {
        return Arrays.stream(values()).filter(type -> type.typeName().equals(name)).findFirst();
    }

    /** Every type's name, for messages: {@code 'local' or 's3'}. */
    public static String namesForMessages() {
        String quoted = Arrays.stream(values()).map(type -> "'" + type.typeName() + "'").collect(Collectors.joining(", "));
        int last = quoted.lastIndexOf(", ");
        return last < 0 ? quoted : quoted.substring(0, last) + " or " + quoted.substring(last + 2);
    }
}
