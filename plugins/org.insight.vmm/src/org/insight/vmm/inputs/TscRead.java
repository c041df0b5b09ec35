package org.insight.vmm.inputs;

/**
 * A read of the time-stamp counter by guest code at CPL3: {@code rdtsc} or {@code rdtscp}. CR4.TSD makes both fault
 * (#GP) and the machine answers; the value is an input like a clock read (it is not a sync point).
 */
public record TscRead(int tid, Instruction instruction) implements InputQuestion {
	public enum Instruction {
		/** {@code 0f 31}. */
		RDTSC,
		/** {@code 0f 01 f9}: also loads ECX with TSC_AUX. */
		RDTSCP
	}

	public TscRead {
		if (instruction == null) {
			throw new IllegalArgumentException("TSC read without an instruction");
		}
	}

	@Override
	public String describe() {
		return instruction.name().toLowerCase() + " by thread " + tid;
	}
}
