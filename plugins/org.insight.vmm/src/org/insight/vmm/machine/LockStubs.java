package org.insight.vmm.machine;

import static org.insight.vmm.memory.MachineLayout.LOCK_STUBS;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.BiPredicate;
import java.util.function.Supplier;

import org.insight.vmm.code.BranchTargets;
import org.insight.vmm.code.LockStubCode;
import org.insight.vmm.code.Instruction;
import org.insight.vmm.code.Relocation;
import org.insight.vmm.code.X86Decoder;
import org.insight.vmm.memory.AddressSpace;
import org.insight.vmm.memory.MachineLayout;
import org.insight.vmm.memory.Mman;
import org.insight.vmm.memory.Vma;
import org.insight.vmm.memory.PageTables;

/**
 * Lock calls counted in the guest, with an exception only at a sync point (ARCHITECTURE.md section 3, "Lock calls
 * through stubs"): the first instructions of a lock function move into a stub in the kernel area's {@link
 * MachineLayout#LOCK_STUBS} page ({@link LockStubCode}: the call appended to the ring, the countdown counted down,
 * then the moved instructions and a {@code jmp} back; an {@code int3} only when the countdown or the ring's room runs
 * out), and its entry becomes a {@code jmp} to the stub ({@link CodeBreakpoints#patchStub}, which hides it from every
 * read of guest code and takes it out before the final memory digest). The thread goes on in the moved instructions,
 * with no TF step over the first instruction. The stub changes no register, flag or byte of guest memory, and the VMM
 * counts a call at an int3 as the stub would, so a run with stubs and one with an int3 at the same entry stop at the
 * same sync points, and either replays the other.
 * <p>
 * The stubs of a non-PIE program's functions go in the kernel area; those of a PIE program (loaded at
 * {@link MachineLayout#PIE_BIAS}) and of shared libraries (mapped below {@link MachineLayout#MMAP_TOP}, ld.so above
 * it) in a page of the VMM's own ({@link Vma.Kind#VMM}, left out of the memory digest) mapped the first time one is
 * needed at a fixed place within a rel32's reach of them: {@link #NEAR_PIE} or {@link #NEAR_LIBRARIES}, where no guest
 * mapping normally is. A guest that unmaps that page (or maps over it) takes its stubs out with it.
 * <p>
 * Refused, so that the entry keeps its int3, wherever a patch could change what the program does: no disassembler, no
 * symbols, a run that may be entered in its middle ({@link BranchTargets}), an instruction that cannot move
 * ({@link Relocation}: a call, a {@code syscall}), code out of a rel32 {@code jmp}'s reach of every stub page, a
 * thread standing inside the run, or full pages. A stub that goes (a replay's landmark inside its jmp, or its frames
 * leave) leaves its code in place, for a thread that may be inside it still.
 */
final class LockStubs {
	/**
	 * Bytes per stub, at most: the watch byte and the counting part ({@link LockStubCode#MOVED}), the moved run (at
	 * most 5 + 14 bytes, 6-byte jcc forms) with the jmp back, and the stop path.
	 */
	private static final int SLOT = 176;
	/** Pages of a stub region of the VMM's own (the kernel area's is one page). */
	static final int USER_REGION_PAGES = 2;
	/** The stub page for a PIE program: 1 GiB below where it is loaded. */
	static final long NEAR_PIE = MachineLayout.PIE_BIAS - (1L << 30);
	/** The stub page for shared libraries and ld.so: 1 GiB above where ld.so is loaded, below the stack. */
	static final long NEAR_LIBRARIES = MachineLayout.INTERPRETER_BASE + (1L << 30);

	/** A page of stubs: where, the next free slot, and whether it is the kernel area's. */
	private static final class Page {
		final long address;
		long next;
		final boolean kernel;
		boolean ready;

		Page(long address, boolean kernel) {
			this.address = address;
			this.next = address;
			this.kernel = kernel;
		}

		long size() {
			return kernel ? MachineLayout.PAGE_SIZE : USER_REGION_PAGES * MachineLayout.PAGE_SIZE;
		}

		boolean full() {
			return next + SLOT > address + size();
		}

		boolean holds(Stub s) {
			return s.code() >= address && s.code() < address + size();
		}
	}

