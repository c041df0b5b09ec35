package org.insight.analysis;

import java.util.Arrays;

/**
 * Return addresses, innermost first: the first is the one the lock function returns to (so its call is the
 * instruction just before it), the others are its callers'. They are unwound with the program's call frame
 * information, or the frame-pointer chain where code has none ({@code hooks.StackUnwinder}); a frame that cannot be
 * unwound ends the stack early, never with a made-up frame: each return address must be in the program's code.
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
