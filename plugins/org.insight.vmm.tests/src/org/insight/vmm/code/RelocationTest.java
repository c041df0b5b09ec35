package org.insight.vmm.code;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HexFormat;
import java.util.List;

import org.junit.jupiter.api.Test;

/** Moving a run of instructions: exact bytes for each kind, and the refusals. */
class RelocationTest {
	private static List<Instruction> run(String hex, long at) {
		byte[] code = HexFormat.of().parseHex(hex);
		return X86Decoder.shared().decodeAll(code, at, 0);
	}

	private static byte[] hex(String h) {
		return HexFormat.of().parseHex(h.replace(" ", ""));
	}

	@Test
	void ripRelativeDisplacementsFollowTheMove() {
		// add rax,1 ; mov [rip+0xb9ba6],rax   at 0x40175f, operand 0x4bb310; moved to 0x1c100
		Relocation.Result r = Relocation.relocate(run("4883c001" + "488905a69b0b00", 0x40175f), 0x1c100);
		assertTrue(r.ok(), r.refusal());
		long operand = 0x40176aL + 0xb9ba6;
		int disp = (int) (operand - (0x1c104 + 7));
		byte[] d = new byte[4];
		Relocation.putInt(d, 0, disp);
		int back = (int) (0x40176aL - (0x1c10b + 5));
		byte[] b = new byte[4];
		Relocation.putInt(b, 0, back);
		assertArrayEquals(concat(hex("4883c001 488905"), d, hex("e9"), b), r.code());
		assertArrayEquals(new int[] { 0, 4 }, r.starts());
	}

	@Test
	void shortBranchesBecomeNearOnesToTheSameTarget() {
		// test eax,eax ; je 0x401758 ; xor eax,eax   at 0x401770, moved to 0x1c100
		Relocation.Result r = Relocation.relocate(run("85c0" + "74e4" + "31c0", 0x401770), 0x1c100);
		assertTrue(r.ok(), r.refusal());
		byte[] je = new byte[4];
		Relocation.putInt(je, 0, (int) (0x401758L - (0x1c102 + 6)));
		byte[] back = new byte[4];
		Relocation.putInt(back, 0, (int) (0x401776L - (0x1c10a + 5)));
		assertArrayEquals(concat(hex("85c0 0f84"), je, hex("31c0 e9"), back), r.code());
		assertArrayEquals(new int[] { 0, 2, 8 }, r.starts());
		Relocation.Result j = Relocation.relocate(run("ebfe", 0x401000), 0x1c000);
		byte[] self = new byte[4];
		Relocation.putInt(self, 0, (int) (0x401000L - 0x1c005));
		byte[] end = new byte[4];
		Relocation.putInt(end, 0, (int) (0x401002L - 0x1c00a));
		assertArrayEquals(concat(hex("e9"), self, hex("e9"), end), j.code());
	}

	@Test
	void callsAndFarTargetsAreRefused() {
		assertFalse(Relocation.relocate(run("e8fbffffff", 0x401000), 0x1c000).ok(), "a call");
		assertFalse(Relocation.relocate(run("0f05", 0x401000), 0x1c000).ok(), "a syscall");
		assertFalse(Relocation.relocate(run("488b0500000000", 0x5555_5555_4000L), 0x1c000).ok(),
				"a PIE's RIP-relative operand is out of 32-bit reach of the kernel area");
		assertFalse(Relocation.jump(0x5555_5555_4000L, 0x1c000).isPresent());
		assertArrayEquals(hex("e9 f7 af c1 ff"), Relocation.jump(0x401004, 0x1c000).orElseThrow());
	}

	static byte[] concat(byte[]... parts) {
		java.io.ByteArrayOutputStream o = new java.io.ByteArrayOutputStream();
		for (byte[] p : parts) {
			o.writeBytes(p);
		}
		return o.toByteArray();
	}
}
