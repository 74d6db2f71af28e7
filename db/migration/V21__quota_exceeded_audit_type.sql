-- An upload refused for the quota is recorded as its own audit type, QUOTA_EXCEEDED (status DENIED),
-- instead of a failed UPLOAD whose detail starts with "quota exceeded": event rules and audit searches
-- match the type, not a message text. The constraint is checked against existing rows without
-- blocking writes for the scan (NOT VALID, then VALIDATE).
alter table audit_events drop constraint audit_events_type;
alter table audit_events add constraint audit_events_type check (type in ('LOGIN', 'LOGIN_FAILED', 'LOGOUT', 'UPLOAD',
    'DOWNLOAD', 'DELETE', 'RENAME', 'MKDIR', 'RMDIR', 'SETSTAT', 'SYMLINK', 'DENIED', 'QUOTA_EXCEEDED', 'ADMIN')) not valid;
alter table audit_events validate constraint audit_events_type;

-- Rules match QUOTA_EXCEEDED by type (failures by nature: LOGIN_FAILED, DENIED, QUOTA_EXCEEDED).
create or replace function event_deliveries_for_audit_record() returns trigger language plpgsql as $$
begin
    insert into event_deliveries (event_id, rule_id, action_index, action_type, order_key, payload)
    select new.id, r.id, (a.position - 1)::int, a.action ->> 'type',
           coalesce(lower(new.username), '') || ':' || coalesce(new.path, ''),
           jsonb_build_object('id', new.id, 'type', new.type,
               'timestamp', to_char(new.ts at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
               'username', new.username, 'remoteAddress', new.remote_address, 'sessionId', new.session_id,
               'path', new.path, 'targetPath', new.target_path, 'bytes', new.bytes, 'sha256', new.sha256,
               'status', new.status, 'detail', new.detail)
    from event_rules r
    cross join lateral jsonb_array_elements(r.actions) with ordinality as a(action, position)
    where r.enabled
      and (new.type = any (r.events) and (new.status = 'OK' or new.type in ('LOGIN_FAILED', 'DENIED', 'QUOTA_EXCEEDED')))
      and (cardinality(r.usernames) = 0 or lower(new.username) = any (r.usernames))
      and (cardinality(r.path_regexes) = 0
           or exists (select 1 from unnest(r.path_regexes) as p(regex) where new.path ~ p.regex or new.target_path ~ p.regex))
      and (r.min_size is null or coalesce(new.bytes, 0) >= r.min_size)
    order by r.id, a.position;
    return null;
end
$$;
