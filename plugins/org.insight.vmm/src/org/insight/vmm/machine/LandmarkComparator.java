package org.insight.vmm.machine;

import static org.insight.vmm.memory.MachineLayout.COMPARATOR_CODE;
import static org.insight.vmm.memory.MachineLayout.COMPARATOR_DATA;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

import org.insight.kvm.GuestMemory;
import org.insight.kvm.Regs;
import org.insight.vmm.code.BranchTargets;
import org.insight.vmm.code.Comparator;
import org.insight.vmm.code.Instruction;
import org.insight.vmm.code.Relocation;
import org.insight.vmm.code.X86Decoder;
import org.insight.vmm.inputs.Landmark;
import org.insight.vmm.memory.AddressSpace;
import org.insight.vmm.memory.MachineLayout;
import org.insight.vmm.memory.PageTables;

/**
 * A replay's planned landmark found at native speed (ARCHITECTURE.md section 3): the instructions at its RIP are
 * moved into the {@link Comparator} in the kernel area and replaced by a {@code jmp} there, through
 * {@link CodeBreakpoints#patch}, which hides the patch from every read of guest code and takes it out before the final
 * memory digest. {@link #install} refuses, and the landmark keeps today's int3, whenever the patch could change what
 * the program does: no disassembler, no symbols, a landmark at an instruction that a kick can interrupt half-way (a
 * REP string instruction, a gather), a run that may be entered in its middle ({@link BranchTargets}), an instruction
 * that cannot move ({@link Relocation}), a thread standing inside the run, or one of our int3s in it.
 */
final class LandmarkComparator {
	/** The shortest run: {@code jmp rel32}. */
	static final int JMP_LENGTH = 5;
	/** {@code jmp rel8}, to an island. */
	static final int SHORT_JMP_LENGTH = 2;
	/** The most guest code read to decode the run (a 4-byte instruction followed by a 15-byte one). */
	static final int READ = 20;

	/** What {@link #install} did. */
	sealed interface Outcome {
	}

	/** The landmark's instructions are patched: the comparator is on. */
	record Installed() implements Outcome {
	}

	/** The landmark's code page is not present yet: no thread can be there, try again before the next run. */
	record NotPresent() implements Outcome {
	}

	/** The comparator cannot be used for this landmark: the int3, and why. */
	record Refused(String why) implements Outcome {
	}

	private final AddressSpace memory;
	private final CodeBreakpoints breakpoints;
	private final java.util.function.Supplier<X86Decoder> decoders;
	private final BranchTargets targets;
	private long site = -1;
	private int length;
	private int[] starts;
	private long[] originals;
	private int displacedLength;
	private boolean exposed;

	/**
	 * {@code decoders} gives the decoder at the first install, or null (no libcapstone); {@code targets} may be null
	 * (no symbols). Every install is refused without either.
	 */
	LandmarkComparator(AddressSpace memory, CodeBreakpoints breakpoints, java.util.function.Supplier<X86Decoder> decoders,
			BranchTargets targets) {
		this.memory = Objects.requireNonNull(memory, "memory");
		this.breakpoints = Objects.requireNonNull(breakpoints, "breakpoints");
		this.decoders = Objects.requireNonNull(decoders, "decoders");
		this.targets = targets;
	}

