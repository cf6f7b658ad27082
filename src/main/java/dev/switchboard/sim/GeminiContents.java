package dev.switchboard.sim;

import dev.switchboard.util.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tools.jackson.databind.JsonNode;

/**
 * The conversation of a Gemini request ({@code systemInstruction} and {@code contents}, PROTOCOLS.md 4): validated as
 * strictly as the real API, then read as the OpenAI conversation a translating gateway would have sent, so that the
 * same conversation gets the same answer and the same usage from every protocol.
 *
 * <p>Reading: the system instruction's text is a system message; a user content becomes one {@code tool} message per
 * {@code functionResponse} (its text is the response's only string field, else the response's JSON), followed by a
 * user message with its text parts joined by newlines (omitted when the content holds only function responses); a
 * model content becomes one assistant message of its text and the JSON of its calls' {@code args}. Thought parts,
 * inline data and file data carry no text; image data ({@code inlineData} with an {@code image/*} type, by its type,
 * and {@code fileData} with an image type or none, as {@code url}) counts among the last user content's images.
 *
 * <p>Checks beyond the field types, each a 400 {@code INVALID_ARGUMENT} worded as Gemini words it: roles are
 * {@code user} or {@code model} (unset means user); every content has parts and every part exactly one kind of data;
 * a function-call turn follows a user turn, a function-response turn follows a function-call turn and answers every
 * call in it; and, as Gemini 3 enforces, the first function call of every model step in the current turn (everything
 * after the last user content that is not function responses) carries a {@code thoughtSignature}, and every
 * signature on a call is one the simulator issued for that function ({@link ThoughtSignatures}).
 */
final class GeminiContents {
  private static final Set<String> CONTENT = Set.of("role", "parts");
  private static final Set<String> PART = Set.of("text", "inlineData", "fileData", "functionCall", "functionResponse",
      "executableCode", "codeExecutionResult", "thought", "thoughtSignature", "videoMetadata", "partMetadata",
      "mediaResolution");
  private static final List<String> DATA = List.of("text", "inlineData", "fileData", "functionCall",
      "functionResponse", "executableCode", "codeExecutionResult");
  private static final Set<String> BLOB = Set.of("mimeType", "data");
  private static final Set<String> FILE = Set.of("mimeType", "fileUri");
  private static final Set<String> CALL = Set.of("id", "name", "args", "partialArgs", "willContinue");
  private static final Set<String> RESPONSE = Set.of("id", "name", "response", "willContinue", "scheduling", "parts");

  private GeminiContents() {}

  /**
   * The conversation read, with what {@link ChatRequest} needs of it.
   *
   * @param flat the equivalent OpenAI conversation
   * @param lastToolResults the texts of the last user content's function responses when the conversation ends with
   *     them, else empty
   * @param systemText the system instruction's text, or null without one
   * @param lastUserImages the media types of the last user content's images ({@code url} for file data)
   */
  record Conversation(List<Prompt.Message> flat, List<String> lastToolResults, String systemText,
      List<String> lastUserImages) {
    /** The prompt tokens of the conversation alone, without tools. */
    int promptTokens() {
      return Prompt.tokens(List.of(), flat);
    }

    long promptHash() {
      return Prompt.seed(flat);
    }

    String lastUserText() {
      String last = "";
      for (Prompt.Message m : flat) if (m.role().equals("user")) last = m.text();
      return last;
    }

    String lastRole() {
      return !lastToolResults.isEmpty() ? "tool" : flat.getLast().role();
    }
  }

  /** What one content holds, once validated. */
  private static final class Turn {
    final String role;
    final StringBuilder text = new StringBuilder();
    boolean hasText;
    final StringBuilder args = new StringBuilder();
    final List<Call> calls = new ArrayList<>();
    final List<String> responses = new ArrayList<>();
    final List<String> images = new ArrayList<>();

    Turn(String role) {
      this.role = role;
    }
  }

  private record Call(String name, String signature) {}

