package org.insight.analysis;

import java.util.Arrays;

/**
 * Return addresses, innermost first: the first is the one the lock function returns to (so its call is the
 * instruction just before it), the others are its callers'. They come from the guest's frame-pointer chain at the
 * call (the samples and tests are built with {@code -fno-omit-frame-pointer}); a caller without a frame pointer ends
 * the chain early, never with a made-up frame: each link must lie above the last and return into code.
 */
public final class CallStack {
	public static final CallStack EMPTY = new CallStack(new long[0]);

	private final long[] returns;

	public CallStack(long[] returns) {
		this.returns = returns.clone();
	}

	public static CallStack of(long... returns) {
		return new CallStack(returns);
	}

	public int depth() {
		return returns.length;
	}

	/** Return address {@code i}, innermost first. */
	public long returnAddress(int i) {
		return returns[i];
	}

	/** The call instruction's own address is before its return address; {@code ret - 1} is inside it. */
	public long callSite(int i) {
		return returns[i] - 1;
	}

	public long[] returnAddresses() {
		return returns.clone();
	}

	@Override
	public boolean equals(Object o) {
		return o instanceof CallStack c && Arrays.equals(c.returns, returns);
	}

	@Override
	public int hashCode() {
		return Arrays.hashCode(returns);
	}

	@Override
	public String toString() {
		StringBuilder b = new StringBuilder("[");
		for (long r : returns) {
			b.append(b.length() > 1 ? " " : "").append("0x").append(Long.toHexString(r));
		}
		return b.append(']').toString();
	}
}
