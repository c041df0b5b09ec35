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
import org.insight.vmm.code.Instruction;
import org.insight.vmm.code.Relocation;
import org.insight.vmm.code.X86Decoder;
import org.insight.vmm.memory.AddressSpace;
import org.insight.vmm.memory.MachineLayout;
import org.insight.vmm.memory.PageTables;
import org.insight.vmm.sched.LockFunction;

/**
 * Lock-call sync points with one exception instead of two (ARCHITECTURE.md section 3, "Lock calls without
 * exceptions"): the first instructions of a lock function move into a stub in the kernel area's {@link
 * MachineLayout#LOCK_STUBS} page, {@code int3} followed by them and a {@code jmp} back, and its entry becomes a
 * {@code jmp} to the stub ({@link CodeBreakpoints#patchStub}, which hides it from every read of guest code and takes
 * it out before the final memory digest). A call stops at the stub's {@code int3}; the thread goes on right after it,
 * with no TF step over the first instruction. The stub changes no register, flag or byte of guest memory, so a run
 * with stubs and one with an int3 at the same entry stop at the same sync points, and either replays the other.
 * <p>
 * Refused, so that the entry keeps its int3, wherever a patch could change what the program does: no disassembler, no
 * symbols, a run that may be entered in its middle ({@link BranchTargets}), an instruction that cannot move
 * ({@link Relocation}: a call, a {@code syscall}), code out of a rel32 {@code jmp}'s reach of the page (a PIE program
 * or a shared library), a thread standing inside the run, or a full page. A stub that goes (a replay's landmark inside
 * its jmp, or its frames leave) leaves its code in place, for a thread that may be inside it still.
 */
final class LockStubs {
	/** Bytes per stub, at most: an int3, the moved run (at most 5 + 14 bytes, 6-byte jcc forms) and the jmp back. */
	private static final int SLOT = 48;

	/** One lock function's stub: its entry, the patched run's length, and where each moved instruction came from. */
	record Stub(LockFunction function, long code, int length, int[] starts, long[] originals, int movedLength) {
		long entry() {
			return function.address();
		}

		/** Where a thread goes on after the stub's int3. */
		long afterInt3() {
			return code + 1;
		}
	}

	private final AddressSpace memory;
	private final CodeBreakpoints breakpoints;
	private Supplier<X86Decoder> decoders = () -> null;
	private BranchTargets targets;
	/** Stubs whose jmp is in place, by entry. */
	private final Map<Long, Stub> live = new HashMap<>();
	/** Every stub ever written, by the address after its int3 (a thread may still be inside one that went). */
	private final Map<Long, Stub> written = new HashMap<>();
	private final List<Stub> all = new ArrayList<>();
	private long next = LOCK_STUBS;
	private boolean exposed;

	LockStubs(AddressSpace memory, CodeBreakpoints breakpoints) {
		this.memory = Objects.requireNonNull(memory, "memory");
		this.breakpoints = Objects.requireNonNull(breakpoints, "breakpoints");
	}

	/** The decoder (or null: no libcapstone) and where the program's code may be entered; without both, no stub. */
	void programCode(Supplier<X86Decoder> decoders, BranchTargets targets) {
		this.decoders = Objects.requireNonNull(decoders, "decoders");
		this.targets = targets;
	}

