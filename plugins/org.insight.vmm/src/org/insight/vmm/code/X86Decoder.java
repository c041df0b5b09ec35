package org.insight.vmm.code;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import com.sun.jna.Pointer;
import com.sun.jna.ptr.PointerByReference;

/**
 * Decodes x86-64 code with libcapstone ({@link Capstone}) into {@link Instruction}s: lengths, relative branch
 * targets, and RIP-relative displacements, which is what moving code to a trampoline and finding branch targets
 * need. Every field read from capstone's detail is checked against the instruction's bytes; an instruction whose
 * fields disagree is {@link Instruction.Kind#UNMOVABLE}, never misread.
 * <p>
 * One decoder per thread (capstone's handle is not shared); {@link #shared()} is the VMM's, created on first use.
 */
public final class X86Decoder {
	/**
	 * Mnemonics that are never moved whatever their groups say: they trap, or leave the instruction stream. A TSC read
	 * traps too (CR4.TSD), and the VMM answers it only at the guest's own code.
	 */
	private static final Set<String> SYSTEM = Set.of("syscall", "sysenter", "sysexit", "sysret", "int", "int1", "int3",
			"into", "ud0", "ud1", "ud2", "hlt", "xbegin", "xabort", "xend", "iret", "iretd", "iretq", "sti", "cli",
			"rdtsc", "rdtscp");

	private static final Object LOCK = new Object();
	private static volatile X86Decoder shared;
	private static volatile boolean tried;

	private final Capstone cs;

	private X86Decoder(Capstone cs) {
		this.cs = cs;
	}

	/** The VMM's decoder, or null when libcapstone 4 is not installed (then nothing is ever patched). */
	public static X86Decoder shared() {
		if (!tried) {
			synchronized (LOCK) {
				if (!tried) {
					Capstone c = Capstone.load();
					shared = c == null ? null : new X86Decoder(c);
					tried = true;
				}
			}
		}
		return shared;
	}

	/**
	 * Decodes {@code code} (at {@code address}) from its start until an instruction ends at or after
	 * {@code minBytes}, or until the bytes end or stop decoding. Returns the instructions decoded, possibly fewer than
	 * needed.
	 */
	public List<Instruction> decode(byte[] code, long address, int minBytes) {
		List<Instruction> out = new ArrayList<>();
		int done = 0;
		while (done < minBytes && done < code.length) {
			byte[] rest = java.util.Arrays.copyOfRange(code, done, Math.min(code.length, done + 15));
			List<Instruction> one = decodeAll(rest, address + done, 1);
			if (one.isEmpty()) {
				break;
			}
			out.add(one.get(0));
			done += one.get(0).length();
		}
		return out;
	}

	/** Decodes up to {@code max} instructions (0: all) of {@code code} at {@code address}, stopping at invalid bytes. */
	public synchronized List<Instruction> decodeAll(byte[] code, long address, int max) {
		PointerByReference p = new PointerByReference();
		long n = cs.lib.cs_disasm(cs.handle, code, code.length, address, max, p);
		List<Instruction> out = new ArrayList<>((int) Math.max(0, n));
		if (n <= 0) {
			return out;
		}
		Pointer insns = p.getValue();
		try {
			int offset = 0;
			for (long i = 0; i < n; i++) {
				Pointer insn = insns.share(i * Capstone.INSN_SIZE);
				int length = insn.getShort(Capstone.INSN_LENGTH) & 0xffff;
				byte[] bytes = java.util.Arrays.copyOfRange(code, offset, offset + length);
				out.add(describe(insn, address + offset, bytes));
				offset += length;
			}
		} finally {
			cs.lib.cs_free(insns, n);
		}
		return out;
	}

	/** The detail bytes read: up to the end of {@code cs_x86.encoding}. */
	private static final int DETAIL_BYTES = Capstone.ENC_IMM_SIZE + 1;

