package dev.switchboard.sim;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import java.nio.charset.StandardCharsets;
import tools.jackson.core.JsonGenerator;
import tools.jackson.core.io.JsonStringEncoder;

/**
 * Renders one planned answer as Bedrock's Converse (PROTOCOLS.md 3.2) or ConverseStream (3.3) answer. Written here
 * rather than borrowed from the gateway's Bedrock codec so that the simulator stays an independent implementation of
 * the protocol.
 *
 * <p>The answer is one content block at index 0: {@code {"text"}}, or {@code {"toolUse":{"toolUseId","name","input"}}}
 * with the sampled argument object (an empty object when {@code maxTokens} cut the call short). The stream is
 * {@code messageStart}, {@code contentBlockStart} for a tool call only (Bedrock starts no text block), one
 * {@code contentBlockDelta} per token ({@code text}, or a {@code toolUse.input} string fragment),
 * {@code contentBlockStop}, {@code messageStop} and, last, {@code metadata} with the usage and latency. The stop
 * sequence is reported in {@code additionalModelResponseFields} only if the request asked for {@code /stop_sequence}.
 */
final class ConverseWire implements AnswerWire {
  private static final JsonStringEncoder ESCAPE = JsonStringEncoder.getInstance();
  private static final byte[] TEXT_DELTA = ascii("{\"contentBlockIndex\":0,\"delta\":{\"text\":\"");
  private static final byte[] TEXT_CLOSE = ascii("\"}}");
  private static final byte[] TOOL_DELTA = ascii("{\"contentBlockIndex\":0,\"delta\":{\"toolUse\":{\"input\":\"");
  private static final byte[] TOOL_CLOSE = ascii("\"}}}");
  private static final byte[] MESSAGE_START = ascii("{\"role\":\"assistant\"}");
  private static final byte[] BLOCK_STOP = ascii("{\"contentBlockIndex\":0}");

  private final Exchange ex;
  private final ChatAnswer.Choice choice;
  private final int inputTokens;
  private final String toolUseId;
  private final String stopReason;
  /** The stop sequence to report, or null. */
  private final String stopSequence;

  /** @param reportStopSequence whether the request listed {@code /stop_sequence} in its response field paths */
  ConverseWire(Exchange ex, ChatAnswer.Choice choice, int inputTokens, boolean reportStopSequence) {
    this.ex = ex;
    this.choice = choice;
    this.inputTokens = inputTokens;
    this.toolUseId = choice.isToolCall() ? Wire.id("tooluse_") : null;
    this.stopReason = MessagesWire.stopReason(choice);
    this.stopSequence = reportStopSequence ? choice.stopSequence() : null;
  }

  @Override
  public Buffer body() {
    Buffer out = Buffer.buffer(320 + choice.pieces().size() * 8);
    try (JsonGenerator g = Wire.generator(out)) {
      g.writeStartObject();
      g.writeObjectPropertyStart("output");
      g.writeObjectPropertyStart("message");
      g.writeStringProperty("role", "assistant");
      g.writeArrayPropertyStart("content");
      g.writeStartObject();
      if (choice.isToolCall()) {
        g.writeObjectPropertyStart("toolUse");
        g.writeStringProperty("toolUseId", toolUseId);
        g.writeStringProperty("name", choice.toolName());
        g.writeName("input");
        String args = choice.arguments();
        if (!choice.finishReason().equals("length") && args.startsWith("{")) {
          g.writeRawValue(args); // compact JSON written by Json.MAPPER when the answer was planned
        } else {
          g.writeStartObject();
          g.writeEndObject();
        }
        g.writeEndObject();
      } else {
        g.writeStringProperty("text", choice.content());
      }
      g.writeEndObject();
      g.writeEndArray();
      g.writeEndObject();
      g.writeEndObject();
      stop(g);
      g.writeName("usage");
      usage(g);
      metrics(g);
      g.writeEndObject();
    }
    return out;
  }

  @Override
  public void headers(HttpServerResponse response, boolean stream) {
    if (stream) response.putHeader("content-type", EventFrames.CONTENT_TYPE);
  }

  @Override
  public void head(Buffer out) {
    EventFrames.event(out, "messageStart", MESSAGE_START);
    if (!choice.isToolCall()) return;
    Buffer json = Buffer.buffer(128);
    try (JsonGenerator g = Wire.generator(json)) {
      g.writeStartObject();
      g.writeNumberProperty("contentBlockIndex", 0);
      g.writeObjectPropertyStart("start");
      g.writeObjectPropertyStart("toolUse");
      g.writeStringProperty("toolUseId", toolUseId);
      g.writeStringProperty("name", choice.toolName());
      g.writeEndObject();
      g.writeEndObject();
      g.writeEndObject();
    }
    EventFrames.event(out, "contentBlockStart", json);
  }

  /** A delta is spliced from constant bytes and the escaped piece: most of a stream's events, kept cheap. */
  @Override
  public void piece(Buffer out, ChatAnswer.Choice c, String text) {
    Buffer json = Buffer.buffer(64 + text.length() * 2);
    json.appendBytes(c.isToolCall() ? TOOL_DELTA : TEXT_DELTA);
    json.appendBytes(ESCAPE.quoteAsUTF8(text));
    json.appendBytes(c.isToolCall() ? TOOL_CLOSE : TEXT_CLOSE);
    EventFrames.event(out, "contentBlockDelta", json);
  }

  @Override
  public void tail(Buffer out) {
    EventFrames.event(out, "contentBlockStop", BLOCK_STOP);
    Buffer json = Buffer.buffer(96);
    try (JsonGenerator g = Wire.generator(json)) {
      g.writeStartObject();
      stop(g);
      g.writeEndObject();
    }
    EventFrames.event(out, "messageStop", json);
    json = Buffer.buffer(192);
    try (JsonGenerator g = Wire.generator(json)) {
      g.writeStartObject();
      g.writeName("usage");
      usage(g);
      metrics(g);
      g.writeEndObject();
    }
    EventFrames.event(out, "metadata", json);
  }

  @Override
  public boolean breakOff(Buffer out) {
    EventFrames.streamError(out, ex.deployment.name());
    return true;
  }

  private void stop(JsonGenerator g) {
    g.writeStringProperty("stopReason", stopReason);
    if (stopSequence != null) {
      g.writeObjectPropertyStart("additionalModelResponseFields");
      g.writeStringProperty("stop_sequence", stopSequence);
      g.writeEndObject();
    }
  }

  private void usage(JsonGenerator g) {
    g.writeStartObject();
    g.writeNumberProperty("inputTokens", inputTokens);
    g.writeNumberProperty("outputTokens", choice.tokens());
    g.writeNumberProperty("totalTokens", inputTokens + choice.tokens());
    g.writeNumberProperty("cacheReadInputTokens", 0);
    g.writeNumberProperty("cacheWriteInputTokens", 0);
    g.writeEndObject();
  }

  private void metrics(JsonGenerator g) {
    g.writeObjectPropertyStart("metrics");
    g.writeNumberProperty("latencyMs", ex.elapsedMillis());
    g.writeEndObject();
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }
}
