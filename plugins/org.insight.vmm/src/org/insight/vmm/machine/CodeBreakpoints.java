package org.insight.vmm.machine;

import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

import org.insight.kvm.GuestMemory;
import org.insight.vmm.memory.AddressSpace;
import org.insight.vmm.memory.PageTables;

/**
 * The one owner of the int3 bytes the VMM puts in guest code: lock-call sync points ({@link LockCallTrap}), a
 * replay's landmark ({@link LandmarkTrap}) and the replay observers' hooks ({@link CodeObserver}). Several of them
 * may want the same address (a landmark recorded at a lock function's entry, an observer's return hook where a
 * landmark was taken), so each address is a site with a count per owner, and its byte is the guest's own only when no
 * owner is left. Hardware breakpoints never fire on our hosts (PLATFORM.md), so the byte is written through the VMM's
 * view of the code frame (the guest maps it read-only) and the hit arrives through the guest's own #BP stub.
 * <p>
 * A thread that goes on at an armed site executes the original instruction once with TF (a "step"), and the #DB after
 * it puts the int3 back. One vCPU runs one thread at a time and no kick switches threads during a step, so at most
 * one step is under way and no other thread passes the site unhooked. A {@code syscall} is stepped without TF (TF
 * would trap in the gate) until its exit; a stepped {@code pushfq} has our TF cleared in the word it pushed.
 * <p>
 * The guest sees its code unchanged but for a read of a hooked byte as data, which returns 0xCC; every byte is put
 * back before the final memory digest is taken.
 * <p>
 * The same holds for the one <em>patch</em> a replay may have: the landmark comparator's {@code jmp} over the
 * instructions at the planned landmark ({@link LandmarkComparator}). It never overlaps a site: a site wanted inside it
 * later removes it first, and its owner is told ({@link #onPatchConflict}) and falls back to an int3.
 * <p>
 * And for the <em>stubs</em>, the {@code jmp}s at lock functions' entries into their lock-call stubs
 * ({@link LockStubs}), which stay for the whole run: a site wanted inside one takes it out too, and its owner is told
 * ({@link #onStubGone}), as when its frames leave.
 */
final class CodeBreakpoints {
	static final byte INT3 = (byte) 0xCC;
	/** RFLAGS.TF: a #DB trap after the next instruction. */
	static final long TF = 0x100;
	private static final int PUSHFQ = 0x9C;

	/** Who wants a site; a site is armed while any count is positive. */
	enum Owner {
		/** REP_END: the one-shot int3 after a REP string instruction that a landmark's run goes through (RepFastForward). */
		LOCK_CALL, LANDMARK, OBSERVER, REP_END
	}

	private static final class Site {
		final long address;
		final int[] owners = new int[Owner.values().length];
		long physical = -1;
		byte original;

		Site(long address) {
			this.address = address;
		}

		boolean wanted() {
			for (int n : owners) {
				if (n > 0) {
					return true;
				}
			}
			return false;
		}

		boolean inMemory() {
			return physical >= 0;
		}
	}

	private final AddressSpace memory;
	private final Map<Long, Site> sites = new HashMap<>();
	private int unwritten;
	private Site stepping;
	private int steppingTid;
	private boolean untilSyscall;
	private boolean running;
	private boolean pushf;

	/** One run of patched bytes: where, the guest's bytes under it, ours, and each byte's frame address. */
	private record Patched(long va, byte[] original, byte[] bytes, long[] physical) {
		boolean covers(long a) {
			return a >= va && a < va + bytes.length;
		}

		/** Whether any of its bytes is in {@code [start, end)}. */
		boolean overlaps(long start, long end) {
			return Long.compareUnsigned(va - start, end - start) < 0 || covers(start);
		}
	}

	/** The patch (empty: none): the jmp at the landmark, and the island it bounces through, if any. */
	private final java.util.List<Patched> patch = new java.util.ArrayList<>();
	private Runnable patchConflict = () -> {
	};
	/** The stubs' jmps, each until its owner takes it out or a site is wanted inside it or its frames leave. */
	private final java.util.List<Patched> stubs = new java.util.ArrayList<>();
	private java.util.function.LongConsumer stubGone = va -> {
	};

	CodeBreakpoints(AddressSpace memory) {
		this.memory = Objects.requireNonNull(memory, "memory");
		memory.onFramesLeaving(this::framesLeaving);
	}

