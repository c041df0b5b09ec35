package org.insight.vmm.machine;

import static org.insight.vmm.machine.LoopFixture.MAIN;
import static org.insight.vmm.machine.LoopFixture.TEXT;
import static org.insight.vmm.machine.ScriptedCpu.exception;
import static org.insight.vmm.machine.ScriptedCpu.expect;
import static org.insight.vmm.machine.ScriptedCpu.jump;
import static org.insight.vmm.machine.ScriptedCpu.syscall;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HexFormat;

import org.insight.kvm.Regs;
import org.insight.vmm.code.Comparator;
import org.insight.vmm.inputs.Landmark;
import org.insight.vmm.inputs.Preemption;
import org.insight.vmm.linux.Syscalls;
import org.insight.vmm.memory.MachineLayout;
import org.insight.vmm.memory.PageTables;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A replay's landmark through the landmark comparator, with the scripted vCPU: the patch at the landmark while the
 * planned thread runs, a comparator match whose whole state is not the landmark's going on to the displaced code, the
 * one that is preempting with the guest's bytes back, and a fault in a displaced instruction reported at the guest's
 * own address. The comparator's own code is tested natively in {@code ComparatorTest}.
 */
class LandmarkComparatorLoopTest {
	static final long AT = MAIN + 0x40;
	/** add rax, 1 ; mov rdx, [rsp+8] ; ret: the first two are displaced (9 bytes). */
	static final byte[] CODE = HexFormat.of().parseHex("4883c001" + "488b542408" + "c3");
	static final long HIT = MachineLayout.COMPARATOR_CODE + Comparator.AFTER_INT3;
	static final long DISPLACED = Comparator.displacedAt(MachineLayout.COMPARATOR_CODE);

	private final LoopFixture f = new LoopFixture(4, null, text(), org.insight.vmm.machine.CodeObserver.NONE, true);

	private static byte[] text() {
		byte[] t = new byte[0x200];
		System.arraycopy(CODE, 0, t, (int) (AT - TEXT), CODE.length);
		return t;
	}

	@AfterEach
	void close() {
		f.close();
	}

	private byte[] codeAt(long va, int n) {
		return f.space.copyIn(va, n);
	}

	/** The thread, at the landmark with RCX = {@code rcx}, went through the patch and the comparator's int3. */
	private ScriptedCpu.Step comparatorHitWith(long rcx) {
		return cpu -> {
			assertEquals((byte) 0xe9, codeAt(AT, 1)[0], "the jmp to the comparator is in place");
			cpu.live.rcx = rcx;
			cpu.live.rip = HIT;
			return exception(ExceptionVectors.BP, 0, 0).apply(cpu);
		};
	}

	@Test
	void aComparatorHitThatIsNotTheLandmarkGoesOnAndTheOneThatIsPreempts() {
		assertEquals(0, f.space.pageTables().entry(MachineLayout.COMPARATOR_CODE) & PageTables.U,
				"supervisor-only until a comparator is installed");
		f.inputs.planned = f.plannedAt(1000, AT, 3);
		f.answerAsReplay();
		f.cpu.then(expect(cpu -> {
			assertEquals(PageTables.U, f.space.pageTables().entry(MachineLayout.COMPARATOR_CODE) & PageTables.U);
			assertEquals(PageTables.U, f.space.pageTables().entry(MachineLayout.COMPARATOR_DATA) & PageTables.U);
			assertEquals(3, f.memory.getLong(MachineLayout.COMPARATOR_DATA + 8), "the landmark's RCX in the data");
			assertEquals(0x202 & Comparator.FLAGS_MASK, f.memory.getLong(MachineLayout.COMPARATOR_DATA
					+ Comparator.FLAGS));
		}, comparatorHitWith(1)), expect(cpu -> {
			assertEquals(HIT, cpu.live.rip, "on to the displaced code, right after the int3, without a step");
			assertEquals(0, cpu.live.rflags & CodeBreakpoints.TF);
			assertEquals((byte) 0xe9, codeAt(AT, 1)[0], "still patched");
		}, jump(MAIN, comparatorHitWith(3))), expect(cpu -> {
			assertEquals(AT, cpu.live.rip, "the thread goes on at the landmark itself");
			assertArrayEquals(java.util.Arrays.copyOf(CODE, 9), codeAt(AT, 9), "the guest's bytes are back");
		}, syscall(Syscalls.EXIT_GROUP, 0)));
		f.run();
		assertEquals(1, f.stats.landmarks());
		assertEquals(1, f.stats.landmarksCompared());
		assertEquals(1, f.stats.landmarkFalseHits());
		assertTrue(f.stats.comparatorRefusals().isEmpty(), f.stats.comparatorRefusals().toString());
		assertEquals(AT, f.inputs.asked(Preemption.class).get(0).landmark().rip());
	}

