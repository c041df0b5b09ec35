package org.insight.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the guest's serial console says about one QEMU peer run, read from its lines as the host received them.
 * <p>
 * The kernel runs with {@code quiet}, so it prints only errors, and it is told to try a start marker
 * ({@value #START_MARKER}, a non-executable file) as its initramfs init before the real {@code /init}: its error
 * line "Failed to execute /insight-start (error -8)" is printed just before the kernel executes the program, and
 * is the workload's start. The program's exit makes the kernel panic ("Attempted to kill init!
 * exitcode=0x...", the wait status): that line is the workload's end. Between the two, lines in the kernel's log
 * format ("[    5.565280] ...") are kernel messages; every other line is the program's stdout and stderr.
 */
record ConsoleTranscript(long startNanos, long endNanos, List<String> output, List<String> kernelMessages,
        int waitStatus, String failure) {

    static final String START_MARKER = "/insight-start";

    /** A console line and when its newline reached the host, in nanoseconds since QEMU was started. */
    record TimedLine(long nanos, String text) {
    }

    private static final Pattern KERNEL_LINE = Pattern.compile("^\\[\\s*\\d+\\.\\d+\\] ");
    private static final Pattern START = Pattern.compile(
            "Failed to execute " + Pattern.quote(START_MARKER) + " \\(error -?\\d+\\)");
    private static final Pattern PANIC = Pattern.compile("(?:\\[\\s*\\d+\\.\\d+\\] )?Kernel panic - not syncing: (.*)");
    private static final Pattern INIT_EXIT = Pattern.compile("Attempted to kill init! exitcode=0x([0-9a-fA-F]+)");

    boolean completed() {
        return failure.isEmpty();
    }

    static ConsoleTranscript parse(List<TimedLine> lines) {
        int start = -1;
        for (int i = 0; i < lines.size() && start < 0; i++) {
            if (START.matcher(lines.get(i).text()).find()) {
                start = i;
            }
        }
        if (start < 0) {
            String panic = firstPanic(lines, 0);
            return failed(panic != null ? "the kernel panicked before it ran the program: " + panic
                    : "the console never showed the start marker (the kernel did not get to run /init)");
        }
        List<String> output = new ArrayList<>();
        List<String> kernel = new ArrayList<>();
        for (int i = start + 1; i < lines.size(); i++) {
            String text = lines.get(i).text();
            Matcher panic = PANIC.matcher(text);
            if (panic.find()) {
                // The program's last line may lack its newline: the panic message then follows it on the same line.
                if (panic.start() > 0) {
                    output.add(text.substring(0, panic.start()));
                }
                Matcher exit = INIT_EXIT.matcher(panic.group(1));
                if (!exit.find()) {
                    return new ConsoleTranscript(0, 0, output, kernel, -1,
                            "the kernel panicked after the start marker: " + panic.group(1));
                }
                int status = (int) Long.parseLong(exit.group(1), 16);
                return new ConsoleTranscript(lines.get(start).nanos(), lines.get(i).nanos(), List.copyOf(output),
                        List.copyOf(kernel), status, "");
            }
            (KERNEL_LINE.matcher(text).find() ? kernel : output).add(text);
        }
        return new ConsoleTranscript(0, 0, List.copyOf(output), List.copyOf(kernel), -1,
                "the console ended before the program's exit (no \"Attempted to kill init!\" panic)");
    }

    private static String firstPanic(List<TimedLine> lines, int from) {
        for (int i = from; i < lines.size(); i++) {
            Matcher panic = PANIC.matcher(lines.get(i).text());
            if (panic.find()) {
                return panic.group(1);
            }
        }
        return null;
    }

    private static ConsoleTranscript failed(String why) {
        return new ConsoleTranscript(0, 0, List.of(), List.of(), -1, why);
    }
}
