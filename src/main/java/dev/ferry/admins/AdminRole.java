package dev.ferry.admins;

/** ADMIN changes everything; AUDITOR reads everything and changes nothing. */
public enum AdminRole {
    ADMIN,
    AUDITOR
}