	/**
	 * The frames under {@code [start, end)} leave those addresses (unmapped, mapped over, moved): our bytes in them go
	 * back now, while the frames still hold them, and each site there is written again once its address is present
	 * again ({@link #armPending}): ld.so maps a library's whole span, then maps its code over it. A patch there is
	 * dropped and its owner told, as for a site wanted inside it.
	 */
	private void framesLeaving(long start, long end) {
		// the patch first: its owner falls back to an int3 there, which the loop below then takes out of these frames
		for (Patched p : patch) {
			if (p.overlaps(start, end)) {
				unpatch();
				patchConflict.run();
				break;
			}
		}
		for (Patched p : java.util.List.copyOf(stubs)) {
			if (p.overlaps(start, end)) {
				unpatchStub(p.va);
				stubGone.accept(p.va);
			}
		}
		for (Site s : sites.values()) {
			if (s.inMemory() && Long.compareUnsigned(s.address - start, end - start) < 0) {
				if (s == stepping) {
					s.physical = -1; // the step's end writes it again where it is then (endStep)
				} else {
					restore(s);
					unwritten++;
				}
			}
		}
	}

	/** Who is told when a site is wanted inside the patch, which is then gone already. */
	void onPatchConflict(Runnable r) {
		this.patchConflict = Objects.requireNonNull(r, "r");
	}

	/**
	 * Writes each of {@code bytes} over the guest's code at the address of the same index in {@code vas}, through the
	 * VMM's view of the frames: all of them or none. Returns false, writing nothing, when a page of a range is not
	 * present or one of our sites or stubs is inside one.
	 */
	boolean patch(long[] vas, byte[][] bytes) {
		if (!patch.isEmpty()) {
			throw new IllegalStateException(String.format("patched at 0x%x already, now 0x%x", patch.get(0).va,
					vas[0]));
		}
		java.util.List<Patched> runs = new java.util.ArrayList<>();
		for (int k = 0; k < vas.length; k++) {
			Patched p = prepare(vas[k], bytes[k]);
			if (p == null) {
				return false;
			}
			runs.add(p);
		}
		runs.forEach(this::write);
		patch.addAll(runs);
		return true;
	}

	/**
	 * Writes {@code bytes} over the guest's code at {@code va} for the rest of the run (a lock-call stub's jmp), or
	 * returns false, writing nothing, as {@link #patch} does.
	 */
	boolean patchStub(long va, byte[] bytes) {
		Patched p = prepare(va, bytes);
		if (p == null) {
			return false;
		}
		write(p);
		stubs.add(p);
		return true;
	}

	/** Who is told when a stub's jmp at the given address went, because a site was wanted inside it or its frames left. */
	void onStubGone(java.util.function.LongConsumer c) {
		this.stubGone = Objects.requireNonNull(c, "c");
	}

	/** The run of {@code bytes} at {@code va}, ready to write, or null: a page not present, or ours inside already. */
	private Patched prepare(long va, byte[] bytes) {
		GuestMemory m = memory.memory();
		long[] physical = new long[bytes.length];
		for (int i = 0; i < physical.length; i++) {
			PageTables.Translation t = memory.translate(va + i);
			if (!t.present()) {
				return null;
			}
			physical[i] = t.physical();
		}
		for (Site s : sites.values()) {
			if (s.address >= va && s.address < va + physical.length) {
				return null;
			}
		}
		if (stepping != null && stepping.address >= va && stepping.address < va + physical.length) {
			return null;
		}
		for (long a = va; a < va + physical.length; a++) {
			if (patched(a) || stubAt(a) != null) {
				return null;
			}
		}
		byte[] original = new byte[physical.length];
		for (int i = 0; i < physical.length; i++) {
			original[i] = m.getByte(physical[i]);
		}
		return new Patched(va, original, bytes.clone(), physical);
	}

	private void write(Patched p) {
		GuestMemory m = memory.memory();
		for (int i = 0; i < p.physical.length; i++) {
			m.putByte(p.physical[i], p.bytes[i]);
		}
	}

	private void restore(Patched p) {
		GuestMemory m = memory.memory();
		for (int i = 0; i < p.bytes.length; i++) {
			if (m.getByte(p.physical[i]) == p.bytes[i]) {
				m.putByte(p.physical[i], p.original[i]);
			}
		}
	}

	/** Puts the guest's bytes back under the patch, if there is one. */
	void unpatch() {
		patch.forEach(this::restore);
		patch.clear();
	}

	/** Puts the guest's bytes back under the stub's jmp at {@code va}, if there is one. */
	void unpatchStub(long va) {
		for (var it = stubs.iterator(); it.hasNext();) {
			Patched p = it.next();
			if (p.va == va) {
				restore(p);
				it.remove();
			}
		}
	}

	/** The stub's jmp that covers {@code va}, or null. */
	private Patched stubAt(long va) {
		for (Patched p : stubs) {
			if (p.covers(va)) {
				return p;
			}
		}
		return null;
	}

	/** Whether {@code va} is under the patch. */
	boolean patched(long va) {
		for (Patched p : patch) {
			if (p.covers(va)) {
				return true;
			}
		}
		return false;
	}

