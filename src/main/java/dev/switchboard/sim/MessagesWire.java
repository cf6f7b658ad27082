package dev.switchboard.sim;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.core.JsonGenerator;
import tools.jackson.core.io.JsonStringEncoder;

/**
 * Renders one planned answer as an Anthropic message (PROTOCOLS.md 2.3–2.5): the non-streamed body, or the stream's
 * events, framed by a {@link MessagesFraming} (SSE for Anthropic's API, event-stream chunks for Bedrock's invoke).
 * Written here rather than borrowed from the gateway's codec so that the simulator stays an independent
 * implementation of the protocol.
 *
 * <p>The answer's content is one {@code text} block, or one {@code tool_use} block per tool call (indexes 0..n-1), whose
 * {@code input} is the sampled argument object (streamed as {@code input_json_delta} fragments). A tool call cut short
 * by {@code max_tokens} has no complete input: the non-streamed block carries {@code {}}, the stream carries the
 * fragments that fit. The stream is {@code message_start} (usage with the input and cache tokens and
 * {@code output_tokens: 1}), {@code content_block_start}, one {@code ping}, the deltas, {@code content_block_stop}
 * (then the next block's start, deltas and stop), {@code message_delta} (stop reason and the cumulative
 * {@code output_tokens}) and {@code message_stop}.
 */
final class MessagesWire implements AnswerWire {
  private static final JsonStringEncoder ESCAPE = JsonStringEncoder.getInstance();
  private static final byte[] DELTA_OPEN = ascii("{\"type\":\"content_block_delta\",\"index\":");
  private static final byte[] TEXT_DELTA = ascii(",\"delta\":{\"type\":\"text_delta\",\"text\":\"");
  private static final byte[] JSON_DELTA = ascii(",\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":\"");
  private static final byte[] DELTA_CLOSE = ascii("\"}}");
  private static final byte[] PING = ascii("{\"type\":\"ping\"}");
  private static final byte[] BLOCK_STOP = ascii("{\"type\":\"content_block_stop\",\"index\":");
  private static final byte[] MESSAGE_STOP = ascii("{\"type\":\"message_stop\"}");

  private final String id;
  private final String model;
  private final ChatAnswer.Choice choice;
  private final List<String> toolUseIds;
  private final PromptUsage prompt;
  private final String stopReason;
  private final MessagesFraming framing;

  /** An answer on Anthropic's API, streamed as SSE. */
  MessagesWire(String id, String model, ChatAnswer.Choice choice, PromptUsage prompt) {
    this(id, model, choice, prompt, MessagesFraming.SSE);
  }

  /** @param choice the planned answer; Anthropic has no {@code n}, so it is the only one */
  MessagesWire(String id, String model, ChatAnswer.Choice choice, PromptUsage prompt, MessagesFraming framing) {
    this.id = id;
    this.model = model;
    this.choice = choice;
    List<String> ids = new ArrayList<>(choice.toolCalls().size());
    for (int i = 0; i < choice.toolCalls().size(); i++) ids.add(Wire.id("toolu_"));
    this.toolUseIds = List.copyOf(ids);
    this.prompt = prompt;
    this.stopReason = stopReason(choice);
    this.framing = framing;
  }

  /** Anthropic's stop reason for a choice planned with OpenAI's finish reasons (Bedrock Converse uses the same). */
  static String stopReason(ChatAnswer.Choice c) {
    if (c.finishReason().equals("length")) return "max_tokens";
    if (c.isToolCall()) return "tool_use";
    return c.stopSequence() != null ? "stop_sequence" : "end_turn";
  }

  @Override
  public Buffer body() {
    Buffer out = Buffer.buffer(384 + choice.pieces().size() * 8);
    try (JsonGenerator g = Wire.generator(out)) {
      message(g, true);
    }
    return out;
  }

  @Override
  public void headers(HttpServerResponse response, boolean stream) {
    framing.headers(response, stream);
  }

  @Override
  public void head(Buffer out) {
    Buffer json = framing.open(out, "message_start");
    try (JsonGenerator g = Wire.generator(json)) {
      g.writeStartObject();
      g.writeStringProperty("type", "message_start");
      g.writeName("message");
      message(g, false);
      g.writeEndObject();
    }
    framing.close(out, "message_start", json);
    blockStart(out, 0);
    constant(out, "ping", PING);
  }

  @Override
  public void nextBlock(Buffer out, ChatAnswer.Choice c, int block) {
    blockStop(out, block - 1);
    blockStart(out, block);
  }

