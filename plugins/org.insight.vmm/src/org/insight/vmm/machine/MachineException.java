package org.insight.vmm.machine;

/**
 * The machine itself failed: KVM refused an exit the VMM relies on, the vCPU shut down, or the setup is missing
 * something the platform must have. Not a guest crash (those end the run with a signal status).
 */
public final class MachineException extends RuntimeException {
	private static final long serialVersionUID = 1L;

	public MachineException(String message) {
		super(message);
	}

	public MachineException(String message, Throwable cause) {
		super(message, cause);
	}
}