	@Test
	void aKickThatConsumesTheLandmarkLeavesTheNextOneAtTheSameRipItsOwnData() {
		Preemption first = f.plannedAt(1000, AT, 3);
		Preemption second = f.plannedAt(1000, AT, 5);
		f.inputs.planned = first;
		f.inputs.preempt = (p, others) -> {
			if (p.equals(f.inputs.planned)) {
				f.inputs.planned = p.equals(first) ? second : null; // the next one is planned at once
				return true;
			}
			return false;
		};
		f.cpu.then(cpu -> {
			cpu.live.rcx = 3; // at the jmp, in the landmark's state: the kick itself is the preemption
			cpu.live.rip = AT;
			return ScriptedCpu.interrupt().apply(cpu);
		}, expect(cpu -> {
			assertEquals(second, f.inputs.planned, "the kick consumed the first landmark");
			assertEquals(5, f.memory.getLong(MachineLayout.COMPARATOR_DATA + 8), "the new landmark's RCX");
		}, comparatorHitWith(5)), expect(cpu -> assertEquals(AT, cpu.live.rip), syscall(Syscalls.EXIT_GROUP, 0)));
		f.run();
		assertEquals(1, f.stats.landmarksCompared());
		assertEquals(2, f.inputs.asked(Preemption.class).stream().filter(p -> p.landmark().rip() == AT).count());
	}

	@Test
	void theGuestsBytesAreBackAtTheEndAndAFaultThereIsAtTheGuestsAddress() {
		f.inputs.planned = f.plannedAt(1000, AT, 3);
		f.answerAsReplay();
		// the second displaced instruction (mov rdx, [rsp+8]) faults: no handler, so the process dies of it
		f.cpu.then(jump(DISPLACED + 4, exception(ExceptionVectors.GP, 0, 0)));
		Ending e = f.run();
		assertTrue(e.toString().contains(String.format("rip 0x%x", AT + 4)), e.toString());
		assertArrayEquals(CODE, codeAt(AT, CODE.length), "no patch in the final memory");
	}

	@Test
	void aRunThatIsABranchTargetKeepsTheInt3() {
		// jmp back to AT+4 from after the run: the patch would cover a target
		byte[] t = new byte[0x200];
		System.arraycopy(CODE, 0, t, (int) (AT - TEXT), CODE.length);
		try (LoopFixture g = new LoopFixture(4, null, withJumpBackInto(t), org.insight.vmm.machine.CodeObserver.NONE,
				true)) {
			Regs r = g.scheduler.current().regs();
			r.rip = AT;
			g.inputs.planned = new Preemption(1000, 0, new Landmark(r, g.scheduler.current().fsBase(), g.loop
					.stackDigest(r.rsp)), false);
			g.cpu.then(expect(cpu -> assertEquals(CodeBreakpoints.INT3, g.space.copyIn(AT, 1)[0], "the int3"),
					syscall(Syscalls.EXIT_GROUP, 0)));
			g.run();
			assertTrue(g.stats.comparatorRefusals().keySet().stream().anyMatch(k -> k.contains("branch target")), g.stats
					.comparatorRefusals().toString());
		}
	}

