package org.insight.vmm.machine;

import static org.insight.vmm.machine.LoopFixture.MAIN;
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
import org.insight.vmm.linux.Syscalls;
import org.junit.jupiter.api.Test;

/**
 * A replay's landmark inside a REP string instruction, reached without a step per iteration: the plan from the
 * instruction's bytes and the two states, and the run with the scripted vCPU (the count given, the int3 after the
 * instruction, the landmark's RCX and RIP back at its end).
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
			f.space.loadBytes(AT, STOSB, 0, STOSB.length);
			long buffer = LoopFixture.DATA;
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
}
