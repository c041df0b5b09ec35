package org.insight.cli;

import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;

import org.insight.kvm.KvmException;
import org.insight.symbols.ElfFormatException;
import org.insight.vmm.loader.ImageLoadException;

import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.ParseResult;

/**
 * Turns the errors a user can cause (a bad file, a missing /dev/kvm, a malformed ELF) into one clear line on
 * stderr and exit status 2, without a stack trace. Anything else is a bug in InSight: one line that says so and
 * exit status 70 (EX_SOFTWARE); the stack trace is shown only with {@code INSIGHT_DEBUG=1}.
 */
final class UserErrorHandler implements IExecutionExceptionHandler {
    static final int USAGE_ERROR = 2;
    /** Status of an internal error (sysexits' EX_SOFTWARE). */
    static final int INTERNAL_ERROR = 70;

    @Override
    public int handleExecutionException(Exception ex, CommandLine cl, ParseResult parsed) throws Exception {
        if (ex instanceof UserError || ex instanceof ElfFormatException || ex instanceof ImageLoadException
                || ex instanceof KvmException || ex instanceof NoSuchFileException
                || ex instanceof AccessDeniedException || ex instanceof UncheckedIOException) {
            cl.getErr().println("insight: " + ex.getMessage());
            return USAGE_ERROR;
        }
        cl.getErr().println("insight: " + Messages.get("internalError", ex));
        if ("1".equals(System.getenv("INSIGHT_DEBUG"))) {
            ex.printStackTrace(cl.getErr());
        }
        cl.getErr().flush();
        return INTERNAL_ERROR;
    }
}
