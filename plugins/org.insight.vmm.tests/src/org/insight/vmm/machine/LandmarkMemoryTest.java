package org.insight.vmm.machine;

import static org.insight.vmm.machine.LoopFixture.DATA;
import static org.insight.vmm.machine.LoopFixture.MAIN;
import static org.insight.vmm.machine.LoopFixture.TEXT;
import static org.insight.vmm.machine.ScriptedCpu.exception;
import static org.insight.vmm.machine.ScriptedCpu.expect;
import static org.insight.vmm.machine.ScriptedCpu.jump;
import static org.insight.vmm.machine.ScriptedCpu.syscall;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.HexFormat;
import java.util.List;

import org.insight.kvm.Regs;
import org.insight.vmm.code.Comparator;
import org.insight.vmm.code.X86Decoder;
import org.insight.vmm.inputs.Landmark;
import org.insight.vmm.inputs.Preemption;
import org.insight.vmm.linux.Syscalls;
import org.insight.vmm.memory.MachineLayout;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A landmark's memory words with the scripted vCPU (ARCHITECTURE.md section 3, "Landmarks in memory"): a recording's
 * kick in a loop that keeps its count in a global takes that global's word; a replay matches only the pass whose word
 * is the recorded one; and a word's load that faults in the comparator is a miss, not the guest's fault.
 */
class LandmarkMemoryTest {
	static final long AT = MAIN + 0x40;
	static final long COUNTER = DATA + 0x10;
	static final long HIT = MachineLayout.COMPARATOR_CODE + Comparator.AFTER_INT3;

	/** AT: L: mov rax, [rip+counter] ; add rax, 1 ; mov [rip+counter], rax ; jmp L (a loop whose progress is memory). */
	private static byte[] text() {
		byte[] t = new byte[0x200];
		int at = (int) (AT - TEXT);
		byte[] loop = HexFormat.of().parseHex("488b05" + "00000000" + "4883c001" + "488905" + "00000000" + "ebec");
		java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(loop).order(java.nio.ByteOrder.LITTLE_ENDIAN);
		b.putInt(3, (int) (COUNTER - (AT + 7)));
		b.putInt(14, (int) (COUNTER - (AT + 18)));
		System.arraycopy(loop, 0, t, at, loop.length);
		return t;
	}

	@BeforeEach
	void decoder() {
		assumeTrue(X86Decoder.shared() != null, "libcapstone 4 is not installed");
	}

	private static void counter(LoopFixture f, long value) {
		byte[] b = new byte[8];
		java.nio.ByteBuffer.wrap(b).order(java.nio.ByteOrder.LITTLE_ENDIAN).putLong(value);
		f.space.copyOut(COUNTER, b);
	}

	@Test
	void aKickInALoopWhoseCountIsInAGlobalRecordsThatWord() {
		try (LoopFixture f = new LoopFixture(4, null, text(), CodeObserver.NONE, true)) {
			counter(f, 41);
			f.cpu.then(cpu -> {
				cpu.live.rip = AT;
				return ScriptedCpu.interrupt().apply(cpu);
			}, syscall(Syscalls.EXIT_GROUP, 0));
			f.run();
			Landmark l = f.inputs.asked(Preemption.class).get(0).landmark();
			assertEquals(List.of(new Landmark.Word(COUNTER, 41)), l.words());
		}
	}

	@Test
	void theComparatorHoldsTheWordsAndOnlyThePassWithTheRecordedWordIsTheLandmark() {
		try (LoopFixture f = new LoopFixture(4, null, text(), CodeObserver.NONE, true)) {
			counter(f, 5);
			Regs r = f.scheduler.current().regs().copy();
			r.rip = AT;
			Preemption planned = new Preemption(1000, 0, new Landmark(r, f.scheduler.current().fsBase(), f.loop
					.stackDigest(r.rsp), List.of(new Landmark.Word(COUNTER, 7))), false);
			f.inputs.planned = planned;
			f.answerAsReplay();
			int slot = Comparator.WORD_SLOTS;
			f.cpu.then(expect(cpu -> {
				assertEquals(COUNTER, f.memory.getLong(MachineLayout.COMPARATOR_DATA + slot), "the word's address");
				assertEquals(7, f.memory.getLong(MachineLayout.COMPARATOR_DATA + slot + 8), "its recorded value");
			}, cpu -> {
				cpu.live.rip = HIT; // the registers matched on a pass with the counter at 5: the VMM says no
				return exception(ExceptionVectors.BP, 0, 0).apply(cpu);
			}), expect(cpu -> {
				assertEquals(HIT, cpu.live.rip, "a false hit goes on");
				counter(f, 7);
			}, jump(HIT, exception(ExceptionVectors.BP, 0, 0))), expect(cpu -> assertEquals(AT, cpu.live.rip,
					"preempted at the pass whose counter is 7"), syscall(Syscalls.EXIT_GROUP, 0)));
			f.run();
			assertEquals(1, f.stats.landmarks());
			assertEquals(1, f.stats.landmarkFalseHits());
		}
	}

