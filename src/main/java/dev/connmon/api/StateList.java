package dev.connmon.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.connmon.state.ClientState;
import io.quarkus.runtime.annotations.RegisterForReflection;
import java.util.List;

/** A page of client states; {@code bookmark} is absent on the last page (Watson's envelope). */
@RegisterForReflection
public record StateList(
        List<ClientState> results,
        @JsonInclude(JsonInclude.Include.NON_NULL) String bookmark) {}