  /**
   * Validates {@code root}'s {@code systemInstruction} and {@code contents} and reads them.
   *
   * @param request the request's proto name for messages ({@code GenerateContentRequest})
   * @param signatures whether to enforce thought signatures (generation does; token counting does not)
   */
  static Conversation read(JsonNode root, String request, boolean signatures) {
    List<Prompt.Message> flat = new ArrayList<>();
    String systemText = null;
    JsonNode system = GeminiFields.object(root, "systemInstruction", "", "Content");
    if (system != null) {
      GeminiFields.known(system, CONTENT, "system_instruction");
      Turn t = turn(system, "system_instruction", request, "user");
      systemText = t.text.toString();
      flat.add(new Prompt.Message("system", systemText));
    }
    JsonNode contents = GeminiFields.array(root, "contents", "", "type.googleapis.com/google.ai.generativelanguage."
        + "v1beta.Content");
    if (contents == null || contents.isEmpty()) {
      throw GeminiFields.invalidField(request, "contents", "contents is not specified");
    }
    List<Turn> turns = new ArrayList<>(contents.size());
    for (int i = 0; i < contents.size(); i++) {
      String at = "contents[" + i + "]";
      JsonNode c = contents.get(i);
      if (!c.isObject()) {
        throw GeminiFields.badValue(at, "type.googleapis.com/google.ai.generativelanguage.v1beta.Content", c);
      }
      GeminiFields.known(c, CONTENT, at);
      String role = GeminiFields.string(c, "role", at);
      if (role == null || role.isEmpty()) role = "user";
      if (!role.equals("user") && !role.equals("model")) {
        throw GeminiErrors.invalid("Please use a valid role: user, model.");
      }
      turns.add(turn(c, at, request, role));
    }
    order(turns);
    if (signatures) signatures(turns);

    List<String> lastToolResults = List.of();
    List<String> lastUserImages = List.of();
    for (Turn t : turns) {
      if (t.role.equals("user")) {
        for (String r : t.responses) flat.add(new Prompt.Message("tool", r));
        if (t.responses.isEmpty() || t.hasText) flat.add(new Prompt.Message("user", t.text.toString()));
        lastToolResults = List.copyOf(t.responses);
        lastUserImages = List.copyOf(t.images);
      } else {
        flat.add(new Prompt.Message("assistant", t.text.toString() + t.args));
        lastToolResults = List.of();
      }
    }
    return new Conversation(List.copyOf(flat), lastToolResults, systemText, lastUserImages);
  }

  private static Turn turn(JsonNode content, String at, String request, String role) {
    Turn turn = new Turn(role);
    JsonNode parts = GeminiFields.array(content, "parts", at, "type.googleapis.com/google.ai.generativelanguage."
        + "v1beta.Part");
    if (parts == null || parts.isEmpty()) {
      throw GeminiFields.invalidField(request, at + ".parts", "contents.parts must not be empty.");
    }
    for (int j = 0; j < parts.size(); j++) {
      String pat = at + ".parts[" + j + "]";
      JsonNode p = parts.get(j);
      if (!p.isObject()) {
        throw GeminiFields.badValue(pat, "type.googleapis.com/google.ai.generativelanguage.v1beta.Part", p);
      }
      GeminiFields.known(p, PART, pat);
      String kind = null;
      for (String d : DATA) {
        if (GeminiFields.get(p, d) == null) continue;
        if (kind != null) {
          throw GeminiErrors.invalid("Invalid JSON payload received. Oneof field 'data' is already set. Cannot set '"
              + d + "'");
        }
        kind = d;
      }
      if (kind == null) {
        throw GeminiFields.invalidField(request, pat + ".data",
            "required oneof field 'data' must have one initialized field");
      }
      boolean thought = Boolean.TRUE.equals(GeminiFields.bool(p, "thought", pat));
      String signature = GeminiFields.string(p, "thoughtSignature", pat);
      if (signature != null && !ThoughtSignatures.isBase64(signature)) {
        throw GeminiErrors.invalid("Invalid value at '" + GeminiFields.path(pat, "thoughtSignature")
            + "' (TYPE_BYTES), Base64 decoding failed for \"" + signature + "\"");
      }
      switch (kind) {
        case "text" -> {
          String text = GeminiFields.string(p, "text", pat);
          if (thought) continue;
          if (turn.hasText) turn.text.append('\n');
          turn.text.append(text);
          turn.hasText = true;
        }
        case "inlineData" -> {
          JsonNode blob = GeminiFields.object(p, "inlineData", pat, "Blob");
          GeminiFields.known(blob, BLOB, pat + ".inline_data");
          if (GeminiFields.string(blob, "data", pat + ".inline_data") == null) {
            throw GeminiFields.invalidField(request, pat + ".inline_data.data", "Required field is not set.");
          }
          String type = GeminiFields.string(blob, "mimeType", pat + ".inline_data");
          if (type != null && type.startsWith("image/")) turn.images.add(type);
        }
        case "fileData" -> {
          JsonNode file = GeminiFields.object(p, "fileData", pat, "FileData");
          GeminiFields.known(file, FILE, pat + ".file_data");
          if (GeminiFields.string(file, "fileUri", pat + ".file_data") == null) {
            throw GeminiFields.invalidField(request, pat + ".file_data.file_uri", "Required field is not set.");
          }
          String type = GeminiFields.string(file, "mimeType", pat + ".file_data");
          if (type == null || type.startsWith("image/")) turn.images.add("url");
        }
        case "functionCall" -> turn.calls.add(call(p, pat, request, turn, signature));
        case "functionResponse" -> turn.responses.add(response(p, pat, request, turn));
        default -> { } // executable code and its results carry nothing the simulator reads
      }
    }
    return turn;
  }

