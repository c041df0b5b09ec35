package org.insight.analysis.profile;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.insight.analysis.Event;
import org.junit.jupiter.api.Test;

/** The shadow stack on synthetic hits: what a thread does, as the hooks see it (RIP, RSP, [RSP]). */
class ShadowStacksTest {
	static final long MAIN = 0x401000, FIB = 0x401100, A = 0x401200, B = 0x401300, DEEP = 0x401400,
			LONGJMP = 0x401500;
	/** Return addresses: inside the functions' code. */
	static final long IN_MAIN = MAIN + 0x10, IN_MAIN2 = MAIN + 0x20, IN_FIB = FIB + 0x10, IN_FIB2 = FIB + 0x18,
			IN_DEEP = DEEP + 0x10;

	final List<String> log = new ArrayList<>();
	final Map<Long, Integer> watched = new HashMap<>();
	final ShadowStacks.Watches watches = new ShadowStacks.Watches() {
		@Override
		public void watch(long va) {
			watched.merge(va, 1, Integer::sum);
		}

		@Override
		public void unwatch(long va) {
			watched.merge(va, -1, Integer::sum);
			watched.remove(va, 0);
		}
	};
	final ShadowStacks stacks = new ShadowStacks(Set.of(MAIN, FIB, A, B, DEEP, LONGJMP),
			a -> a >= 0x401000 && a < 0x402000 && !Set.of(MAIN, FIB, A, B, DEEP, LONGJMP).contains(a), e -> {
				if (e instanceof Event.FunctionEntered f) {
					log.add(f.tid() + " enter " + Long.toHexString(f.function()) + " @" + f.threadNanos());
				} else if (e instanceof Event.FunctionExited x) {
					log.add(x.tid() + " exit " + Long.toHexString(x.function()) + " " + x.how() + " @"
							+ x.threadNanos());
				}
			});
	long now;

	/** Thread {@code tid} enters {@code function} with RSP {@code rsp} and return address {@code ret}. */
	void call(int tid, long function, long rsp, Long ret) {
		stacks.hit(tid, function, rsp, ret, ++now, 0, watches);
	}

	/** Thread {@code tid} is back at {@code ret} with RSP {@code rsp} (after a ret, or a longjmp). */
	void back(int tid, long ret, long rsp) {
		stacks.hit(tid, ret, rsp, null, ++now, 0, watches);
	}

	@Test
	void aCallAndItsReturn() {
		call(1, MAIN, 0x7000, 1L); // _start-like: [rsp] is not code, nothing is watched
		call(1, A, 0x6ff0, IN_MAIN);
		assertEquals(Map.of(IN_MAIN, 1), watched);
		back(1, IN_MAIN, 0x6ff8);
		assertEquals(Map.of(), watched);
		assertEquals(List.of("1 enter 401000 @1", "1 enter 401200 @2", "1 exit 401200 RETURNED @3"), log);
		assertEquals(1, stacks.depth(1));
	}

	@Test
	void recursionReturnsEachFrameAtItsOwnRsp() {
		call(1, MAIN, 0x7000, 1L);
		call(1, FIB, 0x6ff0, IN_MAIN); // fib(2)
		call(1, FIB, 0x6fe0, IN_FIB); // fib(1)
		back(1, IN_FIB, 0x6fe8);
		call(1, FIB, 0x6fe0, IN_FIB2); // fib(0), from the second call site
		back(1, IN_FIB2, 0x6fe8);
		// The same return address, hit by another frame's RSP (an outer fib's), is not this frame's return.
		back(1, IN_FIB, 0x6ff8 + 0x40);
		assertEquals(2, stacks.depth(1));
		back(1, IN_MAIN, 0x6ff8);
		assertEquals(List.of("1 enter 401000 @1", "1 enter 401100 @2", "1 enter 401100 @3",
				"1 exit 401100 RETURNED @4", "1 enter 401100 @5", "1 exit 401100 RETURNED @6",
				"1 exit 401100 RETURNED @8"), log);
		assertEquals(Map.of(), watched);
	}

