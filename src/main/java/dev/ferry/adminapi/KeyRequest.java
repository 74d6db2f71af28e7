package dev.ferry.adminapi;

/** Body of POST /api/v1/users/{username}/keys. */
record KeyRequest(String publicKey) {
}
