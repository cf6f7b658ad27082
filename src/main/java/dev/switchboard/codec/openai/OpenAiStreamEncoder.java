package dev.switchboard.codec.openai;

import dev.switchboard.canonical.StopReason;
import dev.switchboard.canonical.StreamEvent;
import dev.switchboard.canonical.Usage;
import dev.switchboard.frontdoor.openai.OpenAiErrorFormat;
import dev.switchboard.stream.ByteArrays;
import io.vertx.core.buffer.Buffer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.core.JsonGenerator;

/**
 * Writes canonical {@link StreamEvent}s as an OpenAI chat stream, exactly as PROTOCOLS.md 1.3 describes: one
 * {@code data: <chunk>} event per delta, each ended by a blank line; the same {@code id} and {@code created} on
 * every chunk; the role with the first block ({@code content: ""} before text; {@code content: null} with the
 * first tool call's header, as OpenAI sends it); a tool call's first delta with {@code index}, {@code id},
 * {@code type}, {@code function.name} and {@code arguments: ""}, then argument fragments; an empty delta with the
 * {@code finish_reason}; the usage chunk ({@code choices: []}) only when the client asked for it, every other
 * chunk then carrying {@code usage: null}; and {@code data: [DONE]}. Reasoning goes out as
 * {@code delta.reasoning_content}, as OpenAI-compatible servers send it. A {@link StreamEvent.Failure} becomes
 * OpenAI's in-stream error event, which makes the SDKs throw.
 *
 * <p>After {@link StreamEvent.MessageStop} or a failure the stream is over: later events produce nothing.
 * Not thread-safe: one instance per stream.
 */
public final class OpenAiStreamEncoder {
  private static final byte[] DONE = ByteArrays.ascii("data: [DONE]\n\n");
  private static final byte[] PING = ByteArrays.ascii(": ping\n\n");

  private final String clientModel;
  private final boolean includeUsage;
  private final long created;
  /** {@code data: {"id":...,"choices":[{"index":0,"delta":}, the same for every chunk of this stream. */
  private byte[] prefix;
  /** After the finish reason: the ends of the choice and the chunk ({@code usage: null} when asked), a blank line. */
  private byte[] tail;

  private final Map<Integer, Integer> toolIndexes = new HashMap<>();
  private String id;
  private Usage usage;
  private boolean roleSent;
  private boolean contentSent;
  private boolean textBlock;
  private int tools;
  private boolean finishSent;
  private boolean over;

  /**
   * @param clientModel the model name the client asked for, written on every chunk
   * @param includeUsage whether the client sent {@code stream_options.include_usage: true}
   * @param createdSeconds the {@code created} of every chunk, Unix seconds
   */
  public OpenAiStreamEncoder(String clientModel, boolean includeUsage, long createdSeconds) {
    this.clientModel = clientModel;
    this.includeUsage = includeUsage;
    this.created = createdSeconds;
  }

  /** The bytes for several events, in order. */
  public Buffer encode(List<StreamEvent> events) {
    Buffer out = Buffer.buffer(256 * Math.min(64, Math.max(1, events.size())));
    for (StreamEvent e : events) write(out, e);
    return out;
  }

  /** The bytes to send for {@code event}: complete SSE events, or an empty buffer when it needs none. */
  public Buffer encode(StreamEvent event) {
    Buffer out = Buffer.buffer(256);
    write(out, event);
    return out;
  }

  /** True after {@link StreamEvent.MessageStop} or a {@link StreamEvent.Failure}: nothing more will be written. */
  public boolean over() {
    return over;
  }

  private void write(Buffer out, StreamEvent event) {
    if (over) return;
    switch (event) {
      case StreamEvent.MessageStart s -> {
        if (id == null) id = s.id() != null ? s.id() : Ids.completion();
        usage = s.usage();
      }
      case StreamEvent.BlockStart b -> blockStart(out, b);
      case StreamEvent.TextDelta t -> {
        if (t.text().isEmpty()) return;
        role(out, "");
        chunk(out, g -> g.writeStringProperty("content", t.text()), null);
        contentSent = true;
      }
      case StreamEvent.ReasoningDelta r -> {
        if (r.text() == null || r.text().isEmpty()) return;
        role(out, null);
        chunk(out, g -> g.writeStringProperty("reasoning_content", r.text()), null);
      }
      case StreamEvent.ToolArgumentsDelta a -> {
        Integer index = toolIndexes.get(a.index());
        if (index == null || a.json() == null || a.json().isEmpty()) return;
        chunk(out, g -> {
          g.writeArrayPropertyStart("tool_calls");
          g.writeStartObject();
          g.writeNumberProperty("index", index);
          g.writeObjectPropertyStart("function");
          g.writeStringProperty("arguments", a.json());
          g.writeEndObject();
          g.writeEndObject();
          g.writeEndArray();
        }, null);
      }
      case StreamEvent.MessageDelta d -> finish(out, d);
      case StreamEvent.MessageStop s -> {
        if (!finishSent) finish(out, new StreamEvent.MessageDelta(StopReason.END_TURN, null, null));
        if (includeUsage) usageChunk(out);
        out.appendBytes(DONE);
        over = true;
      }
      case StreamEvent.Ping p -> out.appendBytes(PING); // a comment: every SDK ignores it (PROTOCOLS.md 0.5)
      case StreamEvent.Failure f -> {
        out.appendBuffer(OpenAiErrorFormat.INSTANCE.streamEvent(f.error()));
        over = true;
      }
      // Signatures are Anthropic's and Gemini's; OpenAI clients have nowhere to keep them. Blocks end silently.
      case StreamEvent.SignatureDelta s -> { }
      case StreamEvent.BlockStop s -> { }
    }
  }

