package org.insight.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

import org.insight.kvm.KvmAvailability;

/**
 * {@code insight bench --startup}: what a command pays before the guest's first instruction, for a static glibc and a
 * static musl {@code hello}, each sample in a fresh JVM ({@link StartupProbe}): the JVM start, the command line, the
 * ELF read, the symbol table (parsed by CDT with an empty symbol cache, and read from the cache), and the machine
 * creation where {@code /dev/kvm} is usable. Rows with and without the launcher's AOT cache (the JDK's CDS archive
 * of the engine's classes) when this JVM was started with one. Medians in milliseconds.
 */
final class StartupBench {
    /** The line printed above the table when the figures come from software emulation. */
    static final String NESTED_NOTE = "nested TCG: ratios are not meaningful";
    static final List<String> PROGRAMS = List.of("glibc/hello", "musl/hello");
    /** JVM options that select a class archive: left out for the rows without one. */
    private static final List<String> ARCHIVE_OPTIONS = List.of("-XX:SharedArchiveFile=", "-XX:AOTCache=",
            "-XX:AOTMode=", "-Xshare:");

    /** One sample: phase durations in microseconds; vm is -1 where not measured. */
    record Sample(long jvm, long cli, long elf, long symbols, long vm, int count) {
    }

    /** The medians of one row. */
    record Row(String program, String archive, String symbolSource, Sample median, String problem) {
    }

    private final Path guests;
    private final int repeat;
    private final PrintStream out;

    StartupBench(Path guests, int repeat, PrintStream out) {
        this.guests = guests;
        this.repeat = repeat;
        this.out = out;
    }

    int run() throws IOException, InterruptedException {
        List<String> jvmOptions = ManagementFactory.getRuntimeMXBean().getInputArguments();
        Optional<String> archive = jvmOptions.stream().filter(o -> ARCHIVE_OPTIONS.stream().anyMatch(o::startsWith))
                .filter(o -> !o.startsWith("-Xshare:")).findFirst();
        Map<String, List<String>> variants = new LinkedHashMap<>();
        variants.put("none", withoutArchive(jvmOptions));
        archive.ifPresent(a -> variants.put("AOT cache", jvmOptions));
        List<Row> rows = new ArrayList<>();
        Path caches = Files.createTempDirectory("insight-startup-");
        try {
            for (String name : PROGRAMS) {
                Path program = guests.resolve(name);
                if (!Files.isRegularFile(program)) {
                    throw new UserError(program + ": not built (./insight build builds the guests into build/guests)");
                }
                // the variants alternate sample by sample, so that a change in the machine's load touches them alike
                Map<String, List<Sample>> cold = new LinkedHashMap<>();
                Map<String, List<Sample>> warm = new LinkedHashMap<>();
                Map<String, String> problems = new LinkedHashMap<>();
                Path prefix = caches.resolve(name.replace('/', '-'));
                for (int i = 0; i <= repeat; i++) {
                    for (Map.Entry<String, List<String>> v : variants.entrySet()) {
                        if (problems.containsKey(v.getKey())) {
                            continue;
                        }
                        // an empty symbol cache: CDT parses; then the cache the first sample filled: read back
                        Path empty = Path.of(prefix + "-" + v.getKey().replace(' ', '-') + "-" + i);
                        Path filled = Path.of(prefix + "-filled");
                        try {
                            Sample c = probe(v.getValue(), program, empty);
                            if (i == 0) {
                                // the first sample only warms the page cache and fills the symbol cache
                                copyTree(empty, filled);
                                probe(v.getValue(), program, filled);
                                continue;
                            }
                            Sample w = probe(v.getValue(), program, filled);
                            cold.computeIfAbsent(v.getKey(), k -> new ArrayList<>()).add(c);
                            warm.computeIfAbsent(v.getKey(), k -> new ArrayList<>()).add(w);
                        } catch (ProbeFailure e) {
                            problems.put(v.getKey(), e.getMessage());
                        }
                    }
                }
                for (String v : variants.keySet()) {
                    rows.add(new Row(name, v, "CDT", median(cold.getOrDefault(v, List.of())),
                            problems.get(v)));
                    rows.add(new Row(name, v, "cache", median(warm.getOrDefault(v, List.of())), problems.get(v)));
                }
            }
        } finally {
            deleteTree(caches);
        }
        if (underNestedTcg()) {
            out.println(NESTED_NOTE);
        }
        out.println(MachineDescription.current().format() + loadAverage());
        out.print(format(rows, repeat, archive.orElse(null)));
        return rows.stream().anyMatch(r -> r.problem() != null) ? 1 : 0;
    }

