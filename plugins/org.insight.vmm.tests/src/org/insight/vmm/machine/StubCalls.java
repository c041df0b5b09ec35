package org.insight.vmm.machine;

import static org.insight.vmm.memory.MachineLayout.LOCK_DATA;

import org.insight.kvm.GuestMemory;
import org.insight.vmm.code.LockStubCode;

/**
 * What a lock stub's code does when a thread calls through it ({@link LockStubCode}), for the scripted vCPU, which
 * runs no code: stop at the watch byte if it is an int3; else append the call to the ring (RDI, the id, RSP and the
 * return address at [RSP]), count the countdown down (unless the stub only observes: it jumps over it), then the
 * ring's room, and stop at the stop path's int3 when either runs out, or go on in the moved instructions.
 * The bytes it follows are the stub's own (its watch byte and its id), so a test sees the stub that was written.
 */
final class StubCalls {
	private StubCalls() {
	}

	/**
	 * The thread calls the function whose stub is at {@code stub} with {@code rdi}: the stub stops at an int3 (a #BP),
	 * or the thread goes on at the moved instructions and {@code then} runs ({@code null}: a test that expects a stop).
	 * After a stop at the stop path, {@code then} is the script's next step.
	 */
	static ScriptedCpu.Step call(LoopFixture f, long stub, long rdi, ScriptedCpu.Step then) {
		return cpu -> {
			GuestMemory m = f.memory;
			cpu.live.rdi = rdi;
			if (m.getByte(stub) == CodeBreakpoints.INT3) {
				cpu.live.rip = stub + 1;
				return ScriptedCpu.exception(ExceptionVectors.BP, 0, 0).apply(cpu);
			}
			long head = m.getLong(LOCK_DATA + LockStubCode.HEAD);
			m.putLong(head, rdi);
			m.putLong(head + 8, m.getInt(stub + LockStubCode.ID_OFFSET));
			m.putLong(head + 16, cpu.live.rsp);
			m.putLong(head + 24, f.space.readU64(cpu.live.rsp));
			m.putLong(LOCK_DATA + LockStubCode.HEAD, head + LockStubCode.ENTRY);
			boolean counting = m.getByte(stub + COUNTDOWN) != (byte) 0xeb; // an observing stub's jmp over it
			if (counting && countDown(m, LockStubCode.COUNT) == 0 || countDown(m, LockStubCode.ROOM) == 0) {
				cpu.live.rip = stopAfterInt3(m, stub);
				if (then != null) {
					cpu.script.addFirst(then); // where the thread goes on after the stop
				}
				return ScriptedCpu.exception(ExceptionVectors.BP, 0, 0).apply(cpu);
			}
			if (then == null) {
				throw new AssertionError("the call went through the stub without stopping");
			}
			cpu.live.rip = LockStubCode.movedAt(stub);
			return then.apply(cpu);
		};
	}

	/** Where a stub's countdown starts: before the room's countdown (22 bytes) and the restore of RCX (8). */
	private static final int COUNTDOWN = LockStubCode.MOVED - 8 - 22 - 22;

	private static long countDown(GuestMemory m, int slot) {
		long left = m.getLong(LOCK_DATA + slot) - 1;
		m.putLong(LOCK_DATA + slot, left);
		return left;
	}

	/** The frame RIP of the stop path's int3: found after the moved code by its bytes (mov rcx, [SAVE] ; int3). */
	private static long stopAfterInt3(GuestMemory m, long stub) {
		for (long at = LockStubCode.movedAt(stub); at < stub + 256; at++) {
			if (m.getByte(at) == 0x48 && m.getByte(at + 1) == (byte) 0x8b && m.getByte(at + 2) == 0x0c
					&& m.getInt(at + 4) == (int) (LOCK_DATA + LockStubCode.SAVE) && m.getByte(at + 8) == CodeBreakpoints.INT3) {
				return at + LockStubCode.STOP_AFTER_INT3;
			}
		}
		throw new AssertionError("no stop path in the stub at 0x" + Long.toHexString(stub));
	}
}