	/**
	 * Patches the landmark's RIP. {@code occupied} tells whether a thread (its saved RIP, or the vCPU's) stands at an
	 * address strictly inside the run: it would resume in the middle of our {@code jmp}.
	 */
	Outcome install(Landmark landmark, java.util.function.BiPredicate<Long, Long> occupied) {
		if (site >= 0) {
			throw new IllegalStateException(String.format("comparator installed at 0x%x already", site));
		}
		if (targets == null) {
			return new Refused("no symbols for the program's code");
		}
		X86Decoder decoder = decoders.get();
		if (decoder == null) {
			return new Refused("no x86 disassembler (libcapstone 4)");
		}
		long r = landmark.regs().rip;
		if (!memory.translate(r).present()) {
			return new NotPresent();
		}
		byte[] code = breakpoints.presentGuestCode(r, READ);
		List<Instruction> run = decoder.decode(code, r, JMP_LENGTH);
		if (run.isEmpty()) {
			return new Refused(String.format("the code at 0x%x does not decode", r));
		}
		String first = run.get(0).mnemonic();
		if (first.startsWith("rep") || first.contains("gather")) {
			// A kick may land between two iterations, with RIP still here: the comparator sees only the instruction's
			// start, while the int3's TF step stops after each iteration.
			return new Refused(String.format("%s at 0x%x can be interrupted half-way", first, r));
		}
		long displacedAt = Comparator.displacedAt(COMPARATOR_CODE);
		Plan plan = direct(r, run, displacedAt);
		if (plan.refusal != null) {
			Plan island = viaIsland(r, run.get(0), displacedAt);
			if (island.refusal != null) {
				return new Refused(plan.refusal + "; no island: " + island.refusal);
			}
			plan = island;
		}
		int len = plan.run.stream().mapToInt(Instruction::length).sum();
		if (occupied.test(r, r + len)) {
			return new Refused(String.format("a thread stands inside 0x%x-0x%x", r, r + len));
		}
		for (Landmark.Word w : landmark.words()) {
			// the CPU reads our bytes where the VMM reads the guest's: they would never agree
			boolean onPatch = false;
			for (int i = 0; i < plan.sites.length; i++) {
				onPatch |= w.address() < plan.sites[i] + plan.bytes[i].length && plan.sites[i] < w.address() + 8;
			}
			if (onPatch || breakpoints.anyOursIn(w.address(), w.address() + 8)) {
				return new Refused(String.format("memory word at 0x%x holds bytes of ours", w.address()));
			}
		}
		for (Landmark.Word w : landmark.words()) {
			if (w.address() < MachineLayout.USER_START || w.address() >= MachineLayout.USER_TOP) {
				// a recording's word no guest code could read: no replay state matches it, the int3 says so
				return new Refused(String.format("memory word at 0x%x is not a user address", w.address()));
			}
		}
		exposeToCpl3();
		GuestMemory m = memory.memory();
		long[] data = Comparator.dataFor(gprs(landmark.regs()), landmark.regs().rflags, landmark.wordAddresses(),
				landmark.words().stream().mapToLong(Landmark.Word::value).toArray(), COMPARATOR_DATA);
		for (int i = 0; i < data.length; i++) {
			m.putLong(COMPARATOR_DATA + 8L * i, data[i]);
		}
		byte[] comparator = Comparator.assemble(COMPARATOR_DATA, plan.moved.code());
		m.write(COMPARATOR_CODE, comparator, 0, comparator.length);
		if (!breakpoints.patch(plan.sites, plan.bytes)) {
			return new Refused(String.format("0x%x-0x%x holds one of our int3s or crosses into a page not present",
					r, r + len));
		}
		Relocation.Result moved = plan.moved;
		List<Instruction> runMoved = plan.run;
		site = r;
		length = len;
		starts = moved.starts();
		originals = runMoved.stream().mapToLong(Instruction::address).toArray();
		displacedLength = moved.code().length;
		return new Installed();
	}

	/** How to patch: the run moved, where its bytes go, and the patch's runs of bytes; or why not. */
	private record Plan(List<Instruction> run, Relocation.Result moved, long[] sites, byte[][] bytes, String refusal) {
		static Plan refused(String why) {
			return new Plan(null, null, null, null, why);
		}
	}

	/** A {@code jmp rel32} at r over the whole instructions that cover its 5 bytes (the rest int3s, never run). */
	private Plan direct(long r, List<Instruction> run, long displacedAt) {
		int len = run.stream().mapToInt(Instruction::length).sum();
		if (len < JMP_LENGTH) {
			return Plan.refused(String.format("the code at 0x%x decodes to %d bytes only", r, len));
		}
		java.util.Optional<String> entered = targets.refusal(r, r + len);
		if (entered.isPresent()) {
			return Plan.refused(entered.get());
		}
		Relocation.Result moved = Relocation.relocate(run, displacedAt);
		if (!moved.ok()) {
			return Plan.refused(moved.refusal());
		}
		java.util.Optional<byte[]> jmp = Relocation.jump(r, COMPARATOR_CODE);
		if (jmp.isEmpty()) {
			return Plan.refused(String.format("0x%x is out of a jmp's reach of the comparator", r));
		}
		byte[] patch = new byte[len];
		Arrays.fill(patch, CodeBreakpoints.INT3); // never executed: nothing enters the run but at its start
		System.arraycopy(jmp.get(), 0, patch, 0, JMP_LENGTH);
		return new Plan(run, moved, new long[] { r }, new byte[][] { patch }, null);
	}

