package org.insight.vmm.machine;

import static org.insight.vmm.machine.LoopFixture.CHILD_STACK;
import static org.insight.vmm.machine.LoopFixture.DATA;
import static org.insight.vmm.machine.LoopFixture.MAIN;
import static org.insight.vmm.machine.LoopFixture.TEXT;
import static org.insight.vmm.machine.ScriptedCpu.exception;
import static org.insight.vmm.machine.ScriptedCpu.expect;
import static org.insight.vmm.machine.ScriptedCpu.interrupt;
import static org.insight.vmm.machine.ScriptedCpu.jump;
import static org.insight.vmm.machine.ScriptedCpu.syscall;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import org.insight.kvm.Regs;
import org.insight.symbols.Symbol;
import org.insight.symbols.SymbolTable;
import org.insight.vmm.code.LockStubCode;
import org.insight.vmm.inputs.Preemption;
import org.insight.vmm.inputs.SyncPoint;
import org.insight.vmm.linux.Syscalls;
import org.insight.vmm.memory.MachineLayout;
import org.insight.vmm.memory.PageTables;
import org.insight.vmm.sched.LockFunctions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code --mode locks} through lock-call stubs ({@link LockStubs}), with the scripted vCPU: the entry's jmp into the
 * stub, the stub's bytes, a lock call that is one #BP and goes on after the stub's int3 without a step (also after a
 * switch to another thread), a kick at a stubbed entry that is no preemption, the observer served at the function's
 * address, a fault in a moved instruction at the guest's own address, a replay's landmark inside the jmp that puts an
 * int3 back, and the guest's bytes at the end.
 */
class LockStubTest {
	static final long LOCK = TEXT + 0x300;
	static final long UNLOCK = TEXT + 0x340;
	static final long MUTEX = DATA + 0x100;
	/** endbr64 ; mov eax, 1 ; ret: the first two move (9 bytes). */
	static final byte[] LOCK_CODE = HexFormat.of().parseHex("f30f1efa" + "b801000000" + "c3");
	/** mov eax, 1 ; ret: the first moves (5 bytes). */
	static final byte[] UNLOCK_CODE = HexFormat.of().parseHex("b801000000" + "c3");

	private LoopFixture f;

	@AfterEach
	void close() {
		if (f != null) {
			f.close();
		}
	}

	private static List<Symbol> symbols() {
		return List.of(new Symbol("pthread_mutex_lock", LOCK, 0x40, true), new Symbol("pthread_mutex_unlock", UNLOCK,
				0x40, true), new Symbol("main", MAIN, 0x100, true));
	}

	private LoopFixture machine(CodeObserver observer) {
		return machine(observer, null);
	}

	private LoopFixture machine(CodeObserver observer,
			java.util.function.Supplier<org.insight.vmm.inputs.LockCallCountdown> countdown) {
		byte[] text = new byte[0x400];
		System.arraycopy(LOCK_CODE, 0, text, (int) (LOCK - TEXT), LOCK_CODE.length);
		System.arraycopy(UNLOCK_CODE, 0, text, (int) (UNLOCK - TEXT), UNLOCK_CODE.length);
		f = new LoopFixture(16, LockFunctions.find(SymbolTable.of(symbols())), text, observer, symbols(), countdown);
		return f;
	}

	/** An observer of the lock function's entry, which hands each hit to {@code onHit}. */
	private static CodeObserver watchingLock(java.util.function.BiConsumer<Long, Regs> onHit) {
		return new CodeObserver() {
			@Override
			public java.util.Collection<Long> addresses() {
				return List.of(LOCK);
			}

			@Override
			public void hit(int tid, long rip, Regs regs, Control control) {
				onHit.accept(rip, regs);
			}
		};
	}

	private byte[] codeAt(long va, int n) {
		return f.space.copyIn(va, n);
	}