	/**
	 * Gives {@code f} a stub, its code page being present; {@code occupied} tells whether a thread stands strictly
	 * inside an address range. Returns empty when installed, or why not.
	 */
	Optional<String> install(LockFunction f, BiPredicate<Long, Long> occupied) {
		if (targets == null) {
			return Optional.of("no symbols for the program's code");
		}
		X86Decoder decoder = decoders.get();
		if (decoder == null) {
			return Optional.of("no x86 disassembler (libcapstone 4)");
		}
		if (next + SLOT > LOCK_STUBS + MachineLayout.PAGE_SIZE) {
			return Optional.of("the stub page is full");
		}
		long r = f.address();
		List<Instruction> run = decoder.decode(breakpoints.presentGuestCode(r, LandmarkComparator.READ), r,
				LandmarkComparator.JMP_LENGTH);
		int len = run.stream().mapToInt(Instruction::length).sum();
		if (len < LandmarkComparator.JMP_LENGTH) {
			return Optional.of(String.format("the code at 0x%x decodes to %d bytes only", r, len));
		}
		Optional<String> entered = targets.refusal(r, r + len);
		if (entered.isPresent()) {
			return entered;
		}
		long code = next;
		Relocation.Result moved = Relocation.relocate(run, code + 1);
		if (!moved.ok()) {
			return Optional.of(moved.refusal());
		}
		if (1 + moved.code().length > SLOT) {
			return Optional.of(String.format("the moved code at 0x%x takes %d bytes", r, moved.code().length));
		}
		Optional<byte[]> jmp = Relocation.jump(r, code);
		if (jmp.isEmpty()) {
			return Optional.of(String.format("0x%x is out of a jmp's reach of the stubs", r));
		}
		if (occupied.test(r, r + len)) {
			return Optional.of(String.format("a thread stands inside 0x%x-0x%x", r, r + len));
		}
		byte[] stub = new byte[1 + moved.code().length];
		stub[0] = CodeBreakpoints.INT3;
		System.arraycopy(moved.code(), 0, stub, 1, moved.code().length);
		memory.memory().write(code, stub, 0, stub.length);
		byte[] patch = new byte[len];
		Arrays.fill(patch, CodeBreakpoints.INT3); // never executed: nothing enters the run but at its start
		System.arraycopy(jmp.get(), 0, patch, 0, LandmarkComparator.JMP_LENGTH);
		if (!breakpoints.patchStub(r, patch)) {
			return Optional.of(String.format("0x%x-0x%x holds one of our int3s", r, r + len));
		}
		exposeToCpl3();
		Stub s = new Stub(f, code, len, moved.starts(), run.stream().mapToLong(Instruction::address).toArray(),
				moved.code().length);
		live.put(r, s);
		written.put(s.afterInt3(), s);
		all.add(s);
		next += SLOT;
		return Optional.empty();
	}

	/** The stub whose int3 a #BP with frame RIP {@code frameRip} came from. */
	Optional<Stub> hit(long frameRip) {
		return Optional.ofNullable(written.get(frameRip));
	}

	/** Whether {@code va} is the entry of a function with a stub in place. */
	boolean isEntry(long va) {
		return live.containsKey(va);
	}

	/**
	 * Where a thread that stopped at the stub of the function at {@code rip} goes on: right after the stub's int3;
	 * {@code rip} itself when no stub is in place there.
	 */
	long resumeAt(long rip) {
		Stub s = live.get(rip);
		return s == null ? rip : s.afterInt3();
	}

	/** The stub's jmp at {@code entry} went (taken out by {@link CodeBreakpoints}); its code stays. */
	Optional<LockFunction> gone(long entry) {
		Stub s = live.remove(entry);
		return s == null ? Optional.empty() : Optional.of(s.function());
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
		if (rip < LOCK_STUBS || rip >= next) {
			return rip;
		}
		for (Stub s : all) {
			for (int i = 0; i < s.starts().length; i++) {
				if (rip == s.afterInt3() + s.starts()[i]) {
					return s.originals()[i];
				}
			}
		}
		return rip;
	}

	/**
	 * Makes the stub page reachable from CPL3, where the guest's threads run it: supervisor-only until then, as the
	 * rest of the kernel area. Raising U needs no TLB flush: nothing has accessed the page yet.
	 */
	private void exposeToCpl3() {
		if (!exposed) {
			PageTables t = memory.pageTables();
			t.setEntry(LOCK_STUBS, t.entry(LOCK_STUBS) | PageTables.U);
			exposed = true;
		}
	}
}