  private void blockStart(Buffer out, StreamEvent.BlockStart b) {
    switch (b.kind()) {
      case TEXT -> {
        textBlock = true;
        role(out, "");
      }
      case REASONING, REDACTED_REASONING -> role(out, null);
      case TOOL_CALL -> {
        int index = tools++;
        toolIndexes.put(b.index(), index);
        boolean first = !roleSent;
        roleSent = true;
        chunk(out, g -> {
          if (first) {
            // The first block is a call: the role comes with it, and content is null, as OpenAI sends it.
            g.writeStringProperty("role", "assistant");
            g.writeNullProperty("content");
          }
          g.writeArrayPropertyStart("tool_calls");
          g.writeStartObject();
          g.writeNumberProperty("index", index);
          g.writeStringProperty("id", b.toolCallId() != null ? b.toolCallId() : Ids.toolCall());
          g.writeStringProperty("type", "function");
          g.writeObjectPropertyStart("function");
          g.writeStringProperty("name", b.toolName() != null ? b.toolName() : "");
          g.writeStringProperty("arguments", "");
          g.writeEndObject();
          g.writeEndObject();
          g.writeEndArray();
        }, null);
      }
    }
  }

  /**
   * The first chunk, once: the role, with {@code content: ""} before text, or {@code content: null} and an
   * empty {@code reasoning_content} before reasoning (as DeepSeek and vLLM send it).
   */
  private void role(Buffer out, String content) {
    if (roleSent) return;
    roleSent = true;
    chunk(out, g -> {
      g.writeStringProperty("role", "assistant");
      g.writeStringProperty("content", content);
      if (content == null) g.writeStringProperty("reasoning_content", "");
    }, null);
    if (content != null) contentSent = true;
  }

  private void finish(Buffer out, StreamEvent.MessageDelta d) {
    if (finishSent) return;
    if (!roleSent) {
      role(out, "");
    } else if (!contentSent && (textBlock || tools == 0)) {
      // The plain answer has content "" here (text that was empty, or nothing but reasoning): say so, so that
      // a client accumulating the stream builds the same message.
      chunk(out, g -> g.writeStringProperty("content", ""), null);
      contentSent = true;
    }
    chunk(out, g -> { }, FinishReasons.encode(d.stopReason(), tools > 0));
    if (d.usage() != null) usage = d.usage();
    finishSent = true;
  }

  private void usageChunk(Buffer out) {
    out.appendString("data: ");
    try (JsonGenerator g = JsonOut.generator(out)) {
      header(g);
      g.writeArrayPropertyStart("choices");
      g.writeEndArray();
      g.writeName("usage");
      UsageJson.write(g, usage != null ? usage : new Usage(0, 0, 0, 0, 0, true));
      g.writeEndObject();
    }
    out.appendString("\n\n");
  }

  /** Writes the fields of a chunk's {@code delta}. */
  @FunctionalInterface
  private interface Delta {
    void write(JsonGenerator g);
  }

  /**
   * One {@code data:} event: the stream's constant head (rendered once), the delta, the choice's tail with
   * {@code finish_reason} (one of OpenAI's plain ASCII names, or null), {@code usage: null} when asked, and the
   * blank line.
   */
  private void chunk(Buffer out, Delta delta, String finishReason) {
    if (prefix == null) {
      if (id == null) id = Ids.completion();
      Buffer b = Buffer.buffer(256).appendString("data: ");
      try (JsonGenerator g = JsonOut.generator(b)) {
        header(g);
        g.writeEndObject();
      }
      // {"id":...,"system_fingerprint":null} -> {"id":...,"system_fingerprint":null,"choices":[{"index":0,"delta":
      prefix = b.getBuffer(0, b.length() - 1).appendString(",\"choices\":[{\"index\":0,\"delta\":").getBytes();
      tail = ByteArrays.ascii("}]" + (includeUsage ? ",\"usage\":null" : "") + "}\n\n");
    }
    out.appendBytes(prefix);
    try (JsonGenerator g = JsonOut.generator(out)) {
      g.writeStartObject();
      delta.write(g);
      g.writeEndObject();
    }
    out.appendString(finishReason == null ? ",\"logprobs\":null,\"finish_reason\":null"
        : ",\"logprobs\":null,\"finish_reason\":\"" + finishReason + "\"");
    out.appendBytes(tail);
  }

  private void header(JsonGenerator g) {
    g.writeStartObject();
    g.writeStringProperty("id", id);
    g.writeStringProperty("object", "chat.completion.chunk");
    g.writeNumberProperty("created", created);
    g.writeStringProperty("model", clientModel);
    g.writeStringProperty("service_tier", "default");
    g.writeNullProperty("system_fingerprint");
  }
}
