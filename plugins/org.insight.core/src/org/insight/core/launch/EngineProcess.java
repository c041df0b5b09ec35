package org.insight.core.launch;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.eclipse.core.runtime.CoreException;
import org.eclipse.core.runtime.Status;
import org.eclipse.debug.core.DebugPlugin;
import org.eclipse.debug.core.ILaunch;
import org.eclipse.debug.core.model.IProcess;
import org.eclipse.osgi.util.NLS;
import org.insight.core.EngineCommand;
import org.insight.core.Messages;

/**
 * The engine's OS process as the Debug platform sees it. Terminating it (the console's button, a cancelled job) ends
 * its whole process tree: without /dev/kvm the engine runs the nested machine's script and QEMU below it, and the
 * script, on SIGTERM, stops QEMU. The recording then ends at its last whole block and stays readable (incomplete).
 */
final class EngineProcess extends Process {
	private final Process process;

	/** An engine process started, as the OS and as the Debug platform see it. */
	record Started(IProcess iprocess, EngineProcess process) {
	}

	/**
	 * Starts {@code insight ARGS...} in {@code dir} (null: this process's) as a process of {@code launch}, with a
	 * console of its stdout and stderr labelled {@code label}.
	 */
	static Started start(ILaunch launch, List<String> args, File dir, String label) throws CoreException {
		List<String> cmd = EngineCommand.commandLine(args);
		ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir);
		EngineCommand.addEnvironment(pb.environment());
		Process os;
		try {
			os = pb.start();
			// the guest's stdin is a file (--stdin) or empty; the nested machine reads a piped stdin whole before it
			// boots, so an open console pipe would hold it
			os.getOutputStream().close();
		} catch (IOException e) {
			throw new CoreException(Status.error(NLS.bind(Messages.Engine_cannotStart, e.getMessage()), e));
		}
		EngineProcess process = new EngineProcess(os);
		IProcess iprocess = DebugPlugin.newProcess(launch, process, label,
				Map.of(IProcess.ATTR_CMDLINE, String.join(" ", cmd), IProcess.ATTR_PROCESS_TYPE, "insight"));
		return new Started(iprocess, process);
	}

	EngineProcess(Process process) {
		this.process = process;
	}

	@Override
	public void destroy() {
		// children first: the script must stop QEMU before the JVM that started it goes away
		process.descendants().forEach(ProcessHandle::destroy);
		process.destroy();
	}

	@Override
	public Process destroyForcibly() {
		process.descendants().forEach(ProcessHandle::destroyForcibly);
		return process.destroyForcibly();
	}

	@Override
	public OutputStream getOutputStream() {
		return process.getOutputStream();
	}

	@Override
	public InputStream getInputStream() {
		return process.getInputStream();
	}

	@Override
	public InputStream getErrorStream() {
		return process.getErrorStream();
	}

	@Override
	public int waitFor() throws InterruptedException {
		return process.waitFor();
	}

	@Override
	public boolean waitFor(long timeout, TimeUnit unit) throws InterruptedException {
		return process.waitFor(timeout, unit);
	}

	@Override
	public int exitValue() {
		return process.exitValue();
	}

	@Override
	public boolean isAlive() {
		return process.isAlive();
	}

	@Override
	public long pid() {
		return process.pid();
	}

	@Override
	public ProcessHandle toHandle() {
		return process.toHandle();
	}

	@Override
	public CompletableFuture<Process> onExit() {
		return process.onExit().thenApply(p -> this);
	}
}
