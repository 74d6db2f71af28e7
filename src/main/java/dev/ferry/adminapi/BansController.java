package dev.ferry.adminapi;

import dev.ferry.bans.Ban;
import dev.ferry.bans.LoginBans;
import dev.ferry.shared.NotFoundException;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.util.List;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/** /api/v1/bans: source addresses refused after repeated failed logins, on every instance. */
@RestController
@RequestMapping("/api/v1/bans")
@Tag(name = "bans", description = "Brute-force defence: banned source addresses")
class BansController {

    private final LoginBans bans;
    private final AdminAudit audit;

    BansController(LoginBans bans, AdminAudit audit) {
        this.bans = bans;
        this.audit = audit;
    }

    @GetMapping
    @Operation(summary = "Addresses banned now or with recent failed logins")
    List<Ban> list() {
        return bans.list();
    }

    @DeleteMapping("/{address}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    @Operation(summary = "Lift the ban of an address and forget its failures")
    void lift(@PathVariable String address) {
        if (!bans.lift(address)) {
            throw new NotFoundException("no ban or failed logins recorded for '" + address.replaceAll("[^0-9A-Fa-f:.]", "?") + "'");
        }
        audit.record("/api/v1/bans/" + address, "lifted the ban of " + address);
    }
}
