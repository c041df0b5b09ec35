package org.insight.vmm.memory;

/**
 * A virtual memory area: the page-aligned range {@code [start, end)} with one protection ({@link Mman#PROT_READ}
 * etc.) and one origin. Pages inside it are populated on first touch.
 */
public record Vma(long start, long end, int prot, Kind kind) {
	public enum Kind {
		/** A PT_LOAD segment of the executable (and its bss). */
		IMAGE,
		/** The brk heap. */
		HEAP,
		/** The main thread's stack. */
		STACK,
		/** An anonymous mmap. */
		ANONYMOUS,
		/**
		 * The VMM's own code, mapped where the guest's code can reach it with a rel32 jump (lock-call stubs near a PIE
		 * program or its shared libraries): not the guest's state, so left out of the memory digest.
		 */
		VMM
	}

	public Vma {
		if (start % MachineLayout.PAGE_SIZE != 0 || end % MachineLayout.PAGE_SIZE != 0 || end <= start) {
			throw new IllegalArgumentException(String.format("bad VMA [0x%x, 0x%x)", start, end));
		}
	}

	public long length() {
		return end - start;
	}

	public boolean contains(long va) {
		return va >= start && va < end;
	}

	Vma withRange(long newStart, long newEnd) {
		return new Vma(newStart, newEnd, prot, kind);
	}

	@Override
	public String toString() {
		return String.format("%x-%x %s %s", start, end, Mman.protString(prot), kind.name().toLowerCase());
	}
}
