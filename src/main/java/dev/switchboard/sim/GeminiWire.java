package dev.switchboard.sim;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import tools.jackson.core.JsonGenerator;
import tools.jackson.core.io.JsonStringEncoder;

/**
 * Renders one planned answer as Gemini's {@code GenerateContentResponse} (PROTOCOLS.md 4): the non-streamed body, or
 * the stream's chunks, each a whole response carrying only the new content. With {@code alt=sse} every chunk is
 * {@code data: <json>\n\n}; without it the chunks are the elements of one JSON array, as Gemini streams them then.
 * Written here rather than borrowed from the gateway's codec so that the simulator stays an independent
 * implementation of the protocol.
 *
 * <p>Each candidate's answer is one {@code text} part, or one {@code functionCall} part per call with its whole
 * {@code args}, the first of them with a {@code thoughtSignature} ({@link ThoughtSignatures}; Gemini signs only the
 * first of parallel calls); a call cut short by {@code maxOutputTokens} has no part at all. Streamed, each call is a
 * chunk of its own.
 * Thoughts, when asked for, come first as a {@code thought: true} text part (in a stream, the first chunk). A stream
 * ends with a chunk holding every candidate's {@code finishReason} (over an empty text part) and the
 * {@code usageMetadata}; there is no end marker. {@code finishReason} is {@code STOP}, also for function calls, or
 * {@code MAX_TOKENS}. Every chunk repeats {@code modelVersion} and {@code responseId}.
 */
