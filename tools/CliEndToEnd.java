// End-to-end tests of the insight command, each step in a fresh JVM, as a user or a CI job runs it: record a
// guest, replay the trace in another process (a fresh JVM, with no state shared with the recording), read it with
// `info`, run the demo and `record --analyze` and check their findings (the philosophers' lock-order cycle at its
// file:line, status 0), and check that damaged traces give one clean line and no stack trace.
//
// Run by `./insight test` after the reactor build (it needs the engine jars):
//   java tools/CliEndToEnd.java ROOT GUESTS REPORT_XML -- JAVA_COMMAND...
// The results go to REPORT_XML in the surefire format, so tools/TestSummary.java counts them with the rest. Without
// a usable /dev/kvm every case is reported as skipped with the reason (INSIGHT_NO_KVM=1), never as passed; with
// neither /dev/kvm nor the opt-out, every case fails with the reason.
// With INSIGHT_KVM_TESTS=nested and no /dev/kvm, every case is reported as skipped, deferred to the nested KVM run:
// tools/nested-tests runs this same program there (compiled on the host), and tools/TestSummary.java takes that run's
// results instead.
// The matrix (INSIGHT_MATRIX, as org.insight.testsupport.TestMatrix): "full" records philosophers, prodcons and
// spinwait in both sync modes and deadlock in locks mode, for both libcs, and replays each twice, each in a fresh
// JVM; "ci", the default, keeps the JVM starts few (each is seconds under TCG): each mode and libc once, each
// replayed once in another process: musl philosophers in syscalls mode, glibc prodcons (with its ci-workloads.txt
// arguments) and glibc deadlock in locks mode, musl spinwait (landmarks); the demo and record --analyze record glibc
// philosophers. GuestProgramsTest and RecordReplayGuestTest run every program on both libcs in-process.
// The damaged, cut and stopped traces run in both.
// INSIGHT_E2E_ONLY=REGEX runs only the cases whose name matches; INSIGHT_E2E_VERBOSE=1 prints each command.
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

public class CliEndToEnd {
    static final String NOT_RUN = "needs /dev/kvm (INSIGHT_NO_KVM=1): not run";
    /** As org.insight.testsupport.KvmRequirement.DEFERRED: tools/TestSummary.java replaces it by the nested result. */
    static final String DEFERRED = "needs /dev/kvm: deferred to the nested KVM run (tools/nested-tests), which gave no result for it";
    /** Replays of each recording, each in a fresh JVM. */
    static int replays = 2;

    record Result(String name, double seconds, String failure, String skipped) {}

    record Proc(int status, String out, String err) {}

    static Path root, guests, work;
    static List<String> javaCommand;
    static final List<Result> results = new ArrayList<>();

    public static void main(String[] args) throws Exception {
        int dash = Arrays.asList(args).indexOf("--");
        if (args.length < 5 || dash != 3) {
            System.err.println("usage: java tools/CliEndToEnd.java ROOT GUESTS REPORT_XML -- JAVA_COMMAND...");
            System.exit(2);
        }
        root = Path.of(args[0]).toAbsolutePath();
        guests = Path.of(args[1]).toAbsolutePath();
        Path report = Path.of(args[2]);
        javaCommand = List.of(args).subList(dash + 1, args.length);
        work = Files.createTempDirectory("insight-e2e-");

        String matrix = System.getenv("INSIGHT_MATRIX");
        full = "full".equals(matrix);
        if (matrix != null && !matrix.isBlank() && !full && !matrix.equals("ci")) {
            System.err.println("INSIGHT_MATRIX must be ci or full, not '" + matrix + "'");
            System.exit(2);
        }
        replays = full ? 2 : 1;
        for (String libc : List.of("glibc", "musl")) {
            for (String mode : List.of("syscalls", "locks")) {
                for (String prog : List.of("philosophers", "prodcons", "spinwait")) {
                    if (!full && !(prog.equals("philosophers") && mode.equals("syscalls") && libc.equals("musl")
                            || prog.equals("prodcons") && mode.equals("locks") && libc.equals("glibc")
                            || prog.equals("spinwait") && mode.equals("syscalls") && libc.equals("musl"))) {
                        continue;
                    }
                    String seed = prog.equals("spinwait") ? null : "5";
                    run(libc + "/" + prog + " " + mode + (seed == null ? "" : " chaos " + seed),
                            () -> recordThenReplayElsewhere(libc, prog, mode, seed));
                }
            }
            if (full || libc.equals("glibc")) {
                run(libc + "/deadlock locks chaos 3", () -> recordThenReplayElsewhere(libc, "deadlock", "locks", "3"));
            }
        }
        run("demo: record, replay, info and analyze of glibc/philosophers, ending with its lock-order cycle",
                CliEndToEnd::demo);
        run("record --analyze: the report on stderr after the guest's output, stdout the guest's alone",
                CliEndToEnd::recordAnalyze);
        run("a recording stopped at its time limit replays up to the stop", CliEndToEnd::stoppedRecording);
        run("a damaged trace gives one line naming the block, no stack trace", CliEndToEnd::damagedTrace);
        run("a truncated trace is shown as incomplete and its replay refused, in one line", CliEndToEnd::truncatedTrace);
        writeReport(report);
        long failed = results.stream().filter(r -> r.failure() != null).count();
        long skipped = results.stream().filter(r -> r.skipped() != null).count();
        System.out.printf("cli end-to-end: %d passed, %d failed, %d skipped%n", results.size() - failed - skipped,
                failed, skipped);
        System.exit(failed == 0 ? 0 : 1);
    }

