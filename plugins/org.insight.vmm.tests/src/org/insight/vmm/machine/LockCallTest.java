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
import static org.insight.vmm.machine.ScriptedCpu.trapThenKick;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.insight.symbols.Symbol;
import org.insight.symbols.SymbolTable;
import org.insight.vmm.inputs.Preemption;
import org.insight.vmm.inputs.SyncPoint;
import org.insight.vmm.linux.Syscalls;
import org.insight.vmm.sched.LockFunctions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code --mode locks} with the scripted vCPU: the int3 at each lock function's entry, the sync point it makes (with
 * the lock as argument), the step over the first instruction when the thread goes on, and kicks that must not
 * interfere.
 */
class LockCallTest {
	static final long LOCK = TEXT + 0x300;
	static final long UNLOCK = TEXT + 0x340;
	static final long MUTEX = DATA + 0x100;
	/** {@code endbr64}, as glibc's functions start. */
	static final byte[] ENDBR64 = { (byte) 0xF3, 0x0F, 0x1E, (byte) 0xFA };
	/** {@code mov eax, 1}. */
	static final byte[] MOV = { (byte) 0xB8, 1, 0, 0, 0 };
	/** The first thread's RSP as the fixture starts it. */
	static final long LOCK_CALLER_RSP = LoopFixture.STACK_TOP - 0x100;

	private LoopFixture f;

	@AfterEach
	void close() {
		if (f != null) {
			f.close();
		}
	}

	private static LockFunctions functions() {
		return LockFunctions.find(SymbolTable.of(List.of(new Symbol("pthread_mutex_lock", LOCK, 0x40, true),
				new Symbol("__pthread_mutex_lock", LOCK, 0x40, true),
				new Symbol("pthread_mutex_unlock", UNLOCK, 0x40, true), new Symbol("main", MAIN, 0x100, true))));
	}

	/** A machine whose text has {@code lockCode} at LOCK and {@code unlockCode} at UNLOCK, both hooked. */
	private LoopFixture machine(byte[] lockCode, byte[] unlockCode) {
		byte[] text = new byte[0x400];
		System.arraycopy(lockCode, 0, text, (int) (LOCK - TEXT), lockCode.length);
		System.arraycopy(unlockCode, 0, text, (int) (UNLOCK - TEXT), unlockCode.length);
		f = new LoopFixture(16, functions(), text);
		return f;
	}

	private byte codeAt(long va) {
		return f.space.copyIn(va, 1)[0];
	}

	/** The thread calls the function at {@code fn} with {@code rdi}: it hits the int3 there. */
	private ScriptedCpu.Step call(long fn, long rdi) {
		return cpu -> {
			assertEquals(CodeBreakpoints.INT3, codeAt(fn), "the int3 is in place");
			cpu.live.rdi = rdi;
			cpu.live.rip = fn + 1;
			return exception(ExceptionVectors.BP, 0, 0).apply(cpu);
		};
	}

	/** The step over the first instruction, {@code length} bytes long, ends with #DB. */
	private static ScriptedCpu.Step stepped(long fn, int length) {
		return jump(fn + length, exception(ExceptionVectors.DB, 0, 0));
	}

	@Test
	void theLockFunctionsAreFoundByNameOncePerAddress() {
		LockFunctions found = functions();
		assertEquals(2, found.size(), found.toString());
		assertEquals("pthread_mutex_lock", found.at(LOCK).orElseThrow().name());
		assertEquals("pthread_mutex_unlock", found.at(UNLOCK).orElseThrow().name());
		assertTrue(found.at(MAIN).isEmpty());
	}

