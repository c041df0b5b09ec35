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
 * The lock calls of {@code --mode locks}: every call of every pthread lock function of the guest is counted, before
 * the call does anything, for the whole run, and the calls where the lock-call countdown runs out are sync points.
 * Where it can, the entry leads to a {@link LockStubs stub} that counts the call in the guest and stops the thread at
 * its int3 only then (one exception), the thread going on in its moved instructions. Elsewhere an int3 (a
 * {@link CodeBreakpoints} site) sits at the entry's first byte, and a thread that goes on from it is stepped over the
 * first instruction (two exceptions); no kick switches threads during that step, so no other thread can pass the
 * function unhooked.
 * <p>
 * The observer's watches at a stubbed entry are kept here rather than as sites ({@link #watch}): the stub's watch int3
 * serves them, and they become sites if the stub goes.
 * <p>
 * A function whose first instruction is {@code syscall} or {@code pushfq} is not hooked, so that a lock call is always
 * one #BP and one #DB. Neither occurs in glibc or musl; a libc that did so would lose those sync points, which
 * {@link #refused()} reports.
 */
final class LockCallTrap {
	private final AddressSpace memory;
	private final CodeBreakpoints breakpoints;
	private final LockStubs stubs;
	/** Why each function with an int3 has no stub (for the run's statistics). */
	private final Map<Long, String> int3Reasons = new LinkedHashMap<>();
	/** The observer's watches at stubbed entries, with their counts. */
	private final Map<Long, Integer> watched = new java.util.HashMap<>();
	private final Map<Long, LockFunction> pending = new LinkedHashMap<>();
	private final Map<Long, LockFunction> hooked = new LinkedHashMap<>();
	private final List<LockFunction> refused = new ArrayList<>();
	/** Every address ever given, so a function given again (a library mapped twice) is counted once. */
	private final java.util.Set<Long> seen = new java.util.HashSet<>();
	/** Every entry ever given (a lock function, or one the observer counts), by its id in the ring's entries. */
	private final List<Long> byId = new ArrayList<>();
	private final Map<Long, Integer> ids = new java.util.HashMap<>();
	/** The lock functions of {@code --mode locks} ever given, by entry. */
	private final Map<Long, LockFunction> given = new java.util.HashMap<>();
	/** The entries whose calls the observer is told of from the ring ({@link #observeCalls}). */
	private final java.util.Set<Long> observed = new java.util.HashSet<>();
	/** The entries the observer counts that are no lock function of {@code --mode locks}, and have no stub yet. */
	private final java.util.Set<Long> observePending = new java.util.LinkedHashSet<>();
	/** Those with a stub in place. */
	private final java.util.Set<Long> observeStubbed = new java.util.HashSet<>();
	private int total;

	LockCallTrap(AddressSpace memory, CodeBreakpoints breakpoints, LockStubs stubs, LockFunctions functions) {
		this.memory = Objects.requireNonNull(memory, "memory");
		this.breakpoints = Objects.requireNonNull(breakpoints, "breakpoints");
		this.stubs = Objects.requireNonNull(stubs, "stubs");
		breakpoints.onStubGone(this::stubGone);
		stubs.onPageGone(this::stubGone);
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
				if (!ids.containsKey(f.address())) {
					ids.put(f.address(), byId.size());
					byId.add(f.address());
				}
				given.put(f.address(), f);
				pending.put(f.address(), f);
				total++;
			}
		}
	}

	/** No lock function hooked: the {@code syscalls} sync mode. */
	static LockCallTrap none(AddressSpace memory, CodeBreakpoints breakpoints, LockStubs stubs) {
		return new LockCallTrap(memory, breakpoints, stubs, LockFunctions.none());
	}

	boolean isEmpty() {
		return total == 0;
	}

	/** How many functions have an int3 or a stub in place (or will, once their page is present). */
	int size() {
		return total - refused.size();
	}

	/** How many of them have a stub in place (not counting the observer's stubs, which are no lock function's). */
	int stubbed() {
		return stubs.size() - observeStubbed.size();
	}

	/** Why the others have an int3, with how many functions for each reason. */
	Map<String, Integer> int3Reasons() {
		Map<String, Integer> byReason = new LinkedHashMap<>();
		int3Reasons.values().forEach(why -> byReason.merge(why, 1, Integer::sum));
		return byReason;
	}

	/** Functions left unhooked because of their first instruction. */
	List<LockFunction> refused() {
		return Collections.unmodifiableList(refused);
	}

	/**
	 * Hooks every function whose code page is present and that is not hooked yet (its first instruction must be read
	 * to decide), with a stub where it can, an int3 elsewhere; {@code occupied} tells whether a thread stands strictly
	 * inside an address range. The loader populates the code when it loads the program, so normally the first call
	 * does it all. Returns whether it hooked any.
	 */
	boolean armPending(java.util.function.BiPredicate<Long, Long> occupied) {
		if (pending.isEmpty() && observePending.isEmpty()) {
			return false;
		}
		boolean armed = false;
		for (var it = pending.values().iterator(); it.hasNext();) {
			LockFunction f = it.next();
			if (!memory.isCode(f.address())) {
				continue; // not mapped as code yet (ld.so's first, read-only mapping of a library): decided later
			}
			it.remove();
			armed = true;
			byte[] code = breakpoints.guestCode(f.address(), 2);
			if (CodeBreakpoints.isSyscall(code) || CodeBreakpoints.isPushf(code)) {
				refused.add(f);
				continue;
			}
			hooked.put(f.address(), f);
			// The observer's watches there (added before the code was present: a library's functions at its mmap)
			// move to the stub, which serves them; they stay sites if it is refused.
			int observed = breakpoints.onlyBy(f.address(), CodeBreakpoints.Owner.OBSERVER);
			for (int i = 0; i < observed; i++) {
				breakpoints.remove(f.address(), CodeBreakpoints.Owner.OBSERVER);
			}
			Optional<String> refused = stubs.install(f.address(), ids.get(f.address()), true, occupied);
			if (refused.isPresent()) {
				int3Reasons.put(f.address(), refused.get().replaceAll("0x[0-9a-f]+", "…"));
				for (int i = 0; i < observed; i++) {
					breakpoints.add(f.address(), CodeBreakpoints.Owner.OBSERVER);
				}
				breakpoints.add(f.address(), CodeBreakpoints.Owner.LOCK_CALL);
			} else {
				int3Reasons.remove(f.address());
				if (observed > 0) {
					watched.put(f.address(), observed);
					stubs.stopEveryCall(f.address(), true);
				}
			}
		}
		// the observer's after the lock functions': a stub page of the VMM's own is made ready by the latter alone
		return armObserved(occupied) | armed;
	}

	/**
	 * The stub's jmp at {@code entry} went (a replay's landmark inside it, or its frames left): the function takes an
	 * int3 instead, at the next {@link #armPending}, and the observer's watches there become sites.
	 */
	private void stubGone(long entry) {
		if (!stubs.gone(entry)) {
			return;
		}
		if (observeStubbed.remove(entry)) {
			breakpoints.add(entry, CodeBreakpoints.Owner.OBSERVER); // a site serves the observer from now on
			return;
		}
		hooked.remove(entry);
		pending.put(entry, given.get(entry));
		Integer n = watched.remove(entry);
		for (int i = 0; n != null && i < n; i++) {
			breakpoints.add(entry, CodeBreakpoints.Owner.OBSERVER);
		}
	}

	/**
	 * The observer wants {@code va}: true when a stub serves it (every call through it then stops at its watch byte),
	 * false when it needs a site of its own.
	 */
	boolean watch(long va) {
		if (!stubs.isEntry(va)) {
			return false;
		}
		if (watched.merge(va, 1, Integer::sum) == 1) {
			stubs.stopEveryCall(va, true);
		}
		return true;
	}

	/** The observer wants {@code va} once less: true when a stub's int3 served it. */
	boolean unwatch(long va) {
		Integer n = watched.get(va);
		if (n == null) {
			return false;
		}
		if (n == 1) {
			watched.remove(va);
			stubs.stopEveryCall(va, false);
		} else {
			watched.put(va, n - 1);
		}
		return true;
	}

	/** Whether the observer watches the stubbed entry {@code va}. */
	boolean watched(long va) {
		return watched.containsKey(va);
	}

	/** The stub, and which of its int3s, a #BP with frame RIP {@code frameRip} (just after the int3) came from. */
	Optional<LockStubs.Hit> stubHit(long frameRip) {
		return stubs.hit(frameRip);
	}

	/** The stubs' countdown and ring. */
	LockCallRing ring() {
		return stubs.ring();
	}

	/** The lock function of {@code --mode locks} a ring entry names, if any. */
	Optional<LockFunction> function(long id) {
		return id >= 0 && id < byId.size() ? Optional.ofNullable(given.get(byId.get((int) id))) : Optional.empty();
	}

	/** The entry a ring entry names when the observer is told of its calls ({@link #observeCalls}), else -1. */
	long observedEntry(long id) {
		if (id < 0 || id >= byId.size()) {
			return -1;
		}
		long entry = byId.get((int) id);
		return observed.contains(entry) ? entry : -1;
	}

	/**
	 * The observer counts the calls of the function at {@code va} (its entry only, no exit: a replay's analysis, {@link
	 * CodeObserver#countable}): told of them from the ring ({@code CodeObserver#called}). A lock function of {@code
	 * --mode locks} is in the ring already: true. Any other gets a stub that only observes at the next {@link
	 * #armPending}, or keeps a site where it cannot have one: false, the caller adds that site (which serves the
	 * observer until the stub is in place, and whose hits the observer takes as calls).
	 */
	boolean observeCalls(long va) {
		observed.add(va);
		if (seen.contains(va)) {
			return true;
		}
		if (!ids.containsKey(va)) {
			ids.put(va, byId.size());
			byId.add(va);
			observePending.add(va);
		}
		return false;
	}

	/** Gives the observer's counted functions stubs, where their code is present and allows one. */
	private boolean armObserved(java.util.function.BiPredicate<Long, Long> occupied) {
		boolean armed = false;
		for (var it = observePending.iterator(); it.hasNext();) {
			long entry = it.next();
			if (!memory.isCode(entry)) {
				continue;
			}
			it.remove();
			armed = true;
			int sites = breakpoints.onlyBy(entry, CodeBreakpoints.Owner.OBSERVER);
			for (int i = 0; i < sites; i++) {
				breakpoints.remove(entry, CodeBreakpoints.Owner.OBSERVER);
			}
			if (stubs.install(entry, ids.get(entry), false, occupied).isPresent()) {
				for (int i = 0; i < sites; i++) {
					breakpoints.add(entry, CodeBreakpoints.Owner.OBSERVER);
				}
			} else {
				observeStubbed.add(entry);
			}
		}
		return armed;
	}

	/** The id of hooked function {@code f} in the ring's entries. */
	int idOf(LockFunction f) {
		return ids.get(f.address());
	}

	/** Whether {@code rip} is the entry of a lock function given to this trap (hooked or not yet). */
	boolean isLockEntry(long rip) {
		return seen.contains(rip);
	}

	/** Whether {@code rip} is a stubbed entry: a thread there jumps into its stub next. */
	boolean isStubEntry(long rip) {
		return stubs.isEntry(rip);
	}

	/** Where a thread stopped at the stubbed entry {@code rip} goes on (the stub's moved instructions); else {@code rip}. */
	long resumeAt(long rip) {
		return stubs.resumeAt(rip);
	}

	/** Whether {@code rip} is in a stub's code (the VMM's, in the middle of a lock function's entry). */
	boolean inStubCode(long rip) {
		return stubs.inStubCode(rip);
	}

	/**
	 * A thread goes on at {@code rip}: when that is inside a stub's jmp past its first byte (a signal handler returns
	 * to a moved instruction's own address), the stub goes, so that the guest's bytes are there to run.
	 */
	void resumingAt(long rip) {
		long entry = stubs.entryAround(rip);
		if (entry >= 0) {
			breakpoints.unpatchStub(entry);
			stubGone(entry);
		}
	}

	/** Where the code of the library just mapped may be entered: its lock functions may get stubs too. */
	void libraryCode(org.insight.vmm.code.BranchTargets code) {
		stubs.libraryCode(code);
	}

	/** The guest's own address of {@code rip}, which may be in a stub's moved instructions. */
	long guestAddress(long rip) {
		return stubs.guestAddress(rip);
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
		observePending.addAll(observeStubbed);
		observeStubbed.clear();
		stubs.forgetAll();
		watched.clear();
	}
}
