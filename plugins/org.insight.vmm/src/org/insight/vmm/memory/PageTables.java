package org.insight.vmm.memory;

import org.insight.kvm.GuestMemory;

/**
 * The guest's x86-64 4-level page tables (PML4, PDPT, PD, PT; 4 KiB pages only), kept in guest memory and edited
 * by the VMM. Table frames come from the {@link FrameAllocator} and are never freed.
 * <p>
 * Every non-leaf entry is present, writable and user (U/S=1): the effective permission of a page is the AND of
 * all four levels, so the leaf alone decides, and on this platform a missing U bit at any level turns a user page
 * fault into a SHUTDOWN exit (PLATFORM.md).
 * <p>
 * Editing an entry here does not reach KVM's shadow MMU by itself. Whoever removes a translation or reduces a
 * permission must also discard or reprotect the frame (see {@link FrameAllocator}, {@link AddressSpace}).
 */
public final class PageTables {
	public static final long P = 1L;
	public static final long W = 1L << 1;
	public static final long U = 1L << 2;
	public static final long PWT = 1L << 3;
	public static final long PCD = 1L << 4;
	public static final long A = 1L << 5;
	public static final long D = 1L << 6;
	public static final long PS = 1L << 7;
	public static final long G = 1L << 8;
	/** Execute-disable; a reserved bit (a #PF with RSVD set) unless EFER.NXE is set. */
	public static final long NX = 1L << 63;
	public static final long ADDRESS = 0x000f_ffff_ffff_f000L;

	/** What a non-leaf entry holds besides the address. */
	private static final long TABLE_FLAGS = P | W | U;

	private final GuestMemory memory;
	private final FrameAllocator frames;
	private final long root;
	private long tableFrames;

	/** Uses the page at {@code root} as the PML4 and clears it. */
	public PageTables(GuestMemory memory, FrameAllocator frames, long root) {
		this.memory = memory;
		this.frames = frames;
		this.root = root;
		memory.zero(root, MachineLayout.PAGE_SIZE);
	}

	/** The PML4's guest-physical address: the value for CR3. */
	public long root() {
		return root;
	}

	/** How many PDPT, PD and PT frames exist. */
	public long tableFrames() {
		return tableFrames;
	}

	private static int index(long va, int level) {
		return (int) ((va >>> (12 + 9 * level)) & 511);
	}

	/**
	 * The guest-physical address of the leaf entry for {@code va}, or -1 if a table on the way is missing and
	 * {@code create} is false. With {@code create}, missing tables are allocated (and may throw
	 * {@link GuestOutOfMemoryException}).
	 */
	public long slot(long va, boolean create) {
		long table = root;
		for (int level = 3; level > 0; level--) {
			long at = table + 8L * index(va, level);
			long e = memory.getLong(at);
			if ((e & P) == 0) {
				if (!create) {
					return -1;
				}
				long frame = frames.allocate();
				tableFrames++;
				memory.putLong(at, frame | TABLE_FLAGS);
				e = frame | TABLE_FLAGS;
			}
			table = e & ADDRESS;
		}
		return table + 8L * index(va, 0);
	}

	/** The leaf entry for {@code va}; 0 when there is none. */
	public long entry(long va) {
		long slot = slot(va, false);
		return slot < 0 ? 0 : memory.getLong(slot);
	}

	/** Sets the leaf entry for {@code va}, creating tables as needed. */
	public void setEntry(long va, long entry) {
		memory.putLong(slot(va, true), entry);
	}

	/** Receives the non-zero leaf entries of a range. */
	@FunctionalInterface
	public interface EntryVisitor {
		void visit(long va, long slot, long entry);
	}

	/**
	 * Calls {@code visitor} for each non-zero leaf entry in the page range {@code [start, end)}, in address order,
	 * skipping whole missing tables: visiting a sparse terabyte costs what its tables hold, not 2^28 lookups.
	 */
	public void forEachEntry(long start, long end, EntryVisitor visitor) {
		visit(root, 3, start, end, visitor);
	}

	private void visit(long table, int level, long start, long end, EntryVisitor visitor) {
		long span = 1L << (12 + 9 * level);
		long va = start;
		while (va < end) {
			long at = table + 8L * index(va, level);
			long e = memory.getLong(at);
			long next = (va & -span) + span;
			if (level == 0) {
				if (e != 0) {
					visitor.visit(va, at, e);
				}
			} else if ((e & P) != 0) {
				visit(e & ADDRESS, level - 1, va, Math.min(end, next), visitor);
			}
			va = next;
		}
	}

	/**
	 * What the CPU's page walker sees at {@code va}: the entry of each level (PML4 first; 0 past a non-present
	 * one), whether the walk ends at a present page, and the effective permissions (AND of W and U, OR of NX at
	 * every level; NX counts only when {@code nxEnabled}, i.e. EFER.NXE).
	 */
	public Translation translate(long va, boolean nxEnabled) {
		long[] entries = new long[4];
		long table = root;
		boolean writable = true;
		boolean user = true;
		boolean noExecute = false;
		for (int level = 3; level >= 0; level--) {
			long e = memory.getLong(table + 8L * index(va, level));
			entries[3 - level] = e;
			if ((e & P) == 0) {
				return new Translation(va, entries, false, -1, false, false, false);
			}
			writable &= (e & W) != 0;
			user &= (e & U) != 0;
			noExecute |= nxEnabled && (e & NX) != 0;
			table = e & ADDRESS;
		}
		return new Translation(va, entries, true, table | (va & (MachineLayout.PAGE_SIZE - 1)), writable, user,
				!noExecute);
	}

	/** One page walk's result, as hardware would decide it. */
	public record Translation(long va, long[] entries, boolean present, long physical, boolean writable,
			boolean user, boolean executable) {
		@Override
		public String toString() {
			if (!present) {
				return String.format("0x%x: not present (PML4E %x PDPTE %x PDE %x PTE %x)", va, entries[0], entries[1],
						entries[2], entries[3]);
			}
			return String.format("0x%x -> 0x%x %s%s%s", va, physical, user ? "u" : "s", writable ? "w" : "r",
					executable ? "x" : "-");
		}
	}
}