final class GeminiWire implements AnswerWire {
  private static final JsonStringEncoder ESCAPE = JsonStringEncoder.getInstance();
  private static final byte[] DATA = ascii("data: ");
  private static final byte[] END = ascii("\n\n");
  private static final byte[] TEXT_OPEN = ascii("{\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"");
  private static final byte[] TEXT_CLOSE = ascii("\"}],\"role\":\"model\"},\"index\":");

  private final String responseId;
  private final String model;
  private final List<ChatAnswer.Choice> choices;
  private final GeminiRequest request;
  private final boolean sse;
  private final String[] signatures;
  private final String[] thoughts;
  /** <code>}],"modelVersion":…,"responseId":…}</code>: how every text piece's chunk ends. */
  private final byte[] pieceClose;
  private boolean opened;

  /**
   * @param seed the answer's seed (deployment seed mixed with the prompt), from which the thoughts' words come
   * @param sse whether the stream is SSE ({@code alt=sse}) or a JSON array
   */
  GeminiWire(String responseId, String model, List<ChatAnswer.Choice> choices, GeminiRequest request, long seed,
      boolean sse) {
    this.responseId = responseId;
    this.model = model;
    this.choices = choices;
    this.request = request;
    this.sse = sse;
    this.signatures = new String[choices.size()];
    this.thoughts = new String[choices.size()];
    long promptHash = request.chat().promptHash();
    for (ChatAnswer.Choice c : choices) {
      if (c.isToolCall()) {
        signatures[c.index()] = ThoughtSignatures.issue(c.toolCalls().getFirst().name(), promptHash, c.index());
      }
      if (request.thoughtTokens() > 0) {
        thoughts[c.index()] = Words.generate(Words.mix(Words.mix(seed, 0x7468_6f75_6768L), c.index()),
            request.thoughtTokens());
      }
    }
    Buffer close = Buffer.buffer(96);
    try (JsonGenerator g = Wire.generator(close)) {
      g.writeStartObject();
      trailer(g);
    }
    this.pieceClose = Buffer.buffer(close.length() + 2).appendString("}],").appendBuffer(close.getBuffer(1,
        close.length())).getBytes();
  }

  /** Gemini's finish reason for a choice planned with OpenAI's finish reasons. */
  static String finishReason(ChatAnswer.Choice c) {
    return c.finishReason().equals("length") ? "MAX_TOKENS" : "STOP";
  }

  @Override
  public int extraTokens() {
    return request.thoughtTokens() * choices.size();
  }

  @Override
  public void headers(HttpServerResponse response, boolean stream) {
    if (stream) AnswerWire.streamHeaders(response, sse ? "text/event-stream" : "application/json; charset=UTF-8");
  }

  @Override
  public boolean breakOff(Buffer out) {
    return true; // a broken Gemini stream just stops: no error event, no end marker
  }

  @Override
  public Buffer body() {
    Buffer out = Buffer.buffer(384 + choices.size() * 128);
    try (JsonGenerator g = Wire.generator(out)) {
      g.writeStartObject();
      g.writeArrayPropertyStart("candidates");
      for (ChatAnswer.Choice c : choices) {
        g.writeStartObject();
        g.writeObjectPropertyStart("content");
        boolean thought = request.includeThoughts() && thoughts[c.index()] != null;
        boolean answer = !c.isToolCall() || c.toolCalls().getFirst().complete();
        if (thought || answer) {
          g.writeArrayPropertyStart("parts");
          if (thought) thoughtPart(g, c);
          if (!c.isToolCall()) textPart(g, c.content());
          for (int i = 0; i < c.toolCalls().size(); i++) {
            if (c.toolCalls().get(i).complete()) callPart(g, c, i, c.toolCalls().get(i).arguments());
          }
          g.writeEndArray();
        }
        g.writeStringProperty("role", "model");
        g.writeEndObject();
        g.writeStringProperty("finishReason", finishReason(c));
        g.writeNumberProperty("index", c.index());
        g.writeEndObject();
      }
      g.writeEndArray();
      usage(g);
      g.writeStringProperty("modelVersion", model);
      g.writeStringProperty("responseId", responseId);
      g.writeEndObject();
    }
    return out;
  }

  @Override
  public void head(Buffer out) {
    if (!request.includeThoughts() || request.thoughtTokens() == 0) return;
    frame(out);
    try (JsonGenerator g = Wire.generator(out)) {
      g.writeStartObject();
      g.writeArrayPropertyStart("candidates");
      for (ChatAnswer.Choice c : choices) {
        g.writeStartObject();
        g.writeObjectPropertyStart("content");
        g.writeArrayPropertyStart("parts");
        thoughtPart(g, c);
        g.writeEndArray();
        g.writeStringProperty("role", "model");
        g.writeEndObject();
        g.writeNumberProperty("index", c.index());
        g.writeEndObject();
      }
      g.writeEndArray();
      trailer(g);
    }
    endFrame(out);
  }

  /** Nothing: each call is a whole part in a chunk of its own, with nothing to close or open between them. */
  @Override
  public void nextBlock(Buffer out, ChatAnswer.Choice c, int block) {}

  /**
   * A text piece is spliced from constant bytes and the escaped text: most of a stream's chunks, kept cheap. A tool
   * call arrives whole, in one piece ({@link ChatAnswer.Choice#whole}), as Gemini sends it.
   */
  @Override
  public void piece(Buffer out, ChatAnswer.Choice c, int block, String text) {
    if (!c.isToolCall()) {
      frame(out);
      out.appendBytes(TEXT_OPEN).appendBytes(ESCAPE.quoteAsUTF8(text)).appendBytes(TEXT_CLOSE)
          .appendString(Integer.toString(c.index())).appendBytes(pieceClose);
      endFrame(out);
      return;
    }
    if (!c.toolCalls().get(block).complete()) return; // incomplete arguments: Gemini sends no call at all
    frame(out);
    try (JsonGenerator g = Wire.generator(out)) {
      g.writeStartObject();
      g.writeArrayPropertyStart("candidates");
      g.writeStartObject();
      g.writeObjectPropertyStart("content");
      g.writeArrayPropertyStart("parts");
      callPart(g, c, block, text);
      g.writeEndArray();
      g.writeStringProperty("role", "model");
      g.writeEndObject();
      g.writeNumberProperty("index", c.index());
      g.writeEndObject();
      g.writeEndArray();
      trailer(g);
    }
    endFrame(out);
  }

  @Override
  public void tail(Buffer out) {
    frame(out);
    try (JsonGenerator g = Wire.generator(out)) {
      g.writeStartObject();
      g.writeArrayPropertyStart("candidates");
      for (ChatAnswer.Choice c : choices) {
        g.writeStartObject();
        g.writeObjectPropertyStart("content");
        g.writeArrayPropertyStart("parts");
        g.writeStartObject();
        g.writeStringProperty("text", "");
        g.writeEndObject();
        g.writeEndArray();
        g.writeStringProperty("role", "model");
        g.writeEndObject();
        g.writeStringProperty("finishReason", finishReason(c));
        g.writeNumberProperty("index", c.index());
        g.writeEndObject();
      }
      g.writeEndArray();
      usage(g);
      g.writeStringProperty("modelVersion", model);
      g.writeStringProperty("responseId", responseId);
      g.writeEndObject();
    }
    endFrame(out);
    if (!sse) out.appendString("]");
  }

  private void thoughtPart(JsonGenerator g, ChatAnswer.Choice c) {
    g.writeStartObject();
    g.writeStringProperty("text", thoughts[c.index()]);
    g.writeBooleanProperty("thought", true);
    g.writeEndObject();
  }

  private static void textPart(JsonGenerator g, String text) {
    g.writeStartObject();
    g.writeStringProperty("text", text);
    g.writeEndObject();
  }

  /** Call {@code block} of {@code c} with its (complete) arguments, and the signature if it is the first call. */
  private void callPart(JsonGenerator g, ChatAnswer.Choice c, int block, String args) {
    g.writeStartObject();
    g.writeObjectPropertyStart("functionCall");
    g.writeStringProperty("name", c.toolCalls().get(block).name());
    g.writeName("args");
    g.writeRawValue(args); // compact JSON written by Json.MAPPER when the answer was planned
    g.writeEndObject();
    if (block == 0) g.writeStringProperty("thoughtSignature", signatures[c.index()]);
    g.writeEndObject();
  }

  private void usage(JsonGenerator g) {
    int prompt = request.chat().promptTokens();
    int candidates = 0;
    for (ChatAnswer.Choice c : choices) candidates += c.tokens();
    int thoughtTokens = extraTokens();
    g.writeObjectPropertyStart("usageMetadata");
    g.writeNumberProperty("promptTokenCount", prompt);
    g.writeNumberProperty("candidatesTokenCount", candidates);
    g.writeNumberProperty("totalTokenCount", prompt + candidates + thoughtTokens);
    if (thoughtTokens > 0) g.writeNumberProperty("thoughtsTokenCount", thoughtTokens);
    g.writeArrayPropertyStart("promptTokensDetails");
    g.writeStartObject();
    g.writeStringProperty("modality", "TEXT");
    g.writeNumberProperty("tokenCount", prompt);
    g.writeEndObject();
    g.writeEndArray();
    g.writeEndObject();
  }

  /** Ends a chunk object: {@code modelVersion} and {@code responseId}, as every Gemini chunk carries them. */
  private void trailer(JsonGenerator g) {
    g.writeStringProperty("modelVersion", model);
    g.writeStringProperty("responseId", responseId);
    g.writeEndObject();
  }

  private void frame(Buffer out) {
    if (sse) {
      out.appendBytes(DATA);
    } else {
      out.appendString(opened ? ",\r\n" : "[");
    }
    opened = true;
  }

  private void endFrame(Buffer out) {
    if (sse) out.appendBytes(END);
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }
}
