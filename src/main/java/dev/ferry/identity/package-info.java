/**
 * SFTP users who live outside Ferry: a directory ({@code ldap}) or an external service
 * ({@code hook}) decides their logins, and {@link dev.ferry.identity.ExternalIdentities} turns an
 * admitted login into the same account a local user has (a row in {@code users} marked with its
 * source). Local users stay the default and win: a source is only asked about names no local user holds.
 */
package dev.ferry.identity;
