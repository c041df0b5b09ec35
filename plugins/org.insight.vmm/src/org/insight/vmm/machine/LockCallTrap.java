package org.insight.vmm.machine;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

import org.insight.vmm.memory.AddressSpace;
import org.insight.vmm.sched.LockFunction;
import org.insight.vmm.sched.LockFunctions;

/**
 * The sync points of {@code --mode locks}: an int3 (a {@link CodeBreakpoints} site) at the first byte of every
 * pthread lock function of the guest, wanted for the whole run, so that every thread stops there before the call does
 * anything. A thread that goes on from such a stop is stepped over the first instruction by the breakpoints, and no
 * kick switches threads during that step, so no other thread can pass the function unhooked.
 * <p>
 * A function whose first instruction is {@code syscall} or {@code pushfq} is not hooked, so that a lock call is always
 * one #BP and one #DB. Neither occurs in glibc or musl; a libc that did so would lose those sync points, which
 * {@link #refused()} reports.
 */
final class LockCallTrap {
	private final AddressSpace memory;
	private final CodeBreakpoints breakpoints;
	private final Map<Long, LockFunction> pending = new LinkedHashMap<>();
	private final Map<Long, LockFunction> hooked = new LinkedHashMap<>();
	private final List<LockFunction> refused = new ArrayList<>();
	/** Every address ever given, so a function given again (a library mapped twice) is counted once. */
	private final java.util.Set<Long> seen = new java.util.HashSet<>();
	private int total;

	LockCallTrap(AddressSpace memory, CodeBreakpoints breakpoints, LockFunctions functions) {
		this.memory = Objects.requireNonNull(memory, "memory");
		this.breakpoints = Objects.requireNonNull(breakpoints, "breakpoints");
		add(functions);
	}

	/**
	 * Hooks {@code more} too, from the next {@link #armPending} on: the lock functions of a shared library the guest
	 * just mapped (a syscall, so record and replay add them at the same point). A function hooked already is not
	 * hooked twice.
	 */
	void add(LockFunctions more) {
		for (LockFunction f : more.all()) {
			if (seen.add(f.address())) {
				pending.put(f.address(), f);
				total++;
			}
		}
	}

	/** No lock function hooked: the {@code syscalls} sync mode. */
	static LockCallTrap none(AddressSpace memory, CodeBreakpoints breakpoints) {
		return new LockCallTrap(memory, breakpoints, LockFunctions.none());
	}

	boolean isEmpty() {
		return total == 0;
	}

	/** How many functions have an int3 in place (or will, once their page is present). */
	int size() {
		return total - refused.size();
	}

	/** Functions left unhooked because of their first instruction. */
	List<LockFunction> refused() {
		return Collections.unmodifiableList(refused);
	}

	/**
	 * Hooks every function whose code page is present and that is not hooked yet (its first instruction must be read
	 * to decide). The loader populates the code when it loads the program, so normally the first call does it all.
	 */
	void armPending() {
		if (pending.isEmpty()) {
			return;
		}
		for (var it = pending.values().iterator(); it.hasNext();) {
			LockFunction f = it.next();
			if (!memory.isCode(f.address())) {
				continue; // not mapped as code yet (ld.so's first, read-only mapping of a library): decided later
			}
			it.remove();
			byte[] code = breakpoints.guestCode(f.address(), 2);
			if (CodeBreakpoints.isSyscall(code) || CodeBreakpoints.isPushf(code)) {
				refused.add(f);
				continue;
			}
			hooked.put(f.address(), f);
			breakpoints.add(f.address(), CodeBreakpoints.Owner.LOCK_CALL);
		}
	}

	/** The function whose int3 a #BP with frame RIP {@code frameRip} (just after the int3) came from. */
	Optional<LockFunction> hit(long frameRip) {
		LockFunction f = hooked.get(frameRip - 1);
		return f != null && breakpoints.isHit(frameRip) ? Optional.of(f) : Optional.empty();
	}

	/** Forgets every hook (the end of the run; the breakpoints put the bytes back). */
	void disarmAll() {
		pending.putAll(hooked);
		hooked.clear();
	}
}
