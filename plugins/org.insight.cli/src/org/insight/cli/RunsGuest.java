package org.insight.cli;

import java.nio.file.Path;
import java.util.List;

/**
 * A command that runs a guest and so needs a KVM machine: {@link Main} asks {@link MachineChoice} where to run it
 * before the command itself starts. On the nested machine the command runs again there, in a fresh JVM with the same
 * arguments, and these methods say what it needs from the host.
 */
interface RunsGuest {
    /** The {@code --vm} option of this command. */
    VmOption vm();

    /** Host folders the command writes files into (the recording's folder); shared read-write with the machine. */
    default List<Path> writtenFolders() {
        return List.of();
    }

    /**
     * Host folders of the files the command reads (the program, a --stdin file, the recording). The nested machine
     * sees the host's / read-only but has its own /tmp, /run and ~/.cache, so these are shared with it read-only at
     * their own paths.
     */
    default List<Path> readFolders() {
        return List.of();
    }

    /** The folder of {@code file} as an absolute path ({@code /} for a file at the root). */
    static Path folderOf(Path file) {
        Path parent = file.toAbsolutePath().normalize().getParent();
        return parent == null ? Path.of("/") : parent;
    }

    /**
     * Checks what can be checked on this host before a machine is chosen (files exist, options are valid, the program
     * is an ELF it can run), so that a mistake is one line here and not a machine start later. Throws a user error.
     */
    default void checkArguments() throws Exception {
    }

    /** False when this invocation runs no guest (bench --startup): it then runs here, whatever /dev/kvm is. */
    default boolean needsMachine() {
        return true;
    }

    /** Whether the guest reads the host's stdin (then it is forwarded to the nested machine). */
    default boolean readsHostStdin() {
        return false;
    }
}
