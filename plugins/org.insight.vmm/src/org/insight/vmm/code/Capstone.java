package org.insight.vmm.code;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.LongByReference;
import com.sun.jna.ptr.PointerByReference;

/**
 * The few functions of libcapstone 4 (Debian's libcapstone4, x86 only) that {@link X86Decoder} needs, through JNA.
 * The library is optional: without it {@link #load()} returns null and every landmark falls back to its int3.
 * <p>
 * The offsets below are those of capstone 4.0's {@code cs_insn}, {@code cs_detail} and {@code cs_x86} on x86-64
 * (there is no header on the machines, and JNA Structure mapping of the whole 1.5 KiB detail would be slower and no
 * safer). {@code X86DecoderTest} checks each of them against instructions whose fields are known, and the decoder
 * cross-checks every field it uses against the instruction's own bytes, so a different layout makes the decoder
 * refuse instructions instead of misreading them.
 */
final class Capstone {
	interface Lib extends Library {
		int cs_open(int arch, int mode, LongByReference handle);

		int cs_option(long handle, int type, long value);

		long cs_disasm(long handle, byte[] code, long size, long address, long count, PointerByReference insn);

		void cs_free(Pointer insn, long count);

		int cs_version(Pointer major, Pointer minor);
	}

	static final int CS_ARCH_X86 = 3;
	static final int CS_MODE_64 = 8;
	static final int CS_OPT_DETAIL = 2;
	static final int CS_OPT_ON = 3;

	/** {@code sizeof(cs_insn)} and the fields read from it. */
	static final int INSN_SIZE = 240, INSN_LENGTH = 16, INSN_MNEMONIC = 34, INSN_OP_STR = 66, INSN_DETAIL = 232;
	/** {@code cs_detail}: the groups and their count. */
	static final int DETAIL_GROUPS = 67, DETAIL_GROUPS_COUNT = 75;
	/** {@code cs_detail.x86} (at 80): opcode, address size, ModRM, displacement, operand count, first operand. */
	static final int X86_OPCODE = 84, X86_ADDR_SIZE = 89, X86_MODRM = 90, X86_DISP = 96, X86_OP_COUNT = 144;
	/** {@code cs_x86.operands[0]}: its type and its immediate (the union). */
	static final int X86_OP0_TYPE = 152, X86_OP0_IMM = 160;
	/** {@code cs_x86.encoding}: where ModRM, displacement and immediate are in the bytes, and their sizes. */
	static final int ENC_MODRM_OFFSET = 536, ENC_DISP_OFFSET = 537, ENC_DISP_SIZE = 538, ENC_IMM_OFFSET = 539,
			ENC_IMM_SIZE = 540;
	/** {@code cs_group_type}. */
	static final int GRP_JUMP = 1, GRP_CALL = 2, GRP_RET = 3, GRP_INT = 4, GRP_IRET = 5, GRP_PRIVILEGE = 6,
			GRP_BRANCH_RELATIVE = 7;
	/** {@code x86_op_type} of an immediate, and of a memory operand. */
	static final int OP_IMM = 2, OP_MEM = 3;
	/** {@code sizeof(cs_x86_op)}, and its memory operand's fields: segment, base, index (x86_reg), scale, disp. */
	static final int X86_OP_SIZE = 48, OP_MEM_SEGMENT = 8, OP_MEM_BASE = 12, OP_MEM_INDEX = 16, OP_MEM_SCALE = 20,
			OP_MEM_DISP = 24;
	/** {@code x86_reg} of FS, GS and RIP. */
	static final int REG_FS = 32, REG_GS = 33, REG_RIP = 41;

	/** Whether {@code reg} is CS, DS, ES or SS: a segment whose base is 0 in 64-bit mode. */
	static boolean flatSegment(int reg) {
		return reg == 11 || reg == 17 || reg == 28 || reg == 49;
	}

	/**
	 * The CPU's index (RAX 0 … R15 15) of a 64-bit general register's {@code x86_reg}; -1 for any other register
	 * (a 32-bit address's EAX, say: such an operand is not taken).
	 */
	static int gpr(int reg) {
		return switch (reg) {
		case 35 -> 0; // RAX
		case 38 -> 1; // RCX
		case 40 -> 2; // RDX
		case 37 -> 3; // RBX
		case 44 -> 4; // RSP
		case 36 -> 5; // RBP
		case 43 -> 6; // RSI
		case 39 -> 7; // RDI
		default -> reg >= 106 && reg <= 113 ? reg - 98 : -1; // R8…R15
		};
	}

	final Lib lib;
	final long handle;

	private Capstone(Lib lib, long handle) {
		this.lib = lib;
		this.handle = handle;
	}

	/** The library opened for x86-64 with details, or null when it is not installed or refuses. */
	static Capstone load() {
		Lib lib = null;
		for (String name : new String[] { "capstone", "/usr/lib/x86_64-linux-gnu/libcapstone.so.4" }) {
			try {
				lib = Native.load(name, Lib.class);
				break;
			} catch (UnsatisfiedLinkError e) {
				// try the next name
			}
		}
		if (lib == null) {
			return null;
		}
		try (com.sun.jna.Memory major = new com.sun.jna.Memory(4); com.sun.jna.Memory minor = new com.sun.jna.Memory(4)) {
			lib.cs_version(major, minor);
			if (major.getInt(0) != 4) {
				return null; // the offsets are capstone 4's
			}
		}
		LongByReference h = new LongByReference();
		if (lib.cs_open(CS_ARCH_X86, CS_MODE_64, h) != 0 || lib.cs_option(h.getValue(), CS_OPT_DETAIL, CS_OPT_ON) != 0) {
			return null;
		}
		return new Capstone(lib, h.getValue());
	}
}
