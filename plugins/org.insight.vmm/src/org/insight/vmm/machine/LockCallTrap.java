package org.insight.vmm.machine;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

import org.insight.kvm.GuestMemory;
import org.insight.vmm.memory.AddressSpace;
import org.insight.vmm.memory.PageTables;
import org.insight.vmm.sched.LockFunction;
import org.insight.vmm.sched.LockFunctions;

/**
 * The int3 breakpoints of {@code --mode locks}: one at the first byte of every pthread lock function of the guest, in
 * place for the whole run, so that every thread stops there (a sync point) before the call does anything.
 * <p>
 * As with {@link LandmarkTrap}, the byte is written through the VMM's view of the code frame (the guest maps it
 * read-only) and the hit arrives through the guest's own #BP stub, because hardware breakpoints never fire on our
 * hosts (PLATFORM.md). A thread that resumes at a hooked address has stopped there already: the original byte goes
 * back while it executes that one instruction with TF, and the #DB after it puts the int3 back. One vCPU runs one
 * thread at a time, and the loop lets no kick switch threads during such a step, so no other thread can pass the
 * function unhooked.
 * <p>
 * A function whose first instruction is {@code syscall} or {@code pushfq} is not hooked: a TF step over the first
 * would trap in the gate, and the second would push our TF where the guest can read it. Neither occurs in glibc or
 * musl; a libc that did so would lose those sync points, which {@link #refused()} reports.
 * <p>
 * The guest sees its own code unchanged in every way but one: a read of a hooked byte as data returns 0xCC. Static
 * programs do not read their libc's code. Every byte is put back before the final memory digest is taken.
 */
final class LockCallTrap {
	private static final byte INT3 = LandmarkTrap.INT3;

	private static final class Hook {
		final LockFunction function;
		long physical = -1;
		byte original;

		Hook(LockFunction function) {
			this.function = function;
		}

		boolean armed() {
			return physical >= 0;
		}
	}

	private final AddressSpace memory;
	private final Map<Long, Hook> hooks = new LinkedHashMap<>();
	private final List<LockFunction> refused = new ArrayList<>();
	private int pending;
	/** The hook being stepped over (its byte is the original), or null. */
	private Hook stepping;
	private int steppingTid;

	LockCallTrap(AddressSpace memory, LockFunctions functions) {
		this.memory = Objects.requireNonNull(memory, "memory");
		for (LockFunction f : functions.all()) {
			hooks.put(f.address(), new Hook(f));
		}
		pending = hooks.size();
	}

	/** No lock function hooked: the {@code syscalls} sync mode. */
	static LockCallTrap none(AddressSpace memory) {
		return new LockCallTrap(memory, LockFunctions.none());
	}

	boolean isEmpty() {
		return hooks.isEmpty();
	}

	/** How many functions have an int3 in place (or will, once their page is present). */
	int size() {
		return hooks.size() - refused.size();
	}

	/** Functions left unhooked because of their first instruction. */
	List<LockFunction> refused() {
		return Collections.unmodifiableList(refused);
	}

	/**
	 * Puts the int3 at every hooked function whose code page is present and that has none yet. The loader populates
	 * the code when it loads the program, so normally the first call does it all; later calls cost nothing then.
	 */
	void armPending() {
		if (pending == 0 || stepping != null) {
			return;
		}
		GuestMemory m = memory.memory();
		for (Hook h : hooks.values()) {
			if (h.armed() || refused.contains(h.function)) {
				continue;
			}
			PageTables.Translation t = memory.translate(h.function.address());
			if (!t.present()) {
				continue;
			}
			byte[] code = memory.copyIn(h.function.address(), 2);
			if (LandmarkTrap.isSyscall(code) || LandmarkTrap.isPushf(code)) {
				refused.add(h.function);
				pending--;
				continue;
			}
			h.original = m.getByte(t.physical());
			h.physical = t.physical();
			m.putByte(h.physical, INT3);
			pending--;
		}
	}

	/** The function whose int3 a #BP with frame RIP {@code frameRip} (just after the int3) came from. */
	Optional<LockFunction> hit(long frameRip) {
		Hook h = hooks.get(frameRip - 1);
		return h != null && h.armed() && h != stepping ? Optional.of(h.function) : Optional.empty();
	}

	/**
	 * Whether a thread at {@code rip} may just have executed one of our int3s, its #BP not delivered yet: {@code rip}
	 * is one past an armed hook's entry. A kick can stop the vCPU there (KVM under PVM queues the guest's exception,
	 * then sees the signal before it enters the guest again, and reports RIP past the int3); setting the registers then
	 * makes KVM drop the pending #BP, so the thread would go on inside the function's first instruction.
	 */
	boolean isJustAfterInt3(long rip) {
		Hook h = hooks.get(rip - 1);
		return h != null && h.armed() && h != stepping;
	}

	/** Whether a thread at {@code rip} stands on an int3 of ours: resuming it needs {@link #beginStep}. */
	boolean isHooked(long rip) {
		Hook h = hooks.get(rip);
		return h != null && h.armed() && h != stepping;
	}

	/**
	 * Thread {@code tid}, stopped at the hooked {@code rip}, is about to run again: the original byte goes back and
	 * the RFLAGS it must resume with (with TF) are returned.
	 */
	long beginStep(int tid, long rip, long rflags) {
		Hook h = hooks.get(rip);
		if (h == null || !h.armed()) {
			throw new IllegalStateException(String.format("no lock-call breakpoint at 0x%x", rip));
		}
		if (stepping != null) {
			throw new IllegalStateException("stepping over " + stepping.function + " already, now " + h.function);
		}
		memory.memory().putByte(h.physical, h.original);
		stepping = h;
		steppingTid = tid;
		return rflags | LandmarkTrap.TF;
	}

	/** Whether a step over a hooked instruction is under way: kicks must not switch threads now. */
	boolean stepping() {
		return stepping != null;
	}

	/** Whether a #DB of thread {@code tid} ends our step. */
	boolean isStep(int tid) {
		return stepping != null && steppingTid == tid;
	}

	/** The step is done: the int3 goes back; returns {@code rflags} without TF. */
	long stepped(long rflags) {
		Hook h = stepping;
		stepping = null;
		if (h != null && memory.memory().getByte(h.physical) == h.original) {
			memory.memory().putByte(h.physical, INT3);
		}
		return rflags & ~LandmarkTrap.TF;
	}

	/** Puts every original byte back (the end of the run: the final memory is the guest's own). */
	void disarmAll() {
		GuestMemory m = memory.memory();
		for (Hook h : hooks.values()) {
			if (h.armed() && h != stepping && m.getByte(h.physical) == INT3) {
				m.putByte(h.physical, h.original);
			}
			h.physical = -1;
		}
		stepping = null;
		pending = hooks.size() - refused.size();
	}
}
