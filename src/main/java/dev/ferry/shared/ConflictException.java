package dev.ferry.shared;

/** The change conflicts with existing state, e.g. a duplicate name. */
public class ConflictException extends FieldException {

    public ConflictException(String field, String message) {
        super(field, message);
    }
}
