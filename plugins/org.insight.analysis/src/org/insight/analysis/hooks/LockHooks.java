package org.insight.analysis.hooks;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

import org.insight.analysis.BlockedCall;
import org.insight.analysis.CallStack;
import org.insight.analysis.Event;
import org.insight.analysis.LockRef;
import org.insight.kvm.Regs;
import org.insight.symbols.CallFrameInfo;
import org.insight.symbols.SymbolTable;
import org.insight.vmm.machine.CodeObserver;

/**
 * The replay hooks of the lock analyses: a {@link CodeObserver} on the entries of the {@link HookedFunction}s that
 * turns their calls into {@link Event}s.
 * <p>
 * Only the <em>outermost</em> call of a thread counts: while a thread is inside a hooked function (musl's
 * {@code pthread_mutex_lock} tail-calls {@code pthread_mutex_timedlock}, a condition wait retakes its mutex through
 * {@code pthread_mutex_lock}), entries of others are ignored. An acquisition is an event when the outermost call
 * returns with 0 in RAX, seen by a hook on its return address that is watched only while some thread is in such a
 * call; a return is the thread's own when RSP is one word above its RSP at the entry (recursion and other threads at
 * the same address are not). A failed trylock or timed lock acquires nothing. Thread creation and exit come from the
 * machine's clone and exit; a join names its thread by pthread_t, which on x86-64 is the thread's TLS pointer (its FS
 * base) in glibc and musl alike.
 * <p>
 * The entry of an outermost lock, timed-lock or trylock call is its {@link Event.LockRequested}. Every event carries
 * the machine's virtual time at its hit ({@link Control#virtualNanos()}); thread creation and exit, which come without
 * a hit, take it from the machine's control of the last hit (one per machine), or 0 before the first.
 * <p>
 * <b>Counted calls</b> ({@link #countingCalls()}): the functions whose entry says enough
 * ({@link HookedFunction#enteringIsEnough()}: lock, unlock, init) need no exit. The machine counts their calls in the
 * guest and tells them later ({@link #called}), in order, with the first argument and the return address only: their
 * stacks are the call site alone, and their time is when the machine told them (the next exit), so this mode is for
 * the lock order, not for times. A counted lock call is the request; its acquisition is taken as done at the thread's
 * next event (it returned by then), unless the run ends with the lock held by another thread: then the thread is
 * blocked in it. A counted call that goes on into a hooked function (musl's {@code pthread_mutex_lock} tail-calling
 * {@code pthread_mutex_timedlock}: the same RSP, return address and argument) becomes that call, whose return is
 * watched as usual.
 */
public final class LockHooks implements CodeObserver {
	private static final int MAX_FRAMES = 24;

	private record Call(HookedFunction function, long arg0, long entryRsp, long returnAddress, CallStack stack,
			long position) {
	}

	/** The counted lock calls not acquired yet, by thread, in the order they were made. */
	private final Map<Integer, Call> counted = new java.util.LinkedHashMap<>();
	/** The threads holding each lock (by address), and how, as the events so far say. */
	private final Map<Long, Map<Integer, Event.Mode>> holders = new HashMap<>();
	private boolean countCalls;

	private final Map<Long, HookedFunction> functions;
	private final SymbolTable symbols;
	private final StackUnwinder unwinder;
	private final LongSupplier position;
	private final Consumer<Event> sink;
	private final Map<Integer, Call> inCall = new HashMap<>();
	private final Map<Long, Integer> threadByTls = new HashMap<>();
	/** The machine's control, kept from the last hit to drop a watch when a thread ends inside a call. */
	private Control control;

	/**
	 * @param symbols  the loaded program's symbols (addresses as loaded)
	 * @param position the replay's trace position
	 * @param sink     where the events go, in order
	 */
	public LockHooks(SymbolTable symbols, LongSupplier position, Consumer<Event> sink) {
		this(symbols, CallFrameInfo.none(), 0, position, sink);
	}

	/**
	 * With the program's call frame information, which unwinds the stacks of the events exactly ({@link StackUnwinder});
	 * without it, they follow the frame-pointer chain.
	 *
	 * @param cfi  the program's CFI ({@link CallFrameInfo#of}), at link-time addresses
	 * @param bias the program's load bias (a PIE's base)
	 */
	public LockHooks(SymbolTable symbols, CallFrameInfo cfi, long bias, LongSupplier position, Consumer<Event> sink) {
		this.symbols = Objects.requireNonNull(symbols, "symbols");
		this.unwinder = new StackUnwinder(cfi, bias, this::inCode);
		this.functions = new java.util.LinkedHashMap<>(HookedFunction.find(symbols));
		this.position = Objects.requireNonNull(position, "position");
		this.sink = Objects.requireNonNull(sink, "sink");
	}