	@Test
	void aLandmarkRightBeforeALoopHeadBouncesThroughAnIsland() {
		// AT: mov ebx, edi ; L: add rax, 1 ; cmp rax, rbx ; jne L ; ret ; then padding, and the next function
		byte[] t = new byte[0x200];
		byte[] loop = HexFormat.of().parseHex("89fb" + "4883c001" + "4839d8" + "75f7" + "c3");
		int at = (int) (AT - TEXT);
		System.arraycopy(loop, 0, t, at, loop.length);
		int end = at + loop.length;
		java.util.Arrays.fill(t, end, end + 16, (byte) 0x90);
		long island = TEXT + end;
		java.util.List<org.insight.symbols.Symbol> functions = java.util.List.of(new org.insight.symbols.Symbol("f",
				AT, loop.length, true), new org.insight.symbols.Symbol("g", island + 16, 0x10, true));
		try (LoopFixture g = new LoopFixture(4, null, t, org.insight.vmm.machine.CodeObserver.NONE, functions)) {
			Regs r = g.scheduler.current().regs();
			r.rip = AT;
			r.rcx = 3;
			Preemption planned = new Preemption(1000, 0, new Landmark(r, g.scheduler.current().fsBase(), g.loop
					.stackDigest(r.rsp)), false);
			g.inputs.planned = planned;
			g.inputs.preempt = (p, others) -> {
				if (p.equals(g.inputs.planned)) {
					g.inputs.planned = null;
					return true;
				}
				return false;
			};
			g.cpu.then(expect(cpu -> {
				byte[] jmp = g.space.copyIn(AT, 2);
				assertEquals((byte) 0xeb, jmp[0], "a short jmp at the landmark");
				assertEquals(island, AT + 2 + jmp[1], "to the island");
				assertEquals((byte) 0xe9, g.space.copyIn(island, 1)[0], "which jumps to the comparator");
				assertEquals((byte) 0x48, g.space.copyIn(AT + 2, 1)[0], "the loop's head is untouched");
			}, cpu -> {
				cpu.live.rcx = 3;
				cpu.live.rip = HIT;
				return exception(ExceptionVectors.BP, 0, 0).apply(cpu);
			}), expect(cpu -> {
				assertEquals(AT, cpu.live.rip);
				assertArrayEquals(java.util.Arrays.copyOfRange(t, end, end + 5), g.space.copyIn(island, 5),
						"the padding is back");
			}, syscall(Syscalls.EXIT_GROUP, 0)));
			g.run();
			assertEquals(1, g.stats.landmarksCompared());
		}
	}

	@Test
	void aRepStringInstructionKeepsTheInt3() {
		byte[] t = new byte[0x200];
		byte[] rep = HexFormat.of().parseHex("f348a5" + "4883c001" + "c3"); // rep movsq ; add rax, 1 ; ret
		System.arraycopy(rep, 0, t, (int) (AT - TEXT), rep.length);
		try (LoopFixture g = new LoopFixture(4, null, t, org.insight.vmm.machine.CodeObserver.NONE, true)) {
			Regs r = g.scheduler.current().regs();
			r.rip = AT;
			g.inputs.planned = new Preemption(1000, 0, new Landmark(r, g.scheduler.current().fsBase(), g.loop
					.stackDigest(r.rsp)), false);
			g.cpu.then(expect(cpu -> assertEquals(CodeBreakpoints.INT3, g.space.copyIn(AT, 1)[0], "the int3"),
					syscall(Syscalls.EXIT_GROUP, 0)));
			g.run();
			assertTrue(g.stats.comparatorRefusals().keySet().stream().anyMatch(k -> k.contains("half-way")), g.stats
					.comparatorRefusals().toString());
		}
	}

	/** {@code jmp AT+4} (rel8) right after the code. */
	private static byte[] withJumpBackInto(byte[] t) {
		int at = (int) (AT - TEXT) + CODE.length;
		t[at] = (byte) 0xeb;
		t[at + 1] = (byte) (AT + 4 - (AT + CODE.length + 2));
		return t;
	}
}
