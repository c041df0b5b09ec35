package org.insight.analysis.profile;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.LongPredicate;

import org.insight.analysis.Event;
import org.insight.analysis.Event.FrameEnd;

/**
 * One shadow stack per thread: which function frames are open, decided from the hooks' hits alone (no stack scan),
 * and turned into balanced {@link Event.FunctionEntered} and {@link Event.FunctionExited} events.
 * <p>
 * A frame opens at a function's entry, where {@code [RSP]} is its return address, which is then watched. It ends:
 * <ul>
 * <li><b>returned</b>: a hit at its return address with RSP one word above its entry's RSP (recursion and other
 * threads at the same address have another RSP, so they are not taken for it). Deeper frames still open then were
 * left without a return (a longjmp inside it) and end with it, innermost first, as unwound;</li>
 * <li><b>tail-called</b>: an entry whose RSP and {@code [RSP]} are the top frame's own (it popped its frame and
 * jumped): the callee takes its place, with the same return;</li>
 * <li><b>unwound</b>: an entry with RSP above a frame's entry RSP (its stack is gone: a longjmp or an unwinding).
 * A top frame at the entry's very RSP with another return address is gone too, and so is one at that RSP when
 * deeper frames were found gone at the same hit (a longjmp out of a callee, then a call from the same site);</li>
 * <li><b>thread exited</b> or <b>run ended</b>: every frame still open, innermost first.</li>
 * </ul>
 * A return address is watched only when it lies in the program's code ({@code _start} has argc at {@code [RSP]},
 * and an int3 there would corrupt data); a frame whose return is not watched ends only in one of the other ways. Threads that switch stacks
 * themselves (makecontext, coroutines) are not followed.
 */
final class ShadowStacks {
	/** The return-address watches, counted as the machine's are. */
	interface Watches {
		void watch(long va);

		void unwatch(long va);

		/** Watches that cannot be changed any more (the machine has ended). */
		Watches NONE = new Watches() {
			@Override
			public void watch(long va) {
			}

			@Override
			public void unwatch(long va) {
			}
		};
	}

	private record Frame(long function, long entryRsp, long returnAddress, boolean watched) {
	}

	private final Set<Long> entries;
	private final LongPredicate inCode;
	private final Consumer<Event> sink;
	private final Map<Integer, Deque<Frame>> stacks = new HashMap<>();

	/**
	 * @param entries the hooked function entries
	 * @param inCode  whether an address lies in the program's code (may be watched)
	 * @param sink    where the events go, in order
	 */
	ShadowStacks(Set<Long> entries, LongPredicate inCode, Consumer<Event> sink) {
		this.entries = Set.copyOf(entries);
		this.inCode = Objects.requireNonNull(inCode, "inCode");
		this.sink = Objects.requireNonNull(sink, "sink");
	}

	/**
	 * Thread {@code tid} is at a hooked address.
	 *
	 * @param top      the word at {@code [rsp]}, or null when it cannot be read
	 * @param now      the thread's own virtual clock
	 * @param position the trace position
	 */
	void hit(int tid, long rip, long rsp, Long top, long now, long position, Watches watches) {
		Deque<Frame> stack = stacks.computeIfAbsent(tid, t -> new ArrayDeque<>());
		if (returned(tid, stack, rip, rsp, now, position, watches) || !entries.contains(rip)) {
			return;
		}
		boolean gone = false;
		while (!stack.isEmpty() && stack.peek().entryRsp < rsp) {
			end(tid, stack, FrameEnd.UNWOUND, now, position, watches);
			gone = true;
		}
		if (!stack.isEmpty() && stack.peek().entryRsp == rsp) {
			boolean tail = !gone && top != null && stack.peek().returnAddress == top;
			end(tid, stack, tail ? FrameEnd.TAIL_CALLED : FrameEnd.UNWOUND, now, position, watches);
		}
		long ret = top == null ? 0 : top;
		boolean watch = top != null && inCode.test(ret);
		stack.push(new Frame(rip, rsp, ret, watch));
		if (watch) {
			watches.watch(ret);
		}
		sink.accept(new Event.FunctionEntered(position, tid, rip, now));
	}

	/** Ends the frame that returns here, if one does, and every frame above it. */
	private boolean returned(int tid, Deque<Frame> stack, long rip, long rsp, long now, long position,
			Watches watches) {
		int depth = 0;
		for (Iterator<Frame> it = stack.iterator(); it.hasNext(); depth++) {
			Frame f = it.next(); // innermost first: entry RSPs only grow from here
			if (f.entryRsp + 8 > rsp) {
				return false;
			}
			if (f.entryRsp + 8 == rsp && f.watched && f.returnAddress == rip) {
				for (int i = 0; i < depth; i++) {
					end(tid, stack, FrameEnd.UNWOUND, now, position, watches);
				}
				end(tid, stack, FrameEnd.RETURNED, now, position, watches);
				return true;
			}
		}
		return false;
	}

	private void end(int tid, Deque<Frame> stack, FrameEnd how, long now, long position, Watches watches) {
		Frame f = stack.pop();
		if (f.watched) {
			watches.unwatch(f.returnAddress);
		}
		sink.accept(new Event.FunctionExited(position, tid, f.function, now, how));
	}

	/** Thread {@code tid} ended: its open frames end, innermost first. */
	void threadExited(int tid, long now, long position, Watches watches) {
		Deque<Frame> stack = stacks.remove(tid);
		while (stack != null && !stack.isEmpty()) {
			end(tid, stack, FrameEnd.THREAD_EXITED, now, position, watches);
		}
	}

	/** The run ended: every frame still open ends, thread by thread in tid order, at {@code clock}'s time. */
	void runEnded(java.util.function.IntToLongFunction clock, long position) {
		List<Integer> tids = new ArrayList<>(stacks.keySet());
		tids.sort(null);
		for (int tid : tids) {
			Deque<Frame> stack = stacks.remove(tid);
			long now = clock.applyAsLong(tid);
			while (!stack.isEmpty()) {
				end(tid, stack, FrameEnd.RUN_ENDED, now, position, Watches.NONE);
			}
		}
	}

	/** How many frames thread {@code tid} has open. */
	int depth(int tid) {
		Deque<Frame> s = stacks.get(tid);
		return s == null ? 0 : s.size();
	}
}
