package org.insight.analysis.report;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Just enough JSON to read the report back: objects, arrays, strings, numbers (as double), true/false/null. */
final class MiniJson {
	private final String s;
	private int i;

	MiniJson(String s) {
		this.s = s;
	}

	Object value() {
		ws();
		char c = s.charAt(i);
		if (c == '{') {
			Map<String, Object> m = new LinkedHashMap<>();
			i++;
			ws();
			if (s.charAt(i) == '}') {
				i++;
				return m;
			}
			do {
				ws();
				String k = string();
				ws();
				expect(':');
				m.put(k, value());
				ws();
			} while (s.charAt(i++) == ',');
			assertEquals('}', s.charAt(i - 1), "at " + i);
			return m;
		}
		if (c == '[') {
			List<Object> l = new ArrayList<>();
			i++;
			ws();
			if (s.charAt(i) == ']') {
				i++;
				return l;
			}
			do {
				l.add(value());
				ws();
			} while (s.charAt(i++) == ',');
			assertEquals(']', s.charAt(i - 1), "at " + i);
			return l;
		}
		if (c == '"') {
			return string();
		}
		for (String lit : List.of("true", "false", "null")) {
			if (s.startsWith(lit, i)) {
				i += lit.length();
				return lit.equals("null") ? null : Boolean.valueOf(lit);
			}
		}
		int start = i;
		while (i < s.length() && "+-0123456789.eE".indexOf(s.charAt(i)) >= 0) {
			i++;
		}
		return Double.valueOf(s.substring(start, i));
	}

	private String string() {
		expect('"');
		StringBuilder b = new StringBuilder();
		for (char c = s.charAt(i++); c != '"'; c = s.charAt(i++)) {
			if (c == '\\') {
				char e = s.charAt(i++);
				switch (e) {
				case 'n' -> b.append('\n');
				case 't' -> b.append('\t');
				case 'r' -> b.append('\r');
				case 'u' -> {
					b.append((char) Integer.parseInt(s.substring(i, i + 4), 16));
					i += 4;
				}
				default -> b.append(e);
				}
			} else {
				b.append(c);
			}
		}
		return b.toString();
	}

	private void expect(char c) {
		assertEquals(c, s.charAt(i), "at " + i);
		i++;
	}

	private void ws() {
		while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
			i++;
		}
	}
}
