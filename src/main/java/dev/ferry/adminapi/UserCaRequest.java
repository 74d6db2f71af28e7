package dev.ferry.adminapi;

/** Body of POST /api/v1/user-cas. */
record UserCaRequest(String name, String publicKey) {
}
