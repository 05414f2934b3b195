package dev.connmon.query;

import dev.connmon.state.ClientState;
import java.util.List;

/** One page of a state list, and the position after its last row when more rows follow. */
public record StatePage(List<ClientState> results, PagePosition next) {}
