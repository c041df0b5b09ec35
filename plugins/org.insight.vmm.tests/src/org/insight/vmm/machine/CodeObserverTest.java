package org.insight.vmm.machine;

import static org.insight.vmm.machine.LoopFixture.TEXT;
import static org.insight.vmm.machine.ScriptedCpu.exception;
import static org.insight.vmm.machine.ScriptedCpu.expect;
import static org.insight.vmm.machine.ScriptedCpu.jump;
import static org.insight.vmm.machine.ScriptedCpu.syscall;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

import org.insight.kvm.Regs;
import org.insight.vmm.linux.Syscalls;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A replay observer with the scripted vCPU, as the analysis's lock hooks use it: a watched function entry, a return
 * hook watched at the entry's hit and given up at its own hit.
 */
class CodeObserverTest {
	static final long FN = TEXT + 0x300;
	/** The return address in the caller. */
	static final long RET = TEXT + 0x120;
	/** {@code endbr64}. */
	static final byte[] ENDBR64 = { (byte) 0xF3, 0x0F, 0x1E, (byte) 0xFA };
	/** {@code mov rax, [rip+...]} as at a return address. */
	static final byte[] MOV_RAX = { 0x48, (byte) 0x8B, 0x05, 0, 0, 0, 0 };

	private LoopFixture f;

	@AfterEach
	void close() {
		if (f != null) {
			f.close();
		}
	}

	/** Watches FN; at its hit watches RET, and at RET's hit gives it up (as LockHooks at a call's return). */
	static final class ReturnHook implements CodeObserver {
		final List<Long> hits = new ArrayList<>();

		@Override
		public Collection<Long> addresses() {
			return List.of(FN);
		}

		@Override
		public void hit(int tid, long rip, Regs regs, Control control) {
			hits.add(rip);
			if (rip == FN) {
				control.watch(RET);
			} else if (rip == RET) {
				control.unwatch(RET);
			}
		}
	}

	private byte codeAt(long va) {
		return f.space.copyIn(va, 1)[0];
	}

	@Test
	void aReturnHookGivenUpAtItsHitRunsTheGuestsInstructionUnstepped() {
		byte[] text = new byte[0x400];
		System.arraycopy(ENDBR64, 0, text, (int) (FN - TEXT), ENDBR64.length);
		System.arraycopy(MOV_RAX, 0, text, (int) (RET - TEXT), MOV_RAX.length);
		ReturnHook hook = new ReturnHook();
		f = new LoopFixture(16, null, text, hook);
		f.cpu.then(jump(FN + 1, exception(ExceptionVectors.BP, 0, 0)), expect(cpu -> {
			assertEquals(FN, cpu.live.rip, "back at the entry, stepping");
			assertEquals(CodeBreakpoints.TF, cpu.live.rflags & CodeBreakpoints.TF);
			assertEquals(CodeBreakpoints.INT3, codeAt(RET), "the return hook is armed");
		}, jump(FN + ENDBR64.length, exception(ExceptionVectors.DB, 0, 0))), expect(cpu -> {
			assertEquals(CodeBreakpoints.INT3, codeAt(FN), "the entry's int3 is back");
		}, jump(RET + 1, exception(ExceptionVectors.BP, 0, 0))), expect(cpu -> {
			assertEquals(RET, cpu.live.rip, "the thread goes on at the return address");
			assertEquals(0, cpu.live.rflags & CodeBreakpoints.TF, "with nothing to step over");
			assertEquals((byte) 0x48, codeAt(RET), "the guest's own byte is back");
		}, syscall(Syscalls.EXIT_GROUP, 0)));
		f.run();
		assertEquals(List.of(FN, RET), hook.hits);
		Ending e = f.loop.ending().orElseThrow();
		assertEquals(0, assertInstanceOf(Ending.Terminated.class, e).termination().status(), e.toString());
		assertEquals((byte) 0xF3, codeAt(FN), "the end of the run takes the int3s out");
	}
}