    interface Case {
        void run() throws Exception;
    }

    static void run(String name, Case c) {
        String only = System.getenv("INSIGHT_E2E_ONLY"); // a regex, for trying a few cases by hand
        if (only != null && !only.isBlank() && !java.util.regex.Pattern.compile(only).matcher(name).find()) {
            return;
        }
        long t0 = System.nanoTime();
        if (System.getenv("INSIGHT_E2E_VERBOSE") != null) {
            System.out.println("...     " + name);
        }
        String failure = null, skipped = null;
        String kvm = kvmProblem();
        if (kvm != null) {
            if ("nested".equals(System.getenv("INSIGHT_KVM_TESTS"))) {
                skipped = DEFERRED;
            } else if ("1".equals(System.getenv("INSIGHT_NO_KVM"))) {
                skipped = NOT_RUN;
            } else {
                failure = "this test needs /dev/kvm: " + kvm;
            }
        } else {
            try {
                c.run();
            } catch (AssertionError | Exception e) {
                failure = String.valueOf(e.getMessage());
            }
        }
        double s = (System.nanoTime() - t0) / 1e9;
        results.add(new Result(name, s, failure, skipped));
        System.out.printf("%-7s %s (%.1f s)%s%n", failure != null ? "FAILED" : skipped != null ? "SKIPPED" : "ok",
                name, s, failure != null ? ": " + failure : "");
    }

    static String kvmProblem() {
        Path kvm = Path.of("/dev/kvm");
        if (!Files.exists(kvm)) {
            return "/dev/kvm does not exist";
        }
        if (!Files.isReadable(kvm) || !Files.isWritable(kvm)) {
            return "/dev/kvm is not readable and writable";
        }
        try {
            // the KVM character device is 10:232 (st_rdev 0xae8); /dev/null bound over it (README) is not
            Object rdev = Files.getAttribute(kvm, "unix:rdev");
            return rdev instanceof Long r && r == 0xae8 ? null : "/dev/kvm is not the KVM device (rdev " + rdev + ")";
        } catch (IOException | UnsupportedOperationException e) {
            return null; // no unix attributes: the engine itself will say what is wrong
        }
    }

    static Proc cli(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(javaCommand);
        cmd.addAll(List.of(args));
        Path out = Files.createTempFile(work, "out", ".txt");
        Path err = Files.createTempFile(work, "err", ".txt");
        if (System.getenv("INSIGHT_E2E_VERBOSE") != null) {
            System.out.println("        insight " + String.join(" ", args));
        }
        Process p = new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(600, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("insight " + String.join(" ", args) + " did not finish in 600 s");
        }
        return new Proc(p.exitValue(), Files.readString(out, StandardCharsets.ISO_8859_1),
                Files.readString(err, StandardCharsets.ISO_8859_1));
    }

    static void check(boolean ok, String what) {
        if (!ok) {
            throw new AssertionError(what);
        }
    }

    static boolean full;

    /** The manifest's arguments; in the ci matrix those of ci-workloads.txt beside it, when it names the program. */
    static List<String> manifestArgs(String prog) throws IOException {
        if (!full) {
            for (String workloads : List.of("guest-tests/ci-workloads.txt", "samples/ci-workloads.txt")) {
                for (String line : Files.readAllLines(root.resolve(workloads))) {
                    String[] f = line.replaceAll("#.*", "").trim().split("\\s+");
                    if (f.length >= 2 && f[0].equals(prog)) {
                        return List.of(f).subList(1, f.length);
                    }
                }
            }
        }
        for (String manifest : List.of("guest-tests/tests.txt", "samples/samples.txt")) {
            for (String line : Files.readAllLines(root.resolve(manifest))) {
                String[] f = line.trim().split("\\s+");
                if (f.length >= 5 && f[0].equals(prog)) {
                    return List.of(f).subList(5, f.length);
                }
            }
        }
        return List.of();
    }

