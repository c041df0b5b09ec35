package org.insight.vmm.machine;

import static org.insight.vmm.memory.MachineLayout.LOCK_DATA;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import org.insight.kvm.GuestMemory;
import org.insight.kvm.Regs;
import org.insight.vmm.code.LockStubCode;
import org.insight.vmm.memory.AddressSpace;
import org.insight.vmm.memory.PageTables;

/**
 * The lock stubs' data page ({@link org.insight.vmm.memory.MachineLayout#LOCK_DATA}, {@link LockStubCode}): the
 * countdown to the next lock-call sync point, and the ring where the stubs append the calls that need no sync point.
 * The VMM drains the ring at sync points only, and when it is full ({@code VcpuLoop.drainLockCalls}): threads switch
 * only at sync points, so each entry belongs to the thread on the vCPU, and a recording and its replay drain at the
 * same calls. Never at a kick that preempts nothing, which may land inside a stub half-way through its read, change
 * and write of the head or the room.
 * <p>
 * The page is the guest's to write at CPL3 (the stubs do), so everything read from it is untrusted: a head outside
 * the ring or off an entry's boundary loses the entries (a guest that writes there changes only what it is told of its
 * own lock calls, and does so alike in a replay), and an id that names no hooked function is skipped.
 */
final class LockCallRing {
	/**
	 * A lock call the ring held: the function's id (LockCallTrap's), the call's first argument, and RSP and the return
	 * address at the function's entry (the analysis's call site, and what tells a tail call from a new call).
	 */
	record Entry(long functionId, long argument, long rsp, long returnAddress) {
	}

	/** The ring's first entry, and the end of its last. */
	private static final long START = LOCK_DATA + LockStubCode.RING;
	private static final long END = START + (long) LockStubCode.RING_ENTRIES * LockStubCode.ENTRY;

	private final AddressSpace memory;
	private boolean ready;
	/** The countdown the next {@link #ready()} starts with. */
	private long firstCount = 1;

	LockCallRing(AddressSpace memory) {
		this.memory = Objects.requireNonNull(memory, "memory");
	}

	/** Whether a stub has been installed: the page is the guest's to reach, and the countdown lives there. */
	boolean isReady() {
		return ready;
	}

	/** The first stub is installed: the page becomes user-reachable, with an empty ring and the countdown set. */
	void ready() {
		if (ready) {
			return;
		}
		PageTables t = memory.pageTables();
		t.setEntry(LOCK_DATA, t.entry(LOCK_DATA) | PageTables.U);
		GuestMemory m = memory.memory();
		m.putLong(LOCK_DATA + LockStubCode.COUNT, firstCount);
		reset(m);
		ready = true;
	}

	/** Lock calls left to the next sync point, counting the one that makes it. */
	long count() {
		return ready ? memory.memory().getLong(LOCK_DATA + LockStubCode.COUNT) : firstCount;
	}

	/** Sets the countdown ({@code n} at least 1): before the first stub, it is kept for when the page is ready. */
	void setCount(long n) {
		if (n < 1) {
			throw new IllegalArgumentException("countdown " + n);
		}
		if (ready) {
			memory.memory().putLong(LOCK_DATA + LockStubCode.COUNT, n);
		} else {
			firstCount = n;
		}
	}

	/**
	 * Counts one call down, as a stub does ({@code lea rcx, [rcx-1]}, wrapping): returns the calls left, 0 when this
	 * one is a sync point. A count the guest overwrote runs on as it would in a stub, so both ways agree.
	 */
	long countDown() {
		long left = count() - 1;
		if (ready) {
			memory.memory().putLong(LOCK_DATA + LockStubCode.COUNT, left);
		} else {
			firstCount = left;
		}
		return left;
	}

	/** What a call appended by {@link #append} ran into. */
	enum Stop {
		/** Nothing: the call goes on. */
		NONE,
		/** The countdown ran out: the call is a sync point. */
		SYNC_POINT,
		/** The ring is full: the VMM drains it, and the call goes on. */
		FULL
	}

	/**
	 * What a stub does for a call, done by the VMM for a call it stopped itself (an int3 at the entry, or a stub's watch
	 * byte), so that the page is the same whichever way a call went in a recording and its replay: the entry at the
	 * head (written only where the head is in the ring: a stub writes wherever a guest pointed it), the head moved on,
	 * the countdown counted down, then the room; and the caller's RCX and RAX in the slots where a stub keeps them
	 * ({@link LockStubCode#SAVE}, {@link LockStubCode#SAVE_RAX}: a stub writes them whatever happens next). The entry
	 * holds the call's first argument, RSP and the return address ({@code [RSP]}, 0 where it cannot be read: a stub
	 * would fault there). The page must be {@link #isReady ready}.
	 */
	Stop append(long id, Regs at) {
		GuestMemory m = memory.memory();
		m.putLong(LOCK_DATA + LockStubCode.SAVE, at.rcx);
		m.putLong(LOCK_DATA + LockStubCode.SAVE_RAX, at.rax);
		long head = m.getLong(LOCK_DATA + LockStubCode.HEAD);
		if (onEntry(head) && head < END) {
			m.putLong(head, at.rdi);
			m.putLong(head + 8, id);
			m.putLong(head + 16, at.rsp);
			m.putLong(head + 24, returnAddressAt(at.rsp));
		}
		m.putLong(LOCK_DATA + LockStubCode.HEAD, head + LockStubCode.ENTRY);
		if (countDown() == 0) {
			return Stop.SYNC_POINT;
		}
		long room = m.getLong(LOCK_DATA + LockStubCode.ROOM) - 1;
		m.putLong(LOCK_DATA + LockStubCode.ROOM, room);
		return room == 0 ? Stop.FULL : Stop.NONE;
	}

	/** The return address a call entered with RSP {@code rsp} finds at {@code [rsp]}: 0 where it cannot be read. */
	long returnAddressAt(long rsp) {
		return memory.translate(rsp).present() && memory.translate(rsp + 7).present() ? memory.readU64(rsp) : 0;
	}

	/** The entries appended since the last drain, oldest first; the ring is empty afterwards. */
	List<Entry> drain() {
		if (!ready) {
			return List.of();
		}
		GuestMemory m = memory.memory();
		long head = m.getLong(LOCK_DATA + LockStubCode.HEAD);
		if (head == START) {
			return List.of();
		}
		List<Entry> entries = new ArrayList<>();
		if (onEntry(head) && head <= END) {
			for (long at = START; at < head; at += LockStubCode.ENTRY) {
				entries.add(new Entry(m.getLong(at + 8), m.getLong(at), m.getLong(at + 16), m.getLong(at + 24)));
			}
		}
		reset(m);
		return entries;
	}

	/** Whether {@code head} (as the guest left it) is at or after the ring's start, on an entry's boundary. */
	private static boolean onEntry(long head) {
		return head >= START && (head - START) % LockStubCode.ENTRY == 0;
	}

	private static void reset(GuestMemory m) {
		m.putLong(LOCK_DATA + LockStubCode.HEAD, START);
		m.putLong(LOCK_DATA + LockStubCode.ROOM, LockStubCode.RING_ENTRIES);
	}
}