	/** Where the jmp at {@code entry} leads: its stub. */
	private long stubOf(long entry) {
		byte[] jmp = codeAt(entry, 5);
		assertEquals((byte) 0xe9, jmp[0], "a jmp at the entry");
		return entry + 5 + java.nio.ByteBuffer.wrap(jmp, 1, 4).order(java.nio.ByteOrder.LITTLE_ENDIAN).getInt();
	}

	/**
	 * The thread calls the function at {@code fn} with {@code rdi}: it jumps into the stub, which stops at an int3
	 * (its watch byte, or its stop path once the countdown runs out; the fixture's inputs make every call a sync
	 * point), as {@link StubCalls} does what the stub's code would.
	 */
	private ScriptedCpu.Step call(long fn, long rdi) {
		return StubCalls.call(f, stubOf(fn), rdi, null);
	}

	private List<SyncPoint> lockCalls() {
		return f.inputs.syncPoints().stream().filter(p -> p.kind() == SyncPoint.Kind.LOCK_CALL).toList();
	}

	@Test
	void aLockCallIsOneBreakpointInItsStubAndTheThreadGoesOnAfterIt() {
		machine(CodeObserver.NONE);
		long lockStub = stubOf(LOCK);
		assertTrue(MachineLayout.isKernelArea(lockStub), Long.toHexString(lockStub));
		assertEquals(PageTables.U, f.space.pageTables().entry(MachineLayout.LOCK_STUBS) & PageTables.U);
		long moved = org.insight.vmm.code.LockStubCode.movedAt(lockStub);
		byte[] stub = new byte[14];
		for (int i = 0; i < stub.length; i++) {
			stub[i] = f.memory.getByte(moved + i); // the kernel area is identity-mapped
		}
		assertEquals((byte) 0x90, f.memory.getByte(lockStub), "unwatched: a nop where the watch int3 would be");
		assertArrayEquals(HexFormat.of().parseHex("f30f1efa" + "b801000000" + "e9"), java.util.Arrays.copyOf(stub, 10),
				"the moved instructions and a jmp back");
		long back = moved + 14 + java.nio.ByteBuffer.wrap(stub, 10, 4).order(java.nio.ByteOrder.LITTLE_ENDIAN)
				.getInt();
		assertEquals(LOCK + 9, back, "the jmp back goes after the moved run");
		f.cpu.then(call(LOCK, MUTEX), expect(cpu -> {
			assertEquals(moved, cpu.live.rip, "on in the moved instructions");
			assertEquals(0, cpu.live.rflags & CodeBreakpoints.TF, "without a step");
		}, jump(LOCK + 9, call(UNLOCK, MUTEX))), expect(cpu -> assertEquals(org.insight.vmm.code.LockStubCode
				.movedAt(stubOf(UNLOCK)), cpu.live.rip), syscall(Syscalls.EXIT_GROUP, 0)));
		f.run();

		List<SyncPoint> locks = lockCalls();
		assertEquals(2, locks.size(), locks.toString());
		assertArrayEquals(new long[] { LOCK, MUTEX }, locks.get(0).args(), "the sync point names the function");
		assertArrayEquals(new long[] { UNLOCK, MUTEX }, locks.get(1).args());
		assertEquals(Map.of("pthread_mutex_lock", 1L, "pthread_mutex_unlock", 1L), f.stats.lockCalls());
		assertEquals(2, f.stats.exceptions(ExceptionVectors.BP));
		assertEquals(0, f.stats.exceptions(ExceptionVectors.DB), "no step");
		assertEquals(2, f.stats.lockStubs());
		assertTrue(f.stats.format().contains("2 of the functions through a stub"), f.stats.format());
		assertArrayEquals(LOCK_CODE, codeAt(LOCK, LOCK_CODE.length), "the end of the run puts the guest's bytes back");
		assertArrayEquals(UNLOCK_CODE, codeAt(UNLOCK, UNLOCK_CODE.length));
	}

