package dev.ferry.shared;

import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.MappedSuperclass;

/**
 * The key of every table mapped with JPA (users, user keys, admins, API tokens): a PostgreSQL
 * identity column the database assigns on insert. The entities extend this instead of repeating
 * the mapping.
 */
@MappedSuperclass
public abstract class GeneratedId {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    private Long id;

    /** Null until the row is inserted. */
    public Long id() {
        return id;
    }
}
