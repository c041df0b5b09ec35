package org.insight.replay.trace;

import org.insight.kvm.Regs;
import org.insight.vmm.inputs.ClockRead;
import org.insight.vmm.inputs.IdleWait;
import org.insight.vmm.inputs.Landmark;
import org.insight.vmm.inputs.OutputWrite;
import org.insight.vmm.inputs.Preemption;
import org.insight.vmm.inputs.RandomRequest;
import org.insight.vmm.inputs.StdinRead;
import org.insight.vmm.inputs.SyncPoint;
import org.insight.vmm.inputs.TscRead;

/**
 * Frames to fields and back (TRACE-FORMAT.md, "Frames"). Enum values are written as fixed codes, not ordinals, so
 * that reordering an enum in the machine cannot silently change what an old trace means; a new enum constant fails
 * to compile here until it gets a code.
 */
final class FrameCodec {
	private FrameCodec() {
	}

	/** Registers of a landmark, in {@code struct kvm_regs} order. */
	private static final int REGS = 18;
	private static final int MAX_ARGS = 6;
	/** A preempt frame's flag: the landmark's memory words follow. */
	private static final int PREEMPT_WORDS = 2;

	static void encode(Frame frame, FieldWriter w) {
		w.u8(frame.kind().code());
		w.signed(frame.tid());
		switch (frame) {
		case ClockFrame f -> {
			w.signed(f.question().clockId());
			w.u8(switch (f.question().purpose()) {
			case SYSCALL -> 0;
			case TIMEOUT -> 1;
			});
			w.signed(f.nanos());
		}
		case RandomFrame f -> {
			w.u8(switch (f.question().purpose()) {
			case GETRANDOM -> 0;
			case AT_RANDOM -> 1;
			});
			w.bytes(f.bytes());
		}
		case StdinFrame f -> {
			w.varLong(f.question().maxBytes());
			w.signed(f.result());
			byte[] data = f.data();
			w.raw(data, 0, data.length);
		}
		case ScheduleFrame f -> {
			SyncPoint p = f.question();
			w.signed(p.index());
			w.u8(syncKindCode(p.kind()));
			w.signed(p.syscallNr());
			w.varLong(p.argCount());
			for (int i = 0; i < p.argCount(); i++) {
				w.varLong(p.arg(i));
			}
			w.tids(f.runnable());
			w.signed(f.chosen());
		}
		case PreemptFrame f -> {
			Preemption p = f.question();
			w.signed(p.syncIndex());
			Landmark l = p.landmark();
			for (long r : l.regs().toArray()) {
				w.varLong(r);
			}
			w.varLong(l.fsBase());
			w.varLong(l.stackDigest());
			w.bool(p.timersPending());
			w.tids(f.otherRunnable());
			// bit 0: preempted; bit 1: the landmark's memory words follow (a reader of the time before them refuses
			// the byte as a boolean, and never misreads the words as the next frame)
			var words = l.words();
			w.u8((f.preempted() ? 1 : 0) | (words.isEmpty() ? 0 : PREEMPT_WORDS));
			if (!words.isEmpty()) {
				w.varLong(words.size());
				for (Landmark.Word word : words) {
					w.varLong(word.address());
					w.varLong(word.value());
				}
			}
		}
		case IdleFrame f -> w.signed(f.question().deadlineNanos());
		case OutputFrame f -> {
			OutputWrite q = f.question();
			w.u8(q.fd());
			w.varLong(q.length());
			w.varLong(q.index());
			w.signed(f.result());
		}
		case TscFrame f -> {
			w.u8(switch (f.question().instruction()) {
			case RDTSC -> 0;
			case RDTSCP -> 1;
			});
			w.varLong(f.tsc());
		}
		}
	}

