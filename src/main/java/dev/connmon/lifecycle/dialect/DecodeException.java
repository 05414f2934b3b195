package dev.connmon.lifecycle.dialect;

/** A lifecycle message that cannot be decoded; the message is the reason recorded with the rejection. */
public class DecodeException extends Exception {
    public DecodeException(String reason) {
        super(reason, null, false, false);
    }
}