	/**
	 * Lets the machine count the calls of the functions whose entry says enough, with no exit ({@link #countable}):
	 * the lock order stays exact, the stacks of those calls are their call sites, and their times are coarse. Before
	 * the run.
	 */
	public LockHooks countingCalls() {
		this.countCalls = true;
		return this;
	}

	@Override
	public boolean countable(long va) {
		HookedFunction f = functions.get(va);
		return countCalls && f != null && f.enteringIsEnough();
	}

	@Override
	public void called(int tid, long entry, long rdi, long rsp, long returnAddress, Control control) {
		this.control = control;
		HookedFunction f = functions.get(entry);
		if (f == null || inCall.containsKey(tid)) {
			return; // an inner call of a hooked function
		}
		acquiredIfCounted(tid);
		CallStack stack = inCode(returnAddress) ? CallStack.of(returnAddress) : CallStack.EMPTY;
		long pos = position.getAsLong();
		long time = control.virtualNanos();
		switch (f.action()) {
		case ACQUIRE -> {
			emit(new Event.LockRequested(pos, time, tid, lock(f, rdi), f.mode(), false, stack, f.name()));
			counted.put(tid, new Call(f, rdi, rsp, returnAddress, stack, pos));
		}
		case RELEASE -> emit(new Event.LockReleased(pos, time, tid, lock(f, rdi), stack, f.name()));
		case INIT -> emit(new Event.LockInitialised(pos, time, tid, lock(f, rdi), stack));
		default -> {
		}
		}
	}

	/** The thread's counted lock call returned (it does something else now): its acquisition. */
	private void acquiredIfCounted(int tid) {
		Call c = counted.remove(tid);
		if (c != null) {
			emit(new Event.LockAcquired(position.getAsLong(), now(), tid, lock(c.function, c.arg0), c.function.mode(),
					false, c.stack, c.function.name()));
		}
	}

	private void emit(Event e) {
		if (e instanceof Event.LockAcquired a) {
			holders.computeIfAbsent(a.lock().address(), k -> new HashMap<>()).put(a.tid(), a.mode());
		} else if (e instanceof Event.LockReleased r) {
			Map<Integer, Event.Mode> h = holders.get(r.lock().address());
			if (h != null) {
				h.remove(r.tid());
			}
		}
		sink.accept(e);
	}

	/** The functions hooked, by address. */
	public Map<Long, HookedFunction> functions() {
		return Map.copyOf(functions);
	}

	@Override
	public Collection<Long> addresses() {
		return List.copyOf(functions.keySet());
	}

	/** The lock functions of a library the guest's dynamic loader mapped (libc.so.6's): hooked from now on. */
	@Override
	public Collection<Long> libraryMapped(SymbolTable library) {
		List<Long> more = new ArrayList<>();
		HookedFunction.find(library).forEach((at, f) -> {
			if (functions.putIfAbsent(at, f) == null) {
				more.add(at);
			}
		});
		return more;
	}

	@Override
	public void hit(int tid, long rip, Regs regs, Control control) {
		this.control = control;
		Call call = inCall.get(tid);
		if (call != null) {
			if (rip == call.returnAddress && regs.rsp == call.entryRsp + 8) {
				inCall.remove(tid);
				control.unwatch(rip);
				returned(tid, call, regs.rax);
			}
			return; // an inner call of a hooked function, or another frame's return at the same address
		}
		HookedFunction f = functions.get(rip);
		if (f == null || !control.readable(regs.rsp)) {
			return; // a return address of another thread's call
		}
		long ret = control.readU64(regs.rsp);
		Call c = counted.get(tid);
		if (c != null && c.entryRsp == regs.rsp && c.returnAddress == ret && c.arg0 == regs.rdi
				&& f.address() != c.function.address() && f.action() == HookedFunction.Action.ACQUIRE
				&& f.kind().equals(c.function.kind()) && f.mode() == c.function.mode()) {
			// the counted call went on into this one (a tail call into another function: the same frame, argument and
			// kind of acquisition), so it is the same call, whose return tells its outcome; the same function hit
			// again from the same frame is a new call (a loop locking a recursive mutex where no stub could be placed)
			counted.remove(tid);
			inCall.put(tid, c);
			control.watch(ret);
			return;
		}
		acquiredIfCounted(tid);
		if (countable(rip)) {
			called(tid, rip, regs.rdi, regs.rsp, ret, control); // no stub could be placed: a hit, taken as a call
			return;
		}
		CallStack stack = unwinder.unwind(ret, regs.rsp, regs.rbp, control, MAX_FRAMES);
		long pos = position.getAsLong();
		long time = control.virtualNanos();
		switch (f.action()) {
		case ACQUIRE, TRY_ACQUIRE -> emit(new Event.LockRequested(pos, time, tid, lock(f, regs.rdi), f.mode(),
				f.action() == HookedFunction.Action.TRY_ACQUIRE, stack, f.name()));
		case RELEASE -> emit(new Event.LockReleased(pos, time, tid, lock(f, regs.rdi), stack, f.name()));
		case INIT -> emit(new Event.LockInitialised(pos, time, tid, lock(f, regs.rdi), stack));
		case COND_WAIT -> emit(new Event.LockReleased(pos, time, tid, new LockRef(regs.rsi, "mutex"), stack,
				f.name()));
		default -> {
		}
		}
		if (f.needsReturn()) {
			long arg = f.action() == HookedFunction.Action.COND_WAIT ? regs.rsi : regs.rdi;
			inCall.put(tid, new Call(f, arg, regs.rsp, ret, stack, pos));
			control.watch(ret);
		}
	}

