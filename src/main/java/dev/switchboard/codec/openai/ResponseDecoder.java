package dev.switchboard.codec.openai;

import dev.switchboard.canonical.ChatResponse;
import dev.switchboard.canonical.Part;
import dev.switchboard.canonical.StopReason;
import dev.switchboard.canonical.Usage;
import dev.switchboard.exchange.GatewayError;
import dev.switchboard.exchange.RejectedException;
import dev.switchboard.stream.ByteArrays;
import dev.switchboard.util.Json;
import io.vertx.core.buffer.Buffer;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/** Reads an upstream's {@code chat.completion} into a canonical {@link ChatResponse}. */
final class ResponseDecoder {
  private ResponseDecoder() {}

  static ChatResponse decode(Buffer body, long estimatedInputTokens) {
    JsonNode root;
    try {
      ByteArrays.View view = ByteArrays.view(body);
      root = Json.MAPPER.readTree(view.array(), view.offset(), body.length());
    } catch (JacksonException e) {
      throw invalid("its body is not JSON (" + e.getOriginalMessage() + ")");
    }
    if (!root.isObject()) throw invalid("its body is not a JSON object");
    JsonNode error = root.get("error");
    if (error != null && !error.isNull()) throw new RejectedException(upstreamError(error));
    JsonNode choices = root.get("choices");
    if (choices == null || !choices.isArray() || choices.isEmpty()) throw invalid("it has no choices");
    JsonNode choice = choices.get(0);
    JsonNode message = choice.get("message");
    if (message == null || !message.isObject()) throw invalid("choices[0] has no message");

    List<Part> content = new ArrayList<>();
    long chars = 0;
    String reasoning = reasoning(message);
    if (reasoning != null && !reasoning.isEmpty()) {
      content.add(new Part.Reasoning(reasoning, null));
      chars += reasoning.length();
    }
    JsonNode text = message.get("content");
    if (text != null && text.isString()) {
      if (!text.asString().isEmpty()) content.add(Part.Text.of(text.asString()));
      chars += text.asString().length();
    } else if (text != null && text.isArray()) {
      for (JsonNode part : text) { // some compatible servers answer with parts
        if ("text".equals(part.path("type").asString(null)) && part.path("text").isString()) {
          content.add(Part.Text.of(part.get("text").asString()));
          chars += part.get("text").asString().length();
        }
      }
    }
    JsonNode refusalNode = message.get("refusal");
    boolean refusal = refusalNode != null && refusalNode.isString();
    if (refusal) {
      content.add(Part.Text.of(refusalNode.asString()));
      chars += refusalNode.asString().length();
    }
    boolean toolCalls = false;
    JsonNode calls = message.get("tool_calls");
    if (calls != null && calls.isArray()) {
      for (int j = 0; j < calls.size(); j++) {
        JsonNode call = calls.get(j);
        JsonNode function = call.path("function");
        String name = function.path("name").asString(null);
        if (name == null) throw invalid("choices[0].message.tool_calls[" + j + "] has no function name");
        JsonNode args = function.get("arguments");
        // OpenAI sends a string; a few compatible servers send the object itself.
        String arguments = args == null || args.isNull() ? "{}"
            : args.isString() ? args.asString() : Json.MAPPER.writeValueAsString(args);
        String id = call.path("id").isString() ? call.get("id").asString() : Ids.toolCall();
        content.add(new Part.ToolCall(id, name, arguments, null));
        chars += arguments.length();
        toolCalls = true;
      }
    }
    String finish = choice.path("finish_reason").asString(null);
    StopReason stop = FinishReasons.decode(finish, toolCalls, refusal);
    Usage usage = UsageJson.read(root.get("usage"));
    if (usage == null) {
      usage = new Usage(Math.max(0, estimatedInputTokens), Estimates.tokens(chars), 0, 0, 0, true);
    }
    String id = root.path("id").isString() ? root.get("id").asString() : Ids.completion();
    String model = root.path("model").asString(null);
    return new ChatResponse(id, model, content, stop, null, usage);
  }

  /** {@code reasoning_content} (DeepSeek, vLLM, SGLang), or {@code reasoning} (OpenRouter, newer vLLM). */
  static String reasoning(JsonNode messageOrDelta) {
    JsonNode r = messageOrDelta.get("reasoning_content");
    if (r == null || !r.isString()) r = messageOrDelta.get("reasoning");
    return r != null && r.isString() ? r.asString() : null;
  }

  static RejectedException invalid(String what) {
    return new RejectedException(GatewayError.of(502, GatewayError.Kind.UPSTREAM,
        "The upstream's answer is not an OpenAI chat completion: " + what + ". The request was not completed; "
            + "check the provider's base URL and API compatibility.", "upstream_invalid_response"));
  }

  /** An {@code {"error": ...}} object (or string) in place of an answer. */
  static GatewayError upstreamError(JsonNode error) {
    String message = error.isString() ? error.asString() : error.path("message").asString(null);
    if (message == null) message = error.toString();
    String code = error.path("code").isString() ? error.get("code").asString() : "upstream_error";
    String param = error.path("param").isString() ? error.get("param").asString() : null;
    return new GatewayError(502, GatewayError.Kind.UPSTREAM, "The upstream failed: " + message, param, code, -1);
  }
}
