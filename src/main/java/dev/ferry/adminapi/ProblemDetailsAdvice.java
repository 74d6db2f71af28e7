package dev.ferry.adminapi;

import dev.ferry.shared.ConflictException;
import dev.ferry.shared.InvalidInputException;
import dev.ferry.shared.NotFoundException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import org.apache.tomcat.util.http.InvalidParameterException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.WebRequest;
import org.springframework.validation.method.ParameterValidationResult;
import org.springframework.web.method.annotation.HandlerMethodValidationException;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;
import tools.jackson.core.JacksonException;
import tools.jackson.core.exc.InputCoercionException;
import tools.jackson.databind.exc.InvalidFormatException;
import tools.jackson.databind.exc.MismatchedInputException;
import tools.jackson.databind.exc.UnrecognizedPropertyException;

/**
 * Maps domain exceptions and malformed requests to RFC 9457 problem details. Every 4xx names
 * what to fix; a 500 says nothing about internals (the log has the details).
 */
@RestControllerAdvice
class ProblemDetailsAdvice extends ResponseEntityExceptionHandler {

    private static final Logger log = LoggerFactory.getLogger(ProblemDetailsAdvice.class);
    /** The parameter's name as Tomcat's message quotes it, when it is a plain name. */
    private static final java.util.regex.Pattern PARAMETER_NAME = java.util.regex.Pattern.compile("Parameter \\[([A-Za-z0-9_.-]{1,40})\\]");

    @ExceptionHandler(InvalidInputException.class)
    ProblemDetail invalid(InvalidInputException e) {
        return problem(HttpStatus.BAD_REQUEST, "Invalid input", e.getMessage(), e.field());
    }

    @ExceptionHandler(ConflictException.class)
    ProblemDetail conflict(ConflictException e) {
        return problem(HttpStatus.CONFLICT, "Conflict", e.getMessage(), e.field());
    }

    @ExceptionHandler(NotFoundException.class)
    ProblemDetail notFound(NotFoundException e) {
        return problem(HttpStatus.NOT_FOUND, "Not found", e.getMessage(), null);
    }

    @ExceptionHandler(JacksonException.class)
    ProblemDetail json(JacksonException e) {
        return jsonProblem(e);
    }

    @ExceptionHandler(MethodArgumentTypeMismatchException.class)
    ProblemDetail typeMismatch(MethodArgumentTypeMismatchException e) {
        if (e.getRequiredType() != null && java.time.temporal.Temporal.class.isAssignableFrom(e.getRequiredType())) {
            return problem(HttpStatus.BAD_REQUEST, "Invalid input",
                    "'" + e.getName() + "' must be an ISO-8601 time with an offset, e.g. 2026-11-24T10:00:00Z", e.getName());
        }
        String type = e.getRequiredType() == null ? "value" : e.getRequiredType().getSimpleName();
        return problem(HttpStatus.BAD_REQUEST, "Invalid input",
                "'" + e.getName() + "' must be a valid " + type.toLowerCase() + ", not '" + abbreviate(String.valueOf(e.getValue())) + "'",
                e.getName());
    }

    /** A request parameter outside its Bean Validation constraint (page, size): the constraint's message names it. */
    @Override
    protected ResponseEntity<Object> handleHandlerMethodValidationException(HandlerMethodValidationException e, HttpHeaders headers,
            HttpStatusCode status, WebRequest request) {
        ParameterValidationResult first = e.getParameterValidationResults().stream()
                .min(java.util.Comparator.comparingInt(r -> r.getMethodParameter().getParameterIndex()))
                .orElse(null);
        if (first == null || first.getResolvableErrors().isEmpty()) {
            return ResponseEntity.badRequest().body(problem(HttpStatus.BAD_REQUEST, "Invalid input",
                    "a request parameter is out of range: see /v3/api-docs for what each takes", null));
        }
        String name = first.getMethodParameter().getParameterName();
        return ResponseEntity.badRequest().body(problem(HttpStatus.BAD_REQUEST, "Invalid input",
                first.getResolvableErrors().get(0).getDefaultMessage(), name));
    }

    /**
     * Tomcat parses query parameters lazily, when the first is read: a %FF there (or more
     * parameters than it accepts) fails the request at that point.
     */
    @ExceptionHandler(InvalidParameterException.class)
    ProblemDetail invalidParameters(InvalidParameterException e) {
        String message = String.valueOf(e.getMessage());
        if (!message.contains("Character decoding failed")) {
            return problem(HttpStatus.BAD_REQUEST, "Invalid input", "the query string cannot be read: send fewer parameters, "
                    + "each once, as name=value pairs", null);
        }
        java.util.regex.Matcher named = PARAMETER_NAME.matcher(message);
        String name = named.find() ? named.group(1) : null;
        return problem(HttpStatus.BAD_REQUEST, "Invalid input", "the query parameter" + (name == null ? "s are" : " '" + name + "' is")
                + " not valid percent-encoded UTF-8: encode parameter values as UTF-8 (e.g. %C3%A9 for é)", name);
    }

    @ExceptionHandler(UncheckedIOException.class)
    ProblemDetail storage(UncheckedIOException e) {
        log.error("Storage failure: {}", e.getMessage(), e);
        return problem(HttpStatus.INTERNAL_SERVER_ERROR, "Storage failure",
                "the storage could not complete the change; it was not applied. Check the server log and the storage, then retry.", null);
    }

