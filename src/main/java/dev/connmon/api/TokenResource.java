package dev.connmon.api;

import dev.connmon.security.StreamToken;
import dev.connmon.security.StreamTokens;
import io.quarkus.security.Authenticated;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.UriInfo;
import java.time.DateTimeException;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import org.eclipse.microprofile.jwt.JsonWebToken;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.enums.SecuritySchemeType;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityScheme;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestQuery;
import org.jboss.resteasy.reactive.RestResponse;

/** Stream tokens for browsers (docs/api.md §12): an API key's short-lived stand-in that an EventSource can carry. */
@Path("/api/v0002/tokens")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Stream tokens")
@SecurityScheme(
        securitySchemeName = "streamToken",
        type = SecuritySchemeType.HTTP,
        scheme = "bearer",
        bearerFormat = "JWT",
        description = "A token from POST /api/v0002/tokens, as Bearer on any request, or as "
                + "?access_token= on GET requests (EventSource)")
public class TokenResource {
    static final String READER = "reader";
    private static final Set<String> READING_ROLES = Set.of(READER, "admin");

    private final StreamTokens tokens;
    private final SecurityIdentity identity;

    TokenResource(StreamTokens tokens, SecurityIdentity identity) {
        this.tokens = tokens;
        this.identity = identity;
    }

    /** Runs on a worker thread (not a Uni): signing is CPU work of a millisecond or two. */
    @POST
    @Authenticated
    @Operation(
            summary = "Get a stream token",
            description = "Authenticate with the API key (HTTP Basic). The token stands for the key, with its roles "
                    + "(or only reader), until expiresAt: as 'Authorization: Bearer <token>' on every request, or as "
                    + "?access_token=<token> on GET requests (EventSource).")
    @APIResponse(responseCode = "201", description = "The token and when it expires")
    @APIResponse(responseCode = "400", description = "ttl or role is invalid")
    @APIResponse(responseCode = "403", description = "Asked with a stream token, or reader for a key that cannot read")
    public RestResponse<StreamToken> create(
            @RestQuery
                    @Parameter(
                            description = "Lifetime, ISO 8601 duration up to PT1H",
                            example = "PT15M",
                            schema = @Schema(type = SchemaType.STRING, defaultValue = "PT15M"))
                    String ttl,
            @RestQuery
                    @Parameter(
                            description = "Narrow the token to this role. Without it the token carries all the "
                                    + "key's roles: an admin key's token is an admin credential until it expires",
                            schema = @Schema(enumeration = {READER}))
                    String role,
            @Context UriInfo uri) {
        QueryParameters.requireKnown(uri, Set.of("ttl", "role"));
        // an empty ?ttl= arrives as null: it is a mistake, not a request for the default
        Duration lifetime = lifetime(ttl == null && uri.getQueryParameters().containsKey("ttl") ? "" : ttl);
        if (identity.getPrincipal() instanceof JsonWebToken) {
            // a token that could renew itself would live for ever once stolen: only the API key mints tokens
            throw new ForbiddenException();
        }
        Set<String> roles = new TreeSet<>(identity.getRoles());
        if (role != null) {
            QueryParameters.oneOf("role", role, Set.of(READER));
            if (roles.stream().noneMatch(READING_ROLES::contains)) {
                throw new ForbiddenException();
            }
            roles = Set.of(READER);
        }
        StreamToken token = tokens.issue(identity.getPrincipal().getName(), roles, lifetime);
        return RestResponse.status(RestResponse.Status.CREATED, token);
    }

    private Duration lifetime(String ttl) {
        Duration max = tokens.config().maxTtl();
        if (ttl == null) {
            return tokens.config().defaultTtl();
        }
        Duration parsed;
        try {
            parsed = Duration.parse(ttl.trim().toUpperCase(Locale.ROOT));
        } catch (DateTimeException e) {
            throw new InvalidParameterException(
                    "ttl", "'" + QueryParameters.abbreviate(ttl) + "' is not an ISO 8601 duration (PT15M, PT1H)");
        }
        if (parsed.compareTo(Duration.ofSeconds(1)) < 0 || parsed.compareTo(max) > 0) {
            throw new InvalidParameterException("ttl", "must be at least PT1S and at most " + max);
        }
        return parsed;
    }
}
