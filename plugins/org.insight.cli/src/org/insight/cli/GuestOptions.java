package org.insight.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.insight.symbols.ElfImage;
import org.insight.vmm.inputs.StdinSource;
import org.insight.vmm.linux.fd.HostFileLoader;
import org.insight.vmm.linux.fd.ProvidedFiles;
import org.insight.vmm.loader.SharedLibraries;
import org.insight.vmm.machine.RunOptions;
import org.insight.vmm.machine.SyncMode;

import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The options that describe a guest run, shared by the commands that start one. */
final class GuestOptions {
    @Option(names = "--memory", paramLabel = "SIZE", converter = SizeConverter.class, descriptionKey = "guest.memory")
    Long memory;

    @Option(names = "--max-threads", paramLabel = "N", descriptionKey = "guest.maxThreads")
    Integer maxThreads;

    @Option(names = "--time-limit", paramLabel = "SECONDS", descriptionKey = "guest.timeLimit")
    Double timeLimit;

    @Option(names = "--timeslice", paramLabel = "MS", descriptionKey = "guest.timeslice")
    Integer timesliceMillis;

    @Option(names = "--watchdog", paramLabel = "MS", descriptionKey = "guest.watchdog")
    Integer watchdogMillis;

    @Option(names = "--mode", paramLabel = "syscalls|locks", descriptionKey = "guest.mode")
    String mode = "syscalls";

    @Option(names = "--stdin", paramLabel = "FILE", descriptionKey = "guest.stdin")
    Path stdin;

    @Option(names = "--env", paramLabel = "NAME=VALUE", descriptionKey = "guest.env")
    List<String> env = new ArrayList<>();

    @Option(names = "--file", paramLabel = "PATH", descriptionKey = "guest.file")
    List<Path> files = new ArrayList<>();

    @Option(names = "--ro-dir", paramLabel = "DIR", descriptionKey = "guest.roDir")
    List<Path> roDirs = new ArrayList<>();

    @Option(names = "--max-file-bytes", paramLabel = "SIZE", converter = SizeConverter.class,
            descriptionKey = "guest.maxFileBytes")
    Long maxFileBytes;

    @Parameters(index = "0", paramLabel = "PROGRAM", descriptionKey = "guest.program")
    Path program;

    @Parameters(index = "1..*", paramLabel = "ARGS", descriptionKey = "guest.args")
    List<String> args = new ArrayList<>();

    Path program() {
        if (!Files.isRegularFile(program)) {
            throw new UserError(program + ": no such file");
        }
        return program;
    }

    /**
     * Checks, before any machine starts, that the program exists and is an ELF image the loader can read, and that
     * every option is valid; throws the user error that the run itself would give.
     */
    void check() {
        program();
        toRunOptions(StdinSource.empty());
        ElfImage.read(program);
    }

    /** The folders of the program, of the --stdin file and of the provided files, for {@link RunsGuest#readFolders()}. */
    List<Path> readFolders() {
        List<Path> folders = new ArrayList<>();
        folders.add(RunsGuest.folderOf(program));
        if (stdin != null) {
            folders.add(RunsGuest.folderOf(stdin));
        }
        files.forEach(f -> folders.add(RunsGuest.folderOf(f)));
        roDirs.forEach(d -> folders.add(d.toAbsolutePath().normalize()));
        return folders;
    }

    /** The run options these flags describe; {@code defaultStdin} is used when no --stdin file is given. */
    RunOptions toRunOptions(StdinSource defaultStdin) {
        for (String e : env) {
            if (e.indexOf('=') <= 0) {
                throw new UserError("--env wants NAME=VALUE, got '" + e + "'");
            }
        }
        List<String> argv = new ArrayList<>();
        argv.add(program.toString());
        argv.addAll(args);
        SyncMode syncMode = SyncMode.ofLabel(mode)
                .orElseThrow(() -> new UserError("--mode is syscalls or locks, got '" + mode + "'"));
        RunOptions o = RunOptions.defaults().withArgv(argv).withEnv(env).withSyncMode(syncMode);
        if (stdin != null) {
            if (!Files.isReadable(stdin)) {
                throw new UserError("--stdin " + stdin + ": not a readable file");
            }
            o = o.withStdin(new StdinSource.FromFile(stdin));
        } else {
            o = o.withStdin(defaultStdin);
        }
        if (memory != null) {
            if (memory < (1 << 20)) {
                throw new UserError("--memory " + memory + ": at least 1m is needed");
            }
            o = o.withMemoryCap(memory);
        }
        if (maxThreads != null) {
            if (maxThreads < 1) {
                throw new UserError("--max-threads must be at least 1, got " + maxThreads);
            }
            o = o.withMaxThreads(maxThreads);
        }
        if (timeLimit != null) {
            if (!(timeLimit > 0)) {
                throw new UserError("--time-limit must be a positive number of seconds, got " + timeLimit);
            }
            o = o.withWallLimit(Duration.ofNanos((long) (timeLimit * 1e9)));
        }
        if (timesliceMillis != null) {
            if (timesliceMillis < 0) {
                throw new UserError("--timeslice must not be negative, got " + timesliceMillis);
            }
            o = o.withTimeSlice(Duration.ofMillis(timesliceMillis));
        }
        if (watchdogMillis != null) {
            if (watchdogMillis < 0) {
                throw new UserError("--watchdog must not be negative (0 turns it off), got " + watchdogMillis);
            }
            o = o.withWatchdogPeriod(Duration.ofMillis(watchdogMillis));
        }
        return o.withFiles(providedFiles());
    }

    /** The --file and --ro-dir files, read now (their total size checked first against --max-file-bytes). */
    private ProvidedFiles providedFiles() {
        long max = maxFileBytes == null ? HostFileLoader.DEFAULT_MAX_BYTES : maxFileBytes;
        try {
            List<Path> all = new ArrayList<>(files);
            if (program != null && Files.isRegularFile(program)) {
                // a dynamically linked program's interpreter and libraries, provided (and so recorded) like --file
                for (SharedLibraries.Library l : SharedLibraries.of(program, ElfImage.read(program).dynamic())) {
                    all.add(l.host());
                }
            }
            return HostFileLoader.load(all, roDirs, max);
        } catch (HostFileLoader.ProvideException e) {
            throw new UserError(e.getMessage());
        }
    }
}
