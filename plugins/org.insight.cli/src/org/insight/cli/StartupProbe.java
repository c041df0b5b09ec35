package org.insight.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.insight.kvm.KvmAvailability;
import org.insight.symbols.ElfImage;
import org.insight.vmm.machine.GuestMachine;
import org.insight.vmm.machine.RunOptions;
import org.insight.vmm.memory.MachineLayout;

import picocli.CommandLine;

/**
 * One cold start, measured from inside a fresh JVM that {@code insight bench --startup} starts for each sample: the
 * JVM's own start (from the parent's launch instant to this {@code main}), the command line (picocli's command tree
 * and the parse of {@code run -- PROGRAM}), the ELF read (what loading needs), the symbol table (through the symbol
 * cache folder it is given: empty, so CDT parses, or filled by an earlier sample), and the machine creation (KVM VM,
 * vCPU and guest memory) where {@code /dev/kvm} is usable. Prints one line, {@value #PREFIX} and key=value pairs in
 * microseconds; the guest is never run.
 * <p>
 * With {@code --train} it is also the launcher's training run for the AOT cache (the JDK's CDS archive of loaded and
 * linked classes): the same path, and then every class of the engine's own jars loaded without being initialised,
 * so the cache holds the classes a guest run needs even on a host without {@code /dev/kvm}, where the path stops
 * before the machine.
 */
final class StartupProbe {
    static final String PREFIX = "insight-startup";

    private StartupProbe() {
    }

    /** {@code LAUNCH_EPOCH_MICROS PROGRAM SYMBOL_CACHE_DIR} or {@code --train PROGRAM SYMBOL_CACHE_DIR}. */
    public static void main(String[] args) throws Exception {
        long mainMicros = epochMicros();
        boolean train = args[0].equals("--train");
        long launched = train ? mainMicros : Long.parseLong(args[0]);
        Path program = Path.of(args[1]);
        System.setProperty("insight.symbolCache", args[2]);

        long t = System.nanoTime();
        String[] line = { "run", "--", program.toString() };
        CommandLine cl = Main.commandLine(new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()), line);
        cl.parseArgs(line);
        long cli = micros(t);

        t = System.nanoTime();
        ElfImage image = ElfImage.read(program);
        long elf = micros(t);

        t = System.nanoTime();
        int symbolCount = image.symbols().size();
        long symbols = micros(t);

        String vm = "-";
        if (KvmAvailability.present()) {
            t = System.nanoTime();
            try (GuestMachine unused = GuestMachine.create(RunOptions.DEFAULT_MEMORY_CAP + MachineLayout.FIRST_FREE_FRAME)) {
                vm = Long.toString(micros(t));
            }
        }
        if (train) {
            ElfImage.read(program).symbols().size(); // the symbol cache's read path too
            loadEngineClasses();
        }
        System.out.printf("%s jvm=%d cli=%d elf=%d symbols=%d vm=%s count=%d%n", PREFIX, mainMicros - launched, cli,
                elf, symbols, vm, symbolCount);
    }

    static long epochMicros() {
        return ChronoUnit.MICROS.between(Instant.EPOCH, Instant.now());
    }

    private static long micros(long startNanos) {
        return (System.nanoTime() - startNanos) / 1000;
    }

    /** Loads (without initialising) every class in the org.insight.* jars of the class path. */
    private static void loadEngineClasses() throws IOException {
        ClassLoader loader = StartupProbe.class.getClassLoader();
        for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
            Path jar = Path.of(entry);
            if (!jar.getFileName().toString().startsWith("org.insight.") || !Files.isRegularFile(jar)) {
                continue;
            }
            List<String> names = new ArrayList<>();
            try (FileSystem fs = FileSystems.newFileSystem(URI.create("jar:" + jar.toUri()), Map.of());
                    Stream<Path> walk = Files.walk(fs.getPath("/"))) {
                walk.map(p -> p.toString().substring(1)).filter(n -> n.endsWith(".class") && !n.contains("-"))
                        .forEach(n -> names.add(n.substring(0, n.length() - 6).replace('/', '.')));
            }
            for (String name : names) {
                try {
                    Class.forName(name, false, loader);
                } catch (ClassNotFoundException | LinkageError e) {
                    // a class that cannot load here is left out of the cache, and loads normally when used
                }
            }
        }
    }
}
