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
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.insight.kvm.Regs;
import org.insight.vmm.inputs.Landmark;
import org.insight.vmm.inputs.Preemption;
import org.insight.vmm.inputs.SyncPoint;
import org.insight.vmm.linux.Syscalls;
import org.insight.vmm.memory.AddressSpace;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Replaying a preemption at a landmark with the scripted vCPU: the int3 at the planned RIP, the step-over of hits
 * whose state is not the landmark's, and the preemption at the one that is.
 */
class LandmarkReplayTest {
	static final long AT = MAIN + 0x40;
	/** {@code mov eax, 1} (5 bytes): an instruction the step runs over. */
	static final byte[] MOV = { (byte) 0xB8, 1, 0, 0, 0 };

	private final LoopFixture f = new LoopFixture();

	@AfterEach
	void close() {
		f.close();
	}

	private byte codeAt(long va) {
		return f.space.copyIn(va, 1)[0];
	}

	private void code(long va, byte... bytes) {
		f.space.loadBytes(va, bytes, 0, bytes.length);
	}

	/** The thread reaches the int3 at {@link #AT} with RCX = {@code rcx}. */
	private ScriptedCpu.Step hitWith(long rcx) {
		return cpu -> {
			assertEquals(CodeBreakpoints.INT3, codeAt(AT), "the int3 is in place");
			cpu.live.rcx = rcx;
			cpu.live.rip = AT + 1;
			return exception(ExceptionVectors.BP, 0, 0).apply(cpu);
		};
	}

	@Test
	void aFalseHitIsSteppedOverAndTheMatchingOnePreempts() {
		code(AT, MOV);
		f.inputs.planned = f.plannedAt(1000, AT, 3);
		f.answerAsReplay();
		f.cpu.then(hitWith(1), expect(cpu -> {
			assertEquals(AT, cpu.live.rip, "back at the instruction");
			assertEquals(CodeBreakpoints.TF, cpu.live.rflags & CodeBreakpoints.TF, "stepping");
			assertEquals((byte) 0xB8, codeAt(AT), "the original byte runs");
		}, jump(AT + MOV.length, exception(ExceptionVectors.DB, 0, 0))), expect(cpu -> {
			assertEquals(0, cpu.live.rflags & CodeBreakpoints.TF, "TF is off after the step");
			assertEquals(AT + MOV.length, cpu.live.rip);
		}, jump(MAIN, hitWith(3))), expect(cpu -> {
			assertEquals(AT, cpu.live.rip, "the thread goes on at the landmark");
			assertEquals((byte) 0xB8, codeAt(AT), "the int3 is gone once the preemption is consumed");
		}, syscall(Syscalls.EXIT_GROUP, 0)));
		f.run();
		assertEquals(1, f.stats.landmarks());
		assertEquals(1, f.stats.landmarkFalseHits());
		List<Preemption> asked = f.inputs.asked(Preemption.class);
		assertEquals(1, asked.size(), "asked once, at the matching hit");
		assertEquals(AT, asked.get(0).landmark().rip());
		assertEquals(SyncPoint.Kind.PREEMPTED, f.inputs.syncPoints().get(0).kind());
		assertTrue(f.stats.format().contains("landmarks 1, false hits 1, "), f.stats.format());
	}

	@Test
	void theLandmarkIsTheStateAKickSeesAtTheNextInstruction() {
		f.cpu.then(jump(AT, interrupt()), syscall(Syscalls.EXIT_GROUP, 0));
		f.cpu.live.rflags |= VcpuLoop.RFLAGS_RF;
		f.run();
		Landmark l = f.inputs.asked(Preemption.class).get(0).landmark();
		assertEquals(AT, l.rip());
		assertEquals(0x202, l.regs().rflags, "RF is not part of a landmark");
		assertEquals(f.loop.stackDigest(l.regs().rsp), l.stackDigest());
	}

	@Test
	void theHitPreemptsToAnotherThreadThroughAnIretFrame() {
		code(AT, MOV);
		long tid = DATA + 0x200;
		f.answerAsReplay();
		f.cpu.then(syscall(Syscalls.CLONE, VcpuLoopTest.CLONE_PTHREAD, CHILD_STACK, tid, tid, 0), cpu -> {
			Regs r = cpu.live.copy();
			r.rip = AT;
			f.inputs.planned = new Preemption(1000, 1, new Landmark(r, f.scheduler.current().fsBase(),
					f.loop.stackDigest(r.rsp)), false);
			return interrupt().apply(cpu); // a kick elsewhere: the plan is known from the next run on
		}, cpu -> {
			assertEquals(CodeBreakpoints.INT3, codeAt(AT), "the loop armed before this run");
			cpu.live.rip = AT;
			return hitAsIs().apply(cpu);
		}, expect(cpu -> assertEquals(CHILD_STACK, cpu.live.rsp, "the child runs, resumed through iretq"),
				syscall(Syscalls.EXIT_GROUP, 0)));
		f.run();
		assertEquals(1, f.stats.landmarks());
		assertEquals(1, f.stats.switches(SyncPoint.Kind.PREEMPTED));
		assertEquals(AT, f.scheduler.find(1000).orElseThrow().regs().rip, "saved at the landmark, not after the int3");
		assertTrue(f.cpu.log.stream().anyMatch(l -> l.startsWith("iretq to ")), f.cpu.log.toString());
	}

