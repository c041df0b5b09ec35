package org.insight.vmm.machine;

import static org.insight.vmm.machine.LoopFixture.DATA;
import static org.insight.vmm.machine.LoopFixture.MAIN;
import static org.insight.vmm.machine.LoopFixture.STACK_TOP;
import static org.insight.vmm.machine.LoopFixture.TEXT;
import static org.insight.vmm.machine.LoopFixture.WORKER;
import static org.insight.vmm.machine.ScriptedCpu.exception;
import static org.insight.vmm.machine.ScriptedCpu.expect;
import static org.insight.vmm.machine.ScriptedCpu.jump;
import static org.insight.vmm.machine.ScriptedCpu.syscall;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.util.List;

import org.insight.symbols.Symbol;
import org.insight.symbols.SymbolTable;
import org.insight.vmm.linux.SignalFrame;
import org.insight.vmm.linux.Signals;
import org.insight.vmm.linux.Syscalls;
import org.insight.vmm.linux.Termination;
import org.insight.vmm.memory.AddressSpace;
import org.insight.vmm.sched.LockFunctions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Signal handlers through the whole exit path: delivery on the way back to user mode, rt_sigreturn, a fault. */
class SignalLoopTest {
	private static final long RESTORER = TEXT + 0x300;
	private static final long LOCK = TEXT + 0x380;
	private LoopFixture f = new LoopFixture();

	@AfterEach
	void close() {
		f.close();
	}

	private long action(int offset, long handler) {
		long at = DATA + offset;
		f.space.writeU64(at, handler);
		f.space.writeU64(at + 8, SignalFrame.SA_SIGINFO | SignalFrame.SA_RESTORER);
		f.space.writeU64(at + 16, RESTORER);
		f.space.writeU64(at + 24, 0);
		return at;
	}

	@Test
	void aHandlerRunsAtTheSyscallsReturnSigreturnResumesAndAFaultReachesItsHandler() {
		long usr = action(0x200, WORKER);
		long segv = action(0x240, WORKER + 0x40);
		long[] frame = new long[1];
		ScriptedCpu.Step sigreturn = cpu -> {
			cpu.live.rsp = frame[0] + 8; // the handler's ret popped pretcode
			cpu.live.rip = RESTORER;
			return syscall(Syscalls.RT_SIGRETURN).apply(cpu);
		};
		f.cpu.then(syscall(Syscalls.RT_SIGACTION, Signals.SIGUSR1, usr, 0, 8),
				expect(cpu -> assertEquals(0, cpu.live.rax), syscall(Syscalls.RT_SIGACTION, Signals.SIGSEGV, segv, 0, 8)),
				expect(cpu -> assertEquals(0, cpu.live.rax), syscall(Syscalls.TGKILL, 1000, 1000, Signals.SIGUSR1)),
				expect(cpu -> {
					assertEquals(WORKER, cpu.live.rip, "the handler runs as the syscall returns");
					assertEquals(Signals.SIGUSR1, cpu.live.rdi);
					assertEquals(cpu.live.rsp + SignalFrame.SIGINFO, cpu.live.rsi);
					assertEquals(cpu.live.rsp + SignalFrame.UC, cpu.live.rdx);
					assertEquals(RESTORER, f.space.readU64(cpu.live.rsp));
					frame[0] = cpu.live.rsp;
				}, sigreturn),
				expect(cpu -> {
					assertEquals(MAIN + 6, cpu.live.rip, "back after the tgkill");
					assertEquals(0, cpu.live.rax, "tgkill's result");
					assertEquals(1000, cpu.live.rdi);
					assertEquals(Signals.SIGUSR1, cpu.live.rdx);
					assertEquals(STACK_TOP - 0x100, cpu.live.rsp);
					assertEquals(0, f.scheduler.current().signalMask());
				}, jump(MAIN + 0x1c, exception(ExceptionVectors.PF, AddressSpace.PF_USER | AddressSpace.PF_WRITE, 0))),
				expect(cpu -> {
					assertEquals(WORKER + 0x40, cpu.live.rip, "the SIGSEGV handler");
					assertEquals(Signals.SIGSEGV, cpu.live.rdi);
					assertEquals(0, f.space.readU64(cpu.live.rsi + 16), "si_addr");
					assertEquals(MAIN + 0x1c, f.space.readU64(cpu.live.rdx + SignalFrame.UC_MCONTEXT
							- SignalFrame.UC + SignalFrame.SC_RIP));
				}, syscall(Syscalls.EXIT_GROUP, 0)));
		assertEquals(new Termination.Exited(0), assertInstanceOf(Ending.Terminated.class, f.run()).termination());
	}

	@Test
	void aFaultWhileSteppingOverALockCallsInt3EndsTheStepBeforeTheHandler() {
		f.close();
		byte[] text = new byte[0x400];
		System.arraycopy(LockCallTest.MOV, 0, text, (int) (LOCK - TEXT), LockCallTest.MOV.length);
		f = new LoopFixture(16, LockFunctions.find(SymbolTable.of(List.of(new Symbol("pthread_mutex_lock", LOCK, 0x40,
				true), new Symbol("main", MAIN, 0x100, true)))), text);
		long segv = action(0x240, WORKER + 0x40);
		f.cpu.then(syscall(Syscalls.RT_SIGACTION, Signals.SIGSEGV, segv, 0, 8), cpu -> {
			cpu.live.rip = LOCK + 1; // the call hits the int3
			return exception(ExceptionVectors.BP, 0, 0).apply(cpu);
		}, expect(cpu -> {
			assertEquals(LOCK, cpu.live.rip, "the step over the first instruction");
			assertEquals(CodeBreakpoints.TF, cpu.live.rflags & CodeBreakpoints.TF);
		}, exception(ExceptionVectors.PF, AddressSpace.PF_USER | AddressSpace.PF_WRITE, 0x10)), expect(cpu -> {
			assertEquals(WORKER + 0x40, cpu.live.rip, "the SIGSEGV handler");
			assertEquals(0, cpu.live.rflags & CodeBreakpoints.TF, "our TF is gone");
			long saved = f.space.readU64(cpu.live.rdx - SignalFrame.UC + SignalFrame.UC_MCONTEXT + SignalFrame.SC_EFLAGS);
			assertEquals(0, saved & CodeBreakpoints.TF, "and not in the frame either");
			assertEquals(CodeBreakpoints.INT3, f.space.copyIn(LOCK, 1)[0], "the int3 is back");
		}, syscall(Syscalls.EXIT_GROUP, 0)));
		assertEquals(new Termination.Exited(0), assertInstanceOf(Ending.Terminated.class, f.run()).termination());
	}
}
