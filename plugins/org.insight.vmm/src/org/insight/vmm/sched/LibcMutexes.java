package org.insight.vmm.sched;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.IntPredicate;

import org.insight.symbols.Symbol;
import org.insight.symbols.SymbolTable;
import org.insight.vmm.memory.AddressSpace;
import org.insight.vmm.memory.GuestFault;

/**
 * The owners of the guest's pthread mutexes, read as its libc keeps them (x86-64, static glibc 2.34+ and musl 1.2):
 * <ul>
 * <li><b>glibc</b>: a thread waiting for a mutex sleeps in {@code __lll_lock_wait} on the mutex's first word
 * ({@code __lock}); {@code __owner}, at offset 8, is the tid of the holder for the normal, recursive, error-checking
 * and adaptive kinds ({@code __kind} at offset 16; robust, priority-inheritance and priority-protected mutexes are left
 * out: they wait otherwise).</li>
 * <li><b>musl</b>: {@code pthread_mutex_timedlock} (which {@code pthread_mutex_lock} ends in) sleeps in
 * {@code __timedwait} on {@code _m_lock}, at offset 4 after {@code _m_type}. For every type but the normal one the lock
 * word holds the owner's tid (mask 0x3fffffff; the top bits flag waiters and a dead owner); a normal mutex's holds
 * EBUSY only, so its owner comes from the lock calls ({@link LockCallHolds}, {@code --mode locks}), or is unknown.
 * Priority-inheritance mutexes (type bit 8) wait otherwise and are left out.</li>
 * </ul>
 * Which libc it is, and where its functions are, come from the symbol table, read only when a thread blocks on a word
 * that names a stuck thread (most runs never read it for this). Whether a thread sleeps inside the lock function is
 * checked on its saved RIP (glibc) or on the return addresses of its stack (musl), not assumed from the word alone.
 * Reads guest memory without changing it, so the answers are the same in a recording and its replay.
 */
public final class LibcMutexes implements MutexOwners {
	private static final int GLIBC_OWNER = 8;
	private static final int GLIBC_KIND = 16;
	/** PTHREAD_MUTEX_ROBUST_NORMAL_NP, _PRIO_INHERIT_NP and _PRIO_PROTECT_NP bits of {@code __kind}. */
	private static final int GLIBC_OTHER_KINDS = 16 | 32 | 64;
	private static final int MUSL_LOCK = 4;
	private static final int MUSL_TYPE_MASK = 15;
	private static final int MUSL_PRIO_INHERIT = 8;
	private static final int MUSL_OWNER_MASK = 0x3fffffff;
	/** Return addresses looked at on a musl waiter's stack. */
	private static final int MUSL_FRAMES = 6;

	private enum Libc {
		UNKNOWN, GLIBC, MUSL, NEITHER
	}

	private final AddressSpace memory;
	private final SymbolTable symbols;
	private final StackScan scan;
	private final LockCallHolds holds = new LockCallHolds();
	private Libc libc = Libc.UNKNOWN;
	private Symbol waitFunction;
	private Symbol lockFunction;

	public LibcMutexes(AddressSpace memory, SymbolTable symbols, StackScan scan) {
		this.memory = Objects.requireNonNull(memory, "memory");
		this.symbols = Objects.requireNonNull(symbols, "symbols");
		this.scan = Objects.requireNonNull(scan, "scan");
	}

	@Override
	public void lockCall(GuestThread t, LockFunction f, long lock) {
		holds.lockCall(t.tid(), f, lock);
	}

	@Override
	public void exited(int tid) {
		holds.exited(tid);
	}

