package dev.connmon.support;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * A bare MQTT 3.1.1 connection over a socket, for what a client library will not do on purpose: vanish without
 * DISCONNECT, go silent past its keep-alive, or break the protocol.
 */
public final class RawMqtt implements AutoCloseable {
    private final Socket socket;
    private final byte[] connectPacket;

    private RawMqtt(Socket socket, byte[] connectPacket) {
        this.socket = socket;
        this.connectPacket = connectPacket;
    }

    /** Connects with MQTT 3.1.1 and waits for CONNACK; keepAliveSeconds 0 disables keep-alive. */
    public static RawMqtt connect(String host, int port, String clientId, int keepAliveSeconds) throws IOException {
        return connect(host, port, clientId, keepAliveSeconds, 4);
    }

    /** Connects with MQTT 5 (no properties) and waits for CONNACK. */
    public static RawMqtt connect5(String host, int port, String clientId, int keepAliveSeconds) throws IOException {
        return connect(host, port, clientId, keepAliveSeconds, 5);
    }

    private static RawMqtt connect(String host, int port, String clientId, int keepAliveSeconds, int protocolLevel)
            throws IOException {
        Socket socket = new Socket(host, port);
        socket.setSoTimeout(10_000);
        byte[] id = clientId.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.write(new byte[] {
            0,
            4,
            'M',
            'Q',
            'T',
            'T',
            (byte) protocolLevel,
            0x02,
            (byte) (keepAliveSeconds >> 8),
            (byte) keepAliveSeconds
        });
        if (protocolLevel == 5) {
            body.write(0); // property length
        }
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
        // CONNACK: type, remaining length (MQTT 5 adds properties), flags, then the return or reason code
        int type = in.read();
        int length = 0;
        int shift = 0;
        int digit;
        do {
            digit = in.read();
            length |= (digit & 0x7F) << shift;
            shift += 7;
        } while (digit > 0x7F);
        byte[] connack = in.readNBytes(Math.max(length, 0));
        if (type != 0x20 || connack.length < 2 || connack[1] != 0) {
            socket.close();
            throw new IOException("connection refused");
        }
        return new RawMqtt(socket, packet.toByteArray());
    }

    /** Sends its CONNECT once more on the open connection: a protocol violation the server must close it for. */
    public void connectAgain() throws IOException {
        socket.getOutputStream().write(connectPacket);
        socket.getOutputStream().flush();
    }

    /** Writes raw bytes on the connection: a packet of any kind, well-formed or not. */
    public void send(int... bytes) throws IOException {
        byte[] packet = new byte[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            packet[i] = (byte) bytes[i];
        }
        socket.getOutputStream().write(packet);
        socket.getOutputStream().flush();
    }

    /** Blocks until the server closes the connection (after whatever it sends last, an MQTT 5 DISCONNECT, say). */
    public boolean awaitServerClose() throws IOException {
        try {
            InputStream in = socket.getInputStream();
            while (in.read() != -1) {
                // what the server says before it closes is not what these tests look at
            }
            return true;
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
