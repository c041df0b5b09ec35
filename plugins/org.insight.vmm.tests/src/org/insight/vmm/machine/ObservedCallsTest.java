package org.insight.vmm.machine;

import static org.insight.vmm.machine.LoopFixture.MAIN;
import static org.insight.vmm.machine.LoopFixture.STACK_TOP;
import static org.insight.vmm.machine.LoopFixture.TEXT;
import static org.insight.vmm.machine.ScriptedCpu.syscall;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

import org.insight.kvm.Regs;
import org.insight.symbols.Symbol;
import org.insight.symbols.SymbolTable;
import org.insight.vmm.code.LockStubCode;
import org.insight.vmm.code.X86Decoder;
import org.insight.vmm.linux.Syscalls;
import org.insight.vmm.sched.LockFunctions;
import org.insight.vmm.inputs.SyncPoint;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The calls an observer counts ({@link CodeObserver#countable}, ARCHITECTURE.md section 4, "hooks without exits"):
 * a stub at the entry appends them to the lock calls' ring, and the observer is told of them, in order, as the calling
 * thread's, at the next exit and before any hit; no call is a sync point that was not one already.
 */
class ObservedCallsTest {
	private static final long LOCK = LockStubTest.LOCK;
	private static final long UNLOCK = LockStubTest.UNLOCK;
	private static final long MUTEX = LockStubTest.MUTEX;
	/** The return address each call finds at [RSP]. */
	private static final long RETURN = MAIN + 0x20;
	private static final long RSP = STACK_TOP - 0x100;
	/** An address the observer watches with a site: a {@code mov eax, 1}. */
	private static final long WATCHED = TEXT + 0x380;

	private LoopFixture f;

	@AfterEach
	void close() {
		if (f != null) {
			f.close();
		}
	}

	/** What the observer heard, in order: "called fn rdi rsp ret" or "hit rip". */
	private final List<String> heard = new ArrayList<>();

	private CodeObserver counting(long... watchedToo) {
		return new CodeObserver() {
			@Override
			public Collection<Long> addresses() {
				List<Long> all = new ArrayList<>(List.of(LOCK, UNLOCK));
				for (long w : watchedToo) {
					all.add(w);
				}
				return all;
			}

			@Override
			public boolean countable(long va) {
				return va == LOCK || va == UNLOCK;
			}

			@Override
			public void hit(int tid, long rip, Regs regs, Control control) {
				heard.add(tid + " hit " + Long.toHexString(rip));
			}

			@Override
			public void called(int tid, long entry, long rdi, long rsp, long ret, Control control) {
				heard.add(tid + " called " + (entry == LOCK ? "lock" : "unlock") + " " + Long.toHexString(rdi) + " "
						+ Long.toHexString(rsp) + " " + Long.toHexString(ret));
			}
		};
	}

	private LoopFixture machine(LockFunctions locks, CodeObserver observer) {
		return machine(locks, observer, null);
	}

	private LoopFixture machine(LockFunctions locks, CodeObserver observer,
			java.util.function.Supplier<org.insight.vmm.inputs.LockCallCountdown> countdown) {
		assumeTrue(X86Decoder.shared() != null, "libcapstone 4 is not installed");
		byte[] text = new byte[0x400];
		System.arraycopy(LockStubTest.LOCK_CODE, 0, text, (int) (LOCK - TEXT), LockStubTest.LOCK_CODE.length);
		System.arraycopy(LockStubTest.UNLOCK_CODE, 0, text, (int) (UNLOCK - TEXT), LockStubTest.UNLOCK_CODE.length);
		System.arraycopy(LockStubTest.UNLOCK_CODE, 0, text, (int) (WATCHED - TEXT), 5); // mov eax, 1
		List<Symbol> symbols = List.of(new Symbol("pthread_mutex_lock", LOCK, 0x40, true), new Symbol(
				"pthread_mutex_unlock", UNLOCK, 0x40, true), new Symbol("main", MAIN, 0x100, true));
		f = new LoopFixture(16, locks, text, observer, symbols, countdown);
		f.space.writeU64(RSP, RETURN);
		return f;
	}

	private long stubOf(long entry) {
		byte[] jmp = f.space.copyIn(entry, 5);
		assertEquals((byte) 0xe9, jmp[0], "a jmp at the entry");
		return entry + 5 + java.nio.ByteBuffer.wrap(jmp, 1, 4).order(java.nio.ByteOrder.LITTLE_ENDIAN).getInt();
	}

	/** A call through the stub at {@code fn}, found when the step runs (the first run puts the observer's stubs in). */
	private ScriptedCpu.Step call(long fn, long rdi, ScriptedCpu.Step then) {
		return cpu -> StubCalls.call(f, stubOf(fn), rdi, then).apply(cpu);
	}

	private String called(String fn) {
		return "1000 called " + fn + " " + Long.toHexString(MUTEX) + " " + Long.toHexString(RSP) + " "
				+ Long.toHexString(RETURN);
	}

	@Test
	void withoutLockSyncPointsTheCallsGoThroughAnObservingStubWithNoExit() {
		machine(null, counting());
		f.cpu.then(ScriptedCpu.expect(cpu -> assertEquals((byte) 0x90, f.memory.getByte(stubOf(LOCK)),
				"no watch int3: the ring serves the observer"), call(LOCK, MUTEX, call(UNLOCK, MUTEX, syscall(
						Syscalls.GETPID)))), syscall(Syscalls.EXIT_GROUP, 0));
		f.run();
		assertEquals(List.of(called("lock"), called("unlock")), heard, "told at the syscall, in order");
		assertEquals(0, f.stats.exceptions(ExceptionVectors.BP), "no exit for either call");
		assertTrue(f.inputs.syncPoints().stream().noneMatch(p -> p.kind() == SyncPoint.Kind.LOCK_CALL));
		assertTrue(f.stats.lockCalls().isEmpty(), "no lock call of --mode locks: " + f.stats.lockCalls());
		assertEquals(0, f.stats.lockSyncPoints());
	}

	@Test
	void aFullRingStopsOnceAndEveryCallIsToldInOrder() {
		machine(null, counting());
		int calls = LockStubCode.RING_ENTRIES + 3;
		ScriptedCpu.Step next = syscall(Syscalls.GETPID);
		for (int i = calls - 1; i >= 0; i--) {
			next = call(i % 2 == 0 ? LOCK : UNLOCK, MUTEX, next);
		}
		f.cpu.then(next, syscall(Syscalls.EXIT_GROUP, 0));
		f.run();
		assertEquals(calls, heard.size(), heard.toString());
		for (int i = 0; i < calls; i++) {
			assertEquals(called(i % 2 == 0 ? "lock" : "unlock"), heard.get(i), "call " + i);
		}
		assertEquals(1, f.stats.exceptions(ExceptionVectors.BP), "one stop, when the ring was full");
		assertTrue(f.inputs.syncPoints().stream().noneMatch(p -> p.kind() == SyncPoint.Kind.LOCK_CALL));
	}

	@Test
	void inLocksModeTheCountingStubsCallsAreToldToTheObserverToo() {
		machine(LockFunctions.find(SymbolTable.of(List.of(new Symbol("pthread_mutex_lock", LOCK, 0x40, true),
				new Symbol("pthread_mutex_unlock", UNLOCK, 0x40, true)))), counting(), () -> org.insight.vmm.inputs
						.LockCallCountdown.of(org.insight.vmm.inputs.LockCallCountdown.GEOMETRIC, java.util.OptionalLong
								.empty()));
		f.cpu.then(call(LOCK, MUTEX, call(UNLOCK, MUTEX, syscall(Syscalls.GETPID))), syscall(Syscalls.EXIT_GROUP, 0));
		f.run();
		assertEquals(List.of(called("lock"), called("unlock")), heard);
		assertEquals(java.util.Map.of("pthread_mutex_lock", 1L, "pthread_mutex_unlock", 1L), f.stats.lockCalls(),
				"the lock calls of --mode locks are counted as before");
	}

	/**
	 * The statistics of {@code --mode locks} count its lock functions' stubs: an observing stub is none of them (with
	 * it counted, "through an int3" came out as hooked functions less all stubs, wrong or negative).
	 */
	@Test
	void anObservingStubIsNoLockFunctionsStubInTheStatistics() {
		machine(LockFunctions.find(SymbolTable.of(List.of(new Symbol("pthread_mutex_lock", LOCK, 0x40, true)))),
				counting(), () -> org.insight.vmm.inputs.LockCallCountdown.of(
						org.insight.vmm.inputs.LockCallCountdown.GEOMETRIC, java.util.OptionalLong.empty()));
		f.cpu.then(call(LOCK, MUTEX, call(UNLOCK, MUTEX, syscall(Syscalls.GETPID))), syscall(Syscalls.EXIT_GROUP, 0));
		f.run();
		assertEquals(List.of(called("lock"), called("unlock")), heard, "unlock through its observing stub");
		assertEquals(1, f.stats.lockHooks());
		assertEquals(1, f.stats.lockStubs(), "pthread_mutex_lock's stub; pthread_mutex_unlock's only observes");
	}

	/**
	 * A replay of a recording stopped from outside ends when its inputs run out, with an exception out of the loop (the
	 * replay's RecordingExhaustedException), here at a lock call's sync point, before any drain: the calls still in the
	 * ring are the observer's all the same, as their hits were with exact hooks.
	 */
	@Test
	void theCallsInTheRingAreToldWhenTheInputsEndTheRun() {
		machine(LockFunctions.find(SymbolTable.of(List.of(new Symbol("pthread_mutex_lock", LOCK, 0x40, true)))),
				counting()); // every lock call a sync point
		f.inputs.schedule = (p, runnable) -> {
			if (p.kind() == SyncPoint.Kind.LOCK_CALL) {
				throw new IllegalStateException("the recording has no more frames");
			}
			return runnable.contains(p.tid()) ? p.tid() : runnable.get(0);
		};
		f.cpu.then(call(UNLOCK, MUTEX, call(LOCK, MUTEX, null)));
		org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class, f::run);
		assertEquals(List.of(called("unlock"), called("lock")), heard);
	}

	@Test
	void aHitComesAfterTheCallsMadeBeforeIt() {
		machine(null, counting(WATCHED));
		f.cpu.then(call(LOCK, MUTEX, ScriptedCpu.jump(WATCHED + 1, ScriptedCpu.exception(ExceptionVectors.BP, 0, 0))),
				ScriptedCpu.jump(WATCHED + 5, ScriptedCpu.exception(ExceptionVectors.DB, 0, 0)), syscall(
						Syscalls.EXIT_GROUP, 0));
		f.run();
		assertEquals(List.of(called("lock"), "1000 hit " + Long.toHexString(WATCHED)), heard);
	}
}
