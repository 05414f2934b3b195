package dev.connmon.api;

import dev.connmon.lifecycle.ClientIds;
import dev.connmon.state.ClientState;
import dev.connmon.state.StateRepository;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/** Watson-compatible client connection state (CONTRACT §2). */
@Path("/api/v0002/clientconnectionstates")
@Produces(MediaType.APPLICATION_JSON)
public class ClientStateResource {
    private final StateRepository states;

    ClientStateResource(StateRepository states) {
        this.states = states;
    }

    /** The id may hold any UTF-8, percent-encoded, including {@code %2F}: hence the regex that spans segments. */
    @GET
    @Path("{clientId: .+}")
    public Uni<ClientState> get(@PathParam("clientId") String clientId) {
        ClientIds.problem(clientId).ifPresent(reason -> {
            throw new InvalidParameterException("clientId", reason);
        });
        return states.findById(clientId)
                .onItem().ifNull().failWith(() -> new ClientNotFoundException(clientId));
    }
}
