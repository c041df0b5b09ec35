package org.insight.vmm.machine;

import static org.insight.vmm.machine.LoopFixture.DATA;
import static org.insight.vmm.machine.LoopFixture.MAIN;
import static org.insight.vmm.machine.LoopFixture.TEXT;
import static org.insight.vmm.machine.LoopFixture.WORKER;
import static org.insight.vmm.machine.ScriptedCpu.exception;
import static org.insight.vmm.machine.ScriptedCpu.expect;
import static org.insight.vmm.machine.ScriptedCpu.syscall;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.HexFormat;

import org.insight.kvm.Regs;
import org.insight.vmm.inputs.Landmark;
import org.insight.vmm.inputs.Preemption;
import org.insight.vmm.linux.SignalFrame;
import org.insight.vmm.linux.Signals;
import org.insight.vmm.linux.Syscalls;
import org.insight.vmm.memory.AddressSpace;
import org.junit.jupiter.api.Test;

/** A fault with a guest handler inside a REP run to the landmark's iteration: the handler sees the guest's own count. */
class RepRunFaultTest {
	static final long AT = MAIN + 0x40;
	static final byte[] STOSB = HexFormat.of().parseHex("f3aac3");

	@Test
	void theHandlerSeesTheGuestsOwnCount() {
		try (LoopFixture f = new LoopFixture()) {
			f.space.loadBytes(AT, STOSB, 0, STOSB.length);
			long act = DATA + 0x240;
			f.space.writeU64(act, WORKER + 0x40);
			f.space.writeU64(act + 8, SignalFrame.SA_SIGINFO | SignalFrame.SA_RESTORER);
			f.space.writeU64(act + 16, TEXT + 0x300);
			f.space.writeU64(act + 24, 0);
			long buffer = 0x10_0000_0000L; // not mapped: the guest's handler maps it in the recording
			Regs start = f.scheduler.current().regs().copy();
			start.rip = AT;
			start.rcx = 100;
			start.rdi = buffer;
			Regs there = start.copy();
			there.rcx = 40;
			there.rdi = buffer + 60;
			f.inputs.planned = new Preemption(1000, 0, new Landmark(there, f.scheduler.current().fsBase(), f.loop
					.stackDigest(there.rsp)), false);
			f.answerAsReplay();
			f.cpu.then(syscall(Syscalls.RT_SIGACTION, Signals.SIGSEGV, act, 0, 8), cpu -> {
				Regs l = cpu.live;
				l.rax = start.rax; l.rbx = start.rbx; l.rdx = start.rdx; l.rsi = start.rsi; l.rsp = start.rsp;
				l.rbp = start.rbp; l.r8 = start.r8; l.r9 = start.r9; l.r10 = start.r10; l.r11 = start.r11;
				l.r12 = start.r12; l.r13 = start.r13; l.r14 = start.r14; l.r15 = start.r15; l.rflags = start.rflags;
				cpu.live.rip = AT + 1;
				cpu.live.rcx = 100;
				cpu.live.rdi = buffer;
				return exception(ExceptionVectors.BP, 0, 0).apply(cpu);
			}, expect(cpu -> assertEquals(60, cpu.live.rcx, "the run to the landmark"), cpu -> {
				// 10 iterations done, the 11th faults: the guest's own count is 90 here
				cpu.live.rcx = 50;
				cpu.live.rdi = buffer + 10;
				cpu.live.rip = AT;
				return exception(ExceptionVectors.PF, AddressSpace.PF_USER | AddressSpace.PF_WRITE, 0).apply(cpu);
			}), expect(cpu -> {
				assertEquals(WORKER + 0x40, cpu.live.rip, "the SIGSEGV handler");
				long rcx = f.space.readU64(cpu.live.rdx - SignalFrame.UC + SignalFrame.UC_MCONTEXT
						+ SignalFrame.SC_RCX);
				assertEquals(90, rcx, "the count in the handler's frame is the guest's: 100 - 10");
			}, syscall(Syscalls.EXIT_GROUP, 0)));
			f.run();
		}
	}
}
