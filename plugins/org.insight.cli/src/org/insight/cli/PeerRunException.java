package org.insight.cli;

/** A QEMU peer run could not be carried out or did not complete; the message names the run and what went wrong. */
public final class PeerRunException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    PeerRunException(String message) {
        super(message);
    }

    PeerRunException(String message, Throwable cause) {
        super(message, cause);
    }
}