	/**
	 * One function's stub: its entry, the patched run's length, where each moved instruction came from, the function's
	 * id in the ring's entries ({@link LockCallTrap}'s), and whether it counts the sync points' countdown down (a lock
	 * function of {@code --mode locks}) or only observes (a replay's analysis counts its calls).
	 */
	record Stub(long entry, long code, int length, int[] starts, long[] originals, int movedLength, int id,
			boolean counting) {
		/** Where a thread goes on after either int3: the moved instructions. */
		long moved() {
			return LockStubCode.movedAt(code);
		}

		/** The frame RIP of a #BP at the watch byte (the analysis watches the function). */
		long afterWatchInt3() {
			return code + 1;
		}

		/** The frame RIP of a #BP at the stop path's int3 (the countdown ran out, or the ring is full). */
		long afterStopInt3() {
			return LockStubCode.stopAt(code, movedLength) + LockStubCode.STOP_AFTER_INT3;
		}
	}

	/** Which int3 of a stub a #BP came from. */
	enum HitKind {
		/** The watch byte: the call did nothing yet, not even its ring entry. */
		WATCH,
		/** The stop path: the call is in the ring, and the countdown ran out or the ring is full. */
		STOP
	}

	/** A #BP at a stub: the stub and which of its int3s. */
	record Hit(Stub stub, HitKind kind) {
	}

	private final AddressSpace memory;
	private final CodeBreakpoints breakpoints;
	private Supplier<X86Decoder> decoders = () -> null;
	/** Where each image's code may be entered: the program's first, then each library's as ld.so maps it. */
	private final List<BranchTargets> targets = new ArrayList<>();
	private final List<Page> pages = List.of(new Page(LOCK_STUBS, true), new Page(NEAR_PIE, false),
			new Page(NEAR_LIBRARIES, false));
	/** Stubs whose jmp is in place, by entry. */
	private final Map<Long, Stub> live = new HashMap<>();
	/** Every stub ever written, by the frame RIP of each of its int3s (a thread may still be inside one that went). */
	private final Map<Long, Hit> written = new HashMap<>();
	private final LockCallRing ring;
	/** Told of a stub whose page went (the guest unmapped it): its entry, whose jmp is gone already. */
	private java.util.function.LongConsumer pageGone = entry -> {
	};

	LockStubs(AddressSpace memory, CodeBreakpoints breakpoints) {
		this.memory = Objects.requireNonNull(memory, "memory");
		this.breakpoints = Objects.requireNonNull(breakpoints, "breakpoints");
		this.ring = new LockCallRing(memory);
		memory.onFramesLeaving(this::framesLeaving);
	}

	/** The decoder (or null: no libcapstone) and where the program's code may be entered; without both, no stub. */
	void programCode(Supplier<X86Decoder> decoders, BranchTargets program) {
		this.decoders = Objects.requireNonNull(decoders, "decoders");
		if (program != null) {
			targets.add(0, program);
		}
	}

	/** Where a shared library's code may be entered, from now on (ld.so just mapped it). */
	void libraryCode(BranchTargets library) {
		targets.add(Objects.requireNonNull(library, "library"));
	}

	/** Who is told of a stub taken out because the guest unmapped its page. */
	void onPageGone(java.util.function.LongConsumer c) {
		this.pageGone = Objects.requireNonNull(c, "c");
	}

	/** The guest unmaps or maps over {@code [start, end)}: a stub page there takes its stubs' jmps with it. */
	private void framesLeaving(long start, long end) {
		for (Page p : pages) {
			if (!p.kernel && p.ready && p.address < end && start < p.address + p.size()) {
				p.ready = false;
				p.next = p.address;
				for (Stub s : List.copyOf(live.values())) {
					if (p.holds(s)) {
						breakpoints.unpatchStub(s.entry());
						pageGone.accept(s.entry()); // its owner calls gone(entry)
					}
				}
				written.values().removeIf(h -> p.holds(h.stub()));
			}
		}
	}

