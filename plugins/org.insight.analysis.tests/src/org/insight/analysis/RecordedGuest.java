package org.insight.analysis;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

import org.insight.replay.RecordSession;
import org.insight.replay.ReplayOptions;
import org.insight.replay.VmmLauncher;
import org.insight.replay.trace.GuestBinary;
import org.insight.replay.trace.GuestOutcome;
import org.insight.replay.trace.GuestProgram;
import org.insight.replay.trace.RecordingConfig;
import org.insight.replay.trace.TraceHeader;
import org.insight.symbols.ElfImage;
import org.insight.testsupport.GuestManifest;
import org.insight.vmm.GuestRun;
import org.insight.vmm.inputs.Chaos;
import org.insight.vmm.inputs.LiveInputs;
import org.insight.vmm.inputs.StdinSource;
import org.insight.vmm.linux.CapturedOutput;
import org.insight.vmm.linux.fd.HostFileLoader;
import org.insight.vmm.linux.fd.ProvidedFiles;
import org.insight.vmm.loader.SharedLibraries;
import org.insight.vmm.machine.RunOptions;
import org.insight.vmm.machine.SyncMode;

/**
 * A guest program of the manifests recorded in {@code locks} mode with a chaos seed, as {@code insight record --mode
 * locks --chaos SEED} does, then analysed as {@code insight analyze} does ({@link ReplayAnalysis#run}); the replay
 * must verify and print what the recording printed.
 *
 * @param outcome  how the recorded run ended
 * @param stdout   what it printed
 * @param analysis what the analysis of its recording found
 * @param trace    the recording
 */
record RecordedGuest(GuestOutcome outcome, String stdout, AnalysisResult analysis, Path trace) {
	/** Per recording; system property insight.guestLimitSeconds raises it on a slow (emulated) host. */
	static final Duration RECORD_LIMIT = Duration.ofSeconds(Long.getLong("insight.guestLimitSeconds", 120));

	static RecordedGuest of(Path dir, String libc, String name, List<String> args, long seed) throws IOException {
		Path bin = GuestManifest.binary(libc, name);
		Path trace = dir.resolve(libc + "-" + name + "-" + seed + ".insight");
		List<String> argv = new ArrayList<>();
		argv.add(bin.toString());
		argv.addAll(args);
		ElfImage image = ElfImage.read(bin);
		// a dynamic program's interpreter and libraries, found on the host as the CLI finds them
		ProvidedFiles files = image.dynamic().interpreter().isEmpty() ? ProvidedFiles.none()
				: HostFileLoader.load(SharedLibraries.of(bin, image.dynamic()).stream()
						.map(SharedLibraries.Library::host).toList(), List.of(), HostFileLoader.DEFAULT_MAX_BYTES);
		RunOptions options = RunOptions.defaults().withArgv(argv).withEnv(List.of()).withSyncMode(SyncMode.LOCKS)
				.withFiles(files);
		GuestBinary binary = GuestBinary.of(GuestRun.executablePath(bin), image.bytes(), image.buildId());
		RecordingConfig config = new RecordingConfig(SyncMode.LOCKS, options.timeSlice(), OptionalLong.of(seed),
				options.memoryCap(), options.watchdogPeriod());
		TraceHeader header = TraceHeader.forRecording(new GuestProgram(binary, argv, List.of(), files),
				config);
		CapturedOutput recorded = new CapturedOutput();
		GuestOutcome outcome;
		try (LiveInputs live = new LiveInputs(StdinSource.empty(), new Chaos(seed));
				RecordSession s = RecordSession.start(trace, header, live, recorded, new VmmLauncher(RECORD_LIMIT))) {
			outcome = s.run();
		}
		CapturedOutput replayed = new CapturedOutput();
		AnalysisResult analysis = ReplayAnalysis.run(trace, replayed, ReplayOptions.onThisHost());
		String what = libc + "/" + name;
		assertTrue(analysis.verification().startsWith("replay verified: "), what + ": " + analysis.verification());
		assertArrayEquals(recorded.stdout(), replayed.stdout(), what + ": the analysed replay's stdout");
		return new RecordedGuest(outcome, recorded.stdoutText(), analysis, trace);
	}
}
