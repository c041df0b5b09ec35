package org.insight.vmm.memory;

/**
 * The VMM touched a guest virtual address on the guest's behalf (a syscall argument) and the guest may not access
 * it there: unmapped, PROT_NONE, or read-only for a write. Syscall handlers answer -EFAULT, as Linux does.
 * <p>
 * Hostile guests make this common, so it carries no stack trace.
 */
public final class GuestFault extends RuntimeException {
	private static final long serialVersionUID = 1L;

	private final long address;
	private final boolean write;

	public GuestFault(long address, boolean write, String why) {
		super(String.format("guest %s at 0x%x: %s", write ? "write" : "read", address, why), null, false, false);
		this.address = address;
		this.write = write;
	}

	/** The first guest virtual address that could not be accessed. */
	public long address() {
		return address;
	}

	public boolean write() {
		return write;
	}
}