    static void recordThenReplayElsewhere(String libc, String prog, String mode, String seed) throws Exception {
        Path bin = guests.resolve(libc).resolve(prog);
        check(Files.isExecutable(bin), bin + " is not built");
        Path trace = work.resolve(libc + "-" + prog + "-" + mode + ".insight");
        List<String> rec = new ArrayList<>(List.of("record", "-o", trace.toString(), "--mode", mode, "--stats",
                "--time-limit", "300"));
        if (seed != null) {
            rec.addAll(List.of("--chaos", seed));
        }
        rec.add("--");
        rec.add(bin.toString());
        rec.addAll(manifestArgs(prog));
        Proc r = cli(rec.toArray(String[]::new));
        check(!r.err().contains("\tat org.insight"), "record printed a stack trace:\n" + r.err());
        check(r.err().contains("insight: recorded "), "record did not report the trace:\n" + r.err());
        if (prog.equals("deadlock")) {
            check(r.err().contains("deadlock"), "no deadlock report from record:\n" + r.err());
        }
        if (mode.equals("locks") && !prog.equals("spinwait")) {
            check(r.err().contains("lock calls "), "--stats shows no lock calls in locks mode:\n" + r.err());
        }
        for (int i = 0; i < replays; i++) {
            Proc p = cli("replay", trace.toString());
            check(p.status() == r.status(), "replay " + i + " exit " + p.status() + ", recorded " + r.status()
                    + ":\n" + p.err());
            check(p.out().equals(r.out()), "replay " + i + " stdout differs from the recording's");
            check(p.err().contains("insight: replay verified: "), "replay " + i + " not verified:\n" + p.err());
        }
        Proc info = cli("info", trace.toString());
        check(info.status() == 0 && info.out().matches("(?s).*state\\s+complete.*")
                && info.out().contains("sync mode " + mode), "info:\n" + info.out() + info.err());
    }

    /** The lines of samples/philosophers.c where a philosopher takes its left fork, then its right one. */
    static List<Integer> forkLines() throws IOException {
        List<String> src = Files.readAllLines(root.resolve("samples/philosophers.c"));
        int left = src.indexOf("        pthread_mutex_lock(&p->left->lock);") + 1;
        int right = src.indexOf("        pthread_mutex_lock(&p->right->lock);") + 1;
        check(left > 0 && right > 0, "samples/philosophers.c no longer takes its forks as this test expects");
        return List.of(left, right);
    }

    /**
     * The analysis of a philosophers recording: one potential deadlock, the cycle of the five forks (a fork is a
     * 40-byte glibc mutex and a long: 48 bytes), each edge's acquisitions at their lines of samples/philosophers.c.
     */
    static void checkPhilosophersFindings(String report, String what) throws IOException {
        // The finding's id is stable across runs (DL- and a hash of the cycle), so it is matched, not spelled.
        check(report.matches("(?s).*Potential deadlock DL-[0-9a-f]+: lock order cycle of 5 locks.*"), what
                + " has no finding:\n" + report);
        check(report.contains("forks -> forks+48 -> forks+96 -> forks+144 -> forks+192 -> forks"), what
                + " does not show the forks' cycle:\n" + report);
        for (int line : forkLines()) {
            check(report.contains("in dine at ") && report.contains("samples/philosophers.c:" + line), what
                    + " does not name samples/philosophers.c:" + line + ":\n" + report);
        }
        // Locks: the five forks and whichever of libc's own it took (glibc's startup takes two).
        check(report.matches("(?s).*1 potential deadlock, 0 cycles filtered out \\([0-9]+ locks, 5 lock-order edges\\)\\..*"),
                what + " summary:\n" + report);
    }

    static void demo() throws Exception {
        Path trace = work.resolve("demo-philosophers.insight");
        Proc d = cli("demo", "-o", trace.toString(), "--", guests.resolve("glibc/philosophers").toString());
        // Findings are the point of the demo: they leave its status 0.
        check(d.status() == 0, "demo exit " + d.status() + ":\n" + d.err());
        check(!d.err().contains("\tat "), "demo printed a stack trace:\n" + d.err());
        check(d.err().contains("insight: replay verified: "), "the demo's replay did not verify:\n" + d.err());
        check(d.out().contains("total meals 250"), "the guest's output is missing:\n" + d.out());
        check(d.out().matches("(?s).*state\\s+complete.*"), "no info of the trace:\n" + d.out());
        checkPhilosophersFindings(d.out(), "the demo's analysis");
        // The demo ends with the findings: the report is the last thing on stdout.
        int report = d.out().lastIndexOf("InSight analysis of ");
        check(report > d.out().lastIndexOf("total meals 250") && report > d.out().lastIndexOf("state "),
                "the analysis is not the demo's last output:\n" + d.out());
        check(d.out().strip().endsWith("lock-order edges)."), "the demo does not end with the summary:\n" + d.out());
    }

