package org.insight.cli;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.insight.symbols.ElfImage;

/**
 * QEMU's own record/replay, the peer that {@code insight bench --peers} compares InSight with: Debian's
 * {@code qemu-system-x86_64} (TCG with {@code -icount shift=auto,rr=record|replay}, one vCPU, no drive, no network,
 * as QEMU's docs/system/replay.rst requires) boots Debian's kernel ({@link DebianKernel}) with the static program
 * as {@code /init} of an initramfs. The program's output and the kernel's messages reach the host through the
 * serial console on QEMU's stdout, time-stamped line by line as they arrive ({@link ConsoleTranscript}). When the
 * program exits, the kernel panics (it lost init), {@code panic=-1} asks for a reboot at once, and
 * {@code -no-reboot} turns that into QEMU's exit.
 * <p>
 * A replay reuses the recording's initramfs and kernel command line byte for byte: QEMU replays the whole machine,
 * and any other input would diverge.
 */
public final class QemuPeer {
    public static final String QEMU = "qemu-system-x86_64";
    public static final String QEMU_PACKAGE = "qemu-system-x86";
    static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(15);
    /**
     * The configuration. {@code shift=auto} keeps guest time close to host time, and replaying it costs
     * several times the recording. {@code shift=0,sleep=off} (idle time skipped, as InSight does) gives a
     * much smaller log and a replay as fast as the recording.
     */
    public static final String DEFAULT_ICOUNT = "shift=auto";
    /** COMMAND_LINE_SIZE on x86. */
    private static final int KERNEL_COMMAND_LINE_MAX = 2048;
    /** The kernel's CONFIG_INIT_ENV_ARG_LIMIT, minus argv[0] and the slot for its NULL. */
    private static final int MAX_ARGS = 30;
    private static final int CONSOLE_TAIL_LINES = 40;
    private static final String MARKER_CONTENT = "InSight start marker: the kernel fails to execute this file, "
            + "and its error message shows when the program itself starts.\n";

    private final Path qemu;
    private final Path kernel;
    private final Duration timeout;
    private final String icount;

    QemuPeer(Path qemu, Path kernel, Duration timeout, String icount) {
        this.qemu = qemu;
        this.kernel = kernel;
        this.timeout = timeout;
        this.icount = icount;
    }

    /**
     * Finds QEMU on the PATH and the kernel under {@code toolsDir/peers}, downloading it there when it is missing.
     *
     * @throws PeerUnavailableException naming what is missing and how to get it
     */
    public static QemuPeer prepare(Path toolsDir) {
        Path qemu = onPath(QEMU).orElseThrow(() -> new PeerUnavailableException(QEMU
                + " is not on the PATH: the QEMU peer needs Debian's package " + QEMU_PACKAGE
                + " ('apt-get install " + QEMU_PACKAGE + "'; './insight test' installs it)"));
        return new QemuPeer(qemu, DebianKernel.findOrFetch(toolsDir.resolve("peers")), DEFAULT_TIMEOUT,
                DEFAULT_ICOUNT);
    }

    /** The same peer with another limit on each QEMU run; a run over it is killed and reported as failed. */
    public QemuPeer withTimeout(Duration limit) {
        return new QemuPeer(qemu, kernel, limit, icount);
    }

    /**
     * The same peer with other {@code -icount} options, e.g. "shift=0,sleep=off"; the peer adds {@code rr} and
     * {@code rrfile} itself. A replay must use the options of its recording.
     */
    public QemuPeer withIcount(String options) {
        if (options.isBlank() || options.matches("(^|.*,)\\s*rr(file)?=.*")) {
            throw new IllegalArgumentException("QEMU peer -icount options '" + options
                    + "': give the shift and sleep options only; rr and rrfile are the peer's");
        }
        return new QemuPeer(qemu, kernel, timeout, options);
    }

    public String icount() {
        return icount;
    }

    public Path qemu() {
        return qemu;
    }

    public Path kernel() {
        return kernel;
    }

    /** Records a run in a fresh temporary directory, which the caller deletes when done with the recording. */
    public PeerRun record(Path staticBinary, List<String> args) {
        try {
            return record(staticBinary, args, Files.createTempDirectory("insight-qemu-peer-"));
        } catch (IOException e) {
            throw new UncheckedIOException("creating a directory for a QEMU peer recording of " + staticBinary, e);
        }
    }

