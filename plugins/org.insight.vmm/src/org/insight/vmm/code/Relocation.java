package org.insight.vmm.code;

import java.io.ByteArrayOutputStream;
import java.util.List;
import java.util.Optional;

/**
 * Moves a run of whole instructions to another address, so that they do there what they did in place, then jump
 * back: RIP-relative displacements are adjusted, {@code jmp} and {@code jcc} become their rel32 forms to the same
 * targets, and a {@code jmp rel32} to the instruction after the run ends it. Anything else that depends on its
 * address ({@link Instruction.Kind#UNMOVABLE}: a call pushes its own address) is refused, as is a displacement or
 * branch that does not fit in 32 bits from the new place.
 */
public final class Relocation {
	private Relocation() {
	}

	/**
	 * Why a run cannot move, or the bytes it becomes and where each of its instructions starts in them (a fault there
	 * is reported at the instruction's own address).
	 */
	public record Result(byte[] code, int[] starts, String refusal) {
		public boolean ok() {
			return refusal == null;
		}
	}

	/** {@code run} (consecutive, starting at its first address) as code placed at {@code at}. */
	public static Result relocate(List<Instruction> run, long at) {
		if (run.isEmpty()) {
			return new Result(null, null, "nothing to move");
		}
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		int[] starts = new int[run.size()];
		int k = 0;
		long expected = run.get(0).address();
		for (Instruction i : run) {
			if (i.address() != expected) {
				return new Result(null, null, "instructions are not consecutive");
			}
			expected = i.next();
			starts[k++] = out.size();
			long here = at + out.size();
			byte[] b = i.bytes();
			switch (i.kind()) {
			case PLAIN -> out.writeBytes(b);
			case RIP_RELATIVE, INDIRECT_JUMP -> {
				if (i.dispOffset() >= 0) {
					long operand = i.next() + X86Decoder.littleEndianInt(b, i.dispOffset());
					long disp = operand - (here + b.length);
					if (disp != (int) disp) {
						return new Result(null, null, String.format("%s: its operand 0x%x is out of 32-bit reach", i,
								operand));
					}
					putInt(b, i.dispOffset(), (int) disp);
				}
				out.writeBytes(b);
			}
			case JUMP -> {
				Long rel = rel32(i.target(), here + 5);
				if (rel == null) {
					return new Result(null, null, i + ": its target is out of 32-bit reach");
				}
				out.write(0xe9);
				writeInt(out, rel.intValue());
			}
			case CONDITIONAL -> {
				Long rel = rel32(i.target(), here + 6);
				if (rel == null) {
					return new Result(null, null, i + ": its target is out of 32-bit reach");
				}
				out.write(0x0f);
				out.write(0x80 | i.condition());
				writeInt(out, rel.intValue());
			}
			case UNMOVABLE -> {
				return new Result(null, null, i + " cannot be moved");
			}
			}
		}
		Optional<byte[]> back = jump(at + out.size(), expected);
		if (back.isEmpty()) {
			return new Result(null, null, "the way back is out of 32-bit reach");
		}
		out.writeBytes(back.get());
		return new Result(out.toByteArray(), starts, null);
	}

	/** {@code jmp rel32} placed at {@code from} to {@code to}, if it reaches. */
	public static Optional<byte[]> jump(long from, long to) {
		Long rel = rel32(to, from + 5);
		if (rel == null) {
			return Optional.empty();
		}
		byte[] b = new byte[5];
		b[0] = (byte) 0xe9;
		putInt(b, 1, rel.intValue());
		return Optional.of(b);
	}

	private static Long rel32(long target, long next) {
		long rel = target - next;
		return rel == (int) rel ? rel : null;
	}

	static void putInt(byte[] b, int at, int v) {
		b[at] = (byte) v;
		b[at + 1] = (byte) (v >> 8);
		b[at + 2] = (byte) (v >> 16);
		b[at + 3] = (byte) (v >> 24);
	}

	private static void writeInt(ByteArrayOutputStream out, int v) {
		byte[] b = new byte[4];
		putInt(b, 0, v);
		out.writeBytes(b);
	}
}