	/**
	 * Gives the function at {@code r} a stub that names it {@code id} in the ring, its code page being present, counting
	 * the countdown down or not ({@link Stub#counting}); {@code occupied} tells whether a thread stands strictly inside
	 * an address range. Returns empty when installed, or why not.
	 */
	Optional<String> install(long r, int id, boolean counting, BiPredicate<Long, Long> occupied) {
		BranchTargets code = targets.stream().filter(t -> t.functionAt(r).isPresent()).findFirst().orElse(null);
		if (code == null) {
			return Optional.of(targets.isEmpty() ? "no symbols for the program's code"
					: "no symbols for the code at the entry");
		}
		X86Decoder decoder = decoders.get();
		if (decoder == null) {
			return Optional.of("no x86 disassembler (libcapstone 4)");
		}
		// An observing stub (a replay's analysis alone wants it) never maps a page of the VMM's own into the guest's
		// address space: its frames would count against the guest's memory cap and its range against the guest's
		// mappings, where the recording had neither; it goes in the kernel area's page, or one the lock functions'
		// stubs made ready in the recording too.
		Page page = pages.stream().filter(p -> !p.full() && (counting || p.kernel || p.ready) && Relocation.jump(r,
				p.next).isPresent() && Relocation.jump(p.next + SLOT, r).isPresent()).findFirst().orElse(null);
		if (page == null) {
			return Optional.of("out of a jmp's reach of every stub page with room");
		}
		List<Instruction> run = decoder.decode(breakpoints.presentGuestCode(r, LandmarkComparator.READ), r,
				LandmarkComparator.JMP_LENGTH);
		int len = run.stream().mapToInt(Instruction::length).sum();
		if (len < LandmarkComparator.JMP_LENGTH) {
			return Optional.of(String.format("the code at 0x%x decodes to %d bytes only", r, len));
		}
		Optional<String> entered = code.refusal(r, r + len);
		if (entered.isPresent()) {
			return entered;
		}
		long at = page.next;
		Relocation.Result moved = Relocation.relocate(run, LockStubCode.movedAt(at));
		if (!moved.ok()) {
			return Optional.of(moved.refusal());
		}
		if (LockStubCode.length(moved.code().length) > SLOT) {
			return Optional.of(String.format("the moved code at 0x%x takes %d bytes", r, moved.code().length));
		}
		Optional<byte[]> jmp = Relocation.jump(r, at);
		if (jmp.isEmpty()) {
			return Optional.of(String.format("0x%x is out of a jmp's reach of the stubs", r));
		}
		if (occupied.test(r, r + len)) {
			return Optional.of(String.format("a thread stands inside 0x%x-0x%x", r, r + len));
		}
		if (!ready(page)) {
			return Optional.of(String.format("the stub page at 0x%x is taken by the guest, or no memory is left for it",
					page.address));
		}
		byte[] stub = LockStubCode.assemble(MachineLayout.LOCK_DATA, id, moved.code(), counting);
		write(page, at, stub);
		byte[] patch = new byte[len];
		Arrays.fill(patch, CodeBreakpoints.INT3); // never executed: nothing enters the run but at its start
		System.arraycopy(jmp.get(), 0, patch, 0, LandmarkComparator.JMP_LENGTH);
		if (!breakpoints.patchStub(r, patch)) {
			return Optional.of(String.format("0x%x-0x%x holds one of our int3s", r, r + len));
		}
		Stub s = new Stub(r, at, len, moved.starts(), run.stream().mapToLong(Instruction::address).toArray(),
				moved.code().length, id, counting);
		live.put(r, s);
		written.put(s.afterWatchInt3(), new Hit(s, HitKind.WATCH));
		written.put(s.afterStopInt3(), new Hit(s, HitKind.STOP));
		page.next += SLOT;
		return Optional.empty();
	}

	/** Writes stub code: the kernel area's page through the VMM's view, a page of the VMM's own into its frames. */
	private void write(Page page, long at, byte[] code) {
		if (page.kernel) {
			memory.memory().write(at, code, 0, code.length);
		} else {
			memory.loadBytes(at, code, 0, code.length);
		}
	}

	/**
	 * Makes every call through the stub at {@code entry} stop at once, at its watch byte (the analysis watches the
	 * function), or count again; false when no stub is in place there.
	 */
	boolean stopEveryCall(long entry, boolean every) {
		Stub s = live.get(entry);
		if (s == null) {
			return false;
		}
		Page page = pages.stream().filter(p -> p.holds(s)).findFirst().orElseThrow();
		write(page, s.code(), new byte[] { every ? CodeBreakpoints.INT3 : (byte) 0x90 });
		return true;
	}

