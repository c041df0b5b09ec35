package org.insight.vmm.code;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.util.HexFormat;
import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * The decoder against instructions whose every field is known: this is also the check of the capstone 4 offsets in
 * {@link Capstone} (a wrong offset makes these kinds, targets or displacement offsets wrong). libcapstone4 is a
 * requirement of the development machines (docs/PLATFORM.md), so its absence fails here rather than skipping.
 */
class X86DecoderTest {
	private static final long AT = 0x401000;

	private static Instruction one(String hex) {
		X86Decoder d = X86Decoder.shared();
		assertNotNull(d, "libcapstone 4 (Debian libcapstone4) is not loadable");
		byte[] code = HexFormat.of().parseHex(hex);
		List<Instruction> is = d.decodeAll(code, AT, 1);
		assertEquals(1, is.size(), hex);
		assertEquals(code.length, is.get(0).length(), hex);
		return is.get(0);
	}

	private static void kind(Instruction.Kind k, String hex) {
		assertEquals(k, one(hex).kind(), hex);
	}

	@Test
	void memoryOperandsAreReadWithTheirRegistersInTheCpusOrder() {
		// mov rax, [r13 + rbx*4 + 0x10]: capstone 4's cs_x86_op offsets and x86_reg numbers, checked
		assertEquals(List.of(new MemoryOperand(MemoryOperand.NO_SEGMENT, 13, 3, 4, 0x10, AT + 5)), one("498b449d10")
				.memory());
		// inc qword [rsi - 8], and every base register from RAX to R15
		assertEquals(List.of(new MemoryOperand(MemoryOperand.NO_SEGMENT, 6, -1, 1, -8, AT + 4)), one("48ff46f8")
				.memory());
		for (int reg = 0; reg < 16; reg++) {
			String hex = String.format("%02x8b%s10", 0x48 | reg >> 3, (reg & 7) == 4 ? "4424" : String.format("%02x",
					0x40 | reg & 7));
			assertEquals(reg, one(hex).memory().get(0).base(), hex);
		}
		// mov rax, fs:[0x28] ; mov rax, [rip+0x10] ; mov rax, gs:[0]
		MemoryOperand fs = one("64488b042528000000").memory().get(0);
		assertEquals(MemoryOperand.FS, fs.segment());
		assertEquals(0x1028, fs.address(new long[16], 0x1000).getAsLong());
		MemoryOperand rip = one("488b0510000000").memory().get(0);
		assertEquals(AT + 7 + 0x10, rip.address(new long[16], 0).getAsLong());
		assertEquals(true, one("65488b042500000000").memory().get(0).address(new long[16], 0).isEmpty(),
				"GS has no base the VMM keeps");
		// lea and nop access nothing; a register operand is no memory
		assertEquals(List.of(), one("488d4310").memory(), "lea rax, [rbx+0x10]");
		assertEquals(List.of(), one("660f1f440000").memory(), "nopw [rax+rax]");
		assertEquals(List.of(), one("4889d8").memory(), "mov rax, rbx");
	}

	@Test
	void ripRelativeOperandsHaveTheirDisplacementOffset() {
		Instruction load = one("488b0578563412"); // mov rax, [rip+0x12345678]
		assertEquals(Instruction.Kind.RIP_RELATIVE, load.kind());
		assertEquals(3, load.dispOffset());
		Instruction store = one("48c7052211000078563412"); // mov qword [rip+0x1122], 0x12345678: an immediate after it
		assertEquals(Instruction.Kind.RIP_RELATIVE, store.kind());
		assertEquals(3, store.dispOffset());
		// vmovdqa ymm0, [rip+0x10]: capstone 4 leaves a VEX instruction's encoding offsets unset, so the bytes and
		// the fields disagree and it is not moved (its landmark keeps the int3)
		kind(Instruction.Kind.UNMOVABLE, "c5fd6f0510000000");
		Instruction lockAdd = one("f0488305aabbccdd01"); // lock add qword [rip+x], 1
		assertEquals(Instruction.Kind.RIP_RELATIVE, lockAdd.kind());
		assertEquals(4, lockAdd.dispOffset());
		kind(Instruction.Kind.UNMOVABLE, "678b0510000000"); // mov eax, [eip+0x10]: 32-bit addressing, not moved
	}

