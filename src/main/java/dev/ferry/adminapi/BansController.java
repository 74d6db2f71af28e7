package dev.ferry.adminapi;

import dev.ferry.bans.Ban;
import dev.ferry.bans.LoginBans;
import dev.ferry.shared.AccountNames;
import dev.ferry.shared.NotFoundException;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/**
 * /api/v1/bans: source addresses, and usernames at an address, refused after repeated failed
 * logins, on every instance.
 */
@RestController
@RequestMapping("/api/v1/bans")
@Tag(name = "bans", description = "Brute-force defence: banned source addresses and usernames blocked at an address; "
        + "listed are addresses, and usernames at an address (username set), banned now or with recent failed logins")
class BansController extends ListedResource<Ban> {

    private final LoginBans bans;

    BansController(LoginBans bans, AdminAudit audit) {
        super(audit, bans::list);
        this.bans = bans;
    }

    @DeleteMapping("/{address}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    @Operation(summary = "Lift the ban of an address and every block of a username at it, and forget their failures; "
            + "with username, only that username's block at the address")
    void lift(@PathVariable String address, @RequestParam(required = false) String username) {
        String shown = address.replaceAll("[^0-9A-Fa-f:.]", "?");
        if (username == null) {
            if (!bans.lift(address)) {
                throw new NotFoundException("no ban or failed logins recorded for '" + shown + "'");
            }
            audit(address, "lifted the ban of " + address);
            return;
        }
        if (!bans.lift(address, username)) {
            throw new NotFoundException("no block or failed logins recorded for '" + AccountNames.printable(username) + "' at '"
                    + shown + "'");
        }
        audit(address, "lifted the block of " + AccountNames.printable(username) + " at " + address);
    }
}
