package org.insight.vmm.machine;

import org.insight.kvm.Exit;
import org.insight.kvm.Msr;
import org.insight.kvm.Regs;
import org.insight.kvm.Vcpu;

/** A {@link VirtualCpu} that is a KVM vCPU. */
public final class KvmCpu implements VirtualCpu {
	private final Vcpu vcpu;

	public KvmCpu(Vcpu vcpu) {
		this.vcpu = vcpu;
	}

	public Vcpu vcpu() {
		return vcpu;
	}

	@Override
	public Exit run() {
		return vcpu.run();
	}

	@Override
	public Regs regs() {
		return vcpu.regs();
	}

	@Override
	public void setRegs(Regs regs) {
		vcpu.setRegs(regs);
	}

	@Override
	public int privilegeLevel() {
		return vcpu.sregs().cs.selector() & 3;
	}

	@Override
	public long faultAddress() {
		return vcpu.sregs().cr2;
	}

	@Override
	public byte[] saveExtendedState() {
		return vcpu.xsave();
	}

	@Override
	public void restoreExtendedState(byte[] state) {
		vcpu.setXsave(state);
	}

	@Override
	public void setFsBase(long base) {
		vcpu.setMsr(Msr.FS_BASE, base);
	}

	@Override
	public void kick() {
		vcpu.kick();
	}
}