	/**
	 * A 2-byte {@code jmp rel8} at r over its one instruction, to an island of dead padding nearby that holds the
	 * {@code jmp rel32} to the comparator: for a landmark whose next instruction is a branch target (a loop's head
	 * right after it) or cannot move.
	 */
	private Plan viaIsland(long r, Instruction only, long displacedAt) {
		int len = only.length();
		if (len < SHORT_JMP_LENGTH) {
			return Plan.refused("a 1-byte instruction");
		}
		java.util.Optional<String> entered = targets.refusal(r, r + len);
		if (entered.isPresent()) {
			return Plan.refused(entered.get());
		}
		long after = r + SHORT_JMP_LENGTH;
		long island = targets.island(after - 128, after + 127);
		if (island < 0) {
			return Plan.refused("no dead padding within a short jmp");
		}
		Relocation.Result moved = Relocation.relocate(List.of(only), displacedAt);
		if (!moved.ok()) {
			return Plan.refused(moved.refusal());
		}
		java.util.Optional<byte[]> jmp = Relocation.jump(island, COMPARATOR_CODE);
		if (jmp.isEmpty()) {
			return Plan.refused(String.format("0x%x is out of a jmp's reach of the comparator", island));
		}
		byte[] patch = new byte[len];
		Arrays.fill(patch, CodeBreakpoints.INT3);
		patch[0] = (byte) 0xeb;
		patch[1] = (byte) (island - after);
		return new Plan(List.of(only), moved, new long[] { r, island }, new byte[][] { patch, jmp.get() }, null);
	}

	/**
	 * Makes the comparator's two pages reachable from CPL3, where the guest's threads run it. Until then they are
	 * supervisor-only, as the rest of the kernel area, so a run or a recording keeps the whole area out of the guest's
	 * reach (a wild access there faults, as under Linux). Raising U needs no TLB flush: nothing has ever accessed these
	 * pages, so no translation of them is cached.
	 */
	private void exposeToCpl3() {
		if (!exposed) {
			PageTables t = memory.pageTables();
			t.setEntry(COMPARATOR_CODE, t.entry(COMPARATOR_CODE) | PageTables.U);
			t.setEntry(COMPARATOR_DATA, t.entry(COMPARATOR_DATA) | PageTables.U);
			exposed = true;
		}
	}

	/** The landmark's GPRs in the CPU's order (RAX, RCX, RDX, RBX, RSP, RBP, RSI, RDI, R8…R15). */
	static long[] gprs(Regs r) {
		return new long[] { r.rax, r.rcx, r.rdx, r.rbx, r.rsp, r.rbp, r.rsi, r.rdi, r.r8, r.r9, r.r10, r.r11, r.r12,
				r.r13, r.r14, r.r15 };
	}

	/** Takes the patch out (the guest's bytes back); nothing if none. */
	void uninstall() {
		breakpoints.unpatch();
		site = -1;
	}

	boolean installed() {
		return site >= 0;
	}

	/** Whether a #BP whose frame RIP is {@code frameRip} is the comparator's match. */
	boolean isHit(long frameRip) {
		return site >= 0 && frameRip == COMPARATOR_CODE + Comparator.AFTER_INT3;
	}

	/** Whether {@code rip} is strictly inside the patched run: no thread may go on from there while it is patched. */
	boolean inside(long rip) {
		return site >= 0 && rip > site && rip < site + length;
	}

	/** Whether a fault at {@code rip} is one of the comparator's memory word loads: it is no fault of the guest's. */
	boolean isWordLoad(long rip) {
		return site >= 0 && rip >= COMPARATOR_CODE && Comparator.isWordLoad(rip - COMPARATOR_CODE);
	}

	/**
	 * The guest's address of the instruction at {@code rip} when it is one of the displaced instructions in the
	 * comparator (a fault there is the guest's, at its own address); {@code rip} otherwise.
	 */
	long guestAddress(long rip) {
		long displaced = Comparator.displacedAt(COMPARATOR_CODE);
		if (site < 0 || rip < displaced || rip >= displaced + displacedLength) {
			return rip;
		}
		for (int i = 0; i < starts.length; i++) {
			if (rip == displaced + starts[i]) {
				return originals[i];
			}
		}
		return rip;
	}
}
