package dev.ferry.adminapi;

import dev.ferry.usercas.RevokedKeys;
import dev.ferry.usercas.RevokedKeysList;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/**
 * /api/v1/revoked-keys: the OpenSSH key revocation list (KRL) that refuses keys and certificates at
 * login, as sshd's {@code RevokedKeys} does. One file, replaced whole by each upload, so the CA's
 * tooling ({@code ssh-keygen -k -u}) stays the place where revocations are kept.
 */
@RestController
@RequestMapping("/api/v1/revoked-keys")
@Tag(name = "user-cas", description = "Trusted SSH user certificate authorities: a certificate they sign logs in as its principals")
class RevokedKeysController extends AuditedResource {

    private final RevokedKeys revokedKeys;

    RevokedKeysController(RevokedKeys revokedKeys, AdminAudit audit) {
        super(audit);
        this.revokedKeys = revokedKeys;
    }

    @GetMapping
    @Operation(summary = "The uploaded KRL: its version, date, comment, SHA-256 and what it revokes; 404 when none is uploaded")
    RevokedKeysList get() {
        return revokedKeys.current();
    }

    @PutMapping(consumes = MediaType.APPLICATION_OCTET_STREAM_VALUE)
    @Operation(summary = "Upload the KRL written by ssh-keygen -k (the file itself, Content-Type application/octet-stream); "
            + "it replaces the previous one and refuses matching keys and certificates from the next login (other replicas "
            + "within sftp.krl.refresh-interval)")
    RevokedKeysList put(@RequestBody(required = false) byte[] krl) {
        RevokedKeysList uploaded = revokedKeys.replace(krl);
        auditCollection("uploaded KRL version " + uploaded.krlVersion() + " (sha256 " + uploaded.sha256() + ", revoking "
                + describe(uploaded) + ")");
        return uploaded;
    }

    @DeleteMapping
    @ResponseStatus(HttpStatus.NO_CONTENT)
    @Operation(summary = "Remove the KRL: only revocations made under /api/v1/user-cas count from the next login")
    void delete() {
        RevokedKeysList removed = revokedKeys.delete();
        auditCollection("removed KRL version " + removed.krlVersion() + " (sha256 " + removed.sha256() + ")");
    }

    private static String describe(RevokedKeysList list) {
        var c = list.contents();
        return c.serialRules() + " serial rules and " + c.keyIds() + " key ids in " + c.certificateSections()
                + " certificate sections, " + c.keys() + " keys, " + c.fingerprints() + " fingerprints";
    }
}