	static Frame decode(FieldReader r) {
		int at = r.position();
		int code = r.u8();
		FrameKind kind = FrameKind.ofCode(code);
		if (kind == null) {
			throw new MalformedFieldException(at, "unknown frame kind " + code);
		}
		int tid = r.signedInt("thread id");
		try {
			return switch (kind) {
			case CLOCK -> {
				int clockId = r.signedInt("clock id");
				ClockRead.Purpose purpose = switch (r.u8()) {
				case 0 -> ClockRead.Purpose.SYSCALL;
				case 1 -> ClockRead.Purpose.TIMEOUT;
				default -> throw new MalformedFieldException(r.position() - 1, "unknown clock read purpose");
				};
				yield new ClockFrame(new ClockRead(tid, clockId, purpose), r.signed());
			}
			case RANDOM -> {
				RandomRequest.Purpose purpose = switch (r.u8()) {
				case 0 -> RandomRequest.Purpose.GETRANDOM;
				case 1 -> RandomRequest.Purpose.AT_RANDOM;
				default -> throw new MalformedFieldException(r.position() - 1, "unknown random request purpose");
				};
				byte[] bytes = r.bytes(TraceFormat.MAX_INPUT_BYTES, "random bytes");
				yield new RandomFrame(new RandomRequest(tid, bytes.length, purpose), bytes);
			}
			case STDIN -> {
				int max = r.count(TraceFormat.MAX_INPUT_BYTES, "stdin read size");
				int result = r.signedInt("stdin read result");
				if (result > max || result < -4095) {
					throw new MalformedFieldException(r.position(), "stdin read result " + result + " for a read of "
							+ max + " bytes");
				}
				byte[] data = r.raw(Math.max(result, 0), "stdin bytes");
				yield new StdinFrame(new StdinRead(tid, max), result, data);
			}
			case SCHEDULE -> {
				long index = r.signed();
				SyncPoint.Kind syncKind = syncKind(r);
				int nr = r.signedInt("syscall number");
				int n = r.count(MAX_ARGS, "syscall argument count");
				long[] args = new long[n];
				for (int i = 0; i < n; i++) {
					args[i] = r.varLong();
				}
				var runnable = r.tids("runnable thread");
				int chosen = r.signedInt("chosen thread");
				yield new ScheduleFrame(new SyncPoint(tid, index, syncKind, nr, args), runnable, chosen);
			}
			case PREEMPT -> {
				long index = r.signed();
				long[] regs = new long[REGS];
				for (int i = 0; i < REGS; i++) {
					regs[i] = r.varLong();
				}
				Regs landmarkRegs = Regs.fromArray(regs);
				long fsBase = r.varLong();
				long stackDigest = r.varLong();
				boolean timersPending = r.bool();
				var others = r.tids("runnable thread");
				int flagsAt = r.position();
				int flags = r.u8();
				if ((flags & ~(1 | PREEMPT_WORDS)) != 0) {
					throw new MalformedFieldException(flagsAt, "preempt flags " + flags);
				}
				boolean preempted = (flags & 1) != 0;
				java.util.List<Landmark.Word> words = new java.util.ArrayList<>();
				if ((flags & PREEMPT_WORDS) != 0) {
					int countAt = r.position();
					int n = r.count(Landmark.MAX_WORDS, "landmark memory words");
					if (n == 0) {
						throw new MalformedFieldException(countAt, "landmark memory words flagged, but none");
					}
					for (int i = 0; i < n; i++) {
						int wordAt = r.position();
						long address = r.varLong();
						if ((address & 7) != 0) {
							throw new MalformedFieldException(wordAt, String.format(
									"landmark memory word at 0x%x is not 8-aligned", address));
						}
						words.add(new Landmark.Word(address, r.varLong()));
					}
				}
				Landmark landmark = new Landmark(landmarkRegs, fsBase, stackDigest, words);
				yield new PreemptFrame(new Preemption(tid, index, landmark, timersPending), others, preempted);
			}
			case IDLE -> new IdleFrame(new IdleWait(tid, r.signed()));
			case OUTPUT -> {
				int fd = r.u8();
				int length = r.count(TraceFormat.MAX_INPUT_BYTES, "output write length");
				long index = r.varLong();
				yield new OutputFrame(new OutputWrite(tid, fd, length, index), r.signed());
			}
			case TSC -> {
				TscRead.Instruction instruction = switch (r.u8()) {
				case 0 -> TscRead.Instruction.RDTSC;
				case 1 -> TscRead.Instruction.RDTSCP;
				default -> throw new MalformedFieldException(r.position() - 1, "unknown TSC instruction");
				};
				yield new TscFrame(new TscRead(tid, instruction), r.varLong());
			}
			};
		} catch (IllegalArgumentException e) {
			// A record refused fields that decoded fine one by one (e.g. a negative length): still corruption.
			throw new MalformedFieldException(at, kind + " frame: " + e.getMessage());
		}
	}

	private static int syncKindCode(SyncPoint.Kind kind) {
		return switch (kind) {
		case SYSCALL -> 0;
		case YIELD -> 1;
		case BLOCKED -> 2;
		case EXITED -> 3;
		case PREEMPTED -> 4;
		case LOCK_CALL -> 5;
		};
	}

	private static SyncPoint.Kind syncKind(FieldReader r) {
		int at = r.position();
		return switch (r.u8()) {
		case 0 -> SyncPoint.Kind.SYSCALL;
		case 1 -> SyncPoint.Kind.YIELD;
		case 2 -> SyncPoint.Kind.BLOCKED;
		case 3 -> SyncPoint.Kind.EXITED;
		case 4 -> SyncPoint.Kind.PREEMPTED;
		case 5 -> SyncPoint.Kind.LOCK_CALL;
		default -> throw new MalformedFieldException(at, "unknown sync point kind");
		};
	}
}
