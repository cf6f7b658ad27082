package dev.switchboard.sim;

import dev.switchboard.util.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;

/**
 * Decides what the simulated model answers, before any byte is sent: one {@link Choice} per requested choice, already
 * split into token pieces and cut by {@code stop} and the token limit, so pacing and usage follow from it. Every
 * protocol gets its answers here, so the rules below hold for all of them.
 *
 * <p>Rules, first match wins:
 * <ol>
 *   <li>tools offered, {@code tool_choice} not {@code none}, and the last message not a tool result → tool calls:
 *       if the last user text contains {@code use every tool} (any case) and the client allows parallel calls, one
 *       call of every offered tool, in the order offered (also when a tool is forced); otherwise one call of the
 *       forced tool, else of the first. Arguments are sampled from each tool's schema. Finish {@code tool_calls},
 *       or {@code stop} when a tool was forced (as OpenAI does), or {@code length} when the token limit cut the
 *       calls short (calls it did not reach are left out);
 *   <li>{@code json_schema} → JSON sampled from the schema; {@code json_object} → {@code {"answer": <words>}};
 *   <li>the conversation ends with tool results → {@code "The tool returned: "} + the results joined with
 *       {@code "; "}, in order;
 *   <li>last user text containing {@code repeat the system prompt} (any case) → the system prompt (its parts joined
 *       with newlines), or {@value #NO_SYSTEM_PROMPT} when there is none or it is empty;
 *   <li>last user text containing {@code how many images} (any case) → {@code "I see N image(s): "} + the media types
 *       of the last user message's images, comma-separated, in order ({@code url} for an image given by URL);
 *   <li>{@code count to N} → {@code "1 2 … N"};
 *   <li>{@code echo: X} → {@code X};
 *   <li>otherwise {@code outputTokens} deterministic words.
 * </ol>
 *
 * <p>A text answer to a request with a {@link ChatRequest#prefill} that the answer starts with is only the rest
 * after it (and its usage counts only that rest): the model continued its own unfinished message.
 */
final class ChatAnswer {
  static final String NO_SYSTEM_PROMPT = "(no system prompt)";
  private static final Pattern COUNT = Pattern.compile("(?i)\\bcount to (\\d{1,6})\\b");
  private static final Pattern ECHO = Pattern.compile("(?is)^\\s*echo:\\s?(.*)$");
  private static final int MAX_COUNT = 100_000;

  /**
   * One tool call of a choice.
   *
   * @param id OpenAI's {@code call_…} id (other protocols make their own)
   * @param arguments the sampled arguments as compact JSON, or the part of it that fit the token limit
   * @param complete false if the token limit cut the arguments short
   * @param firstPiece the index in {@link Choice#pieces} of the first fragment of these arguments
   */
  record ToolCall(String id, String name, String arguments, boolean complete, int firstPiece) {}

  /**
   * One choice: a text answer ({@code content} non-null, no tool calls) or one or more tool calls ({@code content}
   * null). {@code pieces} are the streamed fragments: of the text, or of each call's arguments one call after the
   * other. {@code finishReason} is OpenAI's ({@code stop}, {@code length}, {@code tool_calls}); {@code stopSequence}
   * is the stop string that ended a text answer early, or null (the Anthropic side reports it as
   * {@code stop_sequence}).
   */
  record Choice(int index, String content, List<ToolCall> toolCalls, List<Tokens.Piece> pieces, int tokens,
      String finishReason, String stopSequence) {
    boolean isToolCall() {
      return !toolCalls.isEmpty();
    }

    /**
     * The content block that piece {@code piece} belongs to: the index of its tool call, 0 for text. Protocols that
     * number blocks (Anthropic's content blocks, OpenAI's {@code tool_calls[].index}) use it as is.
     */
    int blockAt(int piece) {
      int block = 0;
      for (int i = 1; i < toolCalls.size() && toolCalls.get(i).firstPiece() <= piece; i++) block = i;
      return block;
    }

    /**
     * This choice with one piece per block: each tool call's arguments whole (a text answer in one piece), which is
     * how a protocol that sends a call's arguments whole (Gemini) streams them.
     */
    Choice whole() {
      if (pieces.size() <= Math.max(1, toolCalls.size())) return this;
      if (!isToolCall()) {
        List<Tokens.Piece> one = List.of(new Tokens.Piece(Tokens.join(pieces), tokens));
        return new Choice(index, content, toolCalls, one, tokens, finishReason, stopSequence);
      }
      List<Tokens.Piece> perCall = new ArrayList<>(toolCalls.size());
      List<ToolCall> calls = new ArrayList<>(toolCalls.size());
      for (int i = 0; i < toolCalls.size(); i++) {
        ToolCall call = toolCalls.get(i);
        int end = i + 1 < toolCalls.size() ? toolCalls.get(i + 1).firstPiece() : pieces.size();
        List<Tokens.Piece> own = pieces.subList(call.firstPiece(), end);
        perCall.add(new Tokens.Piece(Tokens.join(own), Tokens.tokens(own)));
        calls.add(new ToolCall(call.id(), call.name(), call.arguments(), call.complete(), i));
      }
      return new Choice(index, content, List.copyOf(calls), List.copyOf(perCall), tokens, finishReason,
          stopSequence);
    }
  }