	/** One instruction, read with two native calls (its {@code cs_insn} and its detail) and parsed here. */
	private static Instruction describe(Pointer insn, long address, byte[] bytes) {
		ByteBuffer in = ByteBuffer.wrap(insn.getByteArray(0, Capstone.INSN_SIZE)).order(ByteOrder.LITTLE_ENDIAN);
		String mnemonic = cString(in, Capstone.INSN_MNEMONIC, 32);
		String operands = cString(in, Capstone.INSN_OP_STR, 160);
		Pointer detail = new Pointer(in.getLong(Capstone.INSN_DETAIL));
		ByteBuffer d = ByteBuffer.wrap(detail.getByteArray(0, DETAIL_BYTES)).order(ByteOrder.LITTLE_ENDIAN);
		int groups = 0;
		int count = d.get(Capstone.DETAIL_GROUPS_COUNT) & 0xff;
		for (int i = 0; i < Math.min(count, 8); i++) {
			int g = d.get(Capstone.DETAIL_GROUPS + i) & 0xff;
			if (g < 32) {
				groups |= 1 << g;
			}
		}
		boolean relative = (groups & 1 << Capstone.GRP_BRANCH_RELATIVE) != 0;
		long target = relative ? branchTarget(d, address, bytes) : -1;
		if (relative && target < 0) {
			return unmovable(address, bytes, mnemonic, -1);
		}
		if (SYSTEM.contains(mnemonic) || (groups & (1 << Capstone.GRP_CALL | 1 << Capstone.GRP_INT
				| 1 << Capstone.GRP_IRET | 1 << Capstone.GRP_PRIVILEGE)) != 0) {
			return unmovable(address, bytes, mnemonic, target);
		}
		if (relative) {
			if (mnemonic.equals("jmp")) {
				return new Instruction(address, bytes, Instruction.Kind.JUMP, target, -1, -1, mnemonic);
			}
			int cc = condition(d);
			if (mnemonic.startsWith("j") && cc >= 0) {
				return new Instruction(address, bytes, Instruction.Kind.CONDITIONAL, target, cc, -1, mnemonic);
			}
			return unmovable(address, bytes, mnemonic, target); // loop, jrcxz and the like: rel8 only
		}
		boolean ripText = operands.contains("rip") || operands.contains("eip");
		int disp = ripDisplacement(d, bytes);
		if (disp == -2 || ripText != (disp >= 0)) {
			return unmovable(address, bytes, mnemonic, -1); // the text and the encoding disagree: do not guess
		}
		boolean jump = (groups & 1 << Capstone.GRP_JUMP) != 0;
		if (jump) {
			// through a register or memory, [rip+x] included (which moves as any RIP-relative instruction)
			return new Instruction(address, bytes, Instruction.Kind.INDIRECT_JUMP, -1, -1, disp, mnemonic,
					memoryOperands(d, mnemonic, address + bytes.length));
		}
		if (disp >= 0) {
			return new Instruction(address, bytes, Instruction.Kind.RIP_RELATIVE, -1, -1, disp, mnemonic,
					memoryOperands(d, mnemonic, address + bytes.length));
		}
		return new Instruction(address, bytes, Instruction.Kind.PLAIN, -1, -1, -1, mnemonic, memoryOperands(d,
				mnemonic, address + bytes.length));
	}

	/**
	 * The memory operands an instruction accesses, from capstone's operands (none for {@code lea} and the {@code nop}s,
	 * which access nothing); an operand with a register that is not a 64-bit general one is left out.
	 */
	private static java.util.List<MemoryOperand> memoryOperands(ByteBuffer d, String mnemonic, long next) {
		if (mnemonic.equals("lea") || mnemonic.startsWith("nop")) {
			return java.util.List.of();
		}
		int ops = Math.min(d.get(Capstone.X86_OP_COUNT) & 0xff, 8);
		java.util.List<MemoryOperand> out = new ArrayList<>(1);
		for (int i = 0; i < ops; i++) {
			int at = Capstone.X86_OP0_TYPE + Capstone.X86_OP_SIZE * i;
			if (d.getInt(at) != Capstone.OP_MEM) {
				continue;
			}
			int segmentReg = d.getInt(at + Capstone.OP_MEM_SEGMENT);
			int baseReg = d.getInt(at + Capstone.OP_MEM_BASE);
			int indexReg = d.getInt(at + Capstone.OP_MEM_INDEX);
			int segment = segmentReg == Capstone.REG_FS ? MemoryOperand.FS : segmentReg == Capstone.REG_GS
					? MemoryOperand.GS : segmentReg == 0 || Capstone.flatSegment(segmentReg) ? MemoryOperand.NO_SEGMENT
							: -1;
			int base = baseReg == 0 ? -1 : baseReg == Capstone.REG_RIP ? MemoryOperand.RIP : Capstone.gpr(baseReg);
			int index = indexReg == 0 ? -1 : Capstone.gpr(indexReg);
			if (segment < 0 || baseReg != 0 && base < 0 || indexReg != 0 && index < 0) {
				continue;
			}
			out.add(new MemoryOperand(segment, base, index, d.getInt(at + Capstone.OP_MEM_SCALE), d.getLong(at
					+ Capstone.OP_MEM_DISP), next));
		}
		return out;
	}

