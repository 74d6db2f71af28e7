package dev.ferry.adminapi;

import dev.ferry.audit.AuditEvent;
import dev.ferry.audit.AuditLog;
import dev.ferry.audit.AuditStatus;
import dev.ferry.audit.AuditType;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.stereotype.Component;
import org.springframework.web.context.request.RequestContextHolder;
import org.springframework.web.context.request.ServletRequestAttributes;

/**
 * Records every change made through the admin API as an ADMIN audit event: who (the acting
 * admin), from where, what (the path of the resource) and a detail that never carries secrets.
 * The change is confirmed to the caller only once its record is committed.
 */
@Component
class AdminAudit {

    private final AuditLog audit;

    AdminAudit(AuditLog audit) {
        this.audit = audit;
    }

    /**
     * @param resource the API path of what changed, e.g. {@code /api/v1/users/acme}
     * @param detail   what changed, e.g. {@code created user acme}; no passwords or tokens
     */
    void record(String resource, String detail) {
        Authentication auth = SecurityContextHolder.getContext().getAuthentication();
        String actor = auth == null ? null : auth.getName();
        String address = null;
        if (RequestContextHolder.getRequestAttributes() instanceof ServletRequestAttributes attributes) {
            HttpServletRequest request = attributes.getRequest();
            address = request.getRemoteAddr();
        }
        audit.appendAndWait(AuditEvent.of(AuditType.ADMIN).withUser(actor, address, null).withPaths(resource, null)
                .withOutcome(AuditStatus.OK, detail));
    }
}