	@Test
	void aLockCallIsASyncPointAndTheThreadStepsOverTheFirstInstruction() {
		machine(ENDBR64, MOV);
		f.cpu.then(call(LOCK, MUTEX), expect(cpu -> {
			assertEquals(LOCK, cpu.live.rip, "back at the function's entry");
			assertEquals(CodeBreakpoints.TF, cpu.live.rflags & CodeBreakpoints.TF, "stepping");
			assertEquals((byte) 0xF3, codeAt(LOCK), "the original byte runs");
		}, stepped(LOCK, ENDBR64.length)), expect(cpu -> {
			assertEquals(0, cpu.live.rflags & CodeBreakpoints.TF, "TF is off after the step");
			assertEquals(LOCK + ENDBR64.length, cpu.live.rip);
			assertEquals(CodeBreakpoints.INT3, codeAt(LOCK), "the int3 is back for the next call");
		}, call(UNLOCK, MUTEX)), stepped(UNLOCK, MOV.length), syscall(Syscalls.EXIT_GROUP, 0));
		f.run();

		List<SyncPoint> locks = f.inputs.syncPoints().stream().filter(p -> p.kind() == SyncPoint.Kind.LOCK_CALL)
				.toList();
		assertEquals(2, locks.size(), locks.toString());
		assertArrayEquals(new long[] { LOCK, MUTEX }, locks.get(0).args());
		assertEquals("pthread_mutex_lock(0x" + Long.toHexString(MUTEX) + ")", locks.get(0).lockCallText());
		assertEquals(0, locks.get(0).index());
		assertEquals(1, locks.get(1).index(), "lock calls count as the thread's sync points");
		assertEquals(Map.of("pthread_mutex_lock", 1L, "pthread_mutex_unlock", 1L), f.stats.lockCalls());
		assertEquals(2, f.stats.lockHooks());
		assertTrue(f.stats.format().contains("lock calls 2 at 2 hooked functions"), f.stats.format());
		assertEquals((byte) 0xF3, codeAt(LOCK), "the end of the run takes the int3s out");
		assertEquals((byte) 0xB8, codeAt(UNLOCK));
	}

	@Test
	void aLockCallCanSwitchToAnotherThreadWhichStepsOverLater() {
		machine(ENDBR64, MOV);
		long tidWord = DATA + 0x200;
		f.switchAtLockCalls();
		f.cpu.then(syscall(Syscalls.CLONE, VcpuLoopTest.CLONE_PTHREAD, CHILD_STACK, tidWord, tidWord, 0),
				call(LOCK, MUTEX), expect(cpu -> {
					assertEquals(CHILD_STACK, cpu.live.rsp, "the child runs");
					assertEquals(0, cpu.live.rflags & CodeBreakpoints.TF, "and does not step");
					assertEquals(CodeBreakpoints.INT3, codeAt(LOCK), "the int3 stays while another thread runs");
				}, call(LOCK, MUTEX)), expect(cpu -> {
					assertEquals(LOCK, cpu.live.rip, "the first thread resumes at the function");
					assertEquals(CodeBreakpoints.TF, cpu.live.rflags & CodeBreakpoints.TF);
					assertEquals((byte) 0xF3, codeAt(LOCK));
				}, stepped(LOCK, ENDBR64.length)), syscall(Syscalls.EXIT_GROUP, 0));
		f.run();
		assertEquals(2, f.stats.switches(SyncPoint.Kind.LOCK_CALL));
		List<SyncPoint> locks = f.inputs.syncPoints().stream().filter(p -> p.kind() == SyncPoint.Kind.LOCK_CALL)
				.toList();
		assertEquals(List.of(1000, 1001), locks.stream().map(SyncPoint::tid).toList());
	}

	@Test
	void aKickAtAHookedEntryOrDuringTheStepIsNoPreemption() {
		machine(ENDBR64, MOV);
		f.inputs.preempt = (p, others) -> true;
		f.cpu.then(jump(LOCK, interrupt()), call(LOCK, MUTEX), interrupt(), expect(cpu -> {
			assertEquals(LOCK, cpu.live.rip, "still stepping, untouched");
			assertEquals((byte) 0xF3, codeAt(LOCK));
		}, stepped(LOCK, ENDBR64.length)), syscall(Syscalls.EXIT_GROUP, 0));
		f.run();
		assertEquals(0, f.inputs.asked(Preemption.class).size(), "no landmark at a hooked address");
		assertEquals(2, f.stats.kicksDeclined());
	}