	/**
	 * With a countdown, most calls go through the stub without an exit: only those where it runs out are sync points,
	 * and a full ring stops the thread without one. Every call is still counted, from the ring.
	 */
	@Test
	void onlyTheCallsWhereTheCountdownRunsOutAreSyncPoints() {
		java.util.function.Supplier<org.insight.vmm.inputs.LockCallCountdown> rule = () -> org.insight.vmm.inputs
				.LockCallCountdown.of(org.insight.vmm.inputs.LockCallCountdown.GEOMETRIC, java.util.OptionalLong.empty());
		machine(CodeObserver.NONE, rule);
		int n = 1500;
		// What the stubs and the VMM must do, worked out alone: the distances, the ring's room, the stops.
		org.insight.vmm.inputs.LockCallCountdown c = rule.get();
		long count = c.next();
		long room = org.insight.vmm.code.LockStubCode.RING_ENTRIES;
		List<Long> expected = new ArrayList<>();
		int full = 0;
		for (int i = 0; i < n; i++) {
			if (--count == 0) {
				expected.add(i % 2 == 0 ? LOCK : UNLOCK);
				count = c.next();
				room = org.insight.vmm.code.LockStubCode.RING_ENTRIES;
			} else if (--room == 0) {
				full++;
				room = org.insight.vmm.code.LockStubCode.RING_ENTRIES;
			}
		}
		assertTrue(expected.size() > 5 && expected.size() < n / 10, expected.size() + " sync points");
		f.cpu.then(calls(n, syscall(Syscalls.EXIT_GROUP, 0)));
		f.run();
		assertEquals(expected, lockCalls().stream().map(p -> p.args()[0]).toList(), "the sync points");
		assertEquals(n, f.stats.lockCallCount(), "every call counted");
		assertEquals(expected.size(), f.stats.lockSyncPoints());
		assertEquals(expected.size() + full, f.stats.exceptions(ExceptionVectors.BP), "an exception only at a stop");
		assertTrue(f.stats.format().contains("sync points at " + expected.size() + " of the calls; the stubs' ring was "
				+ "full " + full + " times"), f.stats.format());
	}

	/**
	 * The calls the VMM counts (at a watched stub's first byte, as at an int3) and those the stubs count share one
	 * countdown, with the same arithmetic: the sync points are where it runs out, whichever counted the call.
	 */
	@Test
	void watchedCallsAndStubCallsShareTheCountdown() {
		java.util.function.Supplier<org.insight.vmm.inputs.LockCallCountdown> rule = () -> org.insight.vmm.inputs
				.LockCallCountdown.of(org.insight.vmm.inputs.LockCallCountdown.GEOMETRIC, java.util.OptionalLong.of(7));
		machine(watchingLock((rip, regs) -> assertEquals(LOCK, rip)), rule);
		int n = 400;
		org.insight.vmm.inputs.LockCallCountdown c = rule.get();
		long count = c.next();
		List<Long> expected = new ArrayList<>();
		for (int i = 0; i < n; i++) {
			if (--count == 0) {
				expected.add(i % 2 == 0 ? LOCK : UNLOCK);
				count = c.next();
			}
		}
		assertTrue(expected.size() > 20, expected.size() + " sync points");
		ScriptedCpu.Step next = syscall(Syscalls.EXIT_GROUP, 0);
		for (int i = n - 1; i >= 0; i--) {
			ScriptedCpu.Step after = next;
			next = i % 2 == 0 ? cpu -> {
				org.insight.kvm.Exit e = StubCalls.call(f, stubOf(LOCK), MUTEX, null).apply(cpu); // the watch byte
				cpu.script.addFirst(expect(c2 -> assertEquals(LockStubCode.movedAt(stubOf(LOCK)), c2.live.rip,
						"on in the moved instructions"), after));
				return e;
			} : cpu -> StubCalls.call(f, stubOf(UNLOCK), MUTEX, after).apply(cpu);
		}
		f.cpu.then(next);
		f.run();
		assertEquals(expected, lockCalls().stream().map(p -> p.args()[0]).toList(), "the sync points");
		assertEquals(n, f.stats.lockCallCount(), "every call counted once");
		assertEquals(n / 2 + expected.stream().filter(a -> a == UNLOCK).count(), f.stats.exceptions(
				ExceptionVectors.BP), "every watched call, and the stubs' calls where the countdown ran out");
	}

