package dev.connmon.security;

import io.quarkus.runtime.annotations.RegisterForReflection;
import java.time.Instant;

/** Registered for reflection: the JSON answer of POST /api/v0002/tokens. */
@RegisterForReflection
public record StreamToken(String token, Instant expiresAt) {}