    /** The host's load when the table was made: start-up figures move with it. */
    private static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return "; load average " + f[0] + " " + f[1] + " " + f[2];
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }

    static List<String> withoutArchive(List<String> options) {
        return options.stream().filter(o -> ARCHIVE_OPTIONS.stream().noneMatch(o::startsWith)).toList();
    }

    private static final class ProbeFailure extends Exception {
        private static final long serialVersionUID = 1L;

        ProbeFailure(String message) {
            super(message);
        }
    }

    private static Sample probe(List<String> jvmOptions, Path program, Path symbolCache)
            throws IOException, InterruptedException, ProbeFailure {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(jvmOptions.stream().filter(o -> !o.startsWith("-agentlib:") && !o.startsWith("-javaagent:"))
                .toList());
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(StartupProbe.class.getName());
        cmd.add("launch instant");
        cmd.add(program.toString());
        cmd.add(symbolCache.toString());
        cmd.set(cmd.size() - 3, Long.toString(StartupProbe.epochMicros()));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        Process p = pb.start();
        byte[] output = p.getInputStream().readAllBytes();
        int status = p.waitFor();
        String text = new String(output, StandardCharsets.UTF_8);
        Optional<String> line = text.lines().filter(l -> l.startsWith(StartupProbe.PREFIX + " ")).findFirst();
        if (status != 0 || line.isEmpty()) {
            throw new ProbeFailure("start-up probe exited with " + status + ": "
                    + text.lines().limit(3).reduce((a, b) -> a + " | " + b).orElse("no output"));
        }
        return parse(line.get());
    }

    static Sample parse(String line) {
        Map<String, String> values = new LinkedHashMap<>();
        for (String pair : line.substring(StartupProbe.PREFIX.length()).trim().split(" ")) {
            int eq = pair.indexOf('=');
            values.put(pair.substring(0, eq), pair.substring(eq + 1));
        }
        String vm = values.get("vm");
        return new Sample(Long.parseLong(values.get("jvm")), Long.parseLong(values.get("cli")),
                Long.parseLong(values.get("elf")), Long.parseLong(values.get("symbols")),
                vm.equals("-") ? -1 : Long.parseLong(vm), Integer.parseInt(values.get("count")));
    }

    static Sample median(List<Sample> samples) {
        if (samples.isEmpty()) {
            return null;
        }
        return new Sample(median(samples, Sample::jvm), median(samples, Sample::cli), median(samples, Sample::elf),
                median(samples, Sample::symbols), median(samples, Sample::vm), samples.get(0).count());
    }

    private static long median(List<Sample> samples, java.util.function.ToLongFunction<Sample> f) {
        long[] v = samples.stream().mapToLong(f).toArray();
        Arrays.sort(v);
        return v[v.length / 2];
    }

    private static String ms(long micros) {
        return micros < 0 ? "-" : String.format("%.1f", micros / 1000.0);
    }

    static String format(List<Row> rows, int repeat, String archive) {
        StringBuilder s = new StringBuilder();
        s.append(String.format("InSight start-up (a fresh JVM per sample, median of %d, in ms; the guest is not run)%n",
                repeat));
        s.append(String.format("%-12s %-9s %7s %8s %8s %8s %-6s %8s %9s %8s  %s%n", "program", "archive", "JVM",
                "command", "ELF", "symbols", "from", "(count)", "VM create", "total", "notes"));
        for (Row r : rows) {
            Sample m = r.median();
            if (m == null) {
                s.append(String.format("%-12s %-9s %s%n", r.program(), r.archive(), r.problem()));
                continue;
            }
            long total = m.jvm() + m.cli() + m.elf() + m.symbols() + Math.max(0, m.vm());
            s.append(String.format("%-12s %-9s %7s %8s %8s %8s %-6s %8d %9s %8s  %s%n", r.program(), r.archive(),
                    ms(m.jvm()), ms(m.cli()), ms(m.elf()), ms(m.symbols()), r.symbolSource(), m.count(), ms(m.vm()),
                    ms(total), r.problem() == null ? "" : r.problem()));
        }
        s.append("JVM: from the launch to main; command: picocli's command tree and the parse of `run -- PROGRAM`; ELF: "
                + "read and validate (what loading needs); symbols: the first query of the lazy table, parsed by CDT "
                + "(empty symbol cache) or read from the symbol cache\n");
        if (!KvmAvailability.present()) {
            s.append("VM create: not measured: no /dev/kvm (" + KvmAvailability.missingReason() + ")\n");
        } else {
            s.append("VM create: KVM VM, vCPU and guest memory (GuestMachine.create), JNA's first use included\n");
        }
        s.append(archive == null ? "archive: this JVM was started without an AOT cache, so only rows without one "
                + "(./insight build makes build/cds/insight.aot on a JDK 25 or newer)\n"
                : "archive: " + archive + "\n");
        return s.toString();
    }

    /**
     * True when this process runs on software emulation: inside the nested machine (INSIGHT_NESTED=1), or on a CPU
     * that /proc/cpuinfo names as QEMU's (TCG's own CPU models, and the hypervisor flag with a QEMU model name).
     */
    static boolean underNestedTcg() {
        if (MachineChoice.insideNested()) {
            return true;
        }
        try {
            return cpuinfoSaysTcg(Files.readString(Path.of("/proc/cpuinfo")));
        } catch (IOException e) {
            return false;
        }
    }

    static boolean cpuinfoSaysTcg(String cpuinfo) {
        Optional<String> model = cpuinfo.lines().filter(l -> l.startsWith("model name"))
                .map(l -> l.substring(l.indexOf(':') + 1).trim()).findFirst();
        boolean hypervisor = cpuinfo.lines().filter(l -> l.startsWith("flags"))
                .anyMatch(l -> (" " + l.substring(l.indexOf(':') + 1) + " ").contains(" hypervisor "));
        return model.map(m -> m.contains("QEMU") && (hypervisor || m.contains("TCG"))).orElse(false);
    }

    private static void copyTree(Path from, Path to) throws IOException {
        if (!Files.isDirectory(from)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(from)) {
            for (Path p : walk.toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
