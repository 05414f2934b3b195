package dev.connmon.security;

import io.quarkus.security.identity.IdentityProviderManager;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.request.AuthenticationRequest;
import io.quarkus.security.identity.request.TokenAuthenticationRequest;
import io.quarkus.smallrye.jwt.runtime.auth.JsonWebTokenCredential;
import io.quarkus.vertx.http.runtime.security.ChallengeData;
import io.quarkus.vertx.http.runtime.security.HttpAuthenticationMechanism;
import io.quarkus.vertx.http.runtime.security.HttpCredentialTransport;
import io.quarkus.vertx.http.runtime.security.HttpSecurityUtils;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.Set;

/**
 * Takes a stream token from the {@code access_token} query parameter of a GET request (docs/api.md §12), because a
 * browser's EventSource cannot send an Authorization header. The token goes to the same validator as a Bearer header
 * (Quarkus' smallrye-jwt), so signature, issuer and expiry are checked in one place. Other methods must use the
 * header: a token in a URL is only for reading.
 */
@ApplicationScoped
public class AccessTokenMechanism implements HttpAuthenticationMechanism {
    public static final String PARAMETER = "access_token";

    @Override
    public Uni<SecurityIdentity> authenticate(RoutingContext context, IdentityProviderManager identities) {
        if (context.request().method() != HttpMethod.GET) {
            return Uni.createFrom().nullItem();
        }
        List<String> tokens = context.queryParam(PARAMETER);
        if (tokens.isEmpty()) {
            return Uni.createFrom().nullItem();
        }
        AuthenticationRequest request = new TokenAuthenticationRequest(new JsonWebTokenCredential(tokens.get(0)));
        return identities.authenticate(HttpSecurityUtils.setRoutingContextAttribute(request, context));
    }

    @Override
    public Uni<ChallengeData> getChallenge(RoutingContext context) {
        return Uni.createFrom().item(new ChallengeData(401, "WWW-Authenticate", "Bearer"));
    }

    @Override
    public Set<Class<? extends AuthenticationRequest>> getCredentialTypes() {
        return Set.of(TokenAuthenticationRequest.class);
    }

    @Override
    public Uni<HttpCredentialTransport> getCredentialTransport(RoutingContext context) {
        return Uni.createFrom().item(new HttpCredentialTransport(HttpCredentialTransport.Type.OTHER_HEADER, PARAMETER));
    }
}