    static void recordAnalyze() throws Exception {
        Path trace = work.resolve("analyze-philosophers.insight");
        Proc r = cli("record", "--analyze", "-o", trace.toString(), "--chaos", "5", "--",
                guests.resolve("glibc/philosophers").toString());
        check(r.status() == 0, "record --analyze exit " + r.status() + " (findings leave it 0):\n" + r.err());
        check(!r.err().contains("\tat "), "record --analyze printed a stack trace:\n" + r.err());
        check(!r.out().contains("InSight analysis") && r.out().contains("total meals 250"),
                "stdout is not the guest's alone:\n" + r.out());
        check(r.err().indexOf("InSight analysis of ") > r.err().indexOf("insight: recorded "),
                "the report does not follow the recording's summary on stderr:\n" + r.err());
        checkPhilosophersFindings(r.err(), "record --analyze's report");
    }

    static void stoppedRecording() throws Exception {
        Path trace = work.resolve("stopped.insight");
        // A compute loop far longer than the limit: the wall clock stops it at an arbitrary instruction.
        Proc r = cli("record", "-o", trace.toString(), "--time-limit", "1", "--", guests.resolve("musl/bench-compute")
                .toString(), "100000000000");
        check(r.status() == 124, "record exit " + r.status() + " (124 expected):\n" + r.err());
        check(r.err().contains("wall-clock limit"), "no wall-clock report:\n" + r.err());
        Proc p = cli("replay", trace.toString());
        check(p.err().contains("replay verified up to the recorded stop"), "replay:\n" + p.err());
        check(p.status() == 124, "replay exit " + p.status());
    }

    static Path recordPhilosophers(String name) throws Exception {
        Path trace = work.resolve(name);
        Proc r = cli("record", "-o", trace.toString(), "--chaos", "9", "--", guests.resolve("glibc/philosophers")
                .toString());
        check(r.status() == 0, "record exit " + r.status() + ":\n" + r.err());
        return trace;
    }

    static void damagedTrace() throws Exception {
        Path trace = recordPhilosophers("flip.insight");
        byte[] b = Files.readAllBytes(trace);
        b[b.length * 2 / 3] ^= 0x10; // inside a compressed frame block
        Files.write(trace, b);
        Proc p = cli("replay", trace.toString());
        check(p.status() != 0, "a damaged trace replayed with status 0");
        check(!p.err().contains("\tat "), "a stack trace reached the user:\n" + p.err());
        check(p.err().contains("block") || p.err().contains("offset"), "the error names no block:\n" + p.err());
    }

    static void truncatedTrace() throws Exception {
        Path trace = recordPhilosophers("cut.insight");
        byte[] b = Files.readAllBytes(trace);
        // The last byte gone: the frames are whole, the trailer is not.
        Files.write(trace, Arrays.copyOf(b, b.length - 1));
        Proc info = cli("info", trace.toString());
        check(info.out().contains("INCOMPLETE"), "info does not say incomplete:\n" + info.out() + info.err());
        Proc p = cli("replay", trace.toString());
        check(!p.err().contains("\tat "), "a stack trace reached the user:\n" + p.err());
        check(p.status() != 0 && p.err().contains("incomplete"), "a cut trace was not refused as incomplete:\n"
                + p.err());
        // Cut inside the header (most of which is the embedded binary): one line that says so.
        Files.write(trace, Arrays.copyOf(b, 100));
        Proc head = cli("info", trace.toString());
        check(head.status() != 0 && head.err().contains("cut short") && !head.err().contains("\tat "),
                "info of a cut header:\n" + head.err());
    }

    static void writeReport(Path report) throws IOException {
        Files.createDirectories(report.getParent());
        StringBuilder x = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        long failed = results.stream().filter(r -> r.failure() != null).count();
        long skipped = results.stream().filter(r -> r.skipped() != null).count();
        x.append(String.format("<testsuite name=\"insight-cli-end-to-end\" tests=\"%d\" failures=\"%d\" skipped=\"%d\">%n",
                results.size(), failed, skipped));
        for (Result r : results) {
            x.append(String.format("  <testcase classname=\"insight.cli.EndToEnd\" name=\"%s\" time=\"%.3f\"",
                    xml(r.name()), r.seconds()));
            if (r.failure() != null) {
                x.append(">\n    <failure message=\"").append(xml(r.failure())).append("\"/>\n  </testcase>\n");
            } else if (r.skipped() != null) {
                x.append(">\n    <skipped message=\"").append(xml(r.skipped())).append("\"/>\n  </testcase>\n");
            } else {
                x.append("/>\n");
            }
        }
        x.append("</testsuite>\n");
        Files.writeString(report, x);
    }

    static String xml(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;")
                .replaceAll("[\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f]", "?");
    }
}
