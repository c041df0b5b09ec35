package org.insight.vmm.code;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.util.HexFormat;
import java.util.List;

import org.junit.jupiter.api.Test;

import com.sun.jna.Function;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;

/**
 * The landmark comparator's code: its exact bytes where they matter, and its behaviour, run natively on the host
 * (CPL3, as in the guest) around a patched site: a state equal to the landmark takes the match path, any one register
 * or arithmetic flag different does not, and either way the thread leaves with the guest's registers, flags, stack
 * and red zone as the displaced instructions alone would leave them.
 */
class ComparatorTest {
	private static final long DATA = 0x1d000;

	@Test
	void itSwitchesStacksBeforePushingAndRunsTheDisplacedCodeAfterItsPrefix() {
		byte[] c = Comparator.assemble(DATA, new byte[] { (byte) 0x90 });
		HexFormat h = HexFormat.of();
		// mov [0x1d088], rsp ; mov rsp, 0x1e000 ; pushfq ; cmp rax, [0x1d000] ; jne miss
		assertEquals("48892425 88d00100 48c7c4 00e00100 9c 483b0425 00d00100 0f85".replace(" ", ""),
				h.formatHex(c, 0, 26));
		assertEquals(Comparator.PREFIX_LENGTH + 1, c.length);
		assertEquals((byte) 0x90, c[Comparator.PREFIX_LENGTH]);
		assertEquals((byte) 0xcc, c[Comparator.AFTER_INT3 - 1], "the match's int3");
		// after the int3: jmp over the miss path (popfq ; mov rsp, [0x1d088]) to the displaced code
		assertEquals("eb09 9d 488b2425 88d00100".replace(" ", ""), h.formatHex(c, Comparator.AFTER_INT3,
				Comparator.PREFIX_LENGTH));
		// every jne goes to the miss path, the memory words' to the word miss (which restores RAX, then jumps there)
		int miss = Comparator.AFTER_INT3 + 2;
		int jnes = 0;
		int wordJnes = 0;
		for (int i = 0; i + 6 <= Comparator.AFTER_INT3; i++) {
			if (c[i] == 0x0f && c[i + 1] == (byte) 0x85) {
				int to = i + 6 + X86Decoder.littleEndianInt(c, i + 2);
				if (to == Comparator.WORD_MISS) {
					wordJnes++;
					assertTrue(Comparator.isWordLoad(i - 11), "the word's load before its cmp is a word load");
				} else {
					assertEquals(miss, to, "jne at " + i);
					jnes++;
				}
				i += 5;
			}
		}
		assertEquals(17, jnes, "15 registers, RSP and the flags");
		assertEquals(Comparator.WORDS, wordJnes, "one per memory word");
		// the word miss: mov rax, [SAVED_RAX] ; jmp miss
		assertEquals("488b0425 90d00100 e9".replace(" ", ""), h.formatHex(c, Comparator.WORD_MISS,
				Comparator.WORD_MISS + 9));
		assertEquals(miss, Comparator.WORD_MISS + 13 + X86Decoder.littleEndianInt(c, Comparator.WORD_MISS + 9));
		long[] data = Comparator.dataFor(new long[] { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 }, 0x2d7,
				new long[] { 0x4bb310 }, new long[] { 42 }, DATA);
		assertArrayEquals(new long[] { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 0xd5 },
				java.util.Arrays.copyOf(data, 17));
		int slots = Comparator.WORD_SLOTS / 8;
		assertEquals(0x4bb310, data[slots]);
		assertEquals(42, data[slots + 1]);
		assertEquals(DATA + 8L * (slots + 3), data[slots + 2], "an unused slot addresses its own value");
	}

	// ------------------------------------------------------------------ run natively

	/** A region below 2 GiB: harness code, comparator code, comparator data, the state block, the guest stack. */
	private static final long BASE = 0x10_0000L;
	private static final long HARNESS = BASE, CODE = BASE + 0x1000, COMP_DATA = BASE + 0x2000, STATE = BASE + 0x3000;
	private static final long STACK_TOP = BASE + 0x8000;
	private static final long IN = STATE, OUT = STATE + 0x100, HOST_RSP = STATE + 0x200, VALUE = STATE + 0x300,
			FLAGS_OUT = STATE + 0x308, WORDS = STATE + 0x400;
	private static final int RSP = 4;
	private static final int SITE = 0x400;
	/** lea rax, [rax+1] ; mov rdx, [rip+x] (x: VALUE): flags untouched, one RIP-relative operand. */
	private static final String DISPLACED = "488d4001" + "488b15";
	private static final long CANARY = 0x5a5a_1234_5678_9abcL;
	/** IF, ZF, CF. */
	private static final long LANDMARK_FLAGS = 0x202 | 0x41;

