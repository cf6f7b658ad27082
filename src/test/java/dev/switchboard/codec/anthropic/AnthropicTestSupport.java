package dev.switchboard.codec.anthropic;

import dev.switchboard.codec.ExactJson;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.switchboard.canonical.ChatResponse;
import dev.switchboard.canonical.Part;
import dev.switchboard.canonical.StreamEvent;
import dev.switchboard.canonical.StreamEvent.BlockKind;
import dev.switchboard.exchange.GatewayError;
import dev.switchboard.exchange.RejectedException;
import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import tools.jackson.databind.JsonNode;

/** Helpers shared by the Anthropic codec tests. */
final class AnthropicTestSupport {
  private AnthropicTestSupport() {}

  static Buffer buf(String s) {
    return Buffer.buffer(s.getBytes(StandardCharsets.UTF_8));
  }

  static String str(Buffer b) {
    return b.toString(StandardCharsets.UTF_8);
  }

  /** Single quotes to double quotes, so JSON fixtures read well in Java source. */
  static String q(String json) {
    return json.replace('\'', '"');
  }

  static JsonNode tree(String json) {
    return ExactJson.MAPPER.readTree(json);
  }

  static void assertJson(Buffer actual, String expected) {
    assertThat(tree(str(actual))).isEqualTo(tree(expected));
  }

  static GatewayError rejected(ThrowingCallable call) {
    RejectedException e = catchThrowableOfType(RejectedException.class, call);
    assertThat(e).as("expected a RejectedException").isNotNull();
    return e.error();
  }

  /**
   * A canonical stream for a whole answer, the way an upstream would stream it: text and reasoning in
   * pieces of {@code piece} characters, arguments likewise, input usage at the start and the total at the end.
   */
  static List<StreamEvent> streamOf(ChatResponse r, int piece) {
    List<StreamEvent> out = new ArrayList<>();
    var u = r.usage();
    out.add(new StreamEvent.MessageStart(r.id(), r.model(),
        new dev.switchboard.canonical.Usage(u.inputTokens(), 1, u.cacheReadTokens(), u.cacheWriteTokens(), 0, false)));
    int index = 0;
    for (Part p : r.content()) {
      switch (p) {
        case Part.Text t -> {
          out.add(new StreamEvent.BlockStart(index, BlockKind.TEXT, null, null));
          for (String s : pieces(t.text(), piece)) out.add(new StreamEvent.TextDelta(index, s));
        }
        case Part.ToolCall c -> {
          out.add(new StreamEvent.BlockStart(index, BlockKind.TOOL_CALL, c.id(), c.name()));
          for (String s : pieces(c.arguments(), piece)) out.add(new StreamEvent.ToolArgumentsDelta(index, s));
        }
        case Part.Reasoning x -> {
          out.add(new StreamEvent.BlockStart(index, BlockKind.REASONING, null, null));
          for (String s : pieces(x.text(), piece)) out.add(new StreamEvent.ReasoningDelta(index, s));
          if (x.signature() != null) out.add(new StreamEvent.SignatureDelta(index, x.signature()));
        }
        case Part.RedactedReasoning x -> {
          out.add(new StreamEvent.BlockStart(index, BlockKind.REDACTED_REASONING, null, null));
          out.add(new StreamEvent.SignatureDelta(index, x.data()));
        }
        default -> throw new IllegalArgumentException("not in answers: " + p);
      }
      out.add(new StreamEvent.BlockStop(index));
      index++;
      if (index == 1) out.add(new StreamEvent.Ping());
    }
    out.add(new StreamEvent.MessageDelta(r.stopReason(), r.stopSequence(), r.usage()));
    out.add(new StreamEvent.MessageStop());
    return out;
  }

  /** Rebuilds the whole answer from canonical stream events (the canonical counterpart of the SDK accumulator). */
  static ChatResponse accumulate(List<StreamEvent> events) {
    String id = null;
    String model = null;
    List<StringBuilder> texts = new ArrayList<>();
    List<StringBuilder> sigs = new ArrayList<>();
    List<StreamEvent.BlockStart> starts = new ArrayList<>();
    StreamEvent.MessageDelta end = null;
    for (StreamEvent e : events) {
      switch (e) {
        case StreamEvent.MessageStart s -> {
          id = s.id();
          model = s.model();
        }
        case StreamEvent.BlockStart b -> {
          assertThat(b.index()).as("blocks numbered in order").isEqualTo(starts.size());
          starts.add(b);
          texts.add(new StringBuilder());
          sigs.add(new StringBuilder());
        }
        case StreamEvent.TextDelta d -> texts.get(d.index()).append(d.text());
        case StreamEvent.ToolArgumentsDelta d -> texts.get(d.index()).append(d.json());
        case StreamEvent.ReasoningDelta d -> texts.get(d.index()).append(d.text());
        case StreamEvent.SignatureDelta d -> sigs.get(d.index()).append(d.signature());
        case StreamEvent.MessageDelta d -> end = d;
        default -> { }
      }
    }
    List<Part> parts = new ArrayList<>();
    for (int i = 0; i < starts.size(); i++) {
      StreamEvent.BlockStart b = starts.get(i);
      String text = texts.get(i).toString();
      String sig = sigs.get(i).isEmpty() ? null : sigs.get(i).toString();
      parts.add(switch (b.kind()) {
        case TEXT -> Part.Text.of(text);
        case TOOL_CALL -> new Part.ToolCall(b.toolCallId(), b.toolName(), text.isEmpty() ? "{}" : text, null);
        case REASONING -> new Part.Reasoning(text, sig);
        case REDACTED_REASONING -> new Part.RedactedReasoning(sig == null ? "" : sig);
      });
    }
    assertThat(end).as("a message_delta").isNotNull();
    return new ChatResponse(id, model, parts, end.stopReason(), end.stopSequence(), end.usage());
  }

  /** The same answer with tool arguments in compact JSON: streams carry them as the model wrote them. */
  static ChatResponse compactArguments(ChatResponse r) {
    List<Part> parts = r.content().stream().map(p -> p instanceof Part.ToolCall c
        ? new Part.ToolCall(c.id(), c.name(), ExactJson.text(tree(c.arguments())), c.signature()) : p).toList();
    return new ChatResponse(r.id(), r.model(), parts, r.stopReason(), r.stopSequence(), r.usage());
  }

  private static List<String> pieces(String s, int n) {
    // By code points, so no piece ends inside a surrogate pair.
    List<String> out = new ArrayList<>();
    int i = 0;
    while (i < s.length()) {
      int end = s.offsetByCodePoints(i, Math.min(n, s.codePointCount(i, s.length())));
      out.add(s.substring(i, end));
      i = end;
    }
    return out;
  }
}
