package org.insight.cli;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Valgrind, the peer of {@code insight bench --analysis}: Helgrind on the dynamic build of a workload, Callgrind on its
 * static build, each one process timed from start to exit (Valgrind's own start-up included, as a user waits for it).
 */
final class ValgrindPeer {
    /** The Debian/Ubuntu package that provides valgrind, named when it is missing. */
    static final String PACKAGE = "valgrind";
    /** How long one Valgrind run may take before it is stopped and reported as timed out. */
    static final long TIMEOUT_MILLIS = 900_000;
    /** Helgrind's lock-order report: "Thread #3: lock order "0x10C180 before 0x10C240" violated". */
    private static final Pattern LOCK_ORDER = Pattern.compile("lock order \"[^\"]*\" violated");

    private final Path valgrind;

    private ValgrindPeer(Path valgrind) {
        this.valgrind = valgrind;
    }

    /** The valgrind on PATH, or empty. */
    static Optional<ValgrindPeer> find() {
        String path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        for (String dir : path.split(File.pathSeparator)) {
            if (dir.isBlank()) {
                continue;
            }
            Path candidate = Path.of(dir, "valgrind");
            if (Files.isExecutable(candidate)) {
                return Optional.of(new ValgrindPeer(candidate));
            }
        }
        return Optional.empty();
    }

    /** One Valgrind run: its wall time, the program's exit status, Valgrind's report (stderr). */
    record Run(long wallNanos, int exitStatus, boolean timedOut, String report) {
        /** Why this run is not a measurement, or null when it is one. */
        String problem(String tool) {
            if (timedOut) {
                return tool + " timed out after " + TIMEOUT_MILLIS / 1000 + " s";
            }
            return exitStatus == 0 ? null : tool + ": the program exited with " + exitStatus;
        }
    }

    /** Helgrind on {@code program}; its lock-order reports are counted by {@link #lockOrders(String)}. */
    Run helgrind(Path program, List<String> args) throws IOException, InterruptedException {
        return run(List.of("--tool=helgrind"), program, args);
    }

    /** Callgrind on {@code program}, writing its profile to {@code out}. */
    Run callgrind(Path program, List<String> args, Path out) throws IOException, InterruptedException {
        return run(List.of("--tool=callgrind", "--callgrind-out-file=" + out), program, args);
    }

    /** How many lock-order violations a Helgrind report holds (each reported context once). */
    static int lockOrders(String report) {
        Matcher m = LOCK_ORDER.matcher(report);
        int n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }

    private Run run(List<String> toolOptions, Path program, List<String> args)
            throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(valgrind.toString());
        cmd.addAll(toolOptions);
        cmd.add(program.toString());
        cmd.addAll(args);
        Path report = Files.createTempFile("insight-valgrind-", ".txt");
        try {
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(report.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
            long t0 = System.nanoTime();
            Process p = pb.start();
            boolean done = p.waitFor(TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
            long wall = System.nanoTime() - t0;
            if (!done) {
                p.destroyForcibly().waitFor();
            }
            return new Run(wall, done ? p.exitValue() : -1, !done,
                    new String(Files.readAllBytes(report), StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(report);
        }
    }
}