	/** {@code n} calls, lock and unlock in turn, each through its stub; then {@code end}. */
	private ScriptedCpu.Step calls(int n, ScriptedCpu.Step end) {
		ScriptedCpu.Step next = end;
		for (int i = n - 1; i >= 0; i--) {
			long fn = i % 2 == 0 ? LOCK : UNLOCK;
			ScriptedCpu.Step after = next;
			next = cpu -> StubCalls.call(f, stubOf(fn), MUTEX, after).apply(cpu);
		}
		return next;
	}

	/** A full ring stops the thread so that the VMM drains it: no sync point, and no call lost. */
	@Test
	void aFullRingIsDrainedWithoutASyncPoint() {
		machine(CodeObserver.NONE);
		int n = 2 * org.insight.vmm.code.LockStubCode.RING_ENTRIES + 7;
		f.cpu.then(expect(cpu -> f.memory.putLong(MachineLayout.LOCK_DATA + org.insight.vmm.code.LockStubCode.COUNT,
				n + 1), calls(n, syscall(Syscalls.EXIT_GROUP, 0)))); // (as a countdown far away would)
		f.run();
		assertEquals(List.of(), lockCalls());
		assertEquals(n, f.stats.lockCallCount());
		assertEquals(2, f.stats.exceptions(ExceptionVectors.BP), "the ring held 240 calls each time");
	}

	/**
	 * A kick that lands while a stub appends its call (RCX holds the ring's head, not yet written back) leaves the ring
	 * alone. Drained and reset there, the stub's write-back of the head it read would bring back the calls drained
	 * already (counted twice, and fed twice to the mutexes' owners, in a recording and not in its replay, whose kicks
	 * land elsewhere), and the room, reset to a whole ring, would let the stub write past the end of the page.
	 */
	@Test
	void aKickWhileAStubAppendsItsCallLeavesTheRingAlone() {
		machine(CodeObserver.NONE);
		long data = MachineLayout.LOCK_DATA;
		long stub = stubOf(LOCK);
		// The stub from its first byte to right after mov rcx, [HEAD], with the kick there; then the rest of it.
		ScriptedCpu.Step rest = cpu -> {
			org.insight.kvm.GuestMemory m = f.memory;
			assertEquals(stub + 1 + 8 + 8, cpu.live.rip, "the kick left the thread where it was, in the stub");
			long head = cpu.live.rcx;
			m.putLong(head, cpu.live.rdi);
			m.putLong(head + 8, m.getInt(stub + LockStubCode.ID_OFFSET));
			m.putLong(data + LockStubCode.HEAD, head + LockStubCode.ENTRY);
			for (int slot : new int[] { LockStubCode.COUNT, LockStubCode.ROOM }) {
				long left = m.getLong(data + slot) - 1;
				m.putLong(data + slot, left);
				assertTrue(left != 0, "no stop");
			}
			long end = data + MachineLayout.PAGE_SIZE;
			assertTrue(m.getLong(data + LockStubCode.HEAD) + m.getLong(data + LockStubCode.ROOM) * LockStubCode.ENTRY
					<= end, "the ring's room fits in the page");
			cpu.live.rcx = m.getLong(data + LockStubCode.SAVE);
			cpu.live.rip = LockStubCode.movedAt(stub);
			return syscall(Syscalls.EXIT_GROUP, 0).apply(cpu);
		};
		ScriptedCpu.Step kicked = cpu -> {
			org.insight.kvm.GuestMemory m = f.memory;
			cpu.live.rdi = MUTEX;
			m.putLong(data + LockStubCode.SAVE, cpu.live.rcx);
			cpu.live.rcx = m.getLong(data + LockStubCode.HEAD);
			cpu.live.rip = stub + 1 + 8 + 8;
			cpu.script.addFirst(rest);
			return interrupt().apply(cpu);
		};
		f.cpu.then(expect(cpu -> f.memory.putLong(data + LockStubCode.COUNT, 1000), calls(5, kicked)));
		f.run();
		assertEquals(Map.of("pthread_mutex_lock", 4L, "pthread_mutex_unlock", 2L), f.stats.lockCalls(),
				"each call counted once");
		assertEquals(0, f.stats.exceptions(ExceptionVectors.BP));
	}

