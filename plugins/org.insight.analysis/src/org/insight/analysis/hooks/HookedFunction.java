package org.insight.analysis.hooks;

import java.util.LinkedHashMap;
import java.util.Map;

import org.insight.analysis.Event.Mode;
import org.insight.symbols.Symbol;
import org.insight.symbols.SymbolTable;

/**
 * A function of the guest whose calls become events, and what a call means. The names are the public ones that glibc
 * and musl both define; an alias at the same address is one function.
 *
 * @param name    its public name
 * @param address where it starts in the loaded guest
 * @param action  what a call does
 * @param kind    "mutex", "rwlock", "spinlock" (the lock argument's kind), or "thread"
 * @param mode    how an acquisition holds the lock
 */
public record HookedFunction(String name, long address, Action action, String kind, Mode mode) {
	/** What a call of a hooked function does. */
	public enum Action {
		/** Takes the lock (first argument) when it returns 0. */
		ACQUIRE,
		/** Takes it when it returns 0, never waits. */
		TRY_ACQUIRE,
		/** Gives it back, at entry. */
		RELEASE,
		/** A condition wait: gives the mutex (second argument) back at entry, has it again at return. */
		COND_WAIT,
		/** Initialises the lock (first argument). */
		INIT,
		/** pthread_join: the thread (first argument, a pthread_t) has ended when it returns 0. */
		JOIN
	}

	/** Whether its return must be seen too (the outcome is known only then). */
	public boolean needsReturn() {
		return action == Action.ACQUIRE || action == Action.TRY_ACQUIRE || action == Action.COND_WAIT
				|| action == Action.JOIN;
	}

	/**
	 * Whether its entry alone says what a call does, so its calls can be counted in the guest with no exit
	 * ({@code CodeObserver#countable}): a release or an init, and a blocking acquisition, which returns with the lock
	 * (an error return, such as an error-checking mutex locked again by its owner, is taken for one too). Not a timed
	 * or try acquisition, a condition wait or a join, whose outcome only the return tells.
	 */
	public boolean enteringIsEnough() {
		return switch (action) {
		case RELEASE, INIT -> true;
		case ACQUIRE -> !name.contains("timed") && !name.contains("clock");
		default -> false;
		};
	}

	private static final Map<String, HookedFunction> CATALOGUE = catalogue();

	/**
	 * Every catalogued function {@code symbols} defines, by address (the first name found for an address wins; a name
	 * at several addresses, one per symbol version, is hooked at each).
	 */
	public static Map<Long, HookedFunction> find(SymbolTable symbols) {
		Map<Long, HookedFunction> found = new LinkedHashMap<>();
		for (HookedFunction f : CATALOGUE.values()) {
			// every address of the name: a library's versions of one function (SymbolTable#allNamed)
			for (Symbol s : symbols.allNamed(f.name)) {
				if (s.function() && s.address() != 0) {
					found.putIfAbsent(s.address(), new HookedFunction(f.name, s.address(), f.action, f.kind, f.mode));
				}
			}
		}
		return found;
	}

	private static Map<String, HookedFunction> catalogue() {
		Map<String, HookedFunction> m = new LinkedHashMap<>();
		add(m, Action.ACQUIRE, "mutex", Mode.EXCLUSIVE, "pthread_mutex_lock", "pthread_mutex_timedlock",
				"pthread_mutex_clocklock");
		add(m, Action.TRY_ACQUIRE, "mutex", Mode.EXCLUSIVE, "pthread_mutex_trylock");
		add(m, Action.RELEASE, "mutex", Mode.EXCLUSIVE, "pthread_mutex_unlock");
		add(m, Action.INIT, "mutex", Mode.EXCLUSIVE, "pthread_mutex_init");
		add(m, Action.ACQUIRE, "rwlock", Mode.READ, "pthread_rwlock_rdlock", "pthread_rwlock_timedrdlock",
				"pthread_rwlock_clockrdlock");
		add(m, Action.ACQUIRE, "rwlock", Mode.WRITE, "pthread_rwlock_wrlock", "pthread_rwlock_timedwrlock",
				"pthread_rwlock_clockwrlock");
		add(m, Action.TRY_ACQUIRE, "rwlock", Mode.READ, "pthread_rwlock_tryrdlock");
		add(m, Action.TRY_ACQUIRE, "rwlock", Mode.WRITE, "pthread_rwlock_trywrlock");
		add(m, Action.RELEASE, "rwlock", Mode.WRITE, "pthread_rwlock_unlock");
		add(m, Action.INIT, "rwlock", Mode.WRITE, "pthread_rwlock_init");
		add(m, Action.ACQUIRE, "spinlock", Mode.EXCLUSIVE, "pthread_spin_lock");
		add(m, Action.TRY_ACQUIRE, "spinlock", Mode.EXCLUSIVE, "pthread_spin_trylock");
		add(m, Action.RELEASE, "spinlock", Mode.EXCLUSIVE, "pthread_spin_unlock");
		add(m, Action.INIT, "spinlock", Mode.EXCLUSIVE, "pthread_spin_init");
		add(m, Action.COND_WAIT, "mutex", Mode.EXCLUSIVE, "pthread_cond_wait", "pthread_cond_timedwait",
				"pthread_cond_clockwait");
		add(m, Action.JOIN, "thread", Mode.EXCLUSIVE, "pthread_join");
		return m;
	}

	private static void add(Map<String, HookedFunction> m, Action a, String kind, Mode mode, String... names) {
		for (String n : names) {
			m.put(n, new HookedFunction(n, 0, a, kind, mode));
		}
	}
}
