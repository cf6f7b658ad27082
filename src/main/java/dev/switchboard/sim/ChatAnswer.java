package dev.switchboard.sim;

import dev.switchboard.util.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;

/**
 * Decides what the simulated model answers, before any byte is sent: one {@link Choice} per requested choice, already
 * split into token pieces and cut by {@code stop} and the token limit, so pacing and usage follow from it.
 *
 * <p>Rules, first match wins: offered tools (unless {@code tool_choice} is {@code none} or the last message is a tool
 * result) → call the forced tool, else the first one, with arguments sampled from its schema; {@code json_schema} →
 * JSON sampled from the schema; {@code json_object} → {@code {"answer": <words>}}; last message a tool result →
 * {@code "The tool returned: <result>"}; last user text containing {@code count to N} → {@code "1 2 … N"};
 * {@code echo: X} → {@code X}; otherwise {@code outputTokens} deterministic words.
 */
final class ChatAnswer {
  private static final Pattern COUNT = Pattern.compile("(?i)\\bcount to (\\d{1,6})\\b");
  private static final Pattern ECHO = Pattern.compile("(?is)^\\s*echo:\\s?(.*)$");
  private static final int MAX_COUNT = 100_000;

  /**
   * One choice. Exactly one of {@code content} (text answer) and {@code toolName} (tool call) is non-null; for a tool
   * call, {@code pieces} are fragments of {@code arguments}. {@code finishReason} is OpenAI's ({@code stop},
   * {@code length}, {@code tool_calls}); {@code stopSequence} is the stop string that ended a text answer early, or
   * null (the Anthropic side reports it as {@code stop_sequence}).
   */
  record Choice(int index, String content, String toolCallId, String toolName, String arguments,
      List<Tokens.Piece> pieces, int tokens, String finishReason, String stopSequence) {
    boolean isToolCall() {
      return toolName != null;
    }

    /** This choice as a single piece: how a protocol that sends a call's arguments whole (Gemini) streams it. */
    Choice whole() {
      if (pieces.size() <= 1) return this;
      List<Tokens.Piece> one = List.of(new Tokens.Piece(Tokens.join(pieces), tokens));
      return new Choice(index, content, toolCallId, toolName, arguments, one, tokens, finishReason, stopSequence);
    }
  }

  private ChatAnswer() {}

  static List<Choice> plan(ChatRequest r, SimDeploymentSpec spec) {
    List<Choice> out = new ArrayList<>(r.n());
    for (int i = 0; i < r.n(); i++) {
      long seed = Words.mix(Words.mix(spec.seed(), r.promptHash()), i);
      out.add(callsTool(r) ? toolCall(r, i, seed) : text(r, spec, i, seed));
    }
    return out;
  }

  private static boolean callsTool(ChatRequest r) {
    return !r.tools().isEmpty() && r.toolChoice() != ChatRequest.ToolChoice.NONE && !r.lastRole().equals("tool");
  }

  private static Choice toolCall(ChatRequest r, int index, long seed) {
    ChatRequest.Tool tool = r.tools().getFirst();
    if (r.toolChoice() == ChatRequest.ToolChoice.NAMED) {
      for (ChatRequest.Tool t : r.tools()) if (t.name().equals(r.forcedTool())) tool = t;
    }
    JsonNode schema = tool.parameters() != null ? tool.parameters() : JsonNodeFactory.instance.objectNode();
    String args = Json.MAPPER.writeValueAsString(SchemaSampler.sample(schema, seed));
    List<Tokens.Piece> pieces = Tokens.pieces(args, r.maxTokens());
    int tokens = Tokens.tokens(pieces);
    // OpenAI answers "stop", not "tool_calls", when the request forced a named function.
    String finish = tokens < Tokens.count(args) ? "length"
        : r.toolChoice() == ChatRequest.ToolChoice.NAMED ? "stop" : "tool_calls";
    return new Choice(index, null, Wire.id("call_"), tool.name(), Tokens.join(pieces), pieces, tokens, finish, null);
  }

  private static Choice text(ChatRequest r, SimDeploymentSpec spec, int index, long seed) {
    String text = switch (r.format()) {
      case JSON_SCHEMA -> Json.MAPPER.writeValueAsString(SchemaSampler.sample(
          r.schema() != null ? r.schema() : JsonNodeFactory.instance.objectNode().put("type", "object"), seed));
      case JSON_OBJECT -> Json.MAPPER.writeValueAsString(
          JsonNodeFactory.instance.objectNode().put("answer", Words.generate(seed, Math.max(1, spec.outputTokens()))));
      case TEXT -> plainText(r, spec, seed);
    };
    String finish = "stop";
    int cutAt = -1;
    String stopSequence = null;
    for (String s : r.stops()) {
      int at = text.indexOf(s);
      if (at >= 0 && (cutAt < 0 || at < cutAt)) {
        cutAt = at;
        stopSequence = s;
      }
    }
    if (cutAt >= 0) text = text.substring(0, cutAt);
    List<Tokens.Piece> pieces = Tokens.pieces(text, r.maxTokens());
    int tokens = Tokens.tokens(pieces);
    if (r.maxTokens() != Integer.MAX_VALUE && tokens < Tokens.count(text)) {
      finish = "length";
      stopSequence = null; // the token limit came first, so the stop sequence was never generated
    }
    return new Choice(index, Tokens.join(pieces), null, null, null, pieces, tokens, finish, stopSequence);
  }

  private static String plainText(ChatRequest r, SimDeploymentSpec spec, long seed) {
    if (r.lastToolResult() != null) return "The tool returned: " + r.lastToolResult();
    Matcher count = COUNT.matcher(r.lastUserText());
    if (count.find()) {
      int n = Integer.parseInt(count.group(1));
      if (n <= MAX_COUNT) {
        StringBuilder sb = new StringBuilder(n * 6);
        for (int i = 1; i <= n; i++) {
          if (i > 1) sb.append(' ');
          sb.append(i);
        }
        return sb.toString();
      }
    }
    Matcher echo = ECHO.matcher(r.lastUserText());
    if (echo.matches()) return echo.group(1);
    return Words.generate(seed, spec.outputTokens());
  }
}
