package dev.switchboard.sim;

import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import tools.jackson.core.JsonGenerator;
import tools.jackson.core.io.JsonStringEncoder;

/**
 * Renders one chat completion exactly as OpenAI does (PROTOCOLS.md 1.2–1.4): the non-streamed body, or the stream's
 * SSE events, each {@code data: <json>\n\n}, all with the same {@code id} and {@code created}.
 *
 * <p>Several tool calls of one choice are one message with several {@code tool_calls}. Streamed, call {@code i} is
 * {@code tool_calls[{"index": i}]}: its first delta carries the id, type, name and {@code arguments: ""} (for call 0
 * in the role's delta), the later ones only argument fragments, and the calls follow one another.
 */
final class ChatWire {
  private static final byte[] DATA = "data: ".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] END = "\n\n".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] DONE = "data: [DONE]\n\n".getBytes(StandardCharsets.US_ASCII);
  static final String FINGERPRINT = "fp_sim0001";

  private static final JsonStringEncoder ESCAPE = JsonStringEncoder.getInstance();
  private static final byte[] CONTENT_OPEN = ascii(",\"delta\":{\"content\":\"");
  private static final byte[] ARGS_OPEN = ascii(",\"delta\":{\"tool_calls\":[{\"index\":");
  private static final byte[] ARGS_FUNCTION = ascii(",\"function\":{\"arguments\":\"");
  private static final byte[] CONTENT_CLOSE = ascii("\"},\"logprobs\":null,\"finish_reason\":null}]");
  private static final byte[] ARGS_CLOSE = ascii("\"}}]},\"logprobs\":null,\"finish_reason\":null}]");
  private static final byte[] CLOSE = ascii("}\n\n");
  private static final byte[] CLOSE_USAGE_NULL = ascii(",\"usage\":null}\n\n");

  private final String id;
  private final long created;
  private final String model;
  private final boolean includeUsage;
  /** {@code data: {"id":…,"system_fingerprint":…,"choices":[{"index":}, the same for every chunk of this stream. */
  private byte[] chunkPrefix;

  ChatWire(String id, long created, String model, boolean includeUsage) {
    this.id = id;
    this.created = created;
    this.model = model;
    this.includeUsage = includeUsage;
  }

  /** This stream's rendering of a planned answer, for {@link ChatResponder}. */
  AnswerWire answer(List<ChatAnswer.Choice> choices, PromptUsage prompt) {
    int completion = 0;
    for (ChatAnswer.Choice c : choices) completion += c.tokens();
    int completionTokens = completion;
    return new AnswerWire() {
      @Override
      public Buffer body() {
        return completion(choices, prompt);
      }

      @Override
      public void head(Buffer out) {
        for (ChatAnswer.Choice c : choices) role(out, c);
      }

      @Override
      public void nextBlock(Buffer out, ChatAnswer.Choice c, int block) {
        callStart(out, c, block);
      }

      @Override
      public void piece(Buffer out, ChatAnswer.Choice c, int block, String text) {
        ChatWire.this.piece(out, c, block, text);
      }

      @Override
      public void tail(Buffer out) {
        for (ChatAnswer.Choice c : choices) finish(out, c);
        if (includeUsage) usage(out, prompt, completionTokens);
        done(out);
      }
    };
  }

  Buffer completion(List<ChatAnswer.Choice> choices, PromptUsage prompt) {
    Buffer out = Buffer.buffer(512);
    int completion = 0;
    try (JsonGenerator g = Wire.generator(out)) {
      g.writeStartObject();
      g.writeStringProperty("id", id);
      g.writeStringProperty("object", "chat.completion");
      g.writeNumberProperty("created", created);
      g.writeStringProperty("model", model);
      g.writeArrayPropertyStart("choices");
      for (ChatAnswer.Choice c : choices) {
        completion += c.tokens();
        g.writeStartObject();
        g.writeNumberProperty("index", c.index());
        g.writeObjectPropertyStart("message");
        g.writeStringProperty("role", "assistant");
        g.writeStringProperty("content", c.content()); // null for a tool call
        g.writeNullProperty("refusal");
        if (c.isToolCall()) {
          g.writeArrayPropertyStart("tool_calls");
          for (ChatAnswer.ToolCall call : c.toolCalls()) {
            g.writeStartObject();
            g.writeStringProperty("id", call.id());
            g.writeStringProperty("type", "function");
            g.writeObjectPropertyStart("function");
            g.writeStringProperty("name", call.name());
            g.writeStringProperty("arguments", call.arguments()); // a JSON *string*, as OpenAI sends it
            g.writeEndObject();
            g.writeEndObject();
          }
          g.writeEndArray();
        }
        g.writeArrayPropertyStart("annotations");
        g.writeEndArray();
        g.writeEndObject();
        g.writeNullProperty("logprobs");
        g.writeStringProperty("finish_reason", c.finishReason());
        g.writeEndObject();
      }
      g.writeEndArray();
      g.writeName("usage");
      usage(g, prompt, completion);
      g.writeStringProperty("service_tier", "default");
      g.writeStringProperty("system_fingerprint", FINGERPRINT);
      g.writeEndObject();
    }
    return out;
  }

  /** First event of a choice: the role, with {@code content:""}; for tool calls also the first call's head. */
  void role(Buffer out, ChatAnswer.Choice c) {
    try (JsonGenerator g = open(out, c.index())) {
      g.writeStringProperty("role", "assistant");
      if (c.isToolCall()) {
        g.writeNullProperty("content");
        callHead(g, c, 0);
      } else {
        g.writeStringProperty("content", "");
      }
      g.writeNullProperty("refusal");
      close(g, null);
    }
    out.appendBytes(END);
  }

  /** The first event of tool call {@code block} after the first: its index, id, type and name. */
  void callStart(Buffer out, ChatAnswer.Choice c, int block) {
    try (JsonGenerator g = open(out, c.index())) {
      callHead(g, c, block);
      close(g, null);
    }
    out.appendBytes(END);
  }

  private static void callHead(JsonGenerator g, ChatAnswer.Choice c, int block) {
    ChatAnswer.ToolCall call = c.toolCalls().get(block);
    g.writeArrayPropertyStart("tool_calls");
    g.writeStartObject();
    g.writeNumberProperty("index", block);
    g.writeStringProperty("id", call.id());
    g.writeStringProperty("type", "function");
    g.writeObjectPropertyStart("function");
    g.writeStringProperty("name", call.name());
    g.writeStringProperty("arguments", "");
    g.writeEndObject();
    g.writeEndObject();
    g.writeEndArray();
  }

  /**
   * One token's worth of content, or of tool-call arguments. These are most of a stream's events, so they are spliced
   * from bytes rendered once per stream plus the escaped piece, instead of running a generator per token; the result
   * is the same JSON the generator would write.
   */
  void piece(Buffer out, ChatAnswer.Choice c, int block, String text) {
    if (chunkPrefix == null) {
      Buffer b = Buffer.buffer(256).appendBytes(DATA);
      try (JsonGenerator g = Wire.generator(b)) {
        header(g);
        g.writeEndObject();
      }
      chunkPrefix = b.getBuffer(0, b.length() - 1).appendString(",\"choices\":[{\"index\":").getBytes();
    }
    out.appendBytes(chunkPrefix).appendString(Integer.toString(c.index()));
    if (c.isToolCall()) {
      out.appendBytes(ARGS_OPEN).appendString(Integer.toString(block)).appendBytes(ARGS_FUNCTION);
    } else {
      out.appendBytes(CONTENT_OPEN);
    }
    out.appendBytes(ESCAPE.quoteAsUTF8(text));
    out.appendBytes(c.isToolCall() ? ARGS_CLOSE : CONTENT_CLOSE);
    out.appendBytes(includeUsage ? CLOSE_USAGE_NULL : CLOSE);
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  /** The choice's last event: an empty delta and its finish reason. */
  void finish(Buffer out, ChatAnswer.Choice c) {
    try (JsonGenerator g = open(out, c.index())) {
      close(g, c.finishReason());
    }
    out.appendBytes(END);
  }

  /** The usage event ({@code "choices":[]}), sent only when {@code stream_options.include_usage} is true. */
  void usage(Buffer out, PromptUsage prompt, int completionTokens) {
    out.appendBytes(DATA);
    try (JsonGenerator g = Wire.generator(out)) {
      header(g);
      g.writeArrayPropertyStart("choices");
      g.writeEndArray();
      g.writeName("usage");
      usage(g, prompt, completionTokens);
      g.writeEndObject();
    }
    out.appendBytes(END);
  }

  static void done(Buffer out) {
    out.appendBytes(DONE);
  }

  /** Writes {@code data: } and a chunk up to the open {@code delta} object of choice {@code index}. */
  private JsonGenerator open(Buffer out, int index) {
    out.appendBytes(DATA);
    JsonGenerator g = Wire.generator(out);
    header(g);
    g.writeArrayPropertyStart("choices");
    g.writeStartObject();
    g.writeNumberProperty("index", index);
    g.writeObjectPropertyStart("delta");
    return g;
  }

  /** Closes what {@link #open} started. */
  private void close(JsonGenerator g, String finishReason) {
    g.writeEndObject(); // delta
    g.writeNullProperty("logprobs");
    g.writeStringProperty("finish_reason", finishReason);
    g.writeEndObject();
    g.writeEndArray();
    if (includeUsage) g.writeNullProperty("usage");
    g.writeEndObject();
  }

  private void header(JsonGenerator g) {
    g.writeStartObject();
    g.writeStringProperty("id", id);
    g.writeStringProperty("object", "chat.completion.chunk");
    g.writeNumberProperty("created", created);
    g.writeStringProperty("model", model);
    g.writeStringProperty("service_tier", "default");
    g.writeStringProperty("system_fingerprint", FINGERPRINT);
  }

  /** OpenAI counts cached tokens inside {@code prompt_tokens} and itemises the ones read. */
  private static void usage(JsonGenerator g, PromptUsage prompt, int completion) {
    g.writeStartObject();
    g.writeNumberProperty("prompt_tokens", prompt.total());
    g.writeNumberProperty("completion_tokens", completion);
    g.writeNumberProperty("total_tokens", prompt.total() + completion);
    g.writeObjectPropertyStart("prompt_tokens_details");
    g.writeNumberProperty("cached_tokens", prompt.cacheReadTokens());
    g.writeNumberProperty("audio_tokens", 0);
    g.writeEndObject();
    g.writeObjectPropertyStart("completion_tokens_details");
    g.writeNumberProperty("reasoning_tokens", 0);
    g.writeNumberProperty("audio_tokens", 0);
    g.writeNumberProperty("accepted_prediction_tokens", 0);
    g.writeNumberProperty("rejected_prediction_tokens", 0);
    g.writeEndObject();
    g.writeEndObject();
  }
}
