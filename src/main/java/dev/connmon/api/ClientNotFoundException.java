package dev.connmon.api;

/** No state is known for the client id. */
public class ClientNotFoundException extends RuntimeException {
    private final String clientId;

    public ClientNotFoundException(String clientId) {
        super(null, null, false, false);
        this.clientId = clientId;
    }

    public String clientId() {
        return clientId;
    }
}