	@Test
	void aWordLoadThatFaultsIsAMissAndNotTheGuestsFault() {
		try (LoopFixture f = new LoopFixture(4, null, text(), CodeObserver.NONE, true)) {
			Regs r = f.scheduler.current().regs().copy();
			r.rip = AT;
			long unmapped = 0x5000_0000L;
			f.inputs.planned = new Preemption(1000, 0, new Landmark(r, f.scheduler.current().fsBase(), f.loop
					.stackDigest(r.rsp), List.of(new Landmark.Word(unmapped, 7))), false);
			f.answerAsReplay();
			long load = MachineLayout.COMPARATOR_CODE + firstWordLoad();
			f.cpu.then(jump(load, exception(ExceptionVectors.PF, 4, unmapped)), expect(cpu -> assertEquals(
					MachineLayout.COMPARATOR_CODE + Comparator.WORD_MISS, cpu.live.rip, "on at the word miss"),
					syscall(Syscalls.EXIT_GROUP, 0)));
			Ending e = f.run();
			assertFalse(e.toString().contains("SIGSEGV"), e.toString());
			assertTrue(e instanceof Ending.Terminated t && t.crash().isEmpty(), e.toString());
		}
	}

	@Test
	void aWordReadsAsTheGuestWouldReadItAndTheStackIsLeftToItsDigest() {
		long anon = 0x5000_0000L;
		try (LoopFixture f = new LoopFixture(4, null, text(), CodeObserver.NONE, true)) {
			long rsp = f.scheduler.current().regs().rsp;
			long stack = (rsp + 16) & ~7L;
			f.space.map(anon, anon + 0x1000, org.insight.vmm.memory.Mman.PROT_READ | org.insight.vmm.memory.Mman
					.PROT_WRITE, org.insight.vmm.memory.Vma.Kind.ANONYMOUS);
			// AT: mov rax, [rip+counter] ; mov rcx, [rip+anon+8] ; mov rdx, [rip+stack] ; mov rsi, [rbx+0x18] ; ret
			byte[] code = HexFormat.of().parseHex("488b05" + "00000000" + "488b0d" + "00000000" + "488b15" + "00000000"
					+ "488b7318" + "c3");
			java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(code).order(java.nio.ByteOrder.LITTLE_ENDIAN);
			b.putInt(3, (int) (COUNTER - (AT + 7)));
			b.putInt(10, (int) (anon + 8 - (AT + 14)));
			b.putInt(17, (int) (stack - (AT + 21)));
			f.memory.write(f.space.translate(AT).physical(), code, 0, code.length);
			counter(f, 99);
			LandmarkMemory words = new LandmarkMemory(f.space, new CodeBreakpoints(f.space), X86Decoder::shared);
			assertFalse(f.space.translate(anon).present(), "the anonymous page is not faulted in");
			Regs at = f.scheduler.current().regs().copy();
			at.rip = AT;
			at.rbx = anon + 0x100; // the loop's pointer: [rbx+0x18] is anon+0x118
			assertEquals(List.of(new Landmark.Word(COUNTER, 99), new Landmark.Word(anon + 8, 0), new Landmark.Word(
					anon + 0x118, 0)), words.choose(at, 0), "the counter, the untouched page as its fault would fill it,"
							+ " and the word behind the pointer; the stack slot is the digest's");
			assertFalse(f.space.translate(anon).present(), "choosing faults nothing in");
			assertEquals(List.of(new Landmark.Word(COUNTER, 99)), words.read(new long[] { COUNTER, 0x6000_0000L }),
					"an unmapped word is left out: no match");
		}
	}

	/** The offset of the first word's {@code mov rax, [rax]} in the comparator. */
	private static int firstWordLoad() {
		byte[] c = Comparator.assemble(MachineLayout.COMPARATOR_DATA, new byte[0]);
		for (int i = 0; i + 3 <= c.length; i++) {
			if (c[i] == 0x48 && c[i + 1] == (byte) 0x8b && c[i + 2] == 0x00 && Comparator.isWordLoad(i)) {
				return i;
			}
		}
		throw new AssertionError("no word load in the comparator");
	}
}