	@Test
	void aThreadSwitchedOutAtAStubGoesOnAfterItsInt3WhenItRunsAgain() {
		machine(CodeObserver.NONE);
		long tidWord = DATA + 0x200;
		f.switchAtLockCalls();
		f.cpu.then(syscall(Syscalls.CLONE, VcpuLoopTest.CLONE_PTHREAD, CHILD_STACK, tidWord, tidWord, 0),
				call(LOCK, MUTEX), expect(cpu -> {
					assertEquals(CHILD_STACK, cpu.live.rsp, "the child runs");
					assertEquals(LOCK, f.scheduler.liveThreads().stream().filter(t -> t.tid() == 1000).findFirst()
							.orElseThrow().regs().rip, "the first thread's saved RIP is the function's");
				}, call(LOCK, MUTEX)), expect(cpu -> {
					assertEquals(LoopFixture.STACK_TOP - 0x100, cpu.live.rsp, "the first thread again");
					assertEquals(org.insight.vmm.code.LockStubCode.movedAt(stubOf(LOCK)), cpu.live.rip,
							"in the moved instructions");
					assertEquals(0, cpu.live.rflags & CodeBreakpoints.TF);
				}, syscall(Syscalls.EXIT_GROUP, 0)));
		f.run();
		assertEquals(List.of(1000, 1001), lockCalls().stream().map(SyncPoint::tid).toList());
		assertEquals(0, f.stats.exceptions(ExceptionVectors.DB));
	}

	/**
	 * The ring's calls are the thread's that made them, though the machine learns of them while following the decision
	 * at the sync point, when the scheduler's current thread is the next one already (a review of the nested run:
	 * musl's normal-mutex owners were given to the wrong thread, and an early deadlock went unseen).
	 */
	@Test
	void theRingsCallsAreToldAsTheCallingThreads() {
		machine(CodeObserver.NONE);
		List<String> told = new ArrayList<>();
		f.scheduler.mutexOwners(new org.insight.vmm.sched.MutexOwners() {
			@Override
			public java.util.Optional<org.insight.vmm.sched.MutexWait> waitOf(org.insight.vmm.sched.GuestThread t,
					java.util.function.IntPredicate stuck) {
				return java.util.Optional.empty();
			}

			@Override
			public void lockCall(org.insight.vmm.sched.GuestThread t, org.insight.vmm.sched.LockFunction fn, long lock) {
				told.add(t.tid() + " " + fn.name());
			}
		});
		long tidWord = DATA + 0x200;
		f.switchAtLockCalls();
		f.cpu.then(syscall(Syscalls.CLONE, VcpuLoopTest.CLONE_PTHREAD, CHILD_STACK, tidWord, tidWord, 0),
				call(LOCK, MUTEX), call(UNLOCK, MUTEX), syscall(Syscalls.EXIT_GROUP, 0));
		f.run();
		assertEquals(List.of(1000, 1001), lockCalls().stream().map(SyncPoint::tid).toList(), "a switch at each call");
		assertEquals(List.of("1000 pthread_mutex_lock", "1001 pthread_mutex_unlock"), told);
	}

