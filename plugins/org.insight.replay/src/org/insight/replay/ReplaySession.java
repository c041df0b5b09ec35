package org.insight.replay;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

import org.insight.replay.trace.ExitStatus;
import org.insight.replay.trace.GuestBinary;
import org.insight.replay.trace.GuestOutcome;
import org.insight.replay.trace.HostCpu;
import org.insight.replay.trace.TraceHeader;
import org.insight.replay.trace.TraceReader;
import org.insight.replay.trace.TraceTrailer;
import org.insight.vmm.linux.OutputSink;
import org.insight.vmm.machine.CpuidProbe;
import org.insight.vmm.machine.RunResult;

/**
 * Replays a recording: the same machine run, launched with the recorded program and configuration and with
 * {@link ReplayInputs} over the trace's frames. Every question is checked against the recording as it is asked;
 * when the guest ends, its exit status, output digests and final memory digest are checked against the trailer,
 * and every frame must have been used.
 */
public final class ReplaySession extends Session {
	private final TraceReader reader;
	private final ReplayInputs inputs;
	private final TraceTrailer trailer;
	private String verification;
	/** Stops a replay that runs past its limits (ReplayLimits); null without limits. */
	private ReplayWatchdog watchdog;

	private ReplaySession(TraceReader reader, OutputSink output) {
		super(reader.header(), output);
		this.reader = reader;
		this.trailer = reader.trailer().orElseThrow();
		ExitStatus recorded = trailer.outcome().exit();
		this.inputs = new ReplayInputs(reader.frames()).stoppedRecording(RunResult.stoppedFromOutside(
				recorded.status(), recorded.description())).lockCalls(reader.header().config()::lockCallCountdown);
	}

	/**
	 * Opens {@code trace}, checks that it can be replayed here and launches the guest.
	 *
	 * @throws ReplayRefusedException when the trace is incomplete, was recorded on another CPU model, or
	 *                                {@code options} name another binary
	 * @throws org.insight.replay.trace.TraceException when the trace cannot be read
	 * @throws IOException            when a file cannot be read
	 */
	public static ReplaySession open(Path trace, OutputSink output, GuestLauncher launcher, ReplayOptions options)
			throws IOException {
		TraceReader reader = TraceReader.open(trace);
		try {
			refuseIfIncompatible(reader, options);
			ReplaySession session = new ReplaySession(reader, output);
			session.watchdog = ReplayWatchdog.start(session.inputs, options.limitsFor(session.trailer.recordingTime()));
			try {
				session.launch(launcher, session.inputs);
			} catch (RuntimeException e) {
				session.closeWatchdog();
				throw e;
			}
			return session;
		} catch (IOException | RuntimeException e) {
			reader.close();
			throw e;
		}
	}

	private static void refuseIfIncompatible(TraceReader reader, ReplayOptions options) throws IOException {
		Path trace = reader.file();
		if (!reader.complete()) {
			throw new ReplayRefusedException(trace, "the recording is incomplete (" + reader.incompleteReason()
					.orElse("no trailer") + "), so there is nothing to verify a replay against");
		}
		TraceHeader header = reader.header();
		HostCpu recorded = header.hostCpu();
		if (!recorded.equals(options.host())) {
			String why = "it was recorded on " + recorded.describe() + ", but this host is "
					+ options.host().describe() + "; the guest sees the CPU through CPUID (glibc picks its code by"
					+ " it), so a replay needs the same CPU model";
			if (header.config().guestCpuid().isEmpty()) {
				throw new ReplayRefusedException(trace, why);
			}
			// The recording holds the table its guest saw: shown again where KVM answers the guest's cpuid from it.
			CpuidProbe.Result probe = CpuidProbe.result();
			if (!probe.intercepted()) {
				throw new ReplayRefusedException(trace, why + " (its CPUID table is recorded, but this host's KVM"
						+ " does not intercept CPUID: " + probe.seen() + ")");
			}
			System.err.println("insight: " + trace + " was recorded on " + recorded.describe()
					+ "; replaying on this host (" + options.host().describe() + ") with the recorded CPUID table");
		}
		if (options.binary().isPresent()) {
			Path given = options.binary().get();
			GuestBinary binary = header.program().binary();
			String sha = sha256(given);
			if (!sha.equals(binary.sha256())) {
				throw new ReplayRefusedException(trace, "it was recorded with " + binary.name() + " (sha256 "
						+ binary.sha256() + binary.buildId().map(id -> ", build-id " + id).orElse("") + "), but "
						+ given + " has sha256 " + sha + "; name the recorded binary, or none to use the copy in the"
						+ " trace");
			}
		}
	}

	private static String sha256(Path file) throws IOException {
		try {
			return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
		} catch (NoSuchAlgorithmException e) {
			throw new IllegalStateException("SHA-256 is missing from this JDK", e);
		}
	}

	@Override
	void finish(GuestOutcome replayed) {
		List<String> differences = new ArrayList<>();
		inputs.leftOver().ifPresent(differences::add);
		if (!differences.isEmpty() && RunResult.endedAtWaitForCycle(replayed.exit().description())) {
			differences.add("the replay ended where threads deadlocked over mutexes and the recording went on: it was"
					+ " made by an InSight that did not yet end a run at such a cycle, and cannot be replayed past it");
		}
		differences.addAll(trailer.outcome().differences(replayed));
		if (!differences.isEmpty()) {
			throw new DivergenceException("replay diverged at its end, after " + inputs.framesConsumed() + " of "
					+ trailer.frameCount() + " frames: " + String.join("; ", differences), inputs.framesConsumed(),
					differences);
		}
		verification = "replay verified: " + trailer.frameCount() + " frames, outputs and memory digests match";
	}

	@Override
	boolean endedWithTheRecording(RecordingExhaustedException e) {
		if (e.frames() != trailer.frameCount()) {
			return false;
		}
		verification = "replay verified up to the recorded stop: " + trailer.frameCount() + " frames match; the"
				+ " recording was " + trailer.outcome().exit().description() + " at an arbitrary instruction, so the"
				+ " end state (outputs, memory) is not compared";
		return true;
	}

	private void closeWatchdog() {
		if (watchdog != null) {
			watchdog.close();
			watchdog = null;
		}
	}

	@Override
	void closeTrace() {
		closeWatchdog();
		try {
			reader.close();
		} catch (IOException e) {
			throw new UncheckedIOException("cannot close " + reader.file() + ": " + e.getMessage(), e);
		}
	}

	@Override
	public long frames() {
		return inputs.framesConsumed();
	}

	/** Frames in the recording. */
	public long recordedFrames() {
		return trailer.frameCount();
	}

	public TraceTrailer trailer() {
		return trailer;
	}

	/** The inputs the machine was given (for the planned preemption and statistics). */
	public ReplayInputs inputs() {
		return inputs;
	}

	/** "replay verified: N frames, outputs and memory digests match", once the replay finished and matched. */
	public Optional<String> verification() {
		return Optional.ofNullable(verification);
	}
}
