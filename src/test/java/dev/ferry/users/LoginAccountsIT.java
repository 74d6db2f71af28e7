package dev.ferry.users;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.testsupport.AdminClient;
import dev.ferry.testsupport.FerryInstance;
import dev.ferry.testsupport.TestKeys;
import dev.ferry.testsupport.TestPostgres;
import dev.ferry.testsupport.Users;
import jakarta.persistence.EntityManagerFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.hibernate.SessionFactory;
import org.hibernate.stat.Statistics;
import org.junit.jupiter.api.Test;

/**
 * The session heartbeat refreshes the accounts of every connected user every two seconds: that
 * must cost a few statements, not a few per user (nor per group of a user).
 */
class LoginAccountsIT {

    @Test
    void theAccountsOfManyUsersAreLoadedInAFewStatementsAndMatchSingleLookups() {
        try (FerryInstance ferry = FerryInstance.start(TestPostgres.get().newDatabase(), FerryInstance.tempDir("ferry-files"),
                Map.of("spring.jpa.properties.hibernate.generate_statistics", "true"))) {
            AdminClient admin = ferry.admin();
            int count = 25;
            assertThat(admin.post("/api/v1/groups", "{\"name\":\"shared\",\"permissions\":{\"/shared\":[\"list\"]}}").status()).isEqualTo(201);
            assertThat(admin.post("/api/v1/groups", "{\"name\":\"quota\",\"quota\":{\"maxFiles\":10}}").status()).isEqualTo(201);
            assertThat(admin.post("/api/v1/groups", "{\"name\":\"paced\",\"bandwidth\":{\"uploadBytesPerSecond\":1000}}").status())
                    .isEqualTo(201);
            for (int i = 0; i < count; i++) {
                Users.create(admin, "partner" + i, TestKeys.ed25519(), "\"permissions\":{\"/\":[\"list\",\"download\"],\"/in" + i
                        + "\":[\"*\"]},\"allowedIps\":[\"203.0.113." + i + "\",\"2001:db8::/64\"],\"maxSessions\":" + (i + 1)
                        + ",\"groups\":[\"shared\",\"quota\",\"paced\"]");
            }
            UserService users = ferry.bean(UserService.class);
            List<Long> ids = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                ids.add(users.findLoginAccount("partner" + i).orElseThrow().id());
            }
            ids.add(Long.MAX_VALUE); // a user deleted meanwhile is simply missing

            Statistics statistics = ferry.bean(EntityManagerFactory.class).unwrap(SessionFactory.class).getStatistics();
            statistics.clear();
            Map<Long, LoginAccount> accounts = users.findLoginAccounts(ids);
            long statements = statistics.getPrepareStatementCount();

            // users, their permissions, addresses and groups; the groups, their permissions and addresses
            assertThat(statements).as("statements for %d accounts in three groups", count).isLessThanOrEqualTo(7);
            assertThat(accounts).hasSize(count).doesNotContainKey(Long.MAX_VALUE);
            for (int i = 0; i < count; i++) {
                LoginAccount single = users.findLoginAccount("partner" + i).orElseThrow();
                assertThat(accounts.get(single.id())).isEqualTo(single);
                assertThat(single.permissions()).containsKey("/in" + i);
                assertThat(single.allowedIps()).contains("203.0.113." + i);
                assertThat(single.permissions()).containsKey("/shared");
                assertThat(single.quotaMaxFiles()).isEqualTo(10);
                assertThat(single.uploadBytesPerSecond()).isEqualTo(1000);
            }
        }
    }
}
