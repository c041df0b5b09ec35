package org.insight.vmm.machine;

import java.util.Collection;
import java.util.List;

import org.insight.kvm.Regs;
import org.insight.symbols.SymbolTable;

/**
 * Watches guest code without changing the run: the replay's analysis hooks (ARCHITECTURE.md section 4). Its addresses
 * get an int3 through the same {@link CodeBreakpoints} as the lock-call sync points and a replay's landmark, so one
 * address may serve all three; a hit is shown to the observer first, exactly once per execution of the instruction,
 * and the thread then goes on as it would have without the observer (a landmark or a lock call is handled as usual,
 * anything else is stepped over). The observer sees registers and memory and can change neither: no register, flag,
 * memory byte, input question or landmark digest of the guest differs, so a replay with observers still verifies.
 * <p>
 * Calls come on the vCPU thread. An exception thrown here ends the run as a machine failure, never silently.
 */
public interface CodeObserver {
	/** Observes nothing. */
	CodeObserver NONE = new CodeObserver() {
		@Override
		public Collection<Long> addresses() {
			return List.of();
		}

		@Override
		public void hit(int tid, long rip, Regs regs, Control control) {
		}
	};

	/** What an observer may do at a hit: watch more addresses (a return address) and read guest memory. */
	interface Control {
		/** Watches {@code va} once more (counted: each {@link #watch} needs its {@link #unwatch}). */
		void watch(long va);

		/** Watches {@code va} once less. */
		void unwatch(long va);

		/** Whether the 8 bytes at {@code va} are mapped and present (reading them changes nothing). */
		boolean readable(long va);

		/** The 8 bytes at {@code va}, little-endian; only where {@link #readable}. */
		long readU64(long va);

		/**
		 * The guest's virtual time so far, in nanoseconds: how long guest code of every thread ran, exit handling left
		 * out ({@code VirtualClock}). Measured, so never deterministic: for times, never for counts.
		 */
		long virtualNanos();

		/** How long thread {@code tid}'s guest code has run so far, as {@link #virtualNanos()} measures it. */
		long threadVirtualNanos(int tid);
	}

	/** The addresses watched for the whole run (function entries). */
	Collection<Long> addresses();

	/** Thread {@code tid} is about to execute the watched instruction at {@code rip}, with registers {@code regs}. */
	void hit(int tid, long rip, Regs regs, Control control);

	/**
	 * Whether the calls of the function at {@code va} (one of its {@link #addresses()} or {@link #libraryMapped}'s) are
	 * enough for this observer as {@link #called} tells them: their first argument, RSP and return address at the
	 * entry, with no other register and no memory, told in order but later (at the next sync point, full ring or
	 * hit of this observer, and always before any other hit, thread event or thread switch). Such a function's calls then need no exit: a stub at its entry appends
	 * them to the lock calls' ring in guest memory (ARCHITECTURE.md sections 3 and 4). Where no stub can be placed, its
	 * entry has an int3 still and each call comes to {@link #hit} as before. None by default.
	 */
	default boolean countable(long va) {
		return false;
	}

	/**
	 * Thread {@code tid} called the {@link #countable} function at {@code entry} with {@code rdi} as its first argument,
	 * {@code rsp} at the entry and {@code returnAddress} at {@code [rsp]} (0 where it was unreadable). The calls come in
	 * the order the guest made them; the control reads memory as it is <em>now</em>, which may be later than the call.
	 */
	default void called(int tid, long entry, long rdi, long rsp, long returnAddress, Control control) {
	}

	/**
	 * The guest's dynamic loader mapped a shared library, whose symbols are {@code symbols} at their loaded addresses:
	 * the addresses to watch in it from now on (its lock functions). Called inside that mmap. None by default.
	 */
	default Collection<Long> libraryMapped(SymbolTable symbols) {
		return List.of();
	}

	/** Thread {@code parent} made thread {@code child} (clone), whose TLS (FS base) is {@code childFsBase}. */
	default void threadCreated(int parent, int child, long childFsBase) {
	}

	/** Thread {@code tid} ended (exit, or the end of the process). */
	default void threadExited(int tid) {
	}
}