  private ChatAnswer() {}

  static List<Choice> plan(ChatRequest r, SimDeploymentSpec spec) {
    List<Choice> out = new ArrayList<>(r.n());
    for (int i = 0; i < r.n(); i++) {
      long seed = Words.mix(Words.mix(spec.seed(), r.promptHash()), i);
      out.add(callsTool(r) ? toolCalls(r, i, seed) : text(r, spec, i, seed));
    }
    return out;
  }

  private static boolean callsTool(ChatRequest r) {
    return !r.tools().isEmpty() && r.toolChoice() != ChatRequest.ToolChoice.NONE && !r.lastRole().equals("tool");
  }

  private static boolean asks(ChatRequest r, String phrase) {
    return r.lastUserText().toLowerCase(Locale.ROOT).contains(phrase);
  }

  /** The tools this answer calls, in order. */
  private static List<ChatRequest.Tool> called(ChatRequest r) {
    if (r.parallelToolCalls() && asks(r, "use every tool")) return r.tools();
    if (r.toolChoice() == ChatRequest.ToolChoice.NAMED) {
      for (ChatRequest.Tool t : r.tools()) if (t.name().equals(r.forcedTool())) return List.of(t);
    }
    return List.of(r.tools().getFirst());
  }

  private static Choice toolCalls(ChatRequest r, int index, long seed) {
    List<ChatRequest.Tool> tools = called(r);
    List<ToolCall> calls = new ArrayList<>(tools.size());
    List<Tokens.Piece> pieces = new ArrayList<>();
    int budget = r.maxTokens();
    boolean cut = false;
    for (int i = 0; i < tools.size() && !cut; i++) {
      ChatRequest.Tool tool = tools.get(i);
      JsonNode schema = tool.parameters() != null ? tool.parameters() : JsonNodeFactory.instance.objectNode();
      // The first call keeps the seed a single call has, so asking for every tool does not change its arguments.
      String args = Json.MAPPER.writeValueAsString(SchemaSampler.sample(schema, i == 0 ? seed : Words.mix(seed, i)));
      List<Tokens.Piece> own = Tokens.pieces(args, budget);
      if (own.isEmpty() && i > 0) { // the limit ran out before this call began
        cut = true;
        break;
      }
      int tokens = Tokens.tokens(own);
      budget -= tokens;
      boolean complete = tokens >= Tokens.count(args);
      cut = !complete;
      calls.add(new ToolCall(Wire.id("call_"), tool.name(), Tokens.join(own), complete, pieces.size()));
      pieces.addAll(own);
    }
    // OpenAI answers "stop", not "tool_calls", when the request forced a named function.
    String finish = cut ? "length" : r.toolChoice() == ChatRequest.ToolChoice.NAMED ? "stop" : "tool_calls";
    return new Choice(index, null, List.copyOf(calls), List.copyOf(pieces), Tokens.tokens(pieces), finish, null);
  }

  private static Choice text(ChatRequest r, SimDeploymentSpec spec, int index, long seed) {
    String text = switch (r.format()) {
      case JSON_SCHEMA -> Json.MAPPER.writeValueAsString(SchemaSampler.sample(
          r.schema() != null ? r.schema() : JsonNodeFactory.instance.objectNode().put("type", "object"), seed));
      case JSON_OBJECT -> Json.MAPPER.writeValueAsString(
          JsonNodeFactory.instance.objectNode().put("answer", Words.generate(seed, Math.max(1, spec.outputTokens()))));
      case TEXT -> plainText(r, spec, seed);
    };
    if (r.prefill() != null && text.startsWith(r.prefill())) text = text.substring(r.prefill().length());
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
    return new Choice(index, Tokens.join(pieces), List.of(), pieces, tokens, finish, stopSequence);
  }

  private static String plainText(ChatRequest r, SimDeploymentSpec spec, long seed) {
    if (!r.lastToolResults().isEmpty()) return "The tool returned: " + String.join("; ", r.lastToolResults());
    if (asks(r, "repeat the system prompt")) {
      return r.systemText() == null || r.systemText().isEmpty() ? NO_SYSTEM_PROMPT : r.systemText();
    }
    if (asks(r, "how many images")) {
      return "I see " + r.lastUserImages().size() + " image(s): " + String.join(", ", r.lastUserImages());
    }
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
