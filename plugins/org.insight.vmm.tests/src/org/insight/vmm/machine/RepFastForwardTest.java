package org.insight.vmm.machine;

import static org.insight.vmm.machine.LoopFixture.DATA;
import static org.insight.vmm.machine.LoopFixture.MAIN;
import static org.insight.vmm.machine.LoopFixture.TEXT;
import static org.insight.vmm.machine.LoopFixture.WORKER;
import static org.insight.vmm.machine.ScriptedCpu.exception;
import static org.insight.vmm.machine.ScriptedCpu.expect;
import static org.insight.vmm.machine.ScriptedCpu.syscall;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

import org.insight.kvm.Regs;
import org.insight.vmm.inputs.Landmark;
import org.insight.vmm.inputs.Preemption;
import org.insight.vmm.linux.SignalFrame;
import org.insight.vmm.linux.Signals;
import org.insight.vmm.linux.Syscalls;
import org.insight.vmm.memory.AddressSpace;
import org.junit.jupiter.api.Test;

/**
 * A replay's landmark inside a REP string instruction, reached without a step per iteration: the plan from the
 * instruction's bytes and the two states, and the run with the scripted vCPU (the count given, the int3 after the
 * instruction, the landmark's RCX and RIP back at its end), and a fault with a guest handler during such a run.
 */
class RepFastForwardTest {
	static final long AT = MAIN + 0x40;
	/** rep stosb ; ret. */
	static final byte[] STOSB = HexFormat.of().parseHex("f3aac3");

	private static Regs state(long rcx, long rdi, long rsi) {
		Regs r = new Regs();
		r.rip = AT;
		r.rcx = rcx;
		r.rdi = rdi;
		r.rsi = rsi;
		r.rax = 0x2a;
		r.rsp = 0x7000_1000L;
		r.rflags = 0x202;
		return r;
	}

	private static Landmark landmark(Regs r) {
		return new Landmark(r, 0, 0);
	}

	@Test
	void theCountAheadIsReadFromTheTwoStates() {
		Landmark l = landmark(state(1000, 0x60_0000L + 2_000_000 - 1000, 7));
		assertEquals(Optional.of(new RepFastForward(2, 1_999_000, true, 1000)), RepFastForward.plan(STOSB, state(
				2_000_000, 0x60_0000L, 7), l), "rep stosb: RDI one byte an iteration");
		// rep movsq with DF set: RDI and RSI go down 8 bytes an iteration
		Regs down = state(10, 0x9000, 0x5000);
		down.rflags |= 1 << 10;
		Regs there = state(4, 0x9000 - 6 * 8, 0x5000 - 6 * 8);
		there.rflags |= 1 << 10;
		assertEquals(Optional.of(new RepFastForward(3, 6, true, 4)), RepFastForward.plan(HexFormat.of().parseHex(
				"f348a5"), down, landmark(there)));
		// rep stosd behind an operand-size prefix is rep stosw: 2 bytes
		assertEquals(3, RepFastForward.plan(HexFormat.of().parseHex("66f3ab"), state(10, 0x9000, 0), landmark(
				state(7, 0x9006, 0))).orElseThrow().count());
	}

	@Test
	void anExecutionThatCannotHoldTheLandmarkRunsWhole() {
		Landmark l = landmark(state(1000, 0x60_0000L + 1000, 7));
		assertFalse(RepFastForward.plan(STOSB, state(2000, 0x60_0000L + 1, 7), l).orElseThrow().toLandmark(),
				"RDI does not lead there");
		Regs otherRax = state(2000, 0x60_0000L, 7);
		otherRax.rax = 0;
		assertFalse(RepFastForward.plan(STOSB, otherRax, l).orElseThrow().toLandmark(), "another register");
		assertFalse(RepFastForward.plan(STOSB, state(500, 0x60_0000L, 7), l).orElseThrow().toLandmark(),
				"fewer iterations than the landmark's count");
		assertEquals(500, RepFastForward.plan(STOSB, state(500, 0x60_0000L, 7), l).orElseThrow().count());
		assertEquals(Optional.empty(), RepFastForward.plan(STOSB, state(0, 0, 0), l), "a count of 0 does nothing");
		assertEquals(Optional.empty(), RepFastForward.plan(HexFormat.of().parseHex("f2ae"), state(9, 0, 0), l),
				"repne scasb can end early on its data");
		assertEquals(Optional.empty(), RepFastForward.plan(HexFormat.of().parseHex("67f3aa"), state(9, 0, 0), l),
				"32-bit addresses");
		assertEquals(Optional.empty(), RepFastForward.plan(HexFormat.of().parseHex("4889d8"), state(9, 0, 0), l));
	}

