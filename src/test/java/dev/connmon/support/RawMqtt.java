package dev.connmon.support;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * A bare MQTT 3.1.1 connection over a socket, for what a client library will not do on purpose: vanish without
 * DISCONNECT, or go silent past its keep-alive.
 */
public final class RawMqtt implements AutoCloseable {
    private final Socket socket;

    private RawMqtt(Socket socket) {
        this.socket = socket;
    }

    /** Connects and waits for CONNACK; keepAliveSeconds 0 disables keep-alive. */
    public static RawMqtt connect(String host, int port, String clientId, int keepAliveSeconds) throws IOException {
        Socket socket = new Socket(host, port);
        socket.setSoTimeout(10_000);
        byte[] id = clientId.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.write(new byte[] {0, 4, 'M', 'Q', 'T', 'T', 4, 0x02,
                (byte) (keepAliveSeconds >> 8), (byte) keepAliveSeconds});
        body.write(id.length >> 8);
        body.write(id.length);
        body.write(id);
        ByteArrayOutputStream packet = new ByteArrayOutputStream();
        packet.write(0x10);
        int remaining = body.size();
        do {
            int digit = remaining % 128;
            remaining /= 128;
            packet.write(remaining > 0 ? digit | 0x80 : digit);
        } while (remaining > 0);
        body.writeTo(packet);
        socket.getOutputStream().write(packet.toByteArray());
        InputStream in = socket.getInputStream();
        byte[] connack = in.readNBytes(4);
        if (connack.length != 4 || connack[0] != 0x20 || connack[3] != 0) {
            socket.close();
            throw new IOException("connection refused");
        }
        return new RawMqtt(socket);
    }

    /** Blocks until the server closes the connection, or the timeout passes. */
    public boolean awaitServerClose() throws IOException {
        try {
            return socket.getInputStream().read() == -1;
        } catch (java.net.SocketException e) {
            return true;
        }
    }

    /** Drops the TCP connection without a DISCONNECT packet. */
    @Override
    public void close() throws IOException {
        socket.setSoLinger(true, 0);
        socket.close();
    }
}
