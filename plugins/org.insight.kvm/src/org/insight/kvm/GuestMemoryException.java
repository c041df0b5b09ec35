package org.insight.kvm;

/**
 * A guest-physical access fell outside the guest memory, or the host refused an operation on it. The
 * message names the guest physical address and the length.
 */
public class GuestMemoryException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final long address;
    private final long length;

    public GuestMemoryException(String message, long address, long length) {
        super(message);
        this.address = address;
        this.length = length;
    }

    /** The guest physical address of the failed access. */
    public long address() {
        return address;
    }

    /** The length in bytes of the failed access. */
    public long length() {
        return length;
    }
}
