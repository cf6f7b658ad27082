package dev.switchboard.tracing;

import dev.switchboard.config.SwitchboardConfig;
import dev.switchboard.exchange.Exchange;
import dev.switchboard.exchange.ExchangeTrace;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import java.util.concurrent.TimeUnit;

/**
 * The gateway's tracer: begins the trace of each exchange and exports finished spans in batches over OTLP/HTTP
 * (protobuf) from the batch processor's thread. Created by the gateway only when tracing is on; thread-safe.
 * {@link #close} flushes what is queued and stops the exporter; the gateway calls it after its server stopped.
 */
public final class Tracing implements ExchangeTrace.Factory, AutoCloseable {
  static final String SCOPE = "dev.switchboard";

  private final SdkTracerProvider provider;
  private final Tracer tracer;

  private Tracing(SdkTracerProvider provider) {
    this.provider = provider;
    this.tracer = provider.get(SCOPE);
  }

  /** Builds the SDK for {@code settings} (which must be enabled). Nothing is sent until a span ends. */
  public static Tracing start(SwitchboardConfig.Tracing settings) {
    // The exporter finds its HTTP sender through the ServiceLoader: the JDK sender is the only one on the class
    // path (the OkHttp one is excluded in pom.xml), so no OkHttp or Kotlin comes with tracing.
    OtlpHttpSpanExporter exporter = OtlpHttpSpanExporter.builder()
        .setEndpoint(settings.endpoint().toString())
        .build();
    Resource resource = Resource.getDefault().merge(Resource.create(Attributes.of(
        AttributeKey.stringKey("service.name"), settings.serviceName())));
    SdkTracerProvider provider = SdkTracerProvider.builder()
        .setResource(resource)
        // A client that sent a traceparent decided whether its trace is sampled; new traces follow the ratio.
        .setSampler(Sampler.parentBased(Sampler.traceIdRatioBased(settings.sampleRatio())))
        .addSpanProcessor(BatchSpanProcessor.builder(exporter).build())
        .build();
    return new Tracing(provider);
  }

  @Override
  public ExchangeTrace begin(Exchange exchange) {
    return new ExchangeSpans(tracer, exchange);
  }

  /** Exports what is queued (waiting up to 10 s for the collector), then stops. */
  @Override
  public void close() {
    provider.shutdown().join(10, TimeUnit.SECONDS);
  }
}