	@Test
	void aTailCallTakesItsCallersFrame() {
		call(1, MAIN, 0x7000, 1L);
		call(1, A, 0x6ff0, IN_MAIN);
		call(1, B, 0x6ff0, IN_MAIN); // A popped its frame and jumped: the same RSP and return address
		assertEquals(Map.of(IN_MAIN, 1), watched);
		back(1, IN_MAIN, 0x6ff8);
		assertEquals(List.of("1 enter 401000 @1", "1 enter 401200 @2", "1 exit 401200 TAIL_CALLED @3",
				"1 enter 401300 @3", "1 exit 401300 RETURNED @4"), log);
		assertEquals(Map.of(), watched);
	}

	@Test
	void aLongjmpUnwindsTheFramesItLeftAtTheNextReturn() {
		call(1, MAIN, 0x7000, 1L);
		call(1, A, 0x6ff0, IN_MAIN); // jumper: setjmp here, then deep(2)
		call(1, DEEP, 0x6fd0, IN_MAIN + 0x100); // a return address in A's code (A's range is not modelled)
		call(1, DEEP, 0x6fc0, IN_DEEP);
		call(1, DEEP, 0x6fb0, IN_DEEP);
		call(1, LONGJMP, 0x6fa0, IN_DEEP);
		back(1, IN_MAIN, 0x6ff8); // longjmp back into A, which then returns
		assertEquals(List.of("1 enter 401000 @1", "1 enter 401200 @2", "1 enter 401400 @3", "1 enter 401400 @4",
				"1 enter 401400 @5", "1 enter 401500 @6", "1 exit 401500 UNWOUND @7", "1 exit 401400 UNWOUND @7",
				"1 exit 401400 UNWOUND @7", "1 exit 401400 UNWOUND @7", "1 exit 401200 RETURNED @7"), log);
		assertEquals(Map.of(), watched);
	}

	@Test
	void aCallAfterALongjmpUnwindsTheFramesAboveIt() {
		call(1, MAIN, 0x7000, 1L);
		call(1, DEEP, 0x6ff0, IN_MAIN);
		call(1, DEEP, 0x6fe0, IN_DEEP);
		call(1, LONGJMP, 0x6fd0, IN_DEEP);
		// longjmp back into main, which calls A from the same call site as DEEP: not a tail call of DEEP's
		call(1, A, 0x6ff0, IN_MAIN);
		assertEquals(List.of("1 enter 401000 @1", "1 enter 401400 @2", "1 enter 401400 @3", "1 enter 401500 @4",
				"1 exit 401500 UNWOUND @5", "1 exit 401400 UNWOUND @5", "1 exit 401400 UNWOUND @5",
				"1 enter 401200 @5"), log);
		// and from another call site at the same depth: the frame there is gone too
		log.clear();
		call(1, B, 0x6ff0, IN_MAIN2);
		assertEquals(List.of("1 exit 401200 UNWOUND @6", "1 enter 401300 @6"), log);
		assertEquals(Map.of(IN_MAIN2, 1), watched);
	}

	@Test
	void threadsHaveTheirOwnStacksAndExitEndsTheirFrames() {
		call(1, MAIN, 0x7000, 1L);
		call(2, FIB, 0x5ff0, IN_MAIN); // thread 2 at thread 1's return address: another stack
		call(1, FIB, 0x6ff0, IN_MAIN);
		call(2, FIB, 0x5fe0, IN_FIB);
		back(2, IN_MAIN, 0x6ff8); // thread 2 at thread 1's return: not a return of thread 2's
		assertEquals(2, stacks.depth(2));
		stacks.threadExited(2, 100, 0, watches);
		assertEquals(List.of("1 enter 401000 @1", "2 enter 401100 @2", "1 enter 401100 @3", "2 enter 401100 @4",
				"2 exit 401100 THREAD_EXITED @100", "2 exit 401100 THREAD_EXITED @100"), log);
		assertEquals(Map.of(IN_MAIN, 1), watched);
		log.clear();
		stacks.runEnded(tid -> 200 + tid, 0);
		assertEquals(List.of("1 exit 401100 RUN_ENDED @201", "1 exit 401000 RUN_ENDED @201"), log);
	}

	@Test
	void anUnreadableReturnAddressIsNeverWatched() {
		call(1, MAIN, 0x7000, null);
		call(1, A, 0x6ff0, 0x7fff0000L); // a return address outside the code: not watched either
		assertEquals(Map.of(), watched);
		assertEquals(2, stacks.depth(1));
	}
}
