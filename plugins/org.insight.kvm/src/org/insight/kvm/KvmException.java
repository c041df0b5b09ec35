package org.insight.kvm;

/**
 * A KVM operation failed. The message names the operation and why, e.g.
 * {@code "KVM_RUN failed: errno 4 (EINTR)"} or {@code "KVM_SET_MSRS(0xc0000100) failed: wrote 0 of 1 MSRs"}.
 */
public class KvmException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String operation;
    private final int errno;

    /** A system call behind {@code operation} failed with {@code errno}. */
    public KvmException(String operation, int errno) {
        super(operation + " failed: " + ErrnoNames.describe(errno));
        this.operation = operation;
        this.errno = errno;
    }

    /** {@code operation} returned but its result is unusable; {@code detail} says how. {@link #errno()} is 0. */
    public KvmException(String operation, String detail) {
        super(operation + " failed: " + detail);
        this.operation = operation;
        this.errno = 0;
    }

    /** The ioctl or system call, e.g. "KVM_RUN" or "open /dev/kvm". */
    public String operation() {
        return operation;
    }

    /** The errno the operation failed with, or 0 when the failure was not an errno. */
    public int errno() {
        return errno;
    }
}
