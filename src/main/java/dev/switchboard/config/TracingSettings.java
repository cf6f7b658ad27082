package dev.switchboard.config;

import java.net.URI;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Reads the {@code tracing:} section, then the standard OpenTelemetry variables, each overriding its field (the
 * loader's usual order: file, then environment):
 *
 * <ul>
 *   <li>OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: the full URL, used as written; else OTEL_EXPORTER_OTLP_ENDPOINT, a base
 *       URL that gets {@code /v1/traces} appended (as the OTLP exporter specification says);
 *   <li>OTEL_SERVICE_NAME; OTEL_TRACES_SAMPLER_ARG (the ratio);
 *   <li>OTEL_EXPORTER_OTLP_TRACES_PROTOCOL or OTEL_EXPORTER_OTLP_PROTOCOL: must be {@code http/protobuf};
 *   <li>OTEL_SDK_DISABLED=true turns tracing off whatever the file says.
 * </ul>
 *
 * <p>No variable turns tracing on: that is the file's {@code enabled: true}, so that an OTEL_* variable meant for
 * another program in the same environment cannot start exporting the gateway's traffic; with tracing off the
 * variables are not read at all.
 */
final class TracingSettings {
  private static final String PROTOCOL = "http/protobuf";

  private TracingSettings() {}

  static SwitchboardConfig.Tracing read(ConfigNode node, Function<String, String> env,
      Function<ConfigNode, String> resolver) {
    Map<String, ConfigNode> m = node == null || node.value() == null ? Map.of() : node.map();
    Set<String> known = Set.of("enabled", "endpoint", "protocol", "sample_ratio", "service_name");
    for (Map.Entry<String, ConfigNode> e : m.entrySet()) {
      if (!known.contains(e.getKey())) {
        throw e.getValue().error("unknown setting '" + e.getKey() + "' (known here: enabled, endpoint, protocol, "
            + "sample_ratio, service_name)");
      }
    }
    SwitchboardConfig.Tracing d = SwitchboardConfig.Tracing.OFF;
    boolean enabled = m.containsKey("enabled") && Boolean.parseBoolean(bool(m.get("enabled"), resolver));
    URI endpoint = d.endpoint();
    if (m.containsKey("endpoint")) endpoint = endpoint(resolver.apply(m.get("endpoint")).trim(), m.get("endpoint"));
    if (m.containsKey("protocol")) {
      String p = resolver.apply(m.get("protocol")).trim();
      if (!PROTOCOL.equals(p)) {
        throw m.get("protocol").error("tracing.protocol is '" + p + "'; Switchboard exports over OTLP/HTTP only: "
            + "write http/protobuf (and point endpoint at the collector's HTTP port, usually 4318)");
      }
    }
    double ratio = d.sampleRatio();
    if (m.containsKey("sample_ratio")) ratio = ratio(resolver.apply(m.get("sample_ratio")).trim(), m.get("sample_ratio"));
    String service = d.serviceName();
    if (m.containsKey("service_name")) service = resolver.apply(m.get("service_name")).trim();

    if ("true".equalsIgnoreCase(nonBlank(env.apply("OTEL_SDK_DISABLED")))) enabled = false;
    if (service.isEmpty()) throw where(node, "tracing.service_name is empty; name the service, e.g. switchboard");
    if (!enabled) {
      // The variables may be meant for other programs in the same environment: with tracing off they are not read,
      // so that one of them (OTEL_EXPORTER_OTLP_PROTOCOL=grpc) cannot stop the gateway from starting.
      return new SwitchboardConfig.Tracing(false, endpoint, ratio, service);
    }
    String traces = nonBlank(env.apply("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"));
    String base = nonBlank(env.apply("OTEL_EXPORTER_OTLP_ENDPOINT"));
    if (traces != null) {
      endpoint = endpoint(traces, null);
    } else if (base != null) {
      endpoint = endpoint((base.endsWith("/") ? base.substring(0, base.length() - 1) : base) + "/v1/traces", null);
    }
    for (String var : new String[] {"OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "OTEL_EXPORTER_OTLP_PROTOCOL"}) {
      String p = nonBlank(env.apply(var));
      if (p != null && !PROTOCOL.equals(p)) {
        throw new ConfigException(var + " is '" + p + "'; Switchboard exports traces over OTLP/HTTP only: set it to "
            + "http/protobuf or unset it");
      }
    }
    String envService = nonBlank(env.apply("OTEL_SERVICE_NAME"));
    if (envService != null) service = envService;
    String envRatio = nonBlank(env.apply("OTEL_TRACES_SAMPLER_ARG"));
    if (envRatio != null) ratio = ratio(envRatio, null);
    return new SwitchboardConfig.Tracing(true, endpoint, ratio, service);
  }

  private static String bool(ConfigNode n, Function<ConfigNode, String> resolver) {
    String v = n.value() instanceof Boolean b ? b.toString() : resolver.apply(n).trim();
    if (!v.equals("true") && !v.equals("false")) {
      throw n.error("tracing.enabled is '" + v + "'; it must be true or false");
    }
    return v;
  }

  private static URI endpoint(String v, ConfigNode n) {
    URI u;
    try {
      u = URI.create(v);
    } catch (IllegalArgumentException e) {
      u = null;
    }
    if (u == null || u.getHost() == null || !("http".equals(u.getScheme()) || "https".equals(u.getScheme()))) {
      String message = "tracing endpoint is '" + v + "'; it must be an http:// or https:// URL such as "
          + SwitchboardConfig.Tracing.DEFAULT_ENDPOINT;
      throw n != null ? n.error(message) : new ConfigException(message + " (from OTEL_EXPORTER_OTLP_*ENDPOINT)");
    }
    return u;
  }

  private static double ratio(String v, ConfigNode n) {
    double r;
    try {
      r = Double.parseDouble(v);
    } catch (NumberFormatException e) {
      r = Double.NaN;
    }
    if (!(r >= 0 && r <= 1)) {
      String message = "tracing sample ratio is '" + v + "'; it must be a number from 0 (no new traces) to 1 (all)";
      throw n != null ? n.error(message) : new ConfigException(message + " (from OTEL_TRACES_SAMPLER_ARG)");
    }
    return r;
  }

  private static ConfigException where(ConfigNode node, String message) {
    return node != null ? node.error(message) : new ConfigException(message + " (from OTEL_SERVICE_NAME)");
  }

  private static String nonBlank(String s) {
    return s == null || s.isBlank() ? null : s.trim();
  }
}