    /**
     * Records one run of {@code staticBinary args...} as the guest's init; {@code workDir} receives the initramfs
     * and QEMU's log. A run that does not complete is returned with its {@link PeerRun#failure()}.
     *
     * @throws org.insight.symbols.ElfFormatException when the program is not a static x86-64 executable
     * @throws PeerRunException when an argument cannot pass through the kernel command line, the initramfs cannot
     *                          be written, or QEMU cannot be started
     */
    public PeerRun record(Path staticBinary, List<String> args, Path workDir) {
        checkArgs(args);
        try {
            ElfImage.read(staticBinary); // refuses, with a clear message, what the guest kernel could not execute
            Files.createDirectories(workDir);
            Path initramfs = workDir.resolve("initramfs.cpio");
            Files.write(initramfs, initramfs(Files.readAllBytes(staticBinary)));
            Path log = workDir.resolve("qemu-replay.log");
            Files.deleteIfExists(log);
            return run(PeerRun.Mode.RECORD, staticBinary, args, initramfs, log);
        } catch (IOException e) {
            throw new PeerRunException("QEMU record of " + staticBinary + " in " + workDir + ": " + e, e);
        }
    }

    /** Replays a completed recording with the same kernel, initramfs and command line. */
    public PeerRun replay(PeerRun recording) {
        if (recording.mode() != PeerRun.Mode.RECORD || !recording.completed()) {
            throw new PeerRunException("QEMU replay of " + recording.program() + ": needs a completed recording, got a "
                    + (recording.completed() ? "replay" : "failed run (" + recording.failure() + ")"));
        }
        if (!Files.isRegularFile(recording.log()) || !Files.isRegularFile(recording.initramfs())) {
            throw new PeerRunException("QEMU replay of " + recording.program() + ": the recording's files are gone ("
                    + recording.log() + ", " + recording.initramfs() + ")");
        }
        List<String> recorded = recording.command();
        List<String> replay = command(PeerRun.Mode.REPLAY, recording.initramfs(), recording.log(), recording.args());
        List<String> expected = command(PeerRun.Mode.RECORD, recording.initramfs(), recording.log(), recording.args());
        if (!recorded.equals(expected)) {
            throw new PeerRunException("QEMU replay of " + recording.program() + ": the recording ran\n  "
                    + String.join(" ", recorded) + "\nbut its replay must run the same machine, and would run\n  "
                    + String.join(" ", replay));
        }
        return run(PeerRun.Mode.REPLAY, recording.program(), recording.args(), recording.initramfs(),
                recording.log());
    }

    /** The QEMU command line for one run; replay.rst: TCG only, one vCPU, and no device that is not recorded. */
    public List<String> command(PeerRun.Mode mode, Path initramfs, Path log, List<String> args) {
        return List.of(qemu.toString(),
                "-accel", "tcg", "-machine", "q35", "-smp", "1", "-m", "512",
                "-nodefaults", "-display", "none", "-monitor", "none", "-serial", "stdio", "-no-reboot",
                "-kernel", kernel.toString(), "-initrd", initramfs.toString(),
                "-append", kernelCommandLine(args),
                "-icount", icount + ",rr=" + mode.rrOption() + ",rrfile=" + log);
    }

    /**
     * {@code quiet} keeps the console for errors, the program's output and the panic; the start marker is the
     * initramfs init the kernel tries first ({@link ConsoleTranscript}); {@code init=/init} is what it runs next;
     * the arguments after {@code --} become the program's argv[1...].
     */
    static String kernelCommandLine(List<String> args) {
        StringBuilder line = new StringBuilder("console=ttyS0 quiet printk.time=1 panic=-1 rdinit=")
                .append(ConsoleTranscript.START_MARKER).append(" init=/init");
        if (!args.isEmpty()) {
            line.append(" --");
            for (String arg : args) {
                line.append(' ').append(arg);
            }
        }
        return line.toString();
    }

    /** The kernel splits its command line at blanks and strips quotes, so only plain words survive as argv. */
    static void checkArgs(List<String> args) {
        if (args.size() > MAX_ARGS) {
            throw new PeerRunException("QEMU peer: " + args.size() + " program arguments; the kernel passes at most "
                    + MAX_ARGS + " to init");
        }
        for (String arg : args) {
            if (arg.isEmpty() || !arg.chars().allMatch(c -> c > ' ' && c < 0x7f && c != '"')) {
                throw new PeerRunException("QEMU peer: program argument '" + arg + "' cannot pass through the kernel"
                        + " command line (only non-empty printable ASCII words without blanks or quotes can)");
            }
        }
        int length = kernelCommandLine(args).length();
        if (length >= KERNEL_COMMAND_LINE_MAX) {
            throw new PeerRunException("QEMU peer: the kernel command line would be " + length
                    + " bytes, over the kernel's limit of " + (KERNEL_COMMAND_LINE_MAX - 1));
        }
    }

