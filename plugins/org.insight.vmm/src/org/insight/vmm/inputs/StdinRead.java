package org.insight.vmm.inputs;

/** A read of at most {@code maxBytes} bytes from the guest's standard input. */
public record StdinRead(int tid, int maxBytes) implements InputQuestion {
	public StdinRead {
		if (maxBytes < 0) {
			throw new IllegalArgumentException("stdin read of " + maxBytes + " bytes");
		}
	}

	@Override
	public String describe() {
		return "read(0, ..., " + maxBytes + ") by thread " + tid;
	}
}