	@Test
	void theThreadRunsToTheLandmarksIterationAtFullSpeedAndIsPreemptedThere() {
		try (LoopFixture f = new LoopFixture()) {
			long buffer = LoopFixture.DATA;
			plannedInsideStosb(f, buffer);
			f.cpu.then(cpu -> {
				cpu.live.rip = AT + 1; // the int3 at the start, with the whole count
				cpu.live.rcx = 100;
				cpu.live.rdi = buffer;
				return exception(ExceptionVectors.BP, 0, 0).apply(cpu);
			}, expect(cpu -> {
				assertEquals(AT, cpu.live.rip, "the instruction runs");
				assertEquals(60, cpu.live.rcx, "with the count up to the landmark");
				assertEquals(0, cpu.live.rflags & CodeBreakpoints.TF, "without a step");
				assertEquals((byte) 0xf3, f.space.copyIn(AT, 1)[0], "its own bytes");
				assertEquals(CodeBreakpoints.INT3, f.space.copyIn(AT + 2, 1)[0], "an int3 after it");
			}, cpu -> {
				cpu.live.rcx = 0; // the CPU ran the 60 iterations
				cpu.live.rdi = buffer + 60;
				cpu.live.rip = AT + 3;
				return exception(ExceptionVectors.BP, 0, 0).apply(cpu);
			}), expect(cpu -> {
				assertEquals(AT, cpu.live.rip, "preempted at the landmark, then going on from it");
				assertEquals(40, cpu.live.rcx, "with the landmark's count");
				assertEquals((byte) 0xc3, f.space.copyIn(AT + 2, 1)[0], "the int3 after it is gone");
			}, syscall(Syscalls.EXIT_GROUP, 0)));
			f.run();
			assertEquals(1, f.stats.landmarks());
			assertEquals(1, f.stats.repRuns());
			List<Preemption> asked = f.inputs.asked(Preemption.class);
			assertEquals(1, asked.size());
			assertEquals(40, asked.get(0).landmark().regs().rcx);
		}
	}

	/** A fault with a guest handler during the run to the landmark's iteration: the handler sees the guest's count. */
	@Test
	void aHandlerOfAFaultDuringTheRunSeesTheGuestsOwnCount() {
		try (LoopFixture f = new LoopFixture()) {
			long act = DATA + 0x240;
			f.space.writeU64(act, WORKER + 0x40);
			f.space.writeU64(act + 8, SignalFrame.SA_SIGINFO | SignalFrame.SA_RESTORER);
			f.space.writeU64(act + 16, TEXT + 0x300);
			f.space.writeU64(act + 24, 0);
			long buffer = 0x10_0000_0000L; // not mapped: the guest's handler maps it in the recording
			Regs start = plannedInsideStosb(f, buffer);
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

	/**
	 * {@code rep stosb} at {@link #AT}, and a replay planned to preempt it after 60 of its 100 iterations into
	 * {@code buffer} (RCX 40). Returns the thread's registers at the instruction's start.
	 */
	private static Regs plannedInsideStosb(LoopFixture f, long buffer) {
		f.space.loadBytes(AT, STOSB, 0, STOSB.length);
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
		return start;
	}
}
