package org.insight.vmm.inputs;

/** A request for random bytes: getrandom, or the 16 AT_RANDOM bytes of the initial stack. */
public record RandomRequest(int tid, int length, Purpose purpose) implements InputQuestion {
	public enum Purpose {
		GETRANDOM, AT_RANDOM
	}

	public RandomRequest {
		if (length < 0 || purpose == null) {
			throw new IllegalArgumentException("bad random request: " + length + " bytes for " + purpose);
		}
	}

	@Override
	public String describe() {
		return length + " random bytes for " + purpose + " by thread " + tid;
	}
}