  /** A delta is spliced from constant bytes and the escaped piece: most of a stream's events, kept cheap. */
  @Override
  public void piece(Buffer out, ChatAnswer.Choice c, int block, String text) {
    Buffer json = framing.open(out, "content_block_delta");
    json.appendBytes(DELTA_OPEN).appendString(Integer.toString(block));
    json.appendBytes(c.isToolCall() ? JSON_DELTA : TEXT_DELTA);
    json.appendBytes(ESCAPE.quoteAsUTF8(text));
    json.appendBytes(DELTA_CLOSE);
    framing.close(out, "content_block_delta", json);
  }

  @Override
  public void tail(Buffer out) {
    blockStop(out, Math.max(0, choice.toolCalls().size() - 1));
    Buffer json = framing.open(out, "message_delta");
    try (JsonGenerator g = Wire.generator(json)) {
      g.writeStartObject();
      g.writeStringProperty("type", "message_delta");
      g.writeObjectPropertyStart("delta");
      g.writeStringProperty("stop_reason", stopReason);
      g.writeStringProperty("stop_sequence", choice.stopSequence());
      g.writeEndObject();
      g.writeObjectPropertyStart("usage");
      g.writeNumberProperty("output_tokens", choice.tokens());
      g.writeEndObject();
      g.writeEndObject();
    }
    framing.close(out, "message_delta", json);
    constant(out, "message_stop", MESSAGE_STOP);
  }

  @Override
  public boolean breakOff(Buffer out) {
    return framing.breakOff(out);
  }

  private void blockStart(Buffer out, int index) {
    Buffer json = framing.open(out, "content_block_start");
    try (JsonGenerator g = Wire.generator(json)) {
      g.writeStartObject();
      g.writeStringProperty("type", "content_block_start");
      g.writeNumberProperty("index", index);
      g.writeName("content_block");
      block(g, index, false);
      g.writeEndObject();
    }
    framing.close(out, "content_block_start", json);
  }

  private void blockStop(Buffer out, int index) {
    Buffer json = framing.open(out, "content_block_stop");
    json.appendBytes(BLOCK_STOP).appendString(Integer.toString(index)).appendString("}");
    framing.close(out, "content_block_stop", json);
  }

  private void constant(Buffer out, String type, byte[] json) {
    Buffer b = framing.open(out, type);
    b.appendBytes(json);
    framing.close(out, type, b);
  }

  /** The message object: complete, or as {@code message_start} carries it (no content, no stop reason yet). */
  private void message(JsonGenerator g, boolean complete) {
    g.writeStartObject();
    g.writeStringProperty("id", id);
    g.writeStringProperty("type", "message");
    g.writeStringProperty("role", "assistant");
    g.writeStringProperty("model", model);
    g.writeArrayPropertyStart("content");
    if (complete) {
      int blocks = Math.max(1, choice.toolCalls().size());
      for (int i = 0; i < blocks; i++) block(g, i, true);
    }
    g.writeEndArray();
    g.writeStringProperty("stop_reason", complete ? stopReason : null);
    g.writeStringProperty("stop_sequence", complete ? choice.stopSequence() : null);
    g.writeObjectPropertyStart("usage");
    g.writeNumberProperty("input_tokens", prompt.inputTokens());
    g.writeNumberProperty("output_tokens", complete ? choice.tokens() : 1);
    g.writeNumberProperty("cache_creation_input_tokens", prompt.cacheWriteTokens());
    g.writeNumberProperty("cache_read_input_tokens", prompt.cacheReadTokens());
    g.writeEndObject();
    g.writeEndObject();
  }

  /**
   * Content block {@code index}: with its text or input when complete, empty as {@code content_block_start} carries
   * it.
   */
  private void block(JsonGenerator g, int index, boolean complete) {
    g.writeStartObject();
    if (choice.isToolCall()) {
      ChatAnswer.ToolCall call = choice.toolCalls().get(index);
      g.writeStringProperty("type", "tool_use");
      g.writeStringProperty("id", toolUseIds.get(index));
      g.writeStringProperty("name", call.name());
      g.writeName("input");
      String args = call.arguments();
      if (complete && call.complete() && args.startsWith("{")) {
        g.writeRawValue(args); // compact JSON written by Json.MAPPER when the answer was planned
      } else {
        g.writeStartObject();
        g.writeEndObject();
      }
      // Current SDKs (anthropic-java 3.14 ToolUseBlock.caller()) expect who made the call; here always the model.
      g.writeObjectPropertyStart("caller");
      g.writeStringProperty("type", "direct");
      g.writeEndObject();
    } else {
      g.writeStringProperty("type", "text");
      g.writeStringProperty("text", complete ? choice.content() : "");
    }
    g.writeEndObject();
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }
}
