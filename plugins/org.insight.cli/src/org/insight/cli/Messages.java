package org.insight.cli;

import java.text.MessageFormat;
import java.util.ResourceBundle;

/** The command's user-facing strings ({@code messages.properties}), for text that picocli does not print itself. */
final class Messages {
    private static final ResourceBundle BUNDLE = ResourceBundle.getBundle("org.insight.cli.messages");

    private Messages() {
    }

    static ResourceBundle bundle() {
        return BUNDLE;
    }

    /** The message {@code key} with its {0}, {1}... filled in. */
    static String get(String key, Object... args) {
        String pattern = BUNDLE.getString(key);
        return args.length == 0 ? pattern : MessageFormat.format(pattern.replace("'", "''"), args);
    }
}