  private static Call call(JsonNode p, String pat, String request, Turn turn, String signature) {
    String at = pat + ".function_call";
    if (!turn.role.equals("model")) {
      throw GeminiFields.invalidField(request, at, "function_call is only allowed in model turns");
    }
    JsonNode fc = GeminiFields.object(p, "functionCall", pat, "FunctionCall");
    GeminiFields.known(fc, CALL, at);
    String name = GeminiFields.string(fc, "name", at);
    if (name == null || name.isEmpty()) throw GeminiFields.invalidField(request, at + ".name", "Name is empty.");
    JsonNode args = GeminiFields.object(fc, "args", at, "google.protobuf.Struct");
    turn.args.append(Json.MAPPER.writeValueAsString(args != null ? args : Json.MAPPER.createObjectNode()));
    return new Call(name, signature);
  }

  private static String response(JsonNode p, String pat, String request, Turn turn) {
    String at = pat + ".function_response";
    if (!turn.role.equals("user")) {
      throw GeminiFields.invalidField(request, at, "function_response is only allowed in user turns");
    }
    JsonNode fr = GeminiFields.object(p, "functionResponse", pat, "FunctionResponse");
    GeminiFields.known(fr, RESPONSE, at);
    String name = GeminiFields.string(fr, "name", at);
    if (name == null || name.isEmpty()) throw GeminiFields.invalidField(request, at + ".name", "Name is empty.");
    JsonNode response = GeminiFields.object(fr, "response", at, "google.protobuf.Struct");
    if (response == null) throw GeminiFields.invalidField(request, at + ".response", "Required field is not set.");
    if (response.size() == 1) {
      Map.Entry<String, JsonNode> only = response.properties().iterator().next();
      if (only.getValue().isString()) return only.getValue().stringValue();
    }
    return Json.MAPPER.writeValueAsString(response);
  }

  /** Gemini's rules on where function calls and responses may stand. */
  private static void order(List<Turn> turns) {
    for (int i = 0; i < turns.size(); i++) {
      Turn t = turns.get(i);
      Turn before = i > 0 ? turns.get(i - 1) : null;
      if (!t.calls.isEmpty() && (before == null || !before.role.equals("user"))) {
        throw GeminiErrors.invalid("Please ensure that function call turn comes immediately after a user turn or "
            + "after a function response turn.");
      }
      if (!t.responses.isEmpty()) {
        if (before == null || before.calls.isEmpty()) {
          throw GeminiErrors.invalid("Please ensure that function response turn comes immediately after a function "
              + "call turn.");
        }
        if (before.calls.size() != t.responses.size()) {
          throw GeminiErrors.invalid("Please ensure that the number of function response parts is equal to the "
              + "number of function call parts of the function call turn.");
        }
      }
    }
  }

  private static void signatures(List<Turn> turns) {
    int currentTurn = 0;
    for (int i = 0; i < turns.size(); i++) {
      Turn t = turns.get(i);
      if (t.role.equals("user") && t.responses.isEmpty()) currentTurn = i;
      for (Call c : t.calls) {
        if (c.signature() != null && !c.name().equals(ThoughtSignatures.issuedFor(c.signature()))) {
          throw GeminiErrors.invalid("Corrupted thought signature.");
        }
      }
    }
    for (int i = currentTurn + 1; i < turns.size(); i++) {
      Turn t = turns.get(i);
      if (!t.calls.isEmpty() && t.calls.getFirst().signature() == null) {
        throw GeminiErrors.invalid("Function call is missing a thought_signature in functionCall parts. This is "
            + "required for tools to work correctly, and missing thought_signature may lead to degraded model "
            + "performance. Additional data, function call `default_api:" + t.calls.getFirst().name()
            + "` , position " + (i + 1) + ". Please refer to https://ai.google.dev/gemini-api/docs/thought-signatures"
            + " for more details.");
      }
    }
  }
}
