package org.insight.vmm.machine;

import org.insight.kvm.Exit;
import org.insight.kvm.Regs;
import org.insight.vmm.memory.MachineLayout;

/**
 * The floor under every exit the VMM takes, measured on this host in the calling process: how long one guest exit and
 * re-entry costs when the host does nothing in between. {@code insight bench} prints it beside the VMM's own cost per
 * syscall, so that the VMM's share of an exit is a ratio measured side by side, not a figure from another day.
 * <p>
 * Two loops run at CPL3 in a throwaway machine (the probes' {@link ProbeRun}), each {@code n} times:
 * <ul>
 * <li><b>port I/O</b>: {@code out 0xf0, al} (the gate's port, which the TSS lets CPL3 reach), then {@code KVM_RUN}
 * again, nothing else: the bare KVM round trip;</li>
 * <li><b>syscall</b>: the guest's {@code syscall} into the VMM's gate and its {@code out}, then the return a sysret
 * would make (RIP from RCX, RFLAGS from R11, through the sync registers, as {@link VcpuLoop} does): the VMM's exit path
 * with no Linux call behind it. Only where {@code syscall} stays at CPL3 (PVM); where it enters CPL0 (VMX, SVM) the
 * return needs the VMM's iretq frame, and this loop is not run ({@link Result#syscallNanos()} is then -1).</li>
 * </ul>
 * Where an {@code out} at CPL3 faults (#GP: VMX/SVM check the TSS I/O bitmap in hardware, which the VMM never needs
 * there, its port I/O being at CPL0), the port I/O loop is not run either; the result says why.
 * Each loop ends at an {@code int3}, whose stub's exit is the only exception taken. Each KVM_RUN is made as the
 * VMM's are ({@link org.insight.kvm.Vcpu#trapHostTsc}), so a host where that costs two more system calls per entry
 * pays them on both sides of the ratio.
 */
public final class RoundTripProbe {
	/** Round trips per loop when the caller has no reason to choose: about half a second at PVM's ~30 us. */
	public static final int DEFAULT_ROUND_TRIPS = 20_000;

	/**
	 * Wall time of {@code roundTrips} round trips of each loop, from its first exit to its last (the entry before the
	 * first maps pages); -1 where
	 * the loop was not run. {@code notes} says why a loop did not run, or is empty.
	 */
	public record Result(int roundTrips, long portIoNanos, long syscallNanos, String notes) {
		public double portIoMicrosEach() {
			return portIoNanos < 0 ? -1 : portIoNanos / 1e3 / roundTrips;
		}

		public double syscallMicrosEach() {
			return syscallNanos < 0 ? -1 : syscallNanos / 1e3 / roundTrips;
		}
	}

	private RoundTripProbe() {
	}

	/** Runs both loops, {@code roundTrips} exits each (at least 1), on the calling thread. */
	public static Result measure(int roundTrips) {
		if (roundTrips < 1 || roundTrips > 100_000_000) {
			throw new IllegalArgumentException("round trips: 1 to 10^8, not " + roundTrips);
		}
		Loop portIo = loop(roundTrips, false);
		Loop syscall = loop(roundTrips, true);
		String notes = String.join("; ", java.util.stream.Stream.of(portIo.whyNot(), syscall.whyNot())
				.filter(w -> w != null).toList());
		return new Result(roundTrips, portIo.nanos(), syscall.nanos(), notes);
	}

	/** One loop's time, or -1 and why it was not run. */
	private record Loop(long nanos, String whyNot) {
	}

	/** {@code mov ebx, n+1 ; L: out 0xf0, al (or syscall) ; dec ebx ; jnz L ; int3}. */
	static byte[] code(int iterations, boolean syscall) {
		byte[] c = { (byte) 0xBB, 0, 0, 0, 0, syscall ? (byte) 0x0F : (byte) 0xE6,
				syscall ? (byte) 0x05 : (byte) MachineLayout.GATE_PORT, (byte) 0xFF, (byte) 0xCB, 0x75, (byte) 0xFA,
				(byte) 0xCC };
		for (int i = 0; i < 4; i++) {
			c[1 + i] = (byte) (iterations >>> (8 * i));
		}
		return c;
	}

	private static Loop loop(int roundTrips, boolean syscall) {
		// made as the VMM's machines are: every entry as theirs (with the host thread's TSD around it on PVM)
		try (GuestMachine m = GuestMachine.create(ProbeRun.memoryBytes())) {
			ProbeRun.start(m, true, code(roundTrips + 1, syscall));
			int done = -1;
			long t0 = 0;
			long last = 0;
			int breakpointPort = MachineLayout.EXCEPTION_PORT_BASE + ExceptionVectors.BP;
			int generalProtectionPort = MachineLayout.EXCEPTION_PORT_BASE + ExceptionVectors.GP;
			while (true) {
				Exit e = m.vcpu().run();
				if (e instanceof Exit.Interrupted) {
					continue;
				}
				if (e instanceof Exit.Io io && io.port() == breakpointPort) {
					break;
				}
				if (!syscall && done < 0 && e instanceof Exit.Io io && io.port() == generalProtectionPort) {
					// VMX/SVM check the TSS I/O bitmap in hardware, where the VMM's own port I/O is all at CPL0
					return new Loop(-1, "the port I/O loop was not run: an out at CPL3 faults on this host (#GP), "
							+ "where the gate's port I/O runs at CPL0");
				}
				if (!(e instanceof Exit.Io io && io.port() == MachineLayout.GATE_PORT)) {
					throw new MachineException("the round-trip probe's " + (syscall ? "syscall" : "port I/O")
							+ " loop ended in " + e);
				}
				if (++done == 0) {
					if (syscall && (m.vcpu().sregs().cs.selector() & 3) == 0) {
						return new Loop(-1, "the syscall loop was not run: syscall enters CPL0 on this host, whose "
								+ "return needs the VMM's iretq frame");
					}
					t0 = System.nanoTime();
				}
				last = System.nanoTime();
				if (syscall) {
					Regs r = m.vcpu().regs();
					r.rip = r.rcx;
					r.rflags = (r.r11 & ExitHandler.SYSRET_FLAGS_MASK) | 2;
					m.vcpu().setRegs(r);
				}
			}
			if (done != roundTrips) {
				throw new MachineException("the round-trip probe counted " + done + " exits, expected " + roundTrips);
			}
			return new Loop(last - t0, null);
		}
	}
}
