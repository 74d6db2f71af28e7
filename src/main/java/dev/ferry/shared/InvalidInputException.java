package dev.ferry.shared;

/** Bad input a person can fix; {@link #field()} names what to change (JSON name, may be null). */
public class InvalidInputException extends FieldException {

    public InvalidInputException(String field, String message) {
        super(field, message);
    }
}
