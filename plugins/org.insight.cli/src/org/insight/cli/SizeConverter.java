package org.insight.cli;

import java.util.Locale;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Reads sizes such as {@code 512m}, {@code 2g} or {@code 65536} (bytes), as {@code ulimit}-style tools do. */
final class SizeConverter implements ITypeConverter<Long> {
    @Override
    public Long convert(String value) {
        String v = value.trim().toLowerCase(Locale.ROOT);
        long unit = 1;
        if (v.endsWith("k")) unit = 1L << 10;
        else if (v.endsWith("m")) unit = 1L << 20;
        else if (v.endsWith("g")) unit = 1L << 30;
        if (unit != 1) v = v.substring(0, v.length() - 1);
        try {
            long n = Long.parseLong(v);
            if (n <= 0 || n > Long.MAX_VALUE / unit) throw new TypeConversionException("size out of range: '" + value + "'");
            return n * unit;
        } catch (NumberFormatException e) {
            throw new TypeConversionException("not a size: '" + value + "' (examples: 65536, 512k, 256m, 2g)");
        }
    }
}