	/** The ring and the countdown the stubs share. */
	LockCallRing ring() {
		return ring;
	}



	/**
	 * Makes {@code page} usable from CPL3 the first time: the kernel area's gets U (supervisor-only until then, as the
	 * rest of the kernel area; nothing has accessed it, so no TLB flush), a user one is mapped read-only and executable
	 * as the VMM's own, unless the guest has a mapping there. Returns false in that case.
	 */
	private boolean ready(Page page) {
		if (page.ready) {
			return true;
		}
		if (page.kernel) {
			PageTables t = memory.pageTables();
			t.setEntry(LOCK_STUBS, t.entry(LOCK_STUBS) | PageTables.U);
		} else {
			for (long p = page.address; p < page.address + page.size(); p += MachineLayout.PAGE_SIZE) {
				if (memory.vmaAt(p).filter(v -> v.kind() != Vma.Kind.VMM || v.prot() != (Mman.PROT_READ
						| Mman.PROT_EXEC)).isPresent()) {
					return false;
				}
			}
			// (what is left of the region after the guest unmapped a page of it, as the VMM left it, goes first)
			memory.munmap(page.address, page.size());
			memory.map(page.address, page.address + page.size(), Mman.PROT_READ | Mman.PROT_EXEC, Vma.Kind.VMM);
			try {
				memory.populate(page.address, page.address + page.size());
			} catch (org.insight.vmm.memory.GuestOutOfMemoryException full) {
				memory.munmap(page.address, page.size()); // the guest's memory cap is reached: no stub
				return false;
			}
		}
		ring.ready();
		page.ready = true;
		return true;
	}

	/** The stub, and which of its int3s, a #BP with frame RIP {@code frameRip} came from. */
	Optional<Hit> hit(long frameRip) {
		return Optional.ofNullable(written.get(frameRip));
	}

	/** Whether {@code rip} is in a stub page's code: a thread there is in the middle of a lock call's entry. */
	boolean inStubCode(long rip) {
		for (Page p : pages) {
			if (rip >= p.address && rip < p.next) {
				return true;
			}
		}
		return false;
	}

	/**
	 * The entry of the stub whose jmp covers {@code rip} strictly after its first byte, or -1: a thread about to go on
	 * there (a signal handler returning to a faulting moved instruction's address) would run the middle of the jmp.
	 */
	long entryAround(long rip) {
		for (Stub s : live.values()) {
			if (rip > s.entry() && rip < s.entry() + s.length()) {
				return s.entry();
			}
		}
		return -1;
	}

	/** Whether {@code va} is the entry of a function with a stub in place. */
	boolean isEntry(long va) {
		return live.containsKey(va);
	}

	/**
	 * Where a thread that stopped at the stub of the function at {@code rip} goes on: the stub's moved instructions
	 * (the call was counted when it stopped); {@code rip} itself when no stub is in place there.
	 */
	long resumeAt(long rip) {
		Stub s = live.get(rip);
		return s == null ? rip : s.moved();
	}

	/** The stub's jmp at {@code entry} went (taken out by {@link CodeBreakpoints}); its code stays. */
	boolean gone(long entry) {
		return live.remove(entry) != null;
	}

	/** Every stub's jmp went (the end of the run; the breakpoints put the bytes back). */
	void forgetAll() {
		live.clear();
	}

	/** How many stubs are in place. */
	int size() {
		return live.size();
	}

	/**
	 * The guest's own address of {@code rip} when it is one of a stub's moved instructions (a fault there is the
	 * guest's, at its own address); {@code rip} otherwise.
	 */
	long guestAddress(long rip) {
		if (!inStubCode(rip)) {
			return rip;
		}
		for (Stub s : written.values().stream().map(Hit::stub).distinct().toList()) {
			for (int i = 0; i < s.starts().length; i++) {
				if (rip == s.moved() + s.starts()[i]) {
					return s.originals()[i];
				}
			}
		}
		return rip;
	}
}