	/** The int3 at the current RIP, whatever the registers. */
	private static ScriptedCpu.Step hitAsIs() {
		return cpu -> {
			cpu.live.rip += 1;
			return exception(ExceptionVectors.BP, 0, 0).apply(cpu);
		};
	}

	@Test
	void onlyThePlannedThreadRunsWithTheInt3() {
		code(AT, MOV);
		f.inputs.planned = f.plannedAt(1001, AT, 3);
		f.cpu.then(expect(cpu -> assertEquals((byte) 0xB8, codeAt(AT), "another thread is planned"),
				syscall(Syscalls.EXIT_GROUP, 0)));
		f.run();
		assertEquals(0, f.stats.landmarks());
	}

	@Test
	void aPageNotPresentYetIsArmedOnceTheGuestFaultsItIn() {
		f.inputs.planned = f.plannedAt(1000, AT, 3);
		f.cpu.then(expect(cpu -> assertTrue(!f.space.translate(AT).present(), "not populated yet"),
				jump(AT, exception(ExceptionVectors.PF, AddressSpace.PF_USER | AddressSpace.PF_FETCH, AT))),
				expect(cpu -> assertEquals(CodeBreakpoints.INT3, codeAt(AT), "armed after the fault"),
						syscall(Syscalls.EXIT_GROUP, 0)));
		f.run();
		assertEquals((byte) 0, codeAt(AT), "the end of the run takes the int3 out");
	}

	@Test
	void aSyscallAtTheLandmarkIsSteppedWithoutTfAndArmedAgainAtItsExit() {
		code(AT, (byte) 0x0F, (byte) 0x05);
		f.inputs.planned = f.plannedAt(1000, AT, 3);
		f.answerAsReplay();
		f.cpu.then(hitWith(1), expect(cpu -> {
			assertEquals(AT, cpu.live.rip);
			assertEquals(0, cpu.live.rflags & CodeBreakpoints.TF, "TF would trap inside the gate");
			assertEquals((byte) 0x0F, codeAt(AT));
		}, syscall(Syscalls.GETPID)), expect(cpu -> assertEquals(CodeBreakpoints.INT3, codeAt(AT), "armed again"),
				syscall(Syscalls.EXIT_GROUP, 0)));
		f.run();
		assertEquals(1, f.stats.landmarkFalseHits());
		assertEquals((byte) 0x0F, codeAt(AT));
	}

	@Test
	void aSteppedPushfDoesNotLeaveTfOnTheGuestStack() {
		code(AT, (byte) 0x9C);
		f.inputs.planned = f.plannedAt(1000, AT, 3);
		f.answerAsReplay();
		f.cpu.then(hitWith(1), cpu -> {
			cpu.live.rsp -= 8;
			f.space.writeU64(cpu.live.rsp, cpu.live.rflags); // pushfq, with the step's TF
			cpu.live.rip = AT + 1;
			return exception(ExceptionVectors.DB, 0, 0).apply(cpu);
		}, expect(cpu -> assertEquals(0x202, f.space.readU64(cpu.live.rsp), "the pushed flags are the guest's"),
				syscall(Syscalls.EXIT_GROUP, 0)));
		f.run();
	}

	/**
	 * A replay kick that lands when the step over the landmark's {@code pushfq} is done but its #DB not delivered:
	 * the kick is no preemption, and the #DB must still come (setting the registers would make KVM drop it), or the
	 * step's TF stays on the guest's stack and in its RFLAGS.
	 */
	@Test
	void aKickBeforeTheStepsDebugTrapLeavesTheStepToFinish() {
		code(AT, (byte) 0x9C);
		f.inputs.planned = f.plannedAt(1000, AT, 3);
		f.answerAsReplay();
		f.cpu.then(hitWith(1), cpu -> {
			cpu.live.rsp -= 8;
			f.space.writeU64(cpu.live.rsp, cpu.live.rflags); // pushfq, with the step's TF
			return trapThenKick(ExceptionVectors.DB, 1).apply(cpu);
		}, expect(cpu -> {
			assertEquals(0x202, f.space.readU64(cpu.live.rsp), "the pushed flags are the guest's");
			assertEquals(0, cpu.live.rflags & CodeBreakpoints.TF, "TF is off after the step");
			assertEquals(CodeBreakpoints.INT3, codeAt(AT), "armed again");
		}, syscall(Syscalls.EXIT_GROUP, 0)));
		f.run();
		assertEquals(1, f.stats.landmarkFalseHits());
	}

	@Test
	void aGuestsOwnInt3ElsewhereIsStillSigtrap() {
		code(AT, MOV);
		f.inputs.planned = f.plannedAt(1000, AT, 3);
		f.cpu.then(jump(TEXT + 0x11, exception(ExceptionVectors.BP, 0, 0)));
		f.run();
		assertEquals((byte) 0xB8, codeAt(AT), "the int3 is taken out at the end");
		assertEquals(0, f.stats.landmarkFalseHits());
		assertTrue(f.loop.ending().orElseThrow().toString().contains("SIGTRAP"), f.loop.ending().toString());
	}
}
