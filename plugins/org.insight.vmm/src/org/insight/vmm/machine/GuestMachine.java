package org.insight.vmm.machine;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Optional;

import org.insight.kvm.Cpuid;
import org.insight.kvm.DescriptorTable;
import org.insight.kvm.GuestMemory;
import org.insight.kvm.Kvm;
import org.insight.kvm.Msr;
import org.insight.kvm.Segment;
import org.insight.kvm.Sregs;
import org.insight.kvm.Vcpu;
import org.insight.kvm.Vm;
import org.insight.vmm.memory.MachineLayout;

/**
 * The VM a guest program runs in: one memory slot at guest physical 0, the kernel area written into it, and one
 * vCPU in 64-bit mode at CPL3 with the syscall gate at LSTAR. The values are those the prototype proved on this
 * platform (PLATFORM.md): CR0 0x80050033, CR4 0x620, EFER 0x501 (SCE, or {@code syscall} raises #UD),
 * STAR 0x0023000800000000, SFMASK 0, and the CPUID KVM supports with the APIC IDs of CPU 0 ({@link GuestCpuid}).
 * <p>
 * The guest's page tables are not made here: the {@link org.insight.vmm.memory.AddressSpace} builds them in
 * {@link #memory()}, under CR3 = {@link MachineLayout#PML4}.
 */
public final class GuestMachine implements AutoCloseable {
	public static final long CR0 = 0x8005_0033L; // PE MP ET NE WP AM PG
	public static final long CR4 = 0x620L; // PAE OSFXSR OSXMMEXCPT
	/** CR4.TSD: rdtsc and rdtscp at CPL3 raise #GP, which the VMM answers (TscInstruction, a recorded input). */
	public static final long CR4_TSD = 0x4L;
	public static final long EFER = 0x501L; // SCE LME LMA
	public static final long STAR = 0x0023_0008_0000_0000L;
	public static final long INITIAL_RFLAGS = 0x202L;

	private final Kvm kvm;
	private final Vm vm;
	private final Vcpu vcpu;
	private final GuestMemory memory;
	private final Cpuid cpuid;
	private final KvmCpu cpu;
	private final boolean tscTrapped;

	private GuestMachine(Kvm kvm, Vm vm, Vcpu vcpu, GuestMemory memory, Cpuid cpuid, boolean tscTrapped) {
		this.tscTrapped = tscTrapped;
		this.kvm = kvm;
		this.vm = vm;
		this.vcpu = vcpu;
		this.memory = memory;
		this.cpuid = cpuid;
		this.cpu = new KvmCpu(vcpu);
	}

	/**
	 * Opens /dev/kvm and builds the machine with {@code memoryBytes} of guest physical memory (reserved, committed
	 * as the guest touches it).
	 *
	 * @throws org.insight.kvm.KvmException naming /dev/kvm when it is missing, or the ioctl that failed
	 * @throws MachineException             when KVM lacks a capability the machine needs
	 */
	public static GuestMachine create(long memoryBytes) {
		return create(memoryBytes, Optional.empty());
	}

	/**
	 * {@link #create(long)} with the guest's CPUID table given: a replay's, from its recording
	 * ({@link GuestCpuid#forReplay}: refused when it claims a feature this host's KVM does not offer).
	 */
	public static GuestMachine create(long memoryBytes, Optional<Cpuid> recordedCpuid) {
		TscProbe.Result tsc = TscProbe.result();
		GuestMachine m = create(memoryBytes, tsc.trapped(), recordedCpuid);
		m.vcpu.trapHostTsc(tsc.hostTrap());
		return m;
	}

	/** {@link #create(long)}, with CR4.TSD set when {@code trapTsc} (the {@link TscProbe} asks for it). */
	static GuestMachine create(long memoryBytes, boolean trapTsc) {
		return create(memoryBytes, trapTsc, Optional.empty());
	}

