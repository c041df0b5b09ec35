package org.insight.cli;

/** A mistake in what the user asked for; printed as one line, never with a stack trace. */
final class UserError extends RuntimeException {
    private static final long serialVersionUID = 1L;

    UserError(String message) {
        super(message);
    }
}