	/** {@code owner} wants an int3 at {@code va} (once more). It is written now if the code page is present. */
	void add(long va, Owner owner) {
		if (patched(va)) {
			unpatch();
			patchConflict.run();
		}
		Patched stub = stubAt(va);
		if (stub != null) {
			// a replay's landmark inside a stub's jmp (a recording made with an int3 there): the stub goes first
			unpatchStub(stub.va);
			stubGone.accept(stub.va);
		}
		Site s = sites.computeIfAbsent(va, Site::new);
		s.owners[owner.ordinal()]++;
		if (!s.inMemory() && s != stepping) {
			if (!write(s)) {
				unwritten++;
			}
		}
	}

	/** {@code owner} wants {@code va} once less; the guest's byte goes back when no owner is left. */
	void remove(long va, Owner owner) {
		Site s = sites.get(va);
		if (s == null || s.owners[owner.ordinal()] == 0) {
			return;
		}
		s.owners[owner.ordinal()]--;
		if (!s.wanted() && s != stepping) {
			if (s.inMemory()) {
				restore(s);
			} else {
				unwritten--;
			}
			sites.remove(va);
		}
	}

	/** How many times {@code owner} wants {@code va}; 0 when another owner wants it too (its site must stay). */
	int onlyBy(long va, Owner owner) {
		Site s = sites.get(va);
		if (s == null || s == stepping) {
			return 0;
		}
		for (Owner o : Owner.values()) {
			if (o != owner && s.owners[o.ordinal()] > 0) {
				return 0;
			}
		}
		return s.owners[owner.ordinal()];
	}

	/** Whether {@code owner} has a site at {@code va}. */
	boolean has(long va, Owner owner) {
		Site s = sites.get(va);
		return s != null && s.owners[owner.ordinal()] > 0;
	}

	/** Writes the int3 of sites whose code page was not present when they were added (before every run). */
	void armPending() {
		if (unwritten == 0 || stepping != null) {
			return;
		}
		for (Site s : sites.values()) {
			if (!s.inMemory() && s.wanted() && write(s)) {
				unwritten--;
			}
		}
	}

	private boolean write(Site s) {
		// Only into code: a site whose page is not fetched yet is written by the next armPending after the fetch; one
		// whose code went (a library unmapped, its range reused for data) is never written into what came instead.
		if (!memory.isCode(s.address)) {
			return false;
		}
		PageTables.Translation t = memory.translate(s.address);
		GuestMemory m = memory.memory();
		s.physical = t.physical();
		s.original = m.getByte(s.physical);
		m.putByte(s.physical, INT3);
		return true;
	}

	private void restore(Site s) {
		GuestMemory m = memory.memory();
		if (m.getByte(s.physical) == INT3) {
			m.putByte(s.physical, s.original);
		}
		s.physical = -1;
	}

	/** The guest's own code bytes at {@code va} (ours replaced by the originals); the page must be present. */
	byte[] guestCode(long va, int len) {
		return hideOurs(va, memory.copyIn(va, len));
	}

	/** {@code code}, read raw at {@code va}, with the guest's own bytes in place of our int3s, patch and stubs. */
	byte[] hideOurs(long va, byte[] code) {
		int len = code.length;
		for (int i = 0; i < len; i++) {
			Site s = sites.get(va + i);
			if (s != null && s.inMemory() && s != stepping) {
				code[i] = s.original;
			}
			for (Patched p : patch) {
				if (p.covers(va + i)) {
					code[i] = p.original[(int) (va + i - p.va)];
				}
			}
			Patched stub = stubs.isEmpty() ? null : stubAt(va + i);
			if (stub != null) {
				code[i] = stub.original[(int) (va + i - stub.va)];
			}
		}
		return code;
	}

	/** Whether any byte in {@code [start, end)} is one of ours in memory: an int3, the patch, a stub's jmp. */
	boolean anyOursIn(long start, long end) {
		for (Site s : sites.values()) {
			if (s.inMemory() && s != stepping && s.address >= start && s.address < end) {
				return true;
			}
		}
		for (Patched p : patch) {
			if (p.overlaps(start, end)) {
				return true;
			}
		}
		for (Patched p : stubs) {
			if (p.overlaps(start, end)) {
				return true;
			}
		}
		return false;
	}

	/**
	 * The guest's own code at {@code va}, as much of {@code len} bytes as its present pages hold (none when its own page
	 * is not present): what a decoder reads before a patch.
	 */
	byte[] presentGuestCode(long va, int len) {
		int n = len;
		long pageEnd = (va | 4095) + 1;
		if (va + n > pageEnd && !memory.translate(pageEnd).present()) {
			n = (int) (pageEnd - va);
		}
		try {
			return guestCode(va, n);
		} catch (org.insight.vmm.memory.GuestFault f) {
			return new byte[0];
		}
	}

