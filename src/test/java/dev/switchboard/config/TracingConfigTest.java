package dev.switchboard.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code tracing:} section and the standard OTEL_* variables: off unless the file says otherwise, the variables
 * winning over the file field by field, and every mistake refused with what to write.
 */
final class TracingConfigTest {
  @TempDir Path dir;
  private final Map<String, String> env = new HashMap<>();

  private SwitchboardConfig.Tracing load(String yaml) throws Exception {
    Path file = dir.resolve("switchboard.yaml");
    Files.writeString(file, yaml);
    return new ConfigLoader(env::get).load(new ConfigLoader.Flags(file, null, null, dir)).tracing();
  }

  @Test
  void offByDefaultWithTheCollectorsLocalHttpPort() throws Exception {
    SwitchboardConfig.Tracing t = load("server: {port: 0}\n");
    assertThat(t).isEqualTo(SwitchboardConfig.Tracing.OFF);
    assertThat(t.enabled()).isFalse();
    assertThat(t.endpoint()).isEqualTo(URI.create("http://127.0.0.1:4318/v1/traces"));
    assertThat(t.sampleRatio()).isEqualTo(1.0);
    assertThat(t.serviceName()).isEqualTo("switchboard");
  }

  @Test
  void theFileSetsEveryField() throws Exception {
    assertThat(load("""
        tracing:
          enabled: true
          endpoint: http://collector:4318/v1/traces
          protocol: http/protobuf
          sample_ratio: 0.25
          service_name: gateway-eu
        """)).isEqualTo(new SwitchboardConfig.Tracing(true, URI.create("http://collector:4318/v1/traces"), 0.25,
        "gateway-eu"));
  }

  @Test
  void theOtelVariablesWinOverTheFileButNeverTurnTracingOn() throws Exception {
    env.put("OTEL_EXPORTER_OTLP_ENDPOINT", "http://otel:4318/");
    env.put("OTEL_SERVICE_NAME", "from-env");
    env.put("OTEL_TRACES_SAMPLER_ARG", "0.5");
    String file = "tracing: {enabled: true, endpoint: http://file:4318/v1/traces, sample_ratio: 1, service_name: f}\n";
    assertThat(load(file)).isEqualTo(new SwitchboardConfig.Tracing(true, URI.create("http://otel:4318/v1/traces"),
        0.5, "from-env"));
    env.put("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "https://traces.example/custom");
    assertThat(load(file).endpoint()).isEqualTo(URI.create("https://traces.example/custom"));
    assertThat(load("server: {port: 0}\n").enabled()).isFalse();
    env.put("OTEL_SDK_DISABLED", "true");
    assertThat(load(file).enabled()).isFalse();
  }

  @Test
  void mistakesAreRefusedWithWhatToWrite() {
    assertThatThrownBy(() -> load("tracing: {protocol: grpc}\n")).isInstanceOf(ConfigException.class)
        .hasMessageContaining("switchboard.yaml:1").hasMessageContaining("http/protobuf");
    assertThatThrownBy(() -> load("tracing: {sample_ratio: 2}\n")).hasMessageContaining("from 0");
    assertThatThrownBy(() -> load("tracing: {endpoint: collector:4318}\n")).hasMessageContaining("http://");
    assertThatThrownBy(() -> load("tracing: {enabled: yes please}\n")).hasMessageContaining("true or false");
    assertThatThrownBy(() -> load("tracing: {sampler: always}\n")).hasMessageContaining("unknown setting 'sampler'");
    env.put("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc");
    assertThatThrownBy(() -> load("tracing: {enabled: true}\n")).hasMessageContaining("OTEL_EXPORTER_OTLP_PROTOCOL");
  }

  @Test
  void withTracingOffTheVariablesAreNotRead() throws Exception {
    env.put("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc"); // another program's
    env.put("OTEL_SERVICE_NAME", "someone-else");
    assertThat(load("server: {port: 0}\n")).isEqualTo(SwitchboardConfig.Tracing.OFF);
  }
}
