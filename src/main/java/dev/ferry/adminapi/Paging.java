package dev.ferry.adminapi;

import dev.ferry.shared.InvalidInputException;
import jakarta.validation.Constraint;
import jakarta.validation.Payload;
import jakarta.validation.ReportAsSingleViolation;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The paging parameters of the admin API's lists (users, audit). Their bounds are Bean Validation
 * constraints on the controllers' parameters ({@link Page}, {@link Size}), answered as 400 problem
 * details naming the parameter by {@link ProblemDetailsAdvice}; only what spans both is checked here.
 */
final class Paging {

    static final String DEFAULT_SIZE = "50";
    static final int MAX_SIZE = 500;

    private Paging() {
    }

    /** The rows before the page must fit the offset Spring Data and PostgreSQL's paging take. */
    static void requireReachable(int page, int size) {
        if ((long) page * size > Integer.MAX_VALUE) {
            throw new InvalidInputException("page", "page is too large: page * size must stay below " + Integer.MAX_VALUE);
        }
    }

    /** A page number: 0 is the first. */
    @Min(0)
    @ReportAsSingleViolation
    @Constraint(validatedBy = {})
    @Target({ElementType.PARAMETER, ElementType.FIELD})
    @Retention(RetentionPolicy.RUNTIME)
    @interface Page {

        String message() default "page must be 0 or more";

        Class<?>[] groups() default {};

        Class<? extends Payload>[] payload() default {};
    }

    /** Rows per page: 1 to {@link #MAX_SIZE}. */
    @Min(1)
    @Max(MAX_SIZE)
    @ReportAsSingleViolation
    @Constraint(validatedBy = {})
    @Target({ElementType.PARAMETER, ElementType.FIELD})
    @Retention(RetentionPolicy.RUNTIME)
    @interface Size {

        String message() default "size must be between 1 and " + MAX_SIZE;

        Class<?>[] groups() default {};

        Class<? extends Payload>[] payload() default {};
    }
}
