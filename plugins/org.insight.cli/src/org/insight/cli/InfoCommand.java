package org.insight.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

import org.insight.replay.trace.TraceException;
import org.insight.replay.trace.TraceInfo;

import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code insight info}: a recording's header, statistics, landmarks and completeness. */
@Command(name = "info")
final class InfoCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "TRACE", descriptionKey = "info.trace")
    Path trace;

    @Override
    public Integer call() throws IOException {
        if (!Files.isRegularFile(trace)) {
            throw new UserError(trace + ": no such recording");
        }
        TraceInfo info;
        try {
            info = TraceInfo.read(trace);
        } catch (TraceException e) {
            throw new UserError(e.getMessage());
        }
        spec.commandLine().getOut().print(info.render());
        spec.commandLine().getOut().flush();
        return info.corruption().isPresent() || !info.complete() ? 1 : 0;
    }
}
