package org.insight.vmm.code;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.HexFormat;
import java.util.List;
import java.util.Set;

import org.insight.vmm.memory.MachineLayout;
import org.junit.jupiter.api.Test;

/**
 * The counting lock stub's code ({@link LockStubCode}), read back with capstone: it changes no flag and no stack byte,
 * keeps RCX, and its two jrcxz lead to the stop path.
 */
class LockStubCodeTest {
	private static final long STUB = MachineLayout.LOCK_STUBS + 176;
	/** mov eax, 1 ; jmp back (as Relocation writes a moved run). */
	private static final byte[] MOVED = HexFormat.of().parseHex("b801000000" + "e900000000");

	@Test
	void theStubUsesOnlyMovLeaAndJrcxzBeforeTheMovedCode() {
		X86Decoder d = X86Decoder.shared();
		assumeTrue(d != null, "libcapstone 4 is not installed");
		byte[] code = LockStubCode.assemble(MachineLayout.LOCK_DATA, 5, MOVED);
		assertEquals(LockStubCode.length(MOVED.length), code.length);
		List<Instruction> all = d.decode(code, STUB, code.length);
		List<String> prologue = all.stream().filter(i -> i.address() < LockStubCode.movedAt(STUB)).map(
				Instruction::mnemonic).toList();
		// save RCX, the entry (RDI, id, RSP, [RSP] through RAX, saved and restored), the head, two countdowns
		assertEquals(List.of("nop", "mov", "mov", "mov", "mov", "mov", "mov", "mov", "mov", "mov", "lea", "mov", "mov",
				"lea", "mov", "jrcxz", "mov", "lea", "mov", "jrcxz", "mov"), prologue);
		Set<String> flagFree = Set.of("nop", "mov", "lea", "jrcxz", "int3", "jmp");
		for (Instruction i : all) {
			if (i.address() >= LockStubCode.movedAt(STUB) && i.address() < LockStubCode.stopAt(STUB, MOVED.length)) {
				continue; // the guest's own
			}
			assertFalse(!flagFree.contains(i.mnemonic()), i + " could change the flags or the stack");
		}
		long stop = LockStubCode.stopAt(STUB, MOVED.length);
		List<Long> jrcxzTargets = all.stream().filter(i -> i.mnemonic().equals("jrcxz")).map(i -> i.address()
				+ i.length() + code[(int) (i.address() - STUB) + 1]).toList();
		assertEquals(List.of(stop, stop), jrcxzTargets, "both count-downs lead to the stop path");
		assertEquals((byte) 0xcc, code[(int) (stop - STUB) + LockStubCode.STOP_AFTER_INT3 - 1]);
		assertEquals(5, java.nio.ByteBuffer.wrap(code, LockStubCode.ID_OFFSET, 4).order(java.nio.ByteOrder.LITTLE_ENDIAN)
				.getInt(), "the id the ring entries carry");
	}

	@Test
	void anObservingStubJumpsOverTheCountdownAndStopsOnlyForAFullRing() {
		X86Decoder d = X86Decoder.shared();
		assumeTrue(d != null, "libcapstone 4 is not installed");
		byte[] counting = LockStubCode.assemble(MachineLayout.LOCK_DATA, 5, MOVED);
		byte[] code = LockStubCode.assemble(MachineLayout.LOCK_DATA, 5, MOVED, false);
		assertEquals(counting.length, code.length, "the moved instructions are where a counting stub has them");
		List<Instruction> all = d.decode(code, STUB, code.length);
		Instruction jmp = all.stream().filter(i -> i.mnemonic().equals("jmp")).findFirst().orElseThrow();
		long over = jmp.address() + jmp.length() + code[(int) (jmp.address() - STUB) + 1];
		Instruction next = all.stream().filter(i -> i.address() == over).findFirst().orElseThrow(
				() -> new AssertionError("the jmp lands inside an instruction"));
		assertEquals("mov", next.mnemonic(), "the room's countdown");
		List<Instruction> jrcxz = all.stream().filter(i -> i.mnemonic().equals("jrcxz") && i.address() > over).toList();
		assertEquals(1, jrcxz.size());
		assertEquals(LockStubCode.stopAt(STUB, MOVED.length), jrcxz.get(0).address() + 2 + code[(int) (jrcxz.get(0)
				.address() - STUB) + 1], "a full ring stops");
	}

	@Test
	void aDataPageAbove2GiBIsRefused() {
		assertThrows(IllegalArgumentException.class, () -> LockStubCode.assemble(1L << 32, 0, MOVED));
	}
}
