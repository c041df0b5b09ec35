package org.insight.cli;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * One run of a program under QEMU's record/replay (see {@link QemuPeer}).
 *
 * @param mode           recording or replaying
 * @param program        the static binary that ran as the guest's /init
 * @param args           its arguments (after argv[0], which is "/init")
 * @param command        the QEMU command line, as run
 * @param initramfs      the initramfs holding the program; a replay must use the same bytes
 * @param log            QEMU's record/replay log ({@code rrfile}), written by a recording, read by a replay
 * @param logBytes       the log's size after the run
 * @param wholeProcess   wall time from starting QEMU to its exit: firmware, kernel boot, program, panic
 * @param workload       wall time from the start marker on the console to the program's exit (see
 *                       {@link ConsoleTranscript}); zero when the run did not complete
 * @param output         the program's stdout and stderr lines, as the console showed them
 * @param kernelMessages kernel log lines printed while the program ran
 * @param waitStatus     the program's wait status from the kernel's panic message, -1 when unknown
 * @param failure        empty when the run completed, else why not
 * @param consoleTail    the console's last lines, for diagnosing a failed run
 */
public record PeerRun(Mode mode, Path program, List<String> args, List<String> command, Path initramfs, Path log,
        long logBytes, Duration wholeProcess, Duration workload, List<String> output, List<String> kernelMessages,
        int waitStatus, String failure, List<String> consoleTail) {

    public enum Mode {
        RECORD("record"), REPLAY("replay");

        private final String rr;

        Mode(String rr) {
            this.rr = rr;
        }

        /** The value of QEMU's {@code -icount rr=} option. */
        public String rrOption() {
            return rr;
        }
    }

    public PeerRun {
        args = List.copyOf(args);
        command = List.copyOf(command);
        output = List.copyOf(output);
        kernelMessages = List.copyOf(kernelMessages);
        consoleTail = List.copyOf(consoleTail);
    }

    /** The program ran to its exit and QEMU ended normally. */
    public boolean completed() {
        return failure.isEmpty();
    }

    /** The program's exit code; meaningful when {@link #completed()} and {@link #signal()} is 0. */
    public int exitCode() {
        return waitStatus < 0 ? -1 : (waitStatus >> 8) & 0xff;
    }

    /** The signal that killed the program, 0 when it exited. */
    public int signal() {
        return waitStatus < 0 ? 0 : waitStatus & 0x7f;
    }

    /**
     * Returns this run if it completed.
     *
     * @throws PeerRunException naming the run, why it failed and the console's last lines
     */
    public PeerRun requireCompleted() {
        if (completed()) {
            return this;
        }
        throw new PeerRunException("QEMU " + mode.rrOption() + " of " + program + " (log " + log + "): " + failure
                + (consoleTail.isEmpty() ? "" : "\n  console ended with:\n    " + String.join("\n    ", consoleTail)));
    }
}