    /** /dev/console must exist before init: the kernel opens it for init's stdin, stdout and stderr. */
    static byte[] initramfs(byte[] program) {
        return new NewcArchive()
                .directory("dev", 0755)
                .characterDevice("dev/console", 0600, 5, 1)
                .file("init", 0755, program)
                .file(ConsoleTranscript.START_MARKER.substring(1), 0755,
                        MARKER_CONTENT.getBytes(StandardCharsets.US_ASCII))
                .finish();
    }

    private PeerRun run(PeerRun.Mode mode, Path program, List<String> args, Path initramfs, Path log) {
        List<String> command = command(mode, initramfs, log, args);
        String what = "QEMU " + mode.rrOption() + " of " + program;
        long t0 = System.nanoTime();
        Process p;
        try {
            p = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .start();
        } catch (IOException e) {
            throw new PeerRunException(what + ": cannot start " + qemu + ": " + e.getMessage(), e);
        }
        List<ConsoleTranscript.TimedLine> lines = Collections.synchronizedList(new ArrayList<>());
        ByteArrayOutputStream stderr = new ByteArrayOutputStream();
        Thread console = Thread.ofPlatform().daemon().name("qemu-peer-console").start(
                () -> readLines(p.getInputStream(), t0, lines));
        Thread errors = Thread.ofPlatform().daemon().name("qemu-peer-stderr").start(() -> {
            try {
                p.getErrorStream().transferTo(stderr);
            } catch (IOException e) {
                throw new UncheckedIOException("reading QEMU's stderr", e);
            }
        });
        boolean exited;
        try {
            exited = p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            long whole = System.nanoTime() - t0;
            if (!exited) {
                p.destroyForcibly().waitFor();
            }
            console.join();
            errors.join();
            return result(mode, program, args, command, initramfs, log, Duration.ofNanos(whole),
                    List.copyOf(lines), exited ? p.exitValue() : -1, exited, stderr.toString(StandardCharsets.UTF_8));
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new PeerRunException(what + ": interrupted", e);
        }
    }

    private PeerRun result(PeerRun.Mode mode, Path program, List<String> args, List<String> command, Path initramfs,
            Path log, Duration whole, List<ConsoleTranscript.TimedLine> lines, int qemuStatus, boolean exited,
            String stderr) {
        ConsoleTranscript transcript = ConsoleTranscript.parse(lines);
        String failure;
        if (!exited) {
            failure = "timed out after " + timeout.toSeconds() + " s; QEMU was killed";
        } else if (qemuStatus != 0) {
            failure = "QEMU exited with status " + qemuStatus + (stderr.isBlank() ? "" : ": " + stderr.strip());
        } else {
            failure = transcript.failure();
        }
        long logBytes;
        try {
            logBytes = Files.exists(log) ? Files.size(log) : 0;
        } catch (IOException e) {
            throw new UncheckedIOException("reading the size of QEMU's log " + log, e);
        }
        Deque<String> tail = new ArrayDeque<>();
        for (ConsoleTranscript.TimedLine line : lines) {
            tail.addLast(line.text());
            if (tail.size() > CONSOLE_TAIL_LINES) {
                tail.removeFirst();
            }
        }
        boolean ok = failure.isEmpty();
        return new PeerRun(mode, program, args, command, initramfs, log, logBytes, whole,
                ok ? Duration.ofNanos(transcript.endNanos() - transcript.startNanos()) : Duration.ZERO,
                transcript.output(), transcript.kernelMessages(), ok ? transcript.waitStatus() : -1, failure,
                List.copyOf(tail));
    }

    /** Splits the console into lines, each stamped when its newline arrived; the tty's CR before LF is dropped. */
    private static void readLines(InputStream in, long t0, List<ConsoleTranscript.TimedLine> lines) {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        try {
            int n;
            while ((n = in.read(buffer)) > 0) {
                long now = System.nanoTime() - t0;
                for (int i = 0; i < n; i++) {
                    if (buffer[i] == '\n') {
                        lines.add(new ConsoleTranscript.TimedLine(now, text(line)));
                        line.reset();
                    } else {
                        line.write(buffer[i]);
                    }
                }
            }
            if (line.size() > 0) {
                lines.add(new ConsoleTranscript.TimedLine(System.nanoTime() - t0, text(line)));
            }
        } catch (IOException e) {
            // QEMU was killed on timeout: the lines read so far are all there is, and the run reports the timeout.
            lines.add(new ConsoleTranscript.TimedLine(System.nanoTime() - t0, "(console read ended: " + e + ")"));
        }
    }

    private static String text(ByteArrayOutputStream line) {
        String s = line.toString(StandardCharsets.UTF_8);
        return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
    }

    private static Optional<Path> onPath(String name) {
        String path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        for (String dir : path.split(File.pathSeparator)) {
            if (dir.isEmpty()) {
                continue;
            }
            Path candidate = Path.of(dir, name);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }
}
