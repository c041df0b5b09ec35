package org.insight.vmm.inputs;

import java.util.List;
import java.util.Objects;

import org.insight.kvm.Regs;

/**
 * Where a watchdog kick stopped a thread. Without a performance counter the position cannot be counted, so it is
 * described by its state: RIP with every general register and RFLAGS, the FS base, and a digest of the top of the
 * stack; and, where a loop's progress lives only in memory (a counter in a global that no register holds), the
 * memory words its code addresses near RIP ({@link Word}: ARCHITECTURE.md section 3, "Landmarks in memory"). A replay
 * stops at the first execution whose state matches all of it.
 */
public final class Landmark {
	/** The most memory words a landmark holds. */
	public static final int MAX_WORDS = 8;

	/**
	 * The 8 bytes at {@code address} (8-aligned, so never across a page) held {@code value} at the preemption. The
	 * addresses are chosen when recording; a replay reads the same addresses and compares.
	 */
	public record Word(long address, long value) {
		public Word {
			if ((address & 7) != 0) {
				throw new IllegalArgumentException(String.format("landmark word at 0x%x is not 8-aligned", address));
			}
		}

		@Override
		public String toString() {
			return String.format("[0x%x]=0x%x", address, value);
		}
	}

	private final Regs regs;
	private final long fsBase;
	private final long stackDigest;
	private final List<Word> words;

	public Landmark(Regs regs, long fsBase, long stackDigest) {
		this(regs, fsBase, stackDigest, List.of());
	}

	public Landmark(Regs regs, long fsBase, long stackDigest, List<Word> words) {
		this.regs = Objects.requireNonNull(regs, "regs").copy();
		this.fsBase = fsBase;
		this.stackDigest = stackDigest;
		this.words = List.copyOf(words);
		if (this.words.size() > MAX_WORDS) {
			throw new IllegalArgumentException("a landmark holds at most " + MAX_WORDS + " memory words, not "
					+ this.words.size());
		}
	}

	public long rip() {
		return regs.rip;
	}

	/** A copy of the registers. */
	public Regs regs() {
		return regs.copy();
	}

	public long fsBase() {
		return fsBase;
	}

	public long stackDigest() {
		return stackDigest;
	}

	/** The memory words, in the order they were chosen; empty for a landmark recorded without them. */
	public List<Word> words() {
		return words;
	}

	/** Their addresses, which a replay reads to build the landmark it compares with this one. */
	public long[] wordAddresses() {
		return words.stream().mapToLong(Word::address).toArray();
	}

	@Override
	public boolean equals(Object o) {
		return o instanceof Landmark l && l.regs.equals(regs) && l.fsBase == fsBase && l.stackDigest == stackDigest
				&& l.words.equals(words);
	}

	@Override
	public int hashCode() {
		return Objects.hash(regs, fsBase, stackDigest, words);
	}

	@Override
	public String toString() {
		return String.format("Landmark[rip=0x%x, fs=0x%x, stack digest %016x, %s%s]", regs.rip, fsBase, stackDigest,
				regs, words.isEmpty() ? "" : ", memory " + words);
	}
}
