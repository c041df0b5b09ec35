package org.insight.analysis.profile;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.function.LongPredicate;
import java.util.function.LongSupplier;

import org.insight.analysis.Event;
import org.insight.kvm.Regs;
import org.insight.symbols.LoadSegment;
import org.insight.symbols.Symbol;
import org.insight.symbols.SymbolTable;
import org.insight.vmm.loader.LoadedImage;
import org.insight.vmm.machine.CodeObserver;

/**
 * The hooks of the exact function profile: a {@link CodeObserver} on the entry of every sized function of the
 * program's symbol table ({@link FunctionScope#ALL}: libc's too, as the binary is static; or
 * {@link FunctionScope#inFiles}: those defined in named source files), whose returns come from a per-thread {@link ShadowStacks shadow stack} watching each open frame's
 * return address. Each hit reads the thread's own virtual clock, so time another thread ran is never charged here.
 * The observer only reads registers and memory: the replay still verifies.
 */
public final class FunctionHooks implements CodeObserver {
	private final Map<Long, String> functions;
	private final LongSupplier position;
	private final ShadowStacks stacks;
	/** The machine's control, kept from the last hit: thread exit and the end of the run read the clock from it. */
	private Control control;

	/**
	 * @param hooked   the functions to hook, by entry address (see {@link #sizedFunctions})
	 * @param code     whether an address is the program's code, where a return address may be watched
	 * @param position the replay's trace position
	 * @param sink     where the events go, in order
	 */
	public FunctionHooks(Map<Long, String> hooked, LongPredicate code, LongSupplier position, Consumer<Event> sink) {
		this.functions = Map.copyOf(hooked);
		this.position = Objects.requireNonNull(position, "position");
		this.stacks = new ShadowStacks(functions.keySet(), Objects.requireNonNull(code, "code"), sink);
	}

	/** Hooks on the functions of the loaded program that {@code scope} selects. */
	public static FunctionHooks of(LoadedImage loaded, FunctionScope scope, LongSupplier position,
			Consumer<Event> sink) {
		return new FunctionHooks(scope.select(loaded), code(loaded), position, sink);
	}

	/**
	 * The program's code: its executable segments, within the span of its function symbols (sized or not: crtstuff's
	 * {@code frame_dummy} has no size, and the calls it makes return into it). The span keeps out what an older
	 * linker's layout put in the executable segment besides code (the ELF header, read-only data); an int3 there would
	 * change the guest's data.
	 */
	static LongPredicate code(LoadedImage loaded) {
		long low = Long.MAX_VALUE;
		long high = 0;
		for (Symbol s : loaded.symbols().functions()) {
			low = Math.min(low, s.address());
			high = Math.max(high, s.end());
		}
		List<long[]> ranges = new ArrayList<>();
		for (LoadSegment seg : loaded.image().loadSegments()) {
			if (seg.executable()) {
				long from = Math.max(seg.vaddr() + loaded.bias(), low);
				long to = Math.min(seg.end() + loaded.bias(), high);
				if (from < to) {
					ranges.add(new long[] { from, to });
				}
			}
		}
		return address -> {
			for (long[] r : ranges) {
				if (address >= r[0] && address < r[1]) {
					return true;
				}
			}
			return false;
		};
	}

	/**
	 * Every sized function (STT_FUNC with a size) by entry address; of aliases at one address (memcpy and
	 * __memcpy), the name with the fewest leading underscores, then the shortest, then the first alphabetically.
	 */
	public static Map<Long, String> sizedFunctions(SymbolTable symbols) {
		Comparator<String> preferred = Comparator.<String>comparingInt(FunctionHooks::underscores)
				.thenComparingInt(String::length).thenComparing(Comparator.naturalOrder());
		Map<Long, String> all = new TreeMap<>();
		for (Symbol s : symbols.functions()) {
			if (s.size() > 0 && !s.name().isEmpty()) {
				all.merge(s.address(), s.name(), (a, b) -> preferred.compare(a, b) <= 0 ? a : b);
			}
		}
		return all;
	}

	private static int underscores(String name) {
		int i = 0;
		while (i < name.length() && name.charAt(i) == '_') {
			i++;
		}
		return i;
	}

	/** The functions hooked: entry address to name. */
	public Map<Long, String> functions() {
		return functions;
	}

	@Override
	public Collection<Long> addresses() {
		return List.copyOf(functions.keySet());
	}

	@Override
	public void hit(int tid, long rip, Regs regs, Control control) {
		this.control = control;
		Long top = control.readable(regs.rsp) ? control.readU64(regs.rsp) : null;
		stacks.hit(tid, rip, regs.rsp, top, control.threadVirtualNanos(tid), position.getAsLong(), watches(control));
	}

	private static ShadowStacks.Watches watches(Control control) {
		return new ShadowStacks.Watches() {
			@Override
			public void watch(long va) {
				control.watch(va);
			}

			@Override
			public void unwatch(long va) {
				control.unwatch(va);
			}
		};
	}

	@Override
	public void threadExited(int tid) {
		if (control != null) {
			stacks.threadExited(tid, control.threadVirtualNanos(tid), position.getAsLong(), watches(control));
		}
	}

	/**
	 * The run is over: frames still open (the threads alive at exit_group, a main that called exit) end at their
	 * thread's last clock. The machine has ended, so no watch is changed.
	 */
	public void runEnded() {
		Control c = control;
		stacks.runEnded(tid -> c == null ? 0 : c.threadVirtualNanos(tid), position.getAsLong());
	}

}