	static GuestMachine create(long memoryBytes, boolean trapTsc, Optional<Cpuid> recordedCpuid) {
		Deque<AutoCloseable> made = new ArrayDeque<>();
		try {
			Kvm kvm = Kvm.open();
			made.push(kvm);
			require(kvm, Kvm.CAP_SYNC_REGS, "KVM_CAP_SYNC_REGS", "registers travel through kvm_run at each exit");
			require(kvm, Kvm.CAP_IMMEDIATE_EXIT, "KVM_CAP_IMMEDIATE_EXIT", "kicks must not be lost");
			require(kvm, Kvm.CAP_XSAVE, "KVM_CAP_XSAVE", "thread switches save the full FPU/AVX state");
			GuestMemory memory = GuestMemory.allocate(MachineLayout.pageUp(memoryBytes));
			made.push(memory);
			KernelArea.write(memory);
			Vm vm = kvm.createVm();
			made.push(vm);
			vm.mapMemory(0, 0, memory);
			Vcpu vcpu = vm.createVcpu(0);
			made.push(vcpu);
			Cpuid supported = kvm.supportedCpuid();
			Cpuid cpuid = recordedCpuid.isPresent() ? GuestCpuid.forReplay(recordedCpuid.get(), supported)
					: GuestCpuid.of(supported);
			vcpu.setCpuid(cpuid);
			Sregs sregs = userMode(vcpu.sregs());
			if (trapTsc) {
				sregs.cr4 |= CR4_TSD;
			}
			vcpu.setSregs(sregs);
			vcpu.setMsr(Msr.STAR, STAR);
			vcpu.setMsr(Msr.LSTAR, MachineLayout.GATE);
			vcpu.setMsr(Msr.SFMASK, 0);
			vcpu.setMsr(Msr.FS_BASE, 0);
			return new GuestMachine(kvm, vm, vcpu, memory, cpuid, trapTsc);
		} catch (RuntimeException e) {
			while (!made.isEmpty()) {
				try {
					made.pop().close();
				} catch (Exception closing) {
					e.addSuppressed(closing);
				}
			}
			throw e;
		}
	}

	private static void require(Kvm kvm, int cap, String name, String why) {
		if (kvm.checkExtension(cap) == 0) {
			throw new MachineException("KVM on this host lacks " + name + " (" + why + ")");
		}
	}

	/**
	 * {@code base} (the vCPU's reset state) changed to 64-bit user mode: CS 0x33 (long mode code, DPL 3), the data
	 * segments 0x2b, TR the TSS, no LDT, the GDT and IDT of the kernel area, paging with CR3 at the PML4.
	 */
	public static Sregs userMode(Sregs base) {
		Sregs s = base.copy();
		Segment code = new Segment(0, 0xffff_ffff, MachineFacts.USER_CS, 0xb, true, 3, false, true, true, true, false,
				false);
		Segment data = new Segment(0, 0xffff_ffff, MachineFacts.USER_SS, 0x3, true, 3, true, true, false, true, false,
				false);
		s.cs = code;
		s.ds = data;
		s.es = data;
		s.fs = data;
		s.gs = data;
		s.ss = data;
		s.tr = new Segment(MachineLayout.TSS, (int) MachineLayout.TSS_LIMIT, KernelArea.TSS_SELECTOR, 11, true, 0,
				false, false, false, false, false, false);
		s.ldt = new Segment(0, 0, 0, 2, false, 0, false, false, false, false, false, true);
		s.gdt = new DescriptorTable(MachineLayout.GDT, KernelArea.GDT_ENTRIES * 8 - 1);
		s.idt = new DescriptorTable(MachineLayout.IDT, ExceptionVectors.COUNT * 16 - 1);
		s.cr0 = CR0;
		s.cr3 = MachineLayout.PML4;
		s.cr4 = CR4;
		s.efer = EFER;
		return s;
	}

	/** Whether CR4.TSD is set: the guest's rdtsc/rdtscp fault to the VMM and are answered as inputs. */
	public boolean tscTrapped() {
		return tscTrapped;
	}

	public GuestMemory memory() {
		return memory;
	}

	public Vcpu vcpu() {
		return vcpu;
	}

	public KvmCpu cpu() {
		return cpu;
	}

	public Cpuid cpuid() {
		return cpuid;
	}

	/** AT_HWCAP on x86-64: CPUID leaf 1 EDX of the CPU the guest sees. */
	public long hwcap() {
		return cpuid.find(1, 0).map(e -> e.edx() & 0xffff_ffffL).orElse(0L);
	}

	/** The facts {@link ExitHandler} needs, reading the CPL0 stack from this machine's memory. */
	public MachineFacts facts() {
		return MachineFacts.standard(memory::getLong);
	}

	@Override
	public void close() {
		RuntimeException first = null;
		for (AutoCloseable c : new AutoCloseable[] { vcpu, vm, memory, kvm }) {
			try {
				c.close();
			} catch (Exception e) {
				if (first == null) {
					first = new MachineException("closing the guest machine failed at " + c + ": " + e, e);
				} else {
					first.addSuppressed(e);
				}
			}
		}
		if (first != null) {
			throw first;
		}
	}
}
