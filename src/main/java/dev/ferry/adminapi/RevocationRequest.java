package dev.ferry.adminapi;

import java.math.BigInteger;

/** Body of POST /api/v1/user-cas/{id}/revocations: one of the two. */
record RevocationRequest(BigInteger serial, String keyId) {
}
