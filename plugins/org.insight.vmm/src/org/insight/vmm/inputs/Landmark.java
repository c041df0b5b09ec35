package org.insight.vmm.inputs;

import java.util.Objects;

import org.insight.kvm.Regs;

/**
 * Where a watchdog kick stopped a thread. Without a performance counter the position cannot be counted, so it is
 * described by its state: RIP with every general register and RFLAGS, the FS base, and a digest of the top of the
 * stack. A replay stops at the first execution whose state matches all of it.
 */
public final class Landmark {
	private final Regs regs;
	private final long fsBase;
	private final long stackDigest;

	public Landmark(Regs regs, long fsBase, long stackDigest) {
		this.regs = Objects.requireNonNull(regs, "regs").copy();
		this.fsBase = fsBase;
		this.stackDigest = stackDigest;
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

	@Override
	public boolean equals(Object o) {
		return o instanceof Landmark l && l.regs.equals(regs) && l.fsBase == fsBase && l.stackDigest == stackDigest;
	}

	@Override
	public int hashCode() {
		return Objects.hash(regs, fsBase, stackDigest);
	}

	@Override
	public String toString() {
		return String.format("Landmark[rip=0x%x, fs=0x%x, stack digest %016x, %s]", regs.rip, fsBase, stackDigest,
				regs);
	}
}