    @Override
    protected ResponseEntity<Object> handleHttpMessageNotReadable(HttpMessageNotReadableException e, HttpHeaders headers,
            HttpStatusCode status, WebRequest request) {
        Long limit = BodySizeLimitFilter.exceededLimit(e);
        if (limit != null) {
            // A chunked body that went past the limit while being parsed. Written as bytes with their Content-Length, like
            // BodySizeLimitFilter's answer: complete even if the connection closes before the client has sent it all.
            return ResponseEntity.status(HttpStatus.CONTENT_TOO_LARGE).contentType(MediaType.APPLICATION_PROBLEM_JSON)
                    .body(ProblemResponses.json(HttpStatus.CONTENT_TOO_LARGE, BodySizeLimitFilter.TITLE, BodySizeLimitFilter.detail(limit)));
        }
        Throwable cause = e.getCause();
        ProblemDetail body = cause instanceof JacksonException je
                ? jsonProblem(je)
                : problem(HttpStatus.BAD_REQUEST, "Invalid input", "the request body is missing or is not valid JSON", null);
        return ResponseEntity.badRequest().body(body);
    }

    private ProblemDetail jsonProblem(JacksonException e) {
        String field = path(e);
        String detail;
        if (e instanceof UnrecognizedPropertyException u) {
            detail = "unknown field '" + field + "': remove it (see /v3/api-docs for the fields of this resource)";
        } else if (e instanceof InputCoercionException c) {
            // valid JSON, but a number too large for the field (e.g. maxSessions: 3000000000)
            detail = "'" + field + "' is out of range: " + abbreviate(c.getOriginalMessage());
        } else if (e instanceof InvalidFormatException f && wrongJsonType(f.getValue(), f.getTargetType())) {
            // a value Jackson would once have coerced: 123 for a string, "3" or 1.5 for a whole number, 1 for a boolean
            detail = "'" + field + "' must be " + expected(f.getTargetType()) + ", not " + describe(f.getValue());
        } else if (e instanceof InvalidFormatException f) {
            detail = "'" + field + "' has an invalid value '" + abbreviate(String.valueOf(f.getValue())) + "'"
                    + hint(f.getTargetType());
        } else if (e instanceof MismatchedInputException m) {
            detail = (field.isEmpty() ? "the body" : "'" + field + "'") + " has the wrong JSON type" + hint(m.getTargetType());
        } else {
            detail = "the request body is not valid JSON: " + abbreviate(e.getOriginalMessage());
        }
        return problem(HttpStatus.BAD_REQUEST, "Invalid input", detail, field.isEmpty() ? null : field);
    }

    private static String path(JacksonException e) {
        StringBuilder path = new StringBuilder();
        for (JacksonException.Reference ref : e.getPath()) {
            if (ref.getPropertyName() != null) {
                if (!path.isEmpty()) {
                    path.append('.');
                }
                path.append(ref.getPropertyName());
            } else if (ref.getIndex() >= 0) {
                path.append('[').append(ref.getIndex()).append(']');
            }
        }
        return path.toString();
    }

    private static String hint(Class<?> type) {
        String expected = expected(type);
        return expected == null ? "" : ": use " + expected;
    }

    /** What a value of this Java type looks like in JSON, for a person; null when there is nothing useful to say. */
    private static String expected(Class<?> type) {
        if (type == null) {
            return null;
        }
        if (type.isEnum()) {
            return "one of " + java.util.Arrays.stream(type.getEnumConstants()).map(String::valueOf)
                    .collect(java.util.stream.Collectors.joining(", "));
        }
        if (java.time.temporal.Temporal.class.isAssignableFrom(type)) {
            return "an ISO-8601 time with an offset as a string, e.g. \"2026-11-24T10:00:00Z\"";
        }
        if (type == Long.class || type == Integer.class || type == Short.class || type == Byte.class || type == long.class
                || type == int.class || type == short.class || type == byte.class || type == java.math.BigInteger.class) {
            return "a whole number";
        }
        if (Number.class.isAssignableFrom(type) || type == double.class || type == float.class) {
            return "a number";
        }
        if (type == Boolean.class || type == boolean.class) {
            return "true or false";
        }
        if (List.class.isAssignableFrom(type)) {
            return "a JSON array";
        }
        if (Map.class.isAssignableFrom(type) || type.isRecord()) {
            return "a JSON object";
        }
        if (type == String.class) {
            return "a string";
        }
        return null;
    }

    /** A scalar of one JSON type where the field takes another (or a fraction where it takes a whole number). */
    private static boolean wrongJsonType(Object value, Class<?> target) {
        if (target == null || value == null) {
            return false;
        }
        String expected = expected(target);
        return switch (expected == null ? "" : expected) {
            case "a string" -> value instanceof Number || value instanceof Boolean;
            case "true or false" -> value instanceof Number || value instanceof String;
            case "a whole number", "a number" -> value instanceof String || value instanceof Boolean
                    || value instanceof Number && "a whole number".equals(expected);
            default -> false; // enums, times: a string that does not parse is an invalid value, not a wrong type
        };
    }

    private static String describe(Object value) {
        if (value instanceof String s) {
            return "the string \"" + abbreviate(s) + "\"";
        }
        if (value instanceof Number n) {
            return "the number " + abbreviate(String.valueOf(n));
        }
        return abbreviate(String.valueOf(value));
    }

    static ProblemDetail problem(HttpStatus status, String title, String detail, String field) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
        problem.setTitle(title);
        if (field != null) {
            problem.setProperty("field", field);
            problem.setProperty("errors", List.of(Map.of("field", field, "message", detail)));
        }
        return problem;
    }

    private static String abbreviate(String s) {
        if (s == null) {
            return "";
        }
        String printable = s.replaceAll("[^\\x20-\\x7e]", "?");
        return printable.length() > 100 ? printable.substring(0, 100) + "..." : printable;
    }
}
