package dev.ferry.users;

import dev.ferry.groups.EffectiveSettings;
import dev.ferry.groups.GroupService;
import dev.ferry.groups.GroupSettings;
import dev.ferry.groups.Settings;
import dev.ferry.quotas.QuotaLimits;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * The quota in force for the quota ledger: the user's own quota values and their groups', combined by
 * {@link EffectiveSettings}. Reads only the columns it needs (two statements for a user without
 * groups), since every reservation asks.
 */
@Component
class UserQuotaLimits implements QuotaLimits {

    private final JdbcTemplate jdbc;
    private final GroupService groups;

    UserQuotaLimits(JdbcTemplate jdbc, GroupService groups) {
        this.jdbc = jdbc;
        this.groups = groups;
    }

    @Override
    public Limits of(long userId) {
        List<long[]> own = jdbc.query("select quota_max_bytes, quota_max_files from users where id = ?",
                (rs, i) -> new long[] {rs.getLong(1), rs.getLong(2)}, userId);
        if (own.isEmpty()) {
            return new Limits(0, 0);
        }
        List<Long> groupIds = jdbc.queryForList("select group_id from user_groups where user_id = ? order by position", Long.class, userId);
        Map<Long, GroupSettings> settings = groups.settings(groupIds);
        EffectiveSettings effective = EffectiveSettings.of(
                new Settings(Map.of(), own.get(0)[0], own.get(0)[1], List.of(), 0, 0, 0),
                groupIds.stream().map(settings::get).filter(Objects::nonNull).toList());
        return new Limits(effective.quota().maxBytes().value(), effective.quota().maxFiles().value());
    }
}
