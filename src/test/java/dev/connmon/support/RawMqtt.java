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
        byte[] packet = connectPacket(clientId, keepAliveSeconds, protocolLevel, null, null);
        if (exchangeConnect(socket, packet) != 0) {
            socket.close();
            throw new IOException("connection refused");
        }
        return new RawMqtt(socket, packet);
    }

    /**
     * Sends one CONNECT (MQTT 3.1.1: {@code protocolLevel} 4, or 5) with optional user name and password, and
     * returns the CONNACK's return or reason code (0: accepted); the connection is closed either way.
     */
    public static int connackCode(
            String host, int port, int protocolLevel, String clientId, String username, String password)
            throws IOException {
        try (Socket socket = new Socket(host, port)) {
            socket.setSoTimeout(10_000);
            return exchangeConnect(socket, connectPacket(clientId, 60, protocolLevel, username, password));
        }
    }

    private static byte[] connectPacket(
            String clientId, int keepAliveSeconds, int protocolLevel, String username, String password)
            throws IOException {
        int flags = 0x02 | (username == null ? 0 : 0x80) | (password == null ? 0 : 0x40);
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.write(new byte[] {
            0,
            4,
            'M',
            'Q',
            'T',
            'T',
            (byte) protocolLevel,
            (byte) flags,
            (byte) (keepAliveSeconds >> 8),
            (byte) keepAliveSeconds
        });
        if (protocolLevel == 5) {
            body.write(0); // property length
        }
        writeString(body, clientId);
        if (username != null) {
            writeString(body, username);
        }
        if (password != null) {
            writeString(body, password);
        }
        ByteArrayOutputStream packet = new ByteArrayOutputStream();
        packet.write(0x10);
        writeRemainingLength(packet, body.size());
        body.writeTo(packet);
        return packet.toByteArray();
    }

    private static void writeString(ByteArrayOutputStream out, String text) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        out.write(bytes.length >> 8);
        out.write(bytes.length);
        out.write(bytes);
    }

    private static void writeRemainingLength(ByteArrayOutputStream out, int remaining) {
        do {
            int digit = remaining % 128;
            remaining /= 128;
            out.write(remaining > 0 ? digit | 0x80 : digit);
        } while (remaining > 0);
    }

    /** Writes a CONNECT and reads the CONNACK's return or reason code. */
    private static int exchangeConnect(Socket socket, byte[] packet) throws IOException {
        socket.getOutputStream().write(packet);
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
        if (type != 0x20 || connack.length < 2) {
            throw new IOException("no CONNACK");
        }
        return connack[1] & 0xFF;
    }

    /**
     * Starts a QoS 0 PUBLISH on {@code topic} whose header announces {@code payloadBytes} of payload, and sends only
     * the first {@code sentBytes} of it: what a broker without a packet size limit waits (and buffers) for.
     */
    public void startPublish(String topic, int payloadBytes, int sentBytes) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        byte[] name = topic.getBytes(StandardCharsets.UTF_8);
        head.write(0x30);
        writeRemainingLength(head, 2 + name.length + payloadBytes);
        head.write(name.length >> 8);
        head.write(name.length);
        head.write(name);
        head.write(new byte[sentBytes]);
        socket.getOutputStream().write(head.toByteArray());
        socket.getOutputStream().flush();
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
