package org.insight.cli;

import java.io.File;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Runs this same command again inside a nested KVM: a small QEMU (TCG) machine with a real KVM of its own, booted by
 * the {@code nested-kvm} script that the launcher names in system property {@value #SCRIPT_PROPERTY}. The command
 * runs there in a fresh JVM with this JVM's options, class path and arguments; stdin (when the guest reads it), stdout,
 * stderr, the exit status and the files it writes (the folders {@link RunsGuest#writtenFolders()} names, shared
 * read-write) behave as they would here. Everything is exact there; timings are not meaningful.
 */
final class NestedMachine {
    /** System property: the path of the nested-kvm script (the launcher and the distribution's bin/insight set it). */
    static final String SCRIPT_PROPERTY = "insight.nestedKvm";
    /** The script's status when the machine itself failed (bootstrap, boot, modules, mounts). */
    static final int MACHINE_FAILED = 125;
    /** Options for the JVM inside: C2 costs more than it returns under emulation; /tmp is the machine's own. */
    static final List<String> NESTED_JVM_OPTIONS = List.of("-XX:TieredStopAtLevel=1", "-Djna.tmpdir=/tmp",
            "-Djava.io.tmpdir=/tmp");

    private NestedMachine() {
    }

    /** Runs {@code args} (this process's whole command line) in the nested machine and returns its exit status. */
    static int run(List<String> args, RunsGuest command) {
        Path script = script();
        List<String> cmd = command(script, args, command);
        ProcessBuilder pb = new ProcessBuilder(cmd).inheritIO();
        // The options go on the java command line; an empty value keeps the script from setting JAVA_TOOL_OPTIONS,
        // which the JVM would announce on stderr.
        pb.environment().put("NESTED_JAVA_TOOL_OPTIONS", "");
        try {
            Process p = pb.start();
            int status = p.waitFor();
            if (status == MACHINE_FAILED) {
                System.err.println(Messages.get("nested.failed", script));
            }
            return status;
        } catch (IOException e) {
            throw new UserError(Messages.get("nested.cannotStart", script, e.getMessage()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UserError(Messages.get("nested.interrupted"));
        }
    }

    static Path script() {
        String s = System.getProperty(SCRIPT_PROPERTY);
        if (s == null || s.isBlank()) {
            throw new UserError(Messages.get("nested.unavailable", SCRIPT_PROPERTY));
        }
        Path script = Path.of(s);
        if (!Files.isExecutable(script)) {
            throw new UserError(Messages.get("nested.missingScript", script));
        }
        return script;
    }

    /** The script's command line: read-write folders, stdin, then this JVM's command with the same arguments. */
    static List<String> command(Path script, List<String> args, RunsGuest command) {
        List<String> cmd = new ArrayList<>();
        cmd.add(script.toString());
        cmd.add("--quiet");
        cmd.add("--timeout");
        cmd.add("0");
        for (Path d : command.writtenFolders()) {
            cmd.add("--rw");
            cmd.add(d.toAbsolutePath().normalize().toString());
        }
        Set<String> read = new LinkedHashSet<>();
        command.readFolders().forEach(d -> read.add(d.toAbsolutePath().normalize().toString()));
        read.addAll(classPathFolders());
        for (String d : read) {
            cmd.add("--ro");
            cmd.add(d);
        }
        if (command.readsHostStdin()) {
            cmd.add("--stdin");
        }
        cmd.add("--");
        cmd.addAll(javaCommand());
        cmd.addAll(args);
        return cmd;
    }

    /**
     * The folders of this JVM's class path (a folder entry itself, a jar's folder), which the JVM inside must read too:
     * a class path under /tmp (a checkout there, an IDE's test runtime) is hidden by the machine's own /tmp otherwise.
     */
    static List<String> classPathFolders() {
        Set<String> folders = new LinkedHashSet<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            if (entry.isBlank()) {
                continue;
            }
            Path p = Path.of(entry).toAbsolutePath().normalize();
            Path folder = Files.isDirectory(p) ? p : p.getParent();
            if (folder != null && Files.isDirectory(folder)) {
                folders.add(folder.toString());
            }
        }
        return List.copyOf(folders);
    }

    /** This JVM again: its java, its options (system properties, CDS archive, native access), its class path. */
    static List<String> javaCommand() {
        List<String> java = new ArrayList<>();
        java.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (String option : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (!option.startsWith("-agentlib:") && !option.startsWith("-javaagent:")) {
                java.add(option);
            }
        }
        java.addAll(NESTED_JVM_OPTIONS);
        java.add("-cp");
        java.add(System.getProperty("java.class.path"));
        java.add(Main.class.getName());
        return java;
    }
}
