package org.insight.cli;

import java.io.PrintWriter;
import java.util.ResourceBundle;

import picocli.CommandLine;

/** The {@code insight} command: parses the command line and exits with the status of the subcommand. */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        System.exit(execute(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args));
    }

    /** Runs one command line and returns its exit status; tests call this with their own writers. */
    public static int execute(PrintWriter out, PrintWriter err, String... args) {
        CommandLine cl = new CommandLine(new InsightCommand());
        // Loaded here, not by picocli: under OSGi picocli's class loader cannot see this bundle's resources.
        cl.setResourceBundle(ResourceBundle.getBundle("org.insight.cli.messages"));
        cl.setOut(out);
        cl.setErr(err);
        cl.setExecutionExceptionHandler(new UserErrorHandler());
        return cl.execute(args);
    }
}
