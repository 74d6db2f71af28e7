package dev.ferry.adminapi;

import dev.ferry.usercas.Revocation;
import dev.ferry.usercas.UserCa;
import dev.ferry.usercas.UserCas;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.util.List;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.util.UriComponentsBuilder;

/** /api/v1/user-cas: OpenSSH user certificate authorities whose certificates log in, and revoked certificates. */
@RestController
@RequestMapping("/api/v1/user-cas")
@Tag(name = "user-cas", description = "Trusted SSH user certificate authorities: a certificate they sign logs in as its principals")
class UserCasController extends AuditedResource {

    private final UserCas cas;

    UserCasController(UserCas cas, AdminAudit audit) {
        super(audit);
        this.cas = cas;
    }

    @GetMapping
    @Operation(summary = "List trusted user CAs")
    List<UserCa> list() {
        return cas.list();
    }

    @PostMapping
    @Operation(summary = "Trust a user CA: {\"name\": \"corp-ca\", \"publicKey\": \"ssh-ed25519 AAAA...\"}; counts from the next login")
    ResponseEntity<UserCa> create(@RequestBody(required = false) UserCaRequest request, UriComponentsBuilder uri) {
        UserCa created = cas.create(request == null ? null : request.name(), request == null ? null : request.publicKey());
        audit(created.id(), "trusted user CA " + created.name() + " (" + created.fingerprint() + ")");
        return created(uri, "/{id}", created.id()).body(created);
    }

    @GetMapping("/{id}")
    UserCa get(@PathVariable long id) {
        return cas.get(id);
    }

    @DeleteMapping("/{id}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    @Operation(summary = "Stop trusting a user CA; its certificates no longer log in (open sessions stay)")
    void delete(@PathVariable long id) {
        UserCa deleted = cas.delete(id);
        audit(deleted.id(), "removed user CA " + deleted.name() + " (" + deleted.fingerprint() + ")");
    }

    @GetMapping("/{id}/revocations")
    @Operation(summary = "Certificates of this CA revoked by serial or key id")
    List<Revocation> revocations(@PathVariable long id) {
        return cas.revocations(id);
    }

    @PostMapping("/{id}/revocations")
    @Operation(summary = "Revoke certificates of this CA: {\"serial\": 42} or {\"keyId\": \"alice-laptop\"}; counts from the next login")
    ResponseEntity<Revocation> revoke(@PathVariable long id, @RequestBody(required = false) RevocationRequest request,
            UriComponentsBuilder uri) {
        Revocation created = cas.revoke(id, request == null ? null : request.serial(), request == null ? null : request.keyId());
        audit(id + "/revocations/" + created.id(), "revoked certificates of user CA " + id + " with " + describe(created));
        return created(uri, "/{id}/revocations/{revocation}", id, created.id()).body(created);
    }

    @DeleteMapping("/{id}/revocations/{revocation}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    @Operation(summary = "Withdraw a revocation")
    void unrevoke(@PathVariable long id, @PathVariable long revocation) {
        Revocation removed = cas.unrevoke(id, revocation);
        audit(id + "/revocations/" + revocation, "withdrew the revocation of certificates of user CA " + id + " with " + describe(removed));
    }

    private static String describe(Revocation revocation) {
        return revocation.serial() != null ? "serial " + revocation.serial() : "key id " + revocation.keyId();
    }
}