	/**
	 * Issue #15 item 3, a chaos recording whose guest died of SIGSEGV: a kick landed after the thread executed the
	 * int3 at pthread_mutex_unlock but before KVM delivered its #BP (KVM_RUN returned EINTR with RIP one past the
	 * int3 and the exception pending). The loop took a landmark at entry+1 there and switched threads, and setting
	 * the other thread's registers made KVM drop the pending #BP. The thread later resumed at entry+1, inside
	 * {@code mov esi, 1}, ran its tail {@code 01 00} ({@code add [rax], eax}) and faulted; the replay could not find
	 * the landmark ("expected watchdog kick at rip 0x41a691 ..., got lock call pthread_mutex_unlock").
	 */
	@Test
	void aKickBetweenALockCallsInt3AndItsBreakpointIsNoPreemption() {
		machine(ENDBR64, MOV);
		long tidWord = DATA + 0x200;
		f.inputs.preempt = (p, others) -> true; // chaos: every kick preempts
		f.cpu.then(syscall(Syscalls.CLONE, VcpuLoopTest.CLONE_PTHREAD, CHILD_STACK, tidWord, tidWord, 0), cpu -> {
			assertEquals(CodeBreakpoints.INT3, codeAt(UNLOCK));
			cpu.live.rdi = MUTEX;
			cpu.live.rip = UNLOCK;
			return trapThenKick(ExceptionVectors.BP, 1).apply(cpu);
		}, expect(cpu -> assertEquals(CHILD_STACK, cpu.live.rsp, "the lock call switched to the child"),
				syscall(Syscalls.EXIT, 0)), expect(cpu -> {
					assertEquals(LOCK_CALLER_RSP, cpu.live.rsp, "the first thread again");
					assertEquals(UNLOCK, cpu.live.rip, "it resumes at the function's entry, not inside its first "
							+ "instruction");
					assertEquals(CodeBreakpoints.TF, cpu.live.rflags & CodeBreakpoints.TF, "stepping");
				}, stepped(UNLOCK, MOV.length)), syscall(Syscalls.EXIT_GROUP, 0));
		f.run();
		assertEquals(List.of(), f.inputs.asked(Preemption.class), "no landmark just after a lock call's int3");
		assertEquals(1, f.stats.kicksDeclined());
		List<SyncPoint> locks = f.inputs.syncPoints().stream().filter(p -> p.kind() == SyncPoint.Kind.LOCK_CALL)
				.toList();
		assertEquals(1, locks.size(), "the pending #BP was delivered: " + f.cpu.log);
		assertArrayEquals(new long[] { UNLOCK, MUTEX }, locks.get(0).args());
		Ending e = f.loop.ending().orElseThrow();
		assertEquals(0, assertInstanceOf(Ending.Terminated.class, e).termination().status(), e.toString());
	}

	@Test
	void aFunctionStartingWithSyscallOrPushfIsNotHooked() {
		machine(new byte[] { 0x0F, 0x05 }, new byte[] { (byte) 0x9C });
		assertEquals(0x0F, codeAt(LOCK));
		assertEquals((byte) 0x9C, codeAt(UNLOCK));
		f.cpu.then(syscall(Syscalls.EXIT_GROUP, 0));
		f.run();
		assertEquals(0, f.stats.lockHooks());
	}

	@Test
	void aGuestsOwnInt3IsStillSigtrap() {
		machine(ENDBR64, MOV);
		f.cpu.then(jump(TEXT + 0x11, exception(ExceptionVectors.BP, 0, 0)));
		f.run();
		assertTrue(f.loop.ending().orElseThrow().toString().contains("SIGTRAP"), f.loop.ending().toString());
		assertEquals((byte) 0xF3, codeAt(LOCK));
	}
}