	/** The landmark's registers, RSP on the test's stack. */
	private static long[] landmarkRegisters() {
		return new long[] { 0x1111, 0x2222, 0x3333, 0x4444, STACK_TOP - 0x1000, 0x6666, 0x7777, 0x8888, 9, 10, 11,
				12, 13, 14, 15, 16 };
	}

	@Test
	void runNativelyItMatchesOnlyTheLandmarksStateAndLeavesTheGuestsOwn() {
		Pointer mem = map();
		try {
			long[] landmark = landmarkRegisters();
			long flags = LANDMARK_FLAGS;
			install(mem, landmark, flags);
			// the same state: the match path (its int3 is a cmc here, which flips CF where the test sees it)
			long[] out = run(mem, landmark, flags);
			assertEquals(flags ^ 1, out[16] & 0xcd5 | 0x202, "the match path ran");
			expectDisplaced(landmark, out);
			for (int reg = 0; reg < 16; reg++) {
				long[] other = landmark.clone();
				other[reg] += reg == RSP ? 64 : 1;
				out = run(mem, other, flags);
				assertEquals(flags, out[16] & 0xcd5 | 0x202, "register " + reg + " differs: no match");
				expectDisplaced(other, out);
			}
			for (long f : new long[] { 0x40, 0x1, 0x4, 0x10, 0x80, 0x800 }) {
				out = run(mem, landmark, flags ^ f);
				assertEquals(flags ^ f, out[16] & 0xcd5 | 0x202, "flag 0x" + Long.toHexString(f) + " differs");
			}
		} finally {
			unmap();
		}
	}

	@Test
	void runNativelyItMatchesOnlyWhenTheMemoryWordsAreTheLandmarks() {
		Pointer mem = map();
		try {
			long[] landmark = landmarkRegisters();
			long flags = LANDMARK_FLAGS;
			long[] words = { WORDS, WORDS + 8, WORDS + 0x10 };
			long[] values = { 7, -1, 0x1234_5678_9abc_def0L };
			install(mem, landmark, flags, words, values);
			for (int i = 0; i < words.length; i++) {
				mem.setLong(words[i] - BASE, values[i]);
			}
			long[] out = run(mem, landmark, flags);
			assertEquals(flags ^ 1, out[16] & 0xcd5 | 0x202, "the words are the landmark's: the match path ran");
			expectDisplaced(landmark, out);
			for (int i = 0; i < words.length; i++) {
				mem.setLong(words[i] - BASE, values[i] + 1);
				out = run(mem, landmark, flags);
				assertEquals(flags, out[16] & 0xcd5 | 0x202, "word " + i + " differs: no match");
				expectDisplaced(landmark, out); // RAX and the flags are the guest's again after the word miss
				mem.setLong(words[i] - BASE, values[i]);
			}
		} finally {
			unmap();
		}
	}

	private static void expectDisplaced(long[] in, long[] out) {
		for (int reg = 0; reg < 16; reg++) {
			long want = reg == 0 ? in[0] + 1 : reg == 2 ? 0x0bad_cafeL : in[reg];
			assertEquals(want, out[reg], "register " + reg);
		}
	}

	/** The harness at HARNESS, the patched site in it, the comparator and its data, as LandmarkComparator does. */
	private static void install(Pointer mem, long[] landmark, long flags) {
		install(mem, landmark, flags, new long[0], new long[0]);
	}

	private static void install(Pointer mem, long[] landmark, long flags, long[] addresses, long[] values) {
		long site = HARNESS + SITE;
		byte[] displaced = HexFormat.of().parseHex(DISPLACED + "00000000");
		Relocation.putInt(displaced, 7, (int) (VALUE - (site + 11)));
		List<Instruction> run = X86Decoder.shared().decode(displaced, site, 5);
		assertEquals(2, run.size());
		Relocation.Result moved = Relocation.relocate(run, Comparator.displacedAt(CODE));
		assertTrue(moved.ok(), moved.refusal());
		byte[] comparator = Comparator.assemble(COMP_DATA, moved.code());
		comparator[Comparator.AFTER_INT3 - 1] = (byte) 0xf5; // cmc instead of int3: the host would get SIGTRAP
		mem.write(CODE - BASE, comparator, 0, comparator.length);
		long[] data = Comparator.dataFor(landmark, flags, addresses, values, COMP_DATA);
		for (int i = 0; i < data.length; i++) {
			mem.setLong(COMP_DATA - BASE + 8L * i, data[i]);
		}
		mem.setLong(VALUE - BASE, 0x0bad_cafeL);
		byte[] harness = harness(site, displaced.length);
		mem.write(0, harness, 0, harness.length);
		byte[] patch = new byte[11];
		java.util.Arrays.fill(patch, (byte) 0xcc);
		System.arraycopy(Relocation.jump(site, CODE).orElseThrow(), 0, patch, 0, 5);
		mem.write(SITE, patch, 0, patch.length);
	}