	@Override
	public Optional<MutexWait> waitOf(GuestThread t, IntPredicate stuck) {
		long word = t.futexAddress();
		try {
			// Cheap first: does the word, read either libc's way, name a stuck thread at all?
			int glibcOwner = memory.readU32(word + GLIBC_OWNER);
			int muslOwner = memory.readU32(word) & MUSL_OWNER_MASK;
			OptionalInt byCalls = holds.holder(word - MUSL_LOCK);
			if (!stuck.test(glibcOwner) && !stuck.test(muslOwner)
					&& !(byCalls.isPresent() && stuck.test(byCalls.getAsInt()))) {
				return Optional.empty();
			}
			return switch (libc()) {
			case GLIBC -> glibc(t, word, glibcOwner);
			case MUSL -> musl(t, word, muslOwner, byCalls);
			default -> Optional.empty();
			};
		} catch (GuestFault f) {
			return Optional.empty(); // a word next to unmapped memory is no mutex of ours
		}
	}

	private Optional<MutexWait> glibc(GuestThread t, long word, int owner) {
		int kind = memory.readU32(word + GLIBC_KIND);
		if (!inside(waitFunction, t.regs().rip) || (kind & GLIBC_OTHER_KINDS) != 0 || owner <= 0) {
			return Optional.empty();
		}
		return Optional.of(new MutexWait(t.tid(), word, owner));
	}

	private Optional<MutexWait> musl(GuestThread t, long word, int lockWordOwner, OptionalInt byCalls) {
		long mutex = word - MUSL_LOCK;
		if (!inMuslLock(t, mutex)) {
			return Optional.empty();
		}
		int type = memory.readU32(mutex);
		if ((type & MUSL_PRIO_INHERIT) != 0) {
			return Optional.empty();
		}
		if ((type & MUSL_TYPE_MASK) == 0) {
			return byCalls.isPresent() ? Optional.of(new MutexWait(t.tid(), mutex, byCalls.getAsInt()))
					: Optional.empty();
		}
		return lockWordOwner == 0 ? Optional.empty() : Optional.of(new MutexWait(t.tid(), mutex, lockWordOwner));
	}

	/**
	 * Whether {@code t} sleeps in musl's mutex lock on {@code mutex}: its pending lock call is on it ({@code --mode
	 * locks}), or its stack returns from {@code __timedwait} into {@code pthread_mutex_timedlock}.
	 */
	private boolean inMuslLock(GuestThread t, long mutex) {
		if (holds.pendingMutex(t.tid()).filter(m -> m == mutex).isPresent()) {
			return true;
		}
		// The scan is heuristic (any word after a call rel32 counts): a stale word may sit between the two frames.
		List<Long> returns = scan.returnAddresses(t.regs().rsp, MUSL_FRAMES);
		for (int i = 1; i < returns.size(); i++) {
			if (inside(lockFunction, returns.get(i)) && (inside(waitFunction, returns.get(i - 1))
					|| i >= 2 && inside(waitFunction, returns.get(i - 2)))) {
				return true;
			}
		}
		return false;
	}

	private Libc libc() {
		if (libc == Libc.UNKNOWN) {
			try {
				libc = detect();
			} catch (RuntimeException unreadable) {
				libc = Libc.NEITHER; // symbols that cannot be read tell no owner; the run ends when all threads block
			}
		}
		return libc;
	}

	private Libc detect() {
		Optional<Symbol> lllWait = function("__lll_lock_wait");
		if (lllWait.isPresent()) {
			waitFunction = lllWait.get();
			return Libc.GLIBC;
		}
		Optional<Symbol> timedwait = function("__timedwait");
		Optional<Symbol> timedlock = function("pthread_mutex_timedlock");
		if (function("__pthread_mutex_trylock_owner").isPresent() && timedwait.isPresent() && timedlock.isPresent()) {
			waitFunction = timedwait.get();
			lockFunction = timedlock.get();
			return Libc.MUSL;
		}
		return Libc.NEITHER;
	}

	private Optional<Symbol> function(String name) {
		return symbols.byName(name).filter(s -> s.function() && s.address() != 0 && s.size() > 0);
	}

	private static boolean inside(Symbol f, long address) {
		return f != null && address >= f.address() && address < f.end();
	}
}
