package dev.ferry.adminapi;

import dev.ferry.hostkeys.HostKey;
import dev.ferry.hostkeys.HostKeys;
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

/** /api/v1/host-keys: the SFTP server's host keys, and their rotation without a known_hosts warning. */
@RestController
@RequestMapping("/api/v1/host-keys")
@Tag(name = "host-keys", description = "SFTP host keys: add, advertise to clients, make primary, retire")
class HostKeysController extends AuditedResource {

    private final HostKeys hostKeys;

    HostKeysController(HostKeys hostKeys, AdminAudit audit) {
        super(audit);
        this.hostKeys = hostKeys;
    }

    @GetMapping
    @Operation(summary = "List host keys with fingerprints and public keys (never private keys)")
    List<HostKey> list() {
        return hostKeys.list();
    }

    @GetMapping("/{id}")
    HostKey get(@PathVariable long id) {
        return hostKeys.get(id);
    }

    @PostMapping
    @Operation(summary = "Add an active host key, advertised to clients from their next login: "
            + "{\"algorithm\": \"ed25519\"} (or ecdsa, rsa with \"bits\") to generate one, or {\"privateKey\": \"-----BEGIN OPENSSH "
            + "PRIVATE KEY-----...\"} to import one; optional \"label\". Primary only if its algorithm had no active key")
    ResponseEntity<HostKey> create(@RequestBody(required = false) HostKeyRequest request, UriComponentsBuilder uri) {
        HostKeyRequest body = request == null ? new HostKeyRequest(null, null, null, null, null) : request;
        HostKey created = hostKeys.add(body.algorithm(), body.bits(), body.privateKey(), body.passphrase(), body.label());
        audit(created.id(), (body.privateKey() == null ? "generated" : "imported") + " host key " + describe(created)
                + (created.primary() ? ", primary" : ", advertised"));
        return created(uri, "/{id}", created.id()).body(created);
    }

    @PostMapping("/{id}/primary")
    @Operation(summary = "Present this key in key exchange for its algorithm (instead of the previous primary, which stays advertised)")
    HostKey makePrimary(@PathVariable long id) {
        HostKey key = hostKeys.makePrimary(id);
        audit(id, "made host key " + describe(key) + " primary");
        return key;
    }

    @PostMapping("/{id}/retire")
    @Operation(summary = "Stop presenting and advertising this key (the last active key cannot be retired)")
    HostKey retire(@PathVariable long id) {
        HostKey key = hostKeys.retire(id);
        audit(id, "retired host key " + describe(key));
        return key;
    }

    @PostMapping("/{id}/activate")
    @Operation(summary = "Serve a retired key again: advertised, and primary if its algorithm has no other active key")
    HostKey activate(@PathVariable long id) {
        HostKey key = hostKeys.activate(id);
        audit(id, "activated host key " + describe(key));
        return key;
    }

    @DeleteMapping("/{id}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    @Operation(summary = "Delete a host key for good (the last active key cannot be deleted)")
    void delete(@PathVariable long id) {
        HostKey deleted = hostKeys.delete(id);
        audit(id, "deleted host key " + describe(deleted));
    }

    private static String describe(HostKey key) {
        return key.algorithm() + " " + key.fingerprint();
    }
}