	@Test
	void relativeBranchesHaveTheirTargets() {
		Instruction jne = one("7502");
		assertEquals(Instruction.Kind.CONDITIONAL, jne.kind());
		assertEquals(AT + 4, jne.target());
		assertEquals(5, jne.condition());
		Instruction jeNear = one("0f84f0ffffff");
		assertEquals(Instruction.Kind.CONDITIONAL, jeNear.kind());
		assertEquals(AT + 6 - 0x10, jeNear.target());
		assertEquals(4, jeNear.condition());
		Instruction self = one("ebfe");
		assertEquals(Instruction.Kind.JUMP, self.kind());
		assertEquals(AT, self.target());
		Instruction call = one("e8fbffffff");
		assertEquals(Instruction.Kind.UNMOVABLE, call.kind(), "a call pushes its own address");
		assertEquals(AT, call.target(), "but its target is known");
		Instruction loop = one("e2fe");
		assertEquals(Instruction.Kind.UNMOVABLE, loop.kind(), "loop has only a rel8 form");
		assertEquals(AT, loop.target());
	}

	@Test
	void indirectJumpsSystemInstructionsAndPlainOnes() {
		kind(Instruction.Kind.INDIRECT_JUMP, "ffe0"); // jmp rax
		Instruction table = one("ff2510000000"); // jmp [rip+0x10]
		assertEquals(Instruction.Kind.INDIRECT_JUMP, table.kind());
		assertEquals(2, table.dispOffset());
		kind(Instruction.Kind.UNMOVABLE, "0f05"); // syscall
		kind(Instruction.Kind.UNMOVABLE, "cc"); // int3
		kind(Instruction.Kind.UNMOVABLE, "0f0b"); // ud2
		kind(Instruction.Kind.UNMOVABLE, "ffd0"); // call rax
		kind(Instruction.Kind.PLAIN, "4883c001"); // add rax, 1
		kind(Instruction.Kind.PLAIN, "c3"); // ret: goes where the stack says, from anywhere
		kind(Instruction.Kind.PLAIN, "488b542408"); // mov rdx, [rsp+8]
		kind(Instruction.Kind.PLAIN, "f348a5"); // rep movsq
		// rdtsc and rdtscp trap (CR4.TSD) and the VMM answers them only in the guest's own code: moved into the kernel
		// area they would be a real #GP
		kind(Instruction.Kind.UNMOVABLE, "0f31");
		kind(Instruction.Kind.UNMOVABLE, "0f01f9");
	}

	@Test
	void decodeStopsOnceTheRunCoversTheBytesAsked() {
		// bench/counting.c's spinner loop: mov rax,[rip+x] ; add rax,1 ; mov [rip+x],rax ; mov eax,[rip+x] ; ...
		byte[] code = HexFormat.of().parseHex("488b05b19b0b004883c0014889" + "05a69b0b008b05a89b0b0085c074e4");
		List<Instruction> run = X86Decoder.shared().decode(code, 0x401758, 5);
		assertEquals(1, run.size(), "7 bytes cover 5");
		run = X86Decoder.shared().decode(java.util.Arrays.copyOfRange(code, 7, code.length), 0x40175f, 5);
		assertEquals(2, run.size(), "add (4 bytes) then the store");
		assertEquals(Instruction.Kind.PLAIN, run.get(0).kind());
		assertEquals(Instruction.Kind.RIP_RELATIVE, run.get(1).kind());
		assertEquals(0x40176a, run.get(1).next());
		assertEquals(0, X86Decoder.shared().decode(HexFormat.of().parseHex("0f"), AT, 5).size(), "a cut instruction");
	}
}