	@Test
	void aKickAtAStubbedEntryOrInsideTheStubIsNoPreemption() {
		machine(CodeObserver.NONE);
		f.inputs.preempt = (p, others) -> true;
		f.cpu.then(jump(LOCK, interrupt()), jump(stubOf(LOCK) + 1, interrupt()), syscall(Syscalls.EXIT_GROUP, 0));
		f.run();
		assertEquals(0, f.inputs.asked(Preemption.class).size(), "no landmark at a stubbed entry or in a stub");
	}

	@Test
	void theObserverSeesAStubbedEntryAtTheFunctionsAddress() {
		List<Long> hits = new ArrayList<>();
		machine(watchingLock((rip, regs) -> {
			assertEquals(rip, regs.rip);
			assertEquals(MUTEX, regs.rdi);
			hits.add(rip);
		}));
		f.cpu.then(call(LOCK, MUTEX), syscall(Syscalls.EXIT_GROUP, 0));
		f.run();
		assertEquals(List.of(LOCK), hits);
		assertEquals(1, f.stats.exceptions(ExceptionVectors.BP), "the stub's int3 served both");
	}

	@Test
	void aFaultInAMovedInstructionIsAtTheGuestsAddress() {
		machine(CodeObserver.NONE);
		f.cpu.then(jump(org.insight.vmm.code.LockStubCode.movedAt(stubOf(UNLOCK)), exception(ExceptionVectors.UD, 0,
				0)));
		f.run();
		String ending = f.loop.ending().orElseThrow().toString();
		assertTrue(ending.contains(String.format("rip 0x%x", UNLOCK)), ending);
	}

	/**
	 * A replay learns of a landmark only once the sync point before it is consumed: for a landmark inside the first
	 * instructions (an int3 recording, preempted right after its step), that is the lock call's own. The thread must
	 * still execute them in place, stepped over the entry's int3, to meet it.
	 */
	@Test
	void aLandmarkInsideTheJmpPlannedAtTheLockCallItselfIsStillReached() {
		machine(CodeObserver.NONE);
		f.inputs.schedule = (p, runnable) -> {
			if (p.kind() == SyncPoint.Kind.LOCK_CALL) {
				Regs r = f.scheduler.current().regs().copy(); // (plannedAt would change the thread's saved RIP)
				r.rip = LOCK + 4;
				f.inputs.planned = new Preemption(1000, 0, new org.insight.vmm.inputs.Landmark(r, f.scheduler.current()
						.fsBase(), f.loop.stackDigest(r.rsp)), false); // the next frame: a preemption after endbr64
			}
			return runnable.contains(p.tid()) ? p.tid() : runnable.get(0);
		};
		f.cpu.then(call(LOCK, MUTEX), expect(cpu -> {
			assertEquals(LOCK, cpu.live.rip, "the thread must execute its first instruction in place to meet the landmark"
					+ " (it was sent to 0x" + Long.toHexString(cpu.live.rip) + ")");
			assertEquals(CodeBreakpoints.TF, cpu.live.rflags & CodeBreakpoints.TF, "stepping over the entry's int3");
			assertEquals((byte) 0xf3, codeAt(LOCK, 1)[0], "the guest's byte runs");
		}, syscall(Syscalls.EXIT_GROUP, 0)));
		f.run();
	}

	@Test
	void aLandmarkInsideTheJmpPutsAnInt3AtTheEntry() {
		machine(CodeObserver.NONE);
		f.inputs.planned = f.plannedAt(1000, LOCK + 4, 0); // after endbr64: recorded with an int3 at the entry
		f.cpu.then(expect(cpu -> {
			assertEquals(CodeBreakpoints.INT3, codeAt(LOCK, 1)[0], "an int3 at the entry again");
			assertEquals(CodeBreakpoints.INT3, codeAt(LOCK + 4, 1)[0], "and at the landmark");
			assertEquals(0x0f, codeAt(LOCK + 1, 1)[0], "the rest is the guest's");
		}, syscall(Syscalls.EXIT_GROUP, 0)));
		f.run();
		assertArrayEquals(LOCK_CODE, codeAt(LOCK, LOCK_CODE.length));
	}
}
