package dev.switchboard.logging;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Replaces secrets in captured content with {@value #MARK} before it is stored: API keys ({@code sk-…}, which covers
 * OpenAI's, Anthropic's {@code sk-ant-…} and Switchboard's own {@code sk-sb-…} and {@code sk-sbv-…}), bearer
 * tokens, AWS access key ids ({@code AKIA…}, {@code ASIA…}) and Switchboard's SigV4 ids ({@code SBAK…}), AWS secret
 * access keys next to their name, the configured providers' API keys, and the patterns of {@code logging.redact}.
 * Immutable and thread-safe.
 */
public final class Redactor {
  static final String MARK = "[REDACTED]";
  private static final List<Pattern> BUILT_IN = List.of(
      Pattern.compile("sk-[A-Za-z0-9_\\-]{8,}"),
      Pattern.compile("(?i)(?<=bearer\\s)[A-Za-z0-9._~+/=\\-]{8,}"),
      Pattern.compile("\\b(?:AKIA|ASIA|SBAK)[0-9A-Z]{16}\\b"),
      Pattern.compile("(?i)(?<=secret_?access_?key[\"']?\\s{0,3}[:=]\\s{0,3}[\"']?)[A-Za-z0-9/+=]{40}"));

  private final List<Pattern> patterns;

  /**
   * @param extra regular expressions of further secrets (already validated by the config loader)
   * @param literals secrets known by value (the providers' API keys); blank ones are skipped
   */
  public Redactor(Collection<String> extra, Collection<String> literals) {
    List<Pattern> all = new ArrayList<>(BUILT_IN);
    for (String p : extra) all.add(Pattern.compile(p));
    for (String s : literals) if (s != null && s.length() >= 8) all.add(Pattern.compile(Pattern.quote(s)));
    this.patterns = List.copyOf(all);
  }

  /** The built-in patterns only. */
  public static Redactor standard() {
    return new Redactor(List.of(), List.of());
  }

  /** {@code text} with every secret replaced; null stays null. */
  public String redact(String text) {
    if (text == null) return null;
    String out = text;
    for (Pattern p : patterns) {
      Matcher m = p.matcher(out);
      if (m.find()) out = m.replaceAll(MARK);
    }
    return out;
  }
}
