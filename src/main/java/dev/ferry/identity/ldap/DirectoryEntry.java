package dev.ferry.identity.ldap;

import java.util.List;

/**
 * What Ferry needs of a user's directory entry, looked up with the service account.
 *
 * @param keys     the public keys of the key attribute, SSH wire format (unparsable values left out)
 * @param groups   DNs of the user's groups (group attribute and group search)
 * @param disabled AD's ACCOUNTDISABLE bit or the configured disabled filter matched
 */
record DirectoryEntry(String dn, String username, List<byte[]> keys, List<String> groups, boolean disabled) {
}