	/**
	 * The threads inside a blocking lock call now (an acquisition that has not returned), by thread id: at the end of a
	 * replay that ended in an actual deadlock, what each blocked thread waits for.
	 */
	public List<BlockedCall> blocked() {
		List<BlockedCall> all = new ArrayList<>();
		Map<Integer, Call> calls = new java.util.TreeMap<>(inCall);
		calls.putAll(counted); // left by runEnded: blocked
		calls.forEach((tid, c) -> {
			if (c.function.action() == HookedFunction.Action.ACQUIRE) {
				all.add(new BlockedCall(c.position, tid, lock(c.function, c.arg0), c.function.mode(), c.stack,
						c.function.name()));
			}
		});
		return all;
	}

	private void returned(int tid, Call call, long rax) {
		HookedFunction f = call.function;
		long pos = position.getAsLong();
		long time = now();
		boolean ok = (int) rax == 0;
		switch (f.action()) {
		case ACQUIRE -> {
			if (ok) {
				emit(new Event.LockAcquired(pos, time, tid, lock(f, call.arg0), f.mode(), false, call.stack,
						f.name()));
			}
		}
		case TRY_ACQUIRE -> emit(ok
				? new Event.LockAcquired(pos, time, tid, lock(f, call.arg0), f.mode(), true, call.stack, f.name())
				: new Event.TryFailed(pos, time, tid, lock(f, call.arg0), call.stack, f.name()));
		// A condition wait has its mutex again however it ends (signalled or timed out).
		case COND_WAIT -> emit(new Event.LockAcquired(pos, time, tid, new LockRef(call.arg0, "mutex"),
				Event.Mode.EXCLUSIVE, false, call.stack, f.name()));
		case JOIN -> {
			Integer child = threadByTls.get(call.arg0);
			if (ok && child != null) {
				emit(new Event.ThreadJoined(pos, time, tid, child));
			}
		}
		default -> {
		}
		}
	}

	private long now() {
		return control == null ? 0 : control.virtualNanos();
	}

	private static LockRef lock(HookedFunction f, long address) {
		return new LockRef(address, f.kind());
	}

	private boolean inCode(long address) {
		try {
			return symbols.lookup(address).map(s -> s.function() && address > s.address()).orElse(false);
		} catch (RuntimeException unreadable) {
			return false;
		}
	}

	@Override
	public void threadCreated(int parent, int child, long childFsBase) {
		acquiredIfCounted(parent);
		threadByTls.put(childFsBase, child);
		emit(new Event.ThreadCreated(position.getAsLong(), now(), parent, child));
	}

	@Override
	public void threadExited(int tid) {
		acquiredIfCounted(tid);
		Call call = inCall.remove(tid);
		if (call != null && control != null) {
			control.unwatch(call.returnAddress);
		}
		emit(new Event.ThreadExited(position.getAsLong(), now(), tid));
	}

	/**
	 * The replay is over: the last event, at the machine's virtual time now (holds still open end there). A counted lock
	 * call whose lock another thread holds now is still waiting ({@link #blocked()}); any other returned with it.
	 */
	public void runEnded() {
		// In the order the calls were made: of two open calls of one mutex, the first had it (the second asked while
		// it was taken), whatever their thread ids.
		for (Integer tid : List.copyOf(counted.keySet())) {
			Call c = counted.get(tid);
			boolean shared = c.function.mode().shared();
			boolean free = holders.getOrDefault(c.arg0, Map.of()).entrySet().stream().allMatch(h -> h.getKey().equals(tid)
					|| shared && h.getValue().shared());
			if (free) {
				acquiredIfCounted(tid);
			}
		}
		emit(new Event.RunEnded(position.getAsLong(), now(), 0));
	}
}
