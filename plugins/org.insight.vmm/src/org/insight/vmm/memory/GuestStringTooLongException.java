package org.insight.vmm.memory;

/** A guest C string has no NUL within the allowed length (syscall handlers answer -ENAMETOOLONG or -EINVAL). */
public final class GuestStringTooLongException extends RuntimeException {
	private static final long serialVersionUID = 1L;

	private final long address;
	private final int maxLength;

	public GuestStringTooLongException(long address, int maxLength) {
		super(String.format("guest string at 0x%x is longer than %d bytes", address, maxLength), null, false, false);
		this.address = address;
		this.maxLength = maxLength;
	}

	public long address() {
		return address;
	}

	public int maxLength() {
		return maxLength;
	}
}
