package org.insight.cli;

/**
 * The QEMU peer cannot be set up on this machine: QEMU or the Debian kernel image is missing and cannot be fetched.
 * The message names what is missing and how to get it.
 */
public final class PeerUnavailableException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    PeerUnavailableException(String message) {
        super(message);
    }

    PeerUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
