package dev.ferry.adminapi;

import dev.ferry.admins.ApiTokens;
import dev.ferry.admins.NewToken;
import dev.ferry.admins.TokenView;
import dev.ferry.shared.InvalidInputException;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.security.Principal;
import org.springframework.http.CacheControl;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.util.UriComponentsBuilder;

/** /api/v1/tokens: bearer tokens for automation; the token itself is in the POST answer only. */
@RestController
@RequestMapping("/api/v1/tokens")
@Tag(name = "tokens", description = "API tokens (Authorization: Bearer ferry_...) with a role and an optional expiry; "
        + "the token itself is in the answer to its creation only, never listed or read")
class TokensController extends NumberedResource<TokenView> {

    private final ApiTokens tokens;

    TokensController(ApiTokens tokens, AdminAudit audit) {
        super(audit, tokens::list, tokens::get);
        this.tokens = tokens;
    }

    @PostMapping
    @Operation(summary = "Create an API token; the answer carries the token, shown this once only")
    ResponseEntity<NewToken> create(@RequestBody TokenRequest request, Principal principal, UriComponentsBuilder uri) {
        if (request == null) {
            throw new InvalidInputException(null, "the request body must be a JSON object: {\"name\", \"role\", \"expiresAt\"}");
        }
        NewToken created = tokens.create(request.name(), request.role(), request.expiresAt(), principal.getName());
        audit(created.id(), "created API token " + created.id() + " '" + created.name() + "' with role "
                + created.role() + ", " + (created.expiresAt() == null ? "never expires" : "expires " + created.expiresAt()));
        return created(uri, "/{id}", created.id()).cacheControl(CacheControl.noStore()).body(created);
    }

    @DeleteMapping("/{id}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    @Operation(summary = "Revoke an API token: it stops working at once")
    void revoke(@PathVariable long id) {
        TokenView revoked = tokens.revoke(id);
        audit(revoked.id(), "revoked API token " + revoked.id() + " '" + revoked.name() + "' (role "
                + revoked.role() + ")");
    }
}