	private static String cString(ByteBuffer b, int at, int max) {
		int n = 0;
		while (n < max && b.get(at + n) != 0) {
			n++;
		}
		return new String(b.array(), at, n, java.nio.charset.StandardCharsets.US_ASCII);
	}

	private static Instruction unmovable(long address, byte[] bytes, String mnemonic, long target) {
		return new Instruction(address, bytes, Instruction.Kind.UNMOVABLE, target, -1, -1, mnemonic);
	}

	/**
	 * A relative branch's target, read from its immediate in the bytes (8 or 32 bits, the last field) and checked
	 * against capstone's first operand; -1 when they disagree or the form is another (a 16-bit operand size).
	 */
	private static long branchTarget(ByteBuffer d, long address, byte[] bytes) {
		int immOffset = d.get(Capstone.ENC_IMM_OFFSET) & 0xff;
		int immSize = d.get(Capstone.ENC_IMM_SIZE) & 0xff;
		if (immOffset == 0 || immOffset + immSize != bytes.length || immSize != 1 && immSize != 4) {
			return -1;
		}
		long rel = immSize == 1 ? bytes[immOffset] : littleEndianInt(bytes, immOffset);
		long target = address + bytes.length + rel;
		int ops = d.get(Capstone.X86_OP_COUNT) & 0xff;
		if (ops < 1 || d.getInt(Capstone.X86_OP0_TYPE) != Capstone.OP_IMM || d.getLong(Capstone.X86_OP0_IMM) != target) {
			return -1;
		}
		return target;
	}

	/** A jcc's condition code, from its opcode ({@code 7x} or {@code 0F 8x}); -1 for any other opcode. */
	private static int condition(ByteBuffer d) {
		int op0 = d.get(Capstone.X86_OPCODE) & 0xff;
		int op1 = d.get(Capstone.X86_OPCODE + 1) & 0xff;
		if ((op0 & 0xf0) == 0x70) {
			return op0 & 0xf;
		}
		if (op0 == 0x0f && (op1 & 0xf0) == 0x80) {
			return op1 & 0xf;
		}
		return -1;
	}

	/**
	 * Where a RIP-relative operand's 32-bit displacement is (ModRM mod 00, r/m 101, 64-bit addressing): -1 when the
	 * instruction has none. -2 (neither -1 nor an offset) for an EIP-relative one or fields that do not agree with the
	 * bytes, which makes the instruction unmovable.
	 */
	private static int ripDisplacement(ByteBuffer d, byte[] bytes) {
		int modrmOffset = d.get(Capstone.ENC_MODRM_OFFSET) & 0xff;
		if (modrmOffset == 0 || modrmOffset >= bytes.length) {
			return -1;
		}
		int modrm = d.get(Capstone.X86_MODRM) & 0xff;
		if ((bytes[modrmOffset] & 0xff) != modrm || (modrm & 0xc7) != 0x05) {
			return -1;
		}
		int dispOffset = d.get(Capstone.ENC_DISP_OFFSET) & 0xff;
		int dispSize = d.get(Capstone.ENC_DISP_SIZE) & 0xff;
		int addrSize = d.get(Capstone.X86_ADDR_SIZE) & 0xff;
		if (addrSize != 8 || dispSize != 4 || dispOffset != modrmOffset + 1 || dispOffset + 4 > bytes.length
				|| littleEndianInt(bytes, dispOffset) != d.getLong(Capstone.X86_DISP)) {
			return -2;
		}
		return dispOffset;
	}

	static int littleEndianInt(byte[] b, int at) {
		return (b[at] & 0xff) | (b[at + 1] & 0xff) << 8 | (b[at + 2] & 0xff) << 16 | (b[at + 3] & 0xff) << 24;
	}
}