	/** Whether a thread at {@code rip} stands on one of our int3s: going on needs {@link #beginStep}. */
	boolean isArmed(long rip) {
		Site s = sites.get(rip);
		return s != null && s.inMemory() && s != stepping;
	}

	/** Whether a #BP whose frame RIP is {@code frameRip} (one past the int3) came from one of ours. */
	boolean isHit(long frameRip) {
		return isArmed(frameRip - 1);
	}

	/**
	 * Thread {@code tid}, stopped at the armed {@code rip}, goes on: the original byte goes back while it executes that
	 * one instruction. Returns the RFLAGS to resume with: with TF, or unchanged for a {@code syscall}, whose exit ends
	 * the step instead.
	 */
	long beginStep(int tid, long rip, long rflags) {
		Site s = sites.get(rip);
		if (s == null || !s.inMemory()) {
			throw new IllegalStateException(String.format("no breakpoint at 0x%x", rip));
		}
		if (stepping != null) {
			throw new IllegalStateException(String.format("stepping over 0x%x already, now 0x%x", stepping.address,
					rip));
		}
		memory.memory().putByte(s.physical, s.original);
		byte[] code = memory.copyIn(rip, 2);
		untilSyscall = isSyscall(code);
		pushf = isPushf(code);
		stepping = s;
		steppingTid = tid;
		return untilSyscall ? rflags : rflags | TF;
	}

	/**
	 * Thread {@code tid}, stopped at the armed {@code rip}, runs the instruction there without TF: the int3 is taken
	 * out, as for a step, and goes back at {@link #endRun}, when the thread reaches a site of the caller's after it
	 * ({@link Owner#REP_END}). A step in all but its end: kicks do not switch threads meanwhile.
	 */
	void beginRun(int tid, long rip) {
		beginStep(tid, rip, 0);
		untilSyscall = false;
		running = true;
	}

	/** The run begun by {@link #beginRun} reached its end: the int3 goes back. */
	void endRun() {
		endStep();
	}

	/** Whether a run ({@link #beginRun}) is under way. */
	boolean running() {
		return stepping != null && running;
	}

	/** Whether a step is under way: kicks must not switch threads now. */
	boolean stepping() {
		return stepping != null;
	}

	/** Where the step under way is (meaningful while {@link #stepping()}). */
	long steppingAddress() {
		return stepping.address;
	}

	/** Whether a #DB of thread {@code tid} ends our step. */
	boolean isStep(int tid) {
		return stepping != null && !untilSyscall && !running && steppingTid == tid;
	}

	/**
	 * The step is done (#DB after it, user RSP {@code rsp}): the int3 goes back if an owner still wants it. Returns
	 * {@code rflags} without TF; a stepped {@code pushfq} gets TF cleared in the word it pushed.
	 */
	long stepped(long rflags, long rsp) {
		if (pushf) {
			memory.writeU64(rsp, memory.readU64(rsp) & ~TF);
		}
		endStep();
		return rflags & ~TF;
	}

	/**
	 * The instruction being stepped faulted and its thread goes to a signal handler instead: the step ends as if done
	 * (the int3 goes back, so the thread steps it again when it returns there). Returns {@code rflags} without TF.
	 */
	long abandonStep(long rflags) {
		endStep();
		return rflags & ~TF;
	}

	/** A syscall exit of thread {@code tid}: ends a step over a {@code syscall} instruction. */
	void syscallEntered(int tid) {
		if (stepping != null && untilSyscall && steppingTid == tid) {
			endStep();
		}
	}

	private void endStep() {
		Site s = stepping;
		stepping = null;
		untilSyscall = false;
		running = false;
		pushf = false;
		if (s.wanted() && s.inMemory()) {
			memory.memory().putByte(s.physical, INT3);
		} else if (s.wanted()) {
			unwritten++; // its frame left during the step (framesLeaving)
		} else {
			s.physical = -1;
			sites.remove(s.address);
		}
	}

	/**
	 * Puts every original byte back (the patch's and the stubs' too) and forgets every site (the end of the run: the final memory is
	 * the guest's).
	 */
	void clear() {
		unpatch();
		stubs.forEach(this::restore);
		stubs.clear();
		for (Site s : sites.values()) {
			if (s.inMemory() && s != stepping) {
				restore(s);
			}
		}
		sites.clear();
		stepping = null;
		running = false;
		unwritten = 0;
	}

	/** Whether the instruction starting with {@code code} (two bytes) is {@code syscall}: TF would trap in the gate. */
	static boolean isSyscall(byte[] code) {
		return code[0] == 0x0F && code[1] == 0x05;
	}

	/** Whether it is {@code pushfq}: a TF step would push our TF where the guest can read it. */
	static boolean isPushf(byte[] code) {
		return (code[0] & 0xff) == PUSHFQ;
	}
}
