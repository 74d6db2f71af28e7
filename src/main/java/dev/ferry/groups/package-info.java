/**
 * Groups of SFTP users: settings (permissions by path, quota, allowed IPs, max sessions,
 * bandwidth) that members inherit, and {@link dev.ferry.groups.EffectiveSettings}, the one rule that
 * combines a user's own settings with those of their groups, used by logins, quotas and the admin
 * API alike. Membership lives with the user ({@code users} lists a user's groups in order).
 */
package dev.ferry.groups;
