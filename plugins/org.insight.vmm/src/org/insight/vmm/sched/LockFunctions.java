package org.insight.vmm.sched;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import org.insight.symbols.Symbol;
import org.insight.symbols.SymbolTable;
import org.insight.vmm.sched.LockFunction.LockAction;
import org.insight.vmm.sched.LockFunction.LockObject;

/**
 * The pthread synchronisation functions found in a guest's symbol table: the places where {@code --mode locks} makes
 * a sync point, so that the scheduler may switch threads inside critical sections (ARCHITECTURE.md section 3).
 * <p>
 * They are looked up by their public names, which glibc and musl both define for static programs; an alias at the
 * same address (glibc's {@code __pthread_mutex_lock}) is the same function and is hooked once. A program that never
 * calls a function does not link it, so a missing name is normal. The libc-internal locks (stdio, malloc) do not go
 * through these functions and are not hooked, which keeps the number of stops to what the program itself does.
 * <p>
 * Some public functions call others (musl's {@code pthread_cond_wait} calls {@code pthread_cond_timedwait}); each
 * entry is a sync point of its own, which is as deterministic as any other.
 */
public final class LockFunctions {
	private static final Map<String, LockFunction> CATALOGUE = catalogue();

	private final TreeMap<Long, LockFunction> byAddress;

	private LockFunctions(TreeMap<Long, LockFunction> byAddress) {
		this.byAddress = byAddress;
	}

	/** None: the {@code syscalls} sync mode. */
	public static LockFunctions none() {
		return new LockFunctions(new TreeMap<>());
	}

	/**
	 * The catalogued functions that {@code symbols} defines, one per address: a program's own, or those of a shared
	 * library (libc.so.6) once the guest maps it, where one name can stand at several addresses, one per symbol version
	 * (glibc's GLIBC_2.2.5 {@code pthread_cond_wait} beside the GLIBC_2.3.2 one): each is hooked.
	 */
	public static LockFunctions find(SymbolTable symbols) {
		TreeMap<Long, LockFunction> found = new TreeMap<>();
		for (LockFunction f : CATALOGUE.values()) {
			// every address of the name: a shared library's versions of one function (SymbolTable#allNamed)
			for (Symbol s : symbols.allNamed(f.name())) {
				if (s.function() && s.address() != 0) {
					found.putIfAbsent(s.address(), new LockFunction(f.name(), s.address(), f.object(), f.action()));
				}
			}
		}
		return new LockFunctions(found);
	}

	/** The names this finder looks for, in catalogue order. */
	public static List<String> catalogueNames() {
		return List.copyOf(CATALOGUE.keySet());
	}

	public boolean isEmpty() {
		return byAddress.isEmpty();
	}

	public int size() {
		return byAddress.size();
	}

	/** The function that starts exactly at {@code address}. */
	public Optional<LockFunction> at(long address) {
		return Optional.ofNullable(byAddress.get(address));
	}

	/** Every function found, by address. */
	public List<LockFunction> all() {
		return Collections.unmodifiableList(new ArrayList<>(byAddress.values()));
	}

	private static Map<String, LockFunction> catalogue() {
		Map<String, LockFunction> m = new java.util.LinkedHashMap<>();
		add(m, LockObject.MUTEX, LockAction.ACQUIRE, "pthread_mutex_lock", "pthread_mutex_timedlock",
				"pthread_mutex_clocklock");
		add(m, LockObject.MUTEX, LockAction.TRY_ACQUIRE, "pthread_mutex_trylock");
		add(m, LockObject.MUTEX, LockAction.RELEASE, "pthread_mutex_unlock");
		add(m, LockObject.RWLOCK, LockAction.ACQUIRE, "pthread_rwlock_rdlock", "pthread_rwlock_wrlock",
				"pthread_rwlock_timedrdlock", "pthread_rwlock_timedwrlock", "pthread_rwlock_clockrdlock",
				"pthread_rwlock_clockwrlock");
		add(m, LockObject.RWLOCK, LockAction.TRY_ACQUIRE, "pthread_rwlock_tryrdlock", "pthread_rwlock_trywrlock");
		add(m, LockObject.RWLOCK, LockAction.RELEASE, "pthread_rwlock_unlock");
		add(m, LockObject.CONDITION, LockAction.WAIT, "pthread_cond_wait", "pthread_cond_timedwait",
				"pthread_cond_clockwait");
		add(m, LockObject.CONDITION, LockAction.WAKE, "pthread_cond_signal", "pthread_cond_broadcast");
		add(m, LockObject.SEMAPHORE, LockAction.ACQUIRE, "sem_wait", "sem_timedwait", "sem_clockwait");
		add(m, LockObject.SEMAPHORE, LockAction.TRY_ACQUIRE, "sem_trywait");
		add(m, LockObject.SEMAPHORE, LockAction.RELEASE, "sem_post");
		add(m, LockObject.SPINLOCK, LockAction.ACQUIRE, "pthread_spin_lock");
		add(m, LockObject.SPINLOCK, LockAction.TRY_ACQUIRE, "pthread_spin_trylock");
		add(m, LockObject.SPINLOCK, LockAction.RELEASE, "pthread_spin_unlock");
		return Collections.unmodifiableMap(m);
	}

	private static void add(Map<String, LockFunction> m, LockObject object, LockAction action, String... names) {
		for (String n : names) {
			m.put(n, new LockFunction(n, 0, object, action));
		}
	}

	@Override
	public String toString() {
		return "LockFunctions" + byAddress.values();
	}
}
