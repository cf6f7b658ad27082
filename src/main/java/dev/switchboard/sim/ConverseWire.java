package dev.switchboard.sim;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.core.JsonGenerator;
import tools.jackson.core.io.JsonStringEncoder;

/**
 * Renders one planned answer as Bedrock's Converse (PROTOCOLS.md 3.2) or ConverseStream (3.3) answer. Written here
 * rather than borrowed from the gateway's Bedrock codec so that the simulator stays an independent implementation of
 * the protocol.
 *
 * <p>The answer is one {@code {"text"}} content block, or one {@code {"toolUse":{"toolUseId","name","input"}}} block
 * per tool call (indexes 0..n-1) with the sampled argument object (an empty object when {@code maxTokens} cut the call
 * short). The stream is {@code messageStart}, {@code contentBlockStart} for a tool call only (Bedrock starts no text
 * block), one {@code contentBlockDelta} per token ({@code text}, or a {@code toolUse.input} string fragment),
 * {@code contentBlockStop} (then the next call's start, deltas and stop), {@code messageStop} and, last,
 * {@code metadata} with the usage (cache reads and writes apart from {@code inputTokens}, all of them in
 * {@code totalTokens}) and latency. The stop
 * sequence is reported in {@code additionalModelResponseFields} only if the request asked for {@code /stop_sequence}.
 */
final class ConverseWire implements AnswerWire {
  private static final JsonStringEncoder ESCAPE = JsonStringEncoder.getInstance();
  private static final byte[] DELTA_OPEN = ascii("{\"contentBlockIndex\":");
  private static final byte[] TEXT_DELTA = ascii(",\"delta\":{\"text\":\"");
  private static final byte[] TEXT_CLOSE = ascii("\"}}");
  private static final byte[] TOOL_DELTA = ascii(",\"delta\":{\"toolUse\":{\"input\":\"");
  private static final byte[] TOOL_CLOSE = ascii("\"}}}");
  private static final byte[] MESSAGE_START = ascii("{\"role\":\"assistant\"}");

  private final Exchange ex;
  private final ChatAnswer.Choice choice;
  private final PromptUsage prompt;
  private final List<String> toolUseIds;
  private final String stopReason;
  /** The stop sequence to report, or null. */
  private final String stopSequence;

  /** @param reportStopSequence whether the request listed {@code /stop_sequence} in its response field paths */
  ConverseWire(Exchange ex, ChatAnswer.Choice choice, PromptUsage prompt, boolean reportStopSequence) {
    this.ex = ex;
    this.choice = choice;
    this.prompt = prompt;
    List<String> ids = new ArrayList<>(choice.toolCalls().size());
    for (int i = 0; i < choice.toolCalls().size(); i++) ids.add(Wire.id("tooluse_"));
    this.toolUseIds = List.copyOf(ids);
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
      for (int i = 0; i < choice.toolCalls().size(); i++) {
        ChatAnswer.ToolCall call = choice.toolCalls().get(i);
        g.writeStartObject();
        g.writeObjectPropertyStart("toolUse");
        g.writeStringProperty("toolUseId", toolUseIds.get(i));
        g.writeStringProperty("name", call.name());
        g.writeName("input");
        if (call.complete() && call.arguments().startsWith("{")) {
          g.writeRawValue(call.arguments()); // compact JSON written by Json.MAPPER when the answer was planned
        } else {
          g.writeStartObject();
          g.writeEndObject();
        }
        g.writeEndObject();
        g.writeEndObject();
      }
      if (!choice.isToolCall()) {
        g.writeStartObject();
        g.writeStringProperty("text", choice.content());
        g.writeEndObject();
      }
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
    if (choice.isToolCall()) toolStart(out, 0);
  }

  @Override
  public void nextBlock(Buffer out, ChatAnswer.Choice c, int block) {
    blockStop(out, block - 1);
    toolStart(out, block);
  }

  private void toolStart(Buffer out, int block) {
    Buffer json = Buffer.buffer(128);
    try (JsonGenerator g = Wire.generator(json)) {
      g.writeStartObject();
      g.writeNumberProperty("contentBlockIndex", block);
      g.writeObjectPropertyStart("start");
      g.writeObjectPropertyStart("toolUse");
      g.writeStringProperty("toolUseId", toolUseIds.get(block));
      g.writeStringProperty("name", choice.toolCalls().get(block).name());
      g.writeEndObject();
      g.writeEndObject();
      g.writeEndObject();
    }
    EventFrames.event(out, "contentBlockStart", json);
  }

  private static void blockStop(Buffer out, int block) {
    EventFrames.event(out, "contentBlockStop", Buffer.buffer(32).appendString("{\"contentBlockIndex\":")
        .appendString(Integer.toString(block)).appendString("}"));
  }

  /** A delta is spliced from constant bytes and the escaped piece: most of a stream's events, kept cheap. */
  @Override
  public void piece(Buffer out, ChatAnswer.Choice c, int block, String text) {
    Buffer json = Buffer.buffer(64 + text.length() * 2);
    json.appendBytes(DELTA_OPEN).appendString(Integer.toString(block));
    json.appendBytes(c.isToolCall() ? TOOL_DELTA : TEXT_DELTA);
    json.appendBytes(ESCAPE.quoteAsUTF8(text));
    json.appendBytes(c.isToolCall() ? TOOL_CLOSE : TEXT_CLOSE);
    EventFrames.event(out, "contentBlockDelta", json);
  }

  @Override
  public void tail(Buffer out) {
    blockStop(out, Math.max(0, choice.toolCalls().size() - 1));
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
    g.writeNumberProperty("inputTokens", prompt.inputTokens());
    g.writeNumberProperty("outputTokens", choice.tokens());
    g.writeNumberProperty("totalTokens", prompt.total() + choice.tokens());
    g.writeNumberProperty("cacheReadInputTokens", prompt.cacheReadTokens());
    g.writeNumberProperty("cacheWriteInputTokens", prompt.cacheWriteTokens());
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