	/**
	 * Loads the state, runs the site (patched), and stores the state after it: callee-saved registers kept, the host's
	 * RSP parked in the state block, flags loaded on the host's stack before the guest's RSP is.
	 */
	private static byte[] harness(long site, int siteLength) {
		Asm a = new Asm();
		a.b(0x53, 0x55, 0x41, 0x54, 0x41, 0x55, 0x41, 0x56, 0x41, 0x57); // push rbx, rbp, r12..r15
		a.b(0xff, 0x34, 0x25).i32(IN + 8 * 16); // push qword [IN+flags]
		a.b(0x9d); // popfq
		a.abs(0x89, RSP, HOST_RSP);
		for (int r = 0; r < 16; r++) {
			if (r != RSP) {
				a.abs(0x8b, r, IN + 8L * r);
			}
		}
		a.abs(0x8b, RSP, IN + 8L * RSP);
		int jmpAt = a.size();
		a.b(0xe9).i32((int) (site - (HARNESS + jmpAt + 5)));
		while (a.size() < SITE + siteLength) {
			a.b(0xcc);
		}
		for (int r = 0; r < 16; r++) {
			a.abs(0x89, r, OUT + 8L * r);
		}
		a.abs(0x8b, RSP, HOST_RSP);
		a.b(0x9c, 0x8f, 0x04, 0x25).i32(FLAGS_OUT); // pushfq ; pop qword [FLAGS_OUT]
		a.b(0xfc); // cld
		a.b(0x41, 0x5f, 0x41, 0x5e, 0x41, 0x5d, 0x41, 0x5c, 0x5d, 0x5b, 0xc3);
		return a.bytes();
	}

	private static long[] run(Pointer mem, long[] regs, long flags) {
		for (int r = 0; r < 16; r++) {
			mem.setLong(IN - BASE + 8L * r, regs[r]);
		}
		mem.setLong(IN - BASE + 8 * 16, flags);
		for (int i = 1; i <= 16; i++) { // the red zone below the guest's RSP, and what is above it
			mem.setLong(regs[RSP] - BASE - 8L * i, CANARY + i);
			mem.setLong(regs[RSP] - BASE + 8L * (i - 1), ~CANARY - i);
		}
		Function.getFunction(new Pointer(HARNESS)).invokeVoid(new Object[0]);
		long[] out = new long[17];
		for (int r = 0; r < 16; r++) {
			out[r] = mem.getLong(OUT - BASE + 8L * r);
		}
		out[16] = mem.getLong(FLAGS_OUT - BASE);
		for (int i = 1; i <= 16; i++) {
			assertEquals(CANARY + i, mem.getLong(regs[RSP] - BASE - 8L * i), "red zone at rsp-" + 8 * i);
			assertEquals(~CANARY - i, mem.getLong(regs[RSP] - BASE + 8L * (i - 1)), "stack at rsp+" + 8 * (i - 1));
		}
		return out;
	}

	private static Pointer map() {
		Function mmap = NativeLibrary.getInstance("c").getFunction("mmap");
		long p = mmap.invokeLong(new Object[] { new Pointer(BASE), 0x8000L, 7, 0x22 | 0x100000, -1, 0L });
		assertEquals(BASE, p, "mmap of the test region below 2 GiB (MAP_FIXED_NOREPLACE)");
		return new Pointer(BASE);
	}

	private static void unmap() {
		NativeLibrary.getInstance("c").getFunction("munmap").invokeInt(new Object[] { new Pointer(BASE), 0x8000L });
	}

	/** Just enough of an assembler for the harness. */
	private static final class Asm {
		private final ByteArrayOutputStream out = new ByteArrayOutputStream();

		Asm b(int... bs) {
			for (int x : bs) {
				out.write(x);
			}
			return this;
		}

		Asm i32(long v) {
			byte[] b = new byte[4];
			Relocation.putInt(b, 0, (int) v);
			out.writeBytes(b);
			return this;
		}

		/** {@code mov} (op 8b: load, 89: store) between {@code reg} and the absolute {@code address}. */
		Asm abs(int op, int reg, long address) {
			return b(0x48 | (reg >> 3) << 2, op, (reg & 7) << 3 | 4, 0x25).i32(address);
		}

		int size() {
			return out.size();
		}

		byte[] bytes() {
			return out.toByteArray();
		}
	}
}
