package dev.connmon.api;

import dev.connmon.query.InvalidParameterException;
import dev.connmon.schedule.TooManyWindowsException;
import io.quarkus.logging.Log;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.RestResponse;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** The one place that turns failures into problem+json responses; no stack trace or SQL ever reaches a client. */
class ExceptionMappers {

    @ServerExceptionMapper
    RestResponse<Problem> notFound(ClientNotFoundException e) {
        return problem(
                Problem.of(404, "Client not found", "No connection state is known for client '" + e.clientId() + "'"));
    }

    @ServerExceptionMapper
    RestResponse<Problem> invalidParameter(InvalidParameterException e) {
        return problem(Problem.of(400, "Invalid parameter '" + e.parameter() + "'", e.getMessage()));
    }

    /**
     * A script that marks its request with {@code X-Requested-With} (the dashboard's login form) gets a Bearer
     * challenge instead of Basic, which browsers would answer with their own credentials dialog.
     */
    @ServerExceptionMapper({AuthenticationFailedException.class, UnauthorizedException.class})
    RestResponse<Problem> unauthorized(HttpHeaders headers) {
        boolean script = headers.getHeaderString("X-Requested-With") != null;
        return RestResponse.ResponseBuilder.<Problem>create(401)
                .entity(
                        Problem.of(
                                401,
                                "Unauthorized",
                                "Give an API key as HTTP Basic credentials: "
                                        + "the key as user name, its token as password; or an unexpired stream token as Bearer"))
                .type(Problem.MEDIA_TYPE)
                .header("WWW-Authenticate", (script ? "Bearer" : "Basic") + " realm=\"connmon\"")
                .build();
    }

    @ServerExceptionMapper
    RestResponse<Problem> tooManyWindows(TooManyWindowsException e) {
        return problem(Problem.of(409, "Too many maintenance windows", e.getMessage()));
    }

    @ServerExceptionMapper
    RestResponse<Problem> tooManyStreams(TooManyStreamsException e) {
        return RestResponse.ResponseBuilder.<Problem>create(429)
                .entity(Problem.of(429, "Too many live streams", e.getMessage()))
                .type(Problem.MEDIA_TYPE)
                .header("Retry-After", "5")
                .build();
    }

    @ServerExceptionMapper(ForbiddenException.class)
    RestResponse<Problem> forbidden() {
        return problem(Problem.of(403, "Forbidden", "This API key lacks the role this request needs"));
    }

    @ServerExceptionMapper
    RestResponse<Problem> webApplication(WebApplicationException e) {
        int status = e.getResponse().getStatus();
        Response.StatusType type = Response.Status.fromStatusCode(status);
        String title = type == null ? "HTTP " + status : type.getReasonPhrase();
        return problem(Problem.of(status, title, status >= 500 ? null : e.getMessage()));
    }

    @ServerExceptionMapper
    RestResponse<Problem> unexpected(Exception e) {
        Log.errorf(e, "Unexpected failure while serving a request");
        return problem(Problem.of(500, "Internal Server Error", "The request failed; the server log has details"));
    }

    private static RestResponse<Problem> problem(Problem problem) {
        return RestResponse.ResponseBuilder.<Problem>create(problem.status())
                .entity(problem)
                .type(Problem.MEDIA_TYPE)
                .build();
    }
}
