package org.insight.vmm.memory;

/**
 * The guest needs a page frame and the memory cap (or the guest memory itself) is used up. Syscalls turn this into
 * ENOMEM; a page fault cannot, so there it ends the run the way the Linux OOM killer would.
 */
public final class GuestOutOfMemoryException extends RuntimeException {
	private static final long serialVersionUID = 1L;

	private final long capFrames;

	public GuestOutOfMemoryException(String message, long capFrames) {
		super(message);
		this.capFrames = capFrames;
	}

	/** How many 4 KiB frames the guest may use in all. */
	public long capFrames() {
		return capFrames;
	}
}
